import { useEffect, useState } from "react";
import { api } from "../api";
import type { AppError, Integration, MirrorReport } from "../bindings";
import { ErrorNotice } from "./ErrorNotice";
import { MIRROR_STATE_LABELS, MIRROR_STEPS } from "../labels";

/**
 * The card's "Redeeming Discounts" section: how many of the active rewards this POS mirrors by
 * name ("3 of 4 rewards mirrored"), which are not and why, and the steps on the POS side in the
 * seeds' words. Checked again after each sync of this POS and whenever the card's status changes.
 */
export function MirroredRewards({ integration, refresh }: { integration: Integration; refresh: unknown }) {
  const [report, setReport] = useState<MirrorReport | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    const check = () => {
      api.checkRewardMirrors().then(setReport, (e: unknown) => { setError(e as AppError); });
    };
    check();
    // Every sync reads the POS's discount list again.
    const unlisten = api.onConsoleEvent((event) => {
      if (event.type === "sync_finished" && event.integration === integration) check();
    });
    return () => { void unlisten.then((stop) => { stop(); }); };
  }, [integration, refresh]);

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
