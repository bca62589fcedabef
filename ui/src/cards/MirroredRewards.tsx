import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { Integration } from "../bindings";
import { queryKeys } from "../queries";
import { ErrorNotice } from "../components/ErrorNotice";
import { MIRROR_STATE_LABELS, MIRROR_STEPS } from "../labels";

/**
 * The card's "Redeeming Discounts" section: how many of the active rewards this POS mirrors by
 * name ("3 of 4 rewards mirrored"), which are not and why, and the steps on the POS side in the
 * seeds' words. Checked again after each sync (the query's backend event) and each change of a reward.
 */
export function MirroredRewards({ integration }: { integration: Integration }) {
  const query = useQuery({ queryKey: queryKeys.rewardMirrors, queryFn: api.checkRewardMirrors });
  const report = query.data;
  const error = query.error ? toAppError(query.error) : null;

  const summary = report?.summaries.find((s) => s.integration === integration);
  const unmirrored = report?.rows.filter((r) => r.integration === integration && r.state !== "mirrored") ?? [];
  return (
    <section className="card-section" aria-labelledby={`${integration}-rewards-heading`}>
      <h3 id={`${integration}-rewards-heading`}>Redeeming Discounts</h3>
      {error && <ErrorNotice error={error} />}
      <p data-testid={`${integration}-rewards-mirrored`}>
        {summary
          ? `${String(summary.mirrored)} of ${String(summary.rewards)} rewards mirrored`
          : "No active reward to check yet: create rewards in Loyalty → Rewards, then sync."}
      </p>
      {unmirrored.length > 0 && (
        <ul className="plain" aria-label="Rewards not mirrored">
          {unmirrored.map((r) => (
            <li key={`${String(r.reward_id)}-${r.store_key}`}>
              <span className="chip chip-warn">{MIRROR_STATE_LABELS[r.state]}</span> “{r.reward_name}” at {r.store_label}
              {r.pos_name && r.state === "name_differs" ? ` — the POS has “${r.pos_name}”` : ""}
              {r.pos_value && r.state === "value_differs" ? ` — the POS gives ${r.pos_value}` : ""}
            </li>
          ))}
        </ul>
      )}
      <p className="help">{MIRROR_STEPS[integration]}</p>
    </section>
  );
}
