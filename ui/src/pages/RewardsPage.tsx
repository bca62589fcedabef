import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { OverdrawnPersona, RedemptionCount, RetailStore, Reward, RewardInput, RewardKind, RewardMirror } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { MIRROR_STATE_LABELS, MIRROR_STEPS, POS_NAMES, REWARD_KIND_LABELS } from "../labels";

/** What a change to a reward makes stale. */
const REWARD_QUERIES = [queryKeys.rewards, queryKeys.rewardMirrors, queryKeys.notifications];

const EMPTY: RewardInput = { name: "", points: 100, kind: "amount_off", value: 500, item: null, store_ids: [], starts_on: null, ends_on: null };

/** What a reward gives, in words. */
export function giftText(reward: Pick<Reward, "kind" | "value" | "item">): string {
  if (reward.kind === "amount_off") return `$${((reward.value ?? 0) / 100).toFixed(2)} off`;
  if (reward.kind === "percent_off") return `${String(reward.value ?? 0)}% off`;
  return `Free ${reward.item ?? "item"}`;
}

/** The first and last day of the last 30 days, as `YYYY-MM-DD`. */
function lastThirtyDays(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 24 * 3600 * 1000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** Loyalty → Rewards: the rewards, how each is mirrored in each POS, and its redemptions. */
export function RewardsPage({ onToast }: { onToast: (message: string) => void }) {
  const [period, setPeriod] = useState(lastThirtyDays);
  const [editing, setEditing] = useState<Reward | "new" | null>(null);
  const [retiring, setRetiring] = useState<Reward | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  // Each refreshes when a sync finishes (new discount lists and redemptions) or a reward changes.
  const rewardsQuery = useQuery({ queryKey: queryKeys.rewards, queryFn: api.listRewards });
  const mirrorsQuery = useQuery({ queryKey: queryKeys.rewardMirrors, queryFn: api.checkRewardMirrors });
  const storesQuery = useQuery({ queryKey: queryKeys.stores, queryFn: api.listStores });
  const overdrawnQuery = useQuery({ queryKey: queryKeys.overdrawn, queryFn: api.overdrawnPersonas });
  const countsQuery = useQuery({
    queryKey: queryKeys.redemptionCounts(period.from, period.to),
    queryFn: () => api.redemptionCounts(period.from, period.to),
  });
  const retire = useMutation({
    mutationFn: (reward: Reward) => api.retireReward(reward.id),
    meta: { invalidates: REWARD_QUERIES },
    onSuccess: (reward) => { onToast(`Reward “${reward.name}” retired.`); },
  });
  const rewards = rewardsQuery.data ?? [];
  const mirrors = mirrorsQuery.data?.rows ?? [];
  const stores = storesQuery.data ?? [];
  const overdrawn = overdrawnQuery.data ?? [];
  const counts = countsQuery.data ?? [];
  const failure = rewardsQuery.error ?? mirrorsQuery.error ?? storesQuery.error ?? overdrawnQuery.error ?? countsQuery.error ?? retire.error;
  const error = failure ? toAppError(failure) : null;

  const storeNames = (reward: Reward) =>
    reward.store_ids.length === 0 ? "Every store" : reward.store_ids.map((id) => stores.find((s) => s.id === id)?.name ?? `#${String(id)}`).join(", ");
  const mirrorsOf = (reward: Reward) => mirrors.filter((m) => m.reward_id === reward.id);
  const redeemed = (reward: Reward) => counts.filter((c) => c.reward_id === reward.id).reduce((n, c) => n + c.redemptions, 0);

  return (
    <section className="card" aria-labelledby="rewards-heading">
      <div className="card-title">
        <h2 id="rewards-heading">Rewards</h2>
        <span className="muted small">Loyalty</span>
        <span className="spacer" />
        {editing === null && (
          <button type="button" className="primary" onClick={() => { setEditing("new"); }}>
            New reward
          </button>
        )}
      </div>
      <p className="help">
        Create each discount or reward here first, then mirror it in every POS with exactly the same name: a sale&apos;s
        discount line with that name spends the reward&apos;s points.
      </p>
      {error && <ErrorNotice error={error} />}
      {editing !== null && (
        <RewardForm
          reward={editing === "new" ? null : editing}
          stores={stores}
          onDone={(message) => {
            setEditing(null);
            if (message) onToast(message);
          }}
        />
      )}
      <div className="period" role="group" aria-label="Redemptions counted">
        <span className="muted small">Redemptions counted</span>
        <label>From <input type="date" name="from" value={period.from} onChange={(e) => { setPeriod({ ...period, from: e.target.value }); }} /></label>
        <label>to <input type="date" name="to" value={period.to} onChange={(e) => { setPeriod({ ...period, to: e.target.value }); }} /></label>
      </div>
      {rewards.length === 0 && editing === null && <p className="empty">No rewards yet — create one, then mirror it in your POS.</p>}
      {rewards.length > 0 && (
        <table className="table" data-testid="rewards">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="number">Points</th>
              <th scope="col">Gives</th>
              <th scope="col">Stores</th>
              <th scope="col">In the POS</th>
              <th scope="col" className="number">Redemptions</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {rewards.map((reward) => {
              const rows = mirrorsOf(reward);
              const mirrored = rows.filter((m) => m.state === "mirrored").length;
              return (
                <RewardRow
                  key={reward.id}
                  reward={reward}
                  stores={storeNames(reward)}
                  mirrorText={reward.retired_at ? "Retired" : rows.length === 0 ? "No connected POS" : `${String(mirrored)} of ${String(rows.length)} mirrored`}
                  redeemed={redeemed(reward)}
                  expanded={open === reward.id}
                  onToggle={() => { setOpen(open === reward.id ? null : reward.id); }}
                  onEdit={() => { setEditing(reward); }}
                  onRetire={() => { setRetiring(reward); }}
                  mirrors={rows}
                  counts={counts.filter((c) => c.reward_id === reward.id)}
                />
              );
            })}
          </tbody>
        </table>
      )}
      {overdrawn.length > 0 && <Overdrawn personas={overdrawn} />}
      {retiring && (
        <ConfirmDialog
          title="It is no longer offered or checked in the POS"
          confirmLabel={`Retire “${retiring.name}”`}
          onCancel={() => { setRetiring(null); }}
          onConfirm={() => {
            retire.mutate(retiring);
            setRetiring(null);
          }}
        >
          <p>Its redemptions stay in each shopper&apos;s ledger. Remove the discount in your POS too, so it is not offered at checkout.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** One reward's row, and under it, when open, its mirror panel and its redemptions per store. */
function RewardRow(props: {
  reward: Reward;
  stores: string;
  mirrorText: string;
  redeemed: number;
  expanded: boolean;
  onToggle: () => void;
  onEdit: () => void;
  onRetire: () => void;
  mirrors: RewardMirror[];
  counts: RedemptionCount[];
}) {
  const { reward } = props;
  const retired = reward.retired_at !== null;
  return (
    <>
      <tr className={retired ? "muted" : undefined}>
        <td>
          <button type="button" className="link" aria-expanded={props.expanded} onClick={props.onToggle}>
            {reward.name}
          </button>
        </td>
        <td className="number">{reward.points}</td>
        <td>{giftText(reward)}</td>
        <td>{props.stores}</td>
        <td>{props.mirrorText}</td>
        <td className="number">{props.redeemed}</td>
        <td className="actions">
          {!retired && (
            <>
              <button type="button" className="secondary small" onClick={props.onEdit}>Edit</button>
              <button type="button" className="secondary small danger-text" onClick={props.onRetire}>Retire</button>
            </>
          )}
        </td>
      </tr>
      {props.expanded && (
        <tr>
          <td colSpan={7}>
            <MirrorPanel reward={reward} mirrors={props.mirrors} />
            {props.counts.length > 0 && (
              <p className="small">
                Redeemed in this period:{" "}
                {props.counts.map((c) => `${c.store_name ?? "an unmapped store"} ${String(c.redemptions)}× (${String(c.points)} points)`).join(" · ")}
              </p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/** How one reward stands in each connected POS store, with the steps to mirror it there. */
export function MirrorPanel({ reward, mirrors }: { reward: Reward; mirrors: RewardMirror[] }) {
  if (mirrors.length === 0) {
    return <p className="muted">Connect a POS and sync it to check “{reward.name}” against its discounts.</p>;
  }
  const integrations = [...new Set(mirrors.map((m) => m.integration))];
  return (
    <div className="mirror-panel" aria-label={`${reward.name} in the POS`}>
      <table className="table compact">
        <thead>
          <tr>
            <th scope="col">POS</th>
            <th scope="col">Store</th>
            <th scope="col">Mirror</th>
          </tr>
        </thead>
        <tbody>
          {mirrors.map((m) => (
            <tr key={`${m.integration}:${m.store_key}`}>
              <td>{POS_NAMES[m.integration]}</td>
              <td>{m.store_label}</td>
              <td>
                <span className={m.state === "mirrored" ? "chip chip-ok" : "chip chip-warn"}>{MIRROR_STATE_LABELS[m.state]}</span>
                {m.state === "name_differs" && m.pos_name && (
                  <span className="small">
                    {" "}The POS has <code className="exact-name">{m.pos_name}</code>; Canopy has{" "}
                    <code className="exact-name">{reward.name}</code>. Redemption needs the exact name.
                  </span>
                )}
                {m.state === "value_differs" && m.pos_value && (
                  <span className="small"> The POS gives {m.pos_value}; the reward gives {giftText(reward)}.</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {integrations
        .filter((i) => mirrors.some((m) => m.integration === i && m.state !== "mirrored"))
        .map((i) => (
          <p key={i} className="help">{MIRROR_STEPS[i]}</p>
        ))}
    </div>
  );
}

/** The reward form: name, points, what it gives, stores, dates. */
function RewardForm({ reward, stores, onDone }: { reward: Reward | null; stores: RetailStore[]; onDone: (message?: string) => void }) {
  const [input, setInput] = useState<RewardInput>(reward ? { ...reward } : EMPTY);
  const save = useMutation({
    mutationFn: () => api.saveReward(reward?.id ?? null, input),
    meta: { invalidates: REWARD_QUERIES },
    onSuccess: (saved) => { onDone(`Reward “${saved.name}” saved.`); },
  });
  const error = save.error ? toAppError(save.error) : null;
  const busy = save.isPending;
  const toggleStore = (id: number) => {
    const ids = input.store_ids.includes(id) ? input.store_ids.filter((s) => s !== id) : [...input.store_ids, id];
    setInput({ ...input, store_ids: ids });
  };
  const valueLabel = input.kind === "amount_off" ? "Amount off ($)" : "Percent off";

  return (
    <form className="form" aria-label={reward ? `Edit ${reward.name}` : "New reward"} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      {error && <ErrorNotice error={error} />}
      <div className="form-row">
        <label>
          Name
          <input name="name" value={input.name} required maxLength={80} onChange={(e) => { setInput({ ...input, name: e.target.value }); }} />
          <span className="help">The POS discount must use exactly this name</span>
        </label>
        <label>
          Points
          <input name="points" type="number" min={1} value={input.points} required onChange={(e) => { setInput({ ...input, points: Number(e.target.value) }); }} />
        </label>
        <label>
          Gives
          <select
            name="kind"
            value={input.kind}
            onChange={(e) => {
              const kind = e.target.value as RewardKind;
              setInput({ ...input, kind, value: kind === "free_item" ? null : (input.value ?? 10), item: kind === "free_item" ? (input.item ?? "") : null });
            }}
          >
            {(Object.keys(REWARD_KIND_LABELS) as RewardKind[]).map((k) => <option key={k} value={k}>{REWARD_KIND_LABELS[k]}</option>)}
          </select>
        </label>
        {input.kind === "free_item" ? (
          <label>Item<input name="item" value={input.item ?? ""} required onChange={(e) => { setInput({ ...input, item: e.target.value }); }} /></label>
        ) : (
          <label>
            {valueLabel}
            <input
              name="value"
              type="number"
              min={input.kind === "amount_off" ? 0.01 : 1}
              step={input.kind === "amount_off" ? 0.01 : 1}
              value={input.kind === "amount_off" ? (input.value ?? 0) / 100 : (input.value ?? 0)}
              required
              onChange={(e) => {
                const typed = Number(e.target.value);
                setInput({ ...input, value: input.kind === "amount_off" ? Math.round(typed * 100) : Math.round(typed) });
              }}
            />
          </label>
        )}
      </div>
      <div className="form-row">
        <label>Starts<input name="starts_on" type="date" value={input.starts_on ?? ""} onChange={(e) => { setInput({ ...input, starts_on: e.target.value || null }); }} /></label>
        <label>Ends<input name="ends_on" type="date" value={input.ends_on ?? ""} onChange={(e) => { setInput({ ...input, ends_on: e.target.value || null }); }} /></label>
      </div>
      <fieldset>
        <legend>Offered at</legend>
        {stores.length === 0 && <p className="muted">Every store (add retail stores to offer it at some only).</p>}
        {stores.map((s) => (
          <label key={s.id} className="checkbox">
            <input type="checkbox" checked={input.store_ids.includes(s.id)} onChange={() => { toggleStore(s.id); }} />
            {s.name}
          </label>
        ))}
        {stores.length > 0 && <span className="help">None ticked: every store</span>}
      </fieldset>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={() => { onDone(); }}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>{busy ? "Saving…" : "Save reward"}</button>
      </div>
    </form>
  );
}

/** Shoppers whose redemptions took them below zero: flagged for support, never hidden. */
function Overdrawn({ personas }: { personas: OverdrawnPersona[] }) {
  return (
    <section aria-labelledby="overdrawn-heading" className="notice warning">
      <h3 id="overdrawn-heading">Below zero after a redemption</h3>
      <p className="help">
        A POS checkout redeemed more points than these shoppers had. Open a shopper in Personas to see the ledger, and
        adjust the balance by hand with a reason if the POS was wrong.
      </p>
      <ul>
        {personas.map((p) => (
          <li key={p.persona_id}>
            {[p.first_name, p.last_name].filter(Boolean).join(" ") || `Persona #${String(p.persona_id)}`}:{" "}
            {p.points_balance} points
          </li>
        ))}
      </ul>
    </section>
  );
}
