import { useState, type SyntheticEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, SourceRecordView } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { SourceChip } from "../components/SourceChip";
import { formatDateTime, formatPhone, fullName } from "../format";
import {
  CONSENT_CHANNEL_LABELS,
  CONSENT_EVENT_LABELS,
  CONSENT_SOURCE_LABELS,
  LEDGER_KIND_LABELS,
  SMS_CONSENT_LABELS,
} from "../labels";
import { useMask } from "../presenter";

interface Props {
  id: number;
  onClose: () => void;
  /** Says what an action did, in a toast. */
  onToast: (message: string) => void;
  onOpen: (id: number) => void;
}

/** Cents as dollars: 3960 → "$39.60". */
export function formatCents(cents: number): string {
  return (cents / 100).toLocaleString(undefined, { style: "currency", currency: "USD" });
}

const REASONS: Record<string, string> = {
  new: "First record of this persona",
  phone: "Merged: same phone",
  email: "Merged: same e-mail",
};


/** A persona in full, in a side panel: profile, each source record and why it merged, purchases, ledger, pushes. */
export function PersonaDetailPanel({ id, onClose, onToast, onOpen }: Props) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: queryKeys.persona(id), queryFn: () => api.getPersona(id) });
  const detail = query.data ?? null;
  const [actionError, setError] = useState<AppError | null>(null);
  const error = actionError ?? (query.error ? toAppError(query.error) : null);
  const [splitting, setSplitting] = useState<SourceRecordView | null>(null);
  const mask = useMask();
  /** The persona changed here: its detail and the table read again. */
  const changed = () => { void queryClient.invalidateQueries({ queryKey: queryKeys.personas }); };

  const split = (record: SourceRecordView) => {
    setSplitting(null);
    api.splitSourceRecord(record.id).then(
      (newId) => {
        changed();
        onToast(`${record.integration} record ${record.pos_id} is now a persona of its own.`);
        onOpen(newId);
      },
      (caught: unknown) => { setError(toAppError(caught)); },
    );
  };

  const persona = detail?.persona;
  const resolveHeld = (isStop: boolean) => {
    api.resolveHeldReply(id, isStop).then(
      () => {
        changed();
        onToast(isStop ? "The reply was treated as an opt-out." : "The hold is released; texts may go again.");
      },
      (caught: unknown) => { setError(toAppError(caught)); },
    );
  };

  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-labelledby="persona-title" data-testid="persona-detail"
      onKeyDown={(e) => { if (e.key === "Escape") onClose(); }}>
      <div className="drawer-head">
        <h2 id="persona-title">{persona ? fullName(persona.first_name, persona.last_name) : "Persona"}</h2>
        <button type="button" className="secondary" onClick={onClose} aria-label="Close the persona">✕</button>
      </div>
      {error && <ErrorNotice error={error} />}
      {!detail && !error && <p className="muted">Loading…</p>}
      {detail && persona && (
        <div className="drawer-body">
          <dl className="facts">
            <dt>Phone</dt><dd>{mask.phone(formatPhone(persona.phone)) || "—"}</dd>
            <dt>Email</dt><dd>{mask.email(persona.email ?? "") || "—"}</dd>
            <dt>Birth date</dt><dd>{mask.date(detail.birth_date ?? "") || "—"}</dd>
            <dt>Loyalty</dt><dd>{persona.loyalty_member ? `Member · ${persona.points.toLocaleString()} points` : "Not a member"}</dd>
            <dt>SMS</dt><dd>{SMS_CONSENT_LABELS[persona.sms_consent]}</dd>
            <dt>Email opt-in</dt><dd>{persona.email_opt_in ? "Yes" : "No"}</dd>
            <dt>Favorite store</dt><dd>{persona.favorite_store ?? "—"}</dd>
            <dt>Sourced from</dt><dd>{persona.sourced_from.map((s) => <SourceChip key={s} source={s} />)}</dd>
          </dl>

          <h3>Source records</h3>
          <p className="muted small">Why these records are one persona. Split off a record that was merged by mistake: its sales and points go with it.</p>
          <div className="table-scroll"><table className="table table-compact" data-testid="persona-sources">
            <thead>
              <tr><th scope="col">Source</th><th scope="col">Store</th><th scope="col">POS id</th><th scope="col">Why</th><th scope="col">First / last seen</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {detail.sources.map((s) => (
                <tr key={s.id}>
                  <td><SourceChip source={s.integration} /></td>
                  <td>{s.store_label}</td>
                  <td className="nowrap">{s.pos_id}</td>
                  <td>{REASONS[s.match_reason] ?? s.match_reason}</td>
                  <td className="nowrap">{formatDateTime(s.first_seen_at)}<br /><span className="muted small">{formatDateTime(s.last_seen_at)}</span></td>
                  <td>
                    {detail.sources.length + detail.signups.length + detail.imports.length > 1 && (
                      <button type="button" className="small" onClick={() => { setSplitting(s); }}>Split off</button>
                    )}
                  </td>
                </tr>
              ))}
              {detail.imports.map((i) => (
                <tr key={`import-${i.file_name}-${String(i.line)}-${i.created_at}`}>
                  <td><SourceChip source="import" /></td>
                  <td>{i.file_name}</td>
                  <td className="nowrap">line {i.line}</td>
                  <td>{REASONS[i.match_reason] ?? i.match_reason}</td>
                  <td className="nowrap">{formatDateTime(i.created_at)}</td>
                  <td />
                </tr>
              ))}
              {detail.signups.map((s) => (
                <tr key={s.created_at}>
                  <td><SourceChip source="loyalty" /></td>
                  <td>Signup form</td>
                  <td>—</td>
                  <td>{REASONS[s.match_reason] ?? s.match_reason}{s.consent ? " · consent signed" : ""}</td>
                  <td className="nowrap">{formatDateTime(s.created_at)}</td>
                  <td />
                </tr>
              ))}
            </tbody>
          </table></div>
          {detail.sources.length > 0 && mask.on && (
            <p className="muted small">The records as received are hidden in presenter mode.</p>
          )}
          {detail.sources.length > 0 && !mask.on && (
            <details>
              <summary>Last record received from each POS</summary>
              {detail.sources.map((s) => (
                <pre key={s.id} className="payload">{s.integration} {s.pos_id}: {s.payload}</pre>
              ))}
            </details>
          )}

          <h3>Purchases</h3>
          {detail.purchases.length === 0 ? <p className="muted">No purchases.</p> : (
            <div className="table-scroll"><table className="table table-compact" data-testid="persona-purchases">
              <thead><tr><th scope="col">When</th><th scope="col">POS</th><th scope="col">Sale</th><th scope="col">Total</th></tr></thead>
              <tbody>
                {detail.purchases.map((p) => (
                  <tr key={`${p.integration}-${p.pos_id}`} className={p.voided ? "voided" : undefined}>
                    <td className="nowrap">{formatDateTime(p.purchased_at)}</td>
                    <td>{p.integration}</td>
                    <td>{p.pos_id}</td>
                    <td className="number">{formatCents(p.total_cents)}{p.voided ? " (voided)" : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
          )}

          <h3>Points ledger</h3>
          {detail.ledger.length === 0 ? <p className="muted">No points yet.</p> : (
            <div className="table-scroll"><table className="table table-compact" data-testid="persona-ledger">
              <thead><tr><th scope="col">When</th><th scope="col">Entry</th><th scope="col">Points</th><th scope="col">Balance</th></tr></thead>
              <tbody>
                {detail.ledger.map((e) => (
                  <tr key={`${e.kind}-${e.transaction_id}`}>
                    <td className="nowrap">{formatDateTime(e.created_at)}</td>
                    <td>
                      {e.reason} <span className="muted small">({LEDGER_KIND_LABELS[e.kind]} · {e.transaction_id})</span>
                      {e.expires_at && <><br /><span className="muted small">Expires {formatDateTime(e.expires_at)}</span></>}
                    </td>
                    <td className="number">{e.points > 0 ? `+${String(e.points)}` : e.points}</td>
                    <td className="number">{e.balance.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
          )}

          <PointsAdjuster
            personaId={id}
            onAdjusted={(balance) => {
              changed();
              onToast(`Points adjusted: the balance is now ${balance.toLocaleString()}.`);
            }}
          />

          <h3>Redemptions</h3>
          {detail.redemptions.length === 0 ? <p className="muted">No reward redeemed at a POS checkout.</p> : (
            <div className="table-scroll"><table className="table table-compact" data-testid="persona-redemptions">
              <thead><tr><th scope="col">When</th><th scope="col">Reward</th><th scope="col">Store</th><th scope="col">Sale</th><th scope="col">Points</th></tr></thead>
              <tbody>
                {detail.redemptions.map((r) => (
                  <tr key={`${r.sale}-${r.reward}-${r.redeemed_at}`} className={r.reversed_at ? "voided" : undefined}>
                    <td className="nowrap">{formatDateTime(r.redeemed_at)}</td>
                    <td>{r.reward}</td>
                    <td>{r.store ?? "—"}</td>
                    <td>{r.sale}{r.reversed_at ? " (voided: points given back)" : ""}</td>
                    <td className="number">{r.points}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
          )}

          <h3>Consent history</h3>
          {detail.held_for_review && (
            <div className="notice notice-warning" role="status" data-testid="held-for-review">
              <p>A reply from this shopper may mean stop. No texts go to their phone until you decide.</p>
              <div className="actions">
                <button type="button" onClick={() => { resolveHeld(true); }}>Treat as opt-out</button>
                <button type="button" className="secondary" onClick={() => { resolveHeld(false); }}>Not a stop</button>
              </div>
            </div>
          )}
          {detail.consent.length === 0 ? <p className="muted">No consent given, asked for or withdrawn yet.</p> : (
            <ul className="consent-list" data-testid="persona-consent">
              {detail.consent.map((c, index) => (
                <li key={`${c.created_at}-${String(index)}`}>
                  <span className="nowrap muted small">{formatDateTime(c.created_at)}</span>{" "}
                  <strong>{CONSENT_CHANNEL_LABELS[c.channel]} {CONSENT_EVENT_LABELS[c.event]}</strong>{" "}
                  <span className="muted small">by {CONSENT_SOURCE_LABELS[c.source]}{c.detail ? ` — ${mask.text(c.detail)}` : ""}</span>
                </li>
              ))}
            </ul>
          )}

          <h3>POS pushes</h3>
          {detail.pushes.length === 0 ? <p className="muted">Canopy has not pushed this persona to a POS.</p> : (
            <ul className="plain">
              {detail.pushes.map((p) => (
                <li key={p.created_at + p.integration}>
                  {p.integration}: {p.status}{p.outcome ? ` — ${p.outcome}` : ""}{p.pos_id ? ` (POS id ${p.pos_id})` : ""}, {p.attempts} attempt{p.attempts === 1 ? "" : "s"}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {splitting && (
        <ConfirmDialog
          title={`Split ${splitting.integration} record ${splitting.pos_id} off into its own persona?`}
          confirmLabel="Split off"
          onConfirm={() => { split(splitting); }}
          onCancel={() => { setSplitting(null); }}
        >
          <p>Its sales and the points they earned move with it; both personas&apos; balances are recomputed.</p>
        </ConfirmDialog>
      )}
    </aside>
  );
}

/** Support's manual adjustment of a persona's points: how many either way, and a required reason. */
function PointsAdjuster({ personaId, onAdjusted }: { personaId: number; onAdjusted: (balance: number) => void }) {
  const [open, setOpen] = useState(false);
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button type="button" className="secondary small" onClick={() => { setOpen(true); }}>
        Adjust points…
      </button>
    );
  }
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api.adjustPoints({ persona_id: personaId, points: Number(points), reason }).then(
      (balance) => {
        setBusy(false);
        setOpen(false);
        setPoints("");
        setReason("");
        onAdjusted(balance);
      },
      (caught: unknown) => {
        setBusy(false);
        setError(toAppError(caught));
      },
    );
  };
  return (
    <form className="form" aria-label="Adjust points" onSubmit={submit} data-testid="adjust-points">
      {error && <ErrorNotice error={error} />}
      <div className="form-row">
        <label>
          Points (negative to take away)
          <input name="points" type="number" step={1} required value={points} onChange={(e) => { setPoints(e.target.value); }} />
        </label>
        <label>
          Reason
          <input name="reason" required maxLength={200} value={reason} onChange={(e) => { setReason(e.target.value); }} />
          <span className="help">Kept in the ledger and the audit log</span>
        </label>
      </div>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={() => { setOpen(false); }}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>{busy ? "Adjusting…" : "Adjust"}</button>
      </div>
    </form>
  );
}
