import { Fragment, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Integration, IntegrationHealth, RejectedRecord, StoreHealth, SyncRunRow } from "../bindings";
import { ErrorNotice, errorFor } from "../components/ErrorNotice";
import { PaceForm } from "../components/PaceForm";
import { formatDateTime } from "../format";
import { ERROR_CODE_LABELS, POS_NAMES, STREAM_LABELS, TRIGGER_LABELS } from "../labels";
import { useMask } from "../presenter";


/** A run's start, short and to the second: "Nov 29, 10:04:12 AM". */
function formatRunStart(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" });
}

/** Milliseconds as "1.2 s" or "3 min 4 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)} min ${String(Math.round((ms % 60_000) / 1000))} s`;
}

/** Sync now for one credential, from its health row; the page reloads when it ends. */
function SyncCredentialButton({ row, integration, onDone }: { row: StoreHealth; integration: Integration; onDone: (message: string) => void }) {
  const [running, setRunning] = useState(false);
  return (
    <button
      type="button"
      className="small"
      disabled={running}
      onClick={() => {
        setRunning(true);
        api.syncIntegration(integration, row.credential_id, () => undefined).then(
          (summaries) => {
            const failed = summaries.find((s) => s.error);
            onDone(failed?.error ? `${row.label}: ${failed.error.message}` : `${row.label} synced.`);
          },
          (caught: unknown) => { onDone(`${row.label}: ${toAppError(caught).message}`); },
        ).finally(() => { setRunning(false); });
      }}
    >
      {running ? "Syncing…" : "Sync now"}
      {/* The store it syncs, for a screen reader; the visible words stay the start of its name. */}
      <span className="visually-hidden"> {row.label}</span>
    </button>
  );
}

/** Per integration: is it active (the FAQ check), and per store when data last arrived. */
function HealthView({ health, onSynced }: { health: IntegrationHealth[]; onSynced: (message: string) => void }) {
  if (health.length === 0) return <p className="empty">No integration has credentials yet.</p>;
  return (
    <div className="health-list">
      {health.map((h) => (
        <section key={h.integration} className="card" data-testid={`health-${h.integration}`} aria-label={`${POS_NAMES[h.integration]} health`}>
          <div className="health-head">
            <h3>{POS_NAMES[h.integration]}</h3>
            <span className={h.active ? "chip chip-ok" : "chip chip-warn"}>{h.active ? "Active" : "Not active"}</span>
          </div>
          <p>{h.verdict}</p>
          <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Store / location</th>
                <th scope="col">Mapped to</th>
                <th scope="col">Last successful sync</th>
                <th scope="col">Data current as of</th>
                <th scope="col">Personas</th>
                <th scope="col">Purchases</th>
                <th scope="col">Last error</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {h.stores.map((s) => (
                <tr key={s.store_key}>
                  <td>{s.label}</td>
                  <td>{s.mapped_store ?? <span className="chip chip-warn">Unmapped</span>}</td>
                  <td>{s.last_success_at ? formatDateTime(s.last_success_at) : "Never"}</td>
                  <td>{s.current_as_of ? formatDateTime(s.current_as_of) : "—"}</td>
                  <td className="number">{s.personas.toLocaleString()}</td>
                  <td className="number">{s.purchases.toLocaleString()}</td>
                  <td>{s.last_error ?? "—"}</td>
                  <td><SyncCredentialButton row={s} integration={h.integration} onDone={onSynced} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </section>
      ))}
    </div>
  );
}

/** What a run skipped and what went wrong, under its row: its error or warning, then each rejected record. */
function RunDetail({ run }: { run: SyncRunRow }) {
  const mask = useMask();
  const query = useQuery({
    queryKey: queryKeys.rejectedRecords(run.id),
    queryFn: () => api.rejectedRecords(run.id),
    enabled: run.rejected > 0,
  });
  const records: RejectedRecord[] | null = run.rejected === 0 ? [] : (query.data ?? null);
  const error = query.error ? toAppError(query.error) : null;
  return (
    <div className="run-detail" data-testid="run-detail">
      {run.error_message && <p><strong>Stopped:</strong> {mask.text(run.error_message)}</p>}
      {run.warning && <p><strong>Warning:</strong> {mask.text(run.warning)}</p>}
      {error && <ErrorNotice error={error} />}
      {records && records.length > 0 && (
        <table className="table table-compact" aria-label="Rejected records">
          <thead>
            <tr><th scope="col">POS id</th><th scope="col">Field</th><th scope="col">Reason</th></tr>
          </thead>
          <tbody>
            {records.map((record, index) => (
              <tr key={`${record.pos_id ?? "none"}-${String(index)}`}>
                <td>{record.pos_id ?? "—"}</td>
                <td><code>{record.field}</code></td>
                <td>{mask.text(record.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Whether a run needs a look: it stopped, warned or skipped records. */
function hasProblem(run: SyncRunRow): boolean {
  return run.error_code !== null || run.warning !== null || run.rejected > 0;
}

function HistoryTable({ runs }: { runs: SyncRunRow[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const mask = useMask();
  if (runs.length === 0) return <p className="empty">No sync has run yet. Open an integration card and press Sync now.</p>;
  return (
    <div className="table-scroll">
    <table className="table table-compact" data-testid="sync-history">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Store</th>
          <th scope="col">Stream</th>
          <th scope="col">Trigger</th>
          <th scope="col">Duration</th>
          <th scope="col">Pages</th>
          <th scope="col">Seen</th>
          <th scope="col">New</th>
          <th scope="col">Changed</th>
          <th scope="col">Rejected</th>
          <th scope="col">Retries</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <Fragment key={r.id}>
          <tr>
            <td className="nowrap">{formatRunStart(r.started_at)}</td>
            <td className="nowrap">
              {r.store_label}
              <div className="muted small">{POS_NAMES[r.integration]}</div>
            </td>
            <td>{STREAM_LABELS[r.stream]}</td>
            <td>{TRIGGER_LABELS[r.trigger]}</td>
            <td>{r.duration_ms === null ? "running" : formatDuration(r.duration_ms)}</td>
            <td className="number">{r.pages}</td>
            <td className="number">{r.seen.toLocaleString()}</td>
            <td className="number">{r.new.toLocaleString()}</td>
            <td className="number">{r.changed.toLocaleString()}</td>
            <td className="number">{r.rejected}</td>
            <td className="number">{r.retries}</td>
            <td className="nowrap">
              {r.error_code ? (
                <span className="chip chip-error" title={r.error_message ? mask.text(r.error_message) : undefined}>{ERROR_CODE_LABELS[r.error_code]}</span>
              ) : (
                <span className={r.warning ? "chip chip-warning" : "chip chip-ok"}>{r.warning ? "warning" : "ok"}</span>
              )}
              {hasProblem(r) && (
                <button
                  type="button"
                  className="link small"
                  aria-expanded={open === r.id}
                  aria-label={`What went wrong in ${r.store_label} · ${STREAM_LABELS[r.stream]}`}
                  onClick={() => { setOpen(open === r.id ? null : r.id); }}
                >
                  {open === r.id ? "Hide" : "Details"}
                </button>
              )}
            </td>
          </tr>
          {open === r.id && (
            <tr className="run-detail-row">
              <td colSpan={12}><RunDetail run={r} /></td>
            </tr>
          )}
          </Fragment>
        ))}
      </tbody>
    </table>
    </div>
  );
}

/** How often Canopy syncs on its own. */
function ScheduleForm({ onToast }: { onToast: (message: string) => void }) {
  const saved = useQuery({ queryKey: queryKeys.syncInterval, queryFn: api.syncInterval }).data;
  const [typed, setMinutes] = useState<string | null>(null);
  const minutes = typed ?? (saved === undefined ? "" : String(saved));
  const [error, setError] = useState<AppError | null>(null);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        setError(null);
        api.setSyncInterval(Number(minutes)).then(
          (saved) => { onToast(saved === 0 ? "Scheduled syncs are off." : `Canopy syncs every ${String(saved)} minutes.`); },
          (caught: unknown) => { setError(toAppError(caught)); },
        );
      }}
    >
      <label htmlFor="sync-interval">Sync every (minutes, 0 = off)</label>
      <input id="sync-interval" type="number" min={0} max={1440} value={minutes} {...errorFor(error, "sync-interval-error")} onChange={(e) => { setMinutes(e.target.value); }} />
      <button type="submit">Save</button>
      {error && <ErrorNotice error={error} id="sync-interval-error" />}
    </form>
  );
}

/** Sync: the health of each integration, the schedule, and the history of runs. */
export function SyncPage({ onToast }: { onToast: (message: string) => void }) {
  const [onlyProblems, setOnlyProblems] = useState(false);
  // Both refresh when a sync finishes (a backend event), whoever started it.
  const healthQuery = useQuery({ queryKey: queryKeys.syncHealth, queryFn: api.syncHealth });
  const runsQuery = useQuery({
    queryKey: [...queryKeys.syncHistory, onlyProblems],
    queryFn: () => api.syncHistory(200, onlyProblems),
  });
  const health = healthQuery.data ?? null;
  const runs = runsQuery.data ?? null;
  const failure = healthQuery.error ?? runsQuery.error;
  const error = failure ? toAppError(failure) : null;
  return (
    <div className="page-sections">
      {error && <ErrorNotice error={error} />}
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Health</h2>
        <p className="muted">Is the integration active? It is when personas are sourced from it and its last sync succeeded.</p>
        {health && (
          <HealthView
            health={health}
            onSynced={onToast}
          />
        )}
      </section>
      <section aria-labelledby="schedule-heading">
        <h2 id="schedule-heading">Schedule</h2>
        <ScheduleForm onToast={onToast} />
        <h3 id="pace-heading">Pace</h3>
        <p className="muted">
          Canopy starts at 5 requests a second to each credential, speeds up while the POS answers cleanly and slows
          down when it asks to — never past the most you set here.
        </p>
        <div className="pace-forms" aria-labelledby="pace-heading" role="group">
          <PaceForm integration="posabit" onToast={onToast} />
          <PaceForm integration="greenbits" onToast={onToast} />
        </div>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <label className="checkbox">
          <input
            type="checkbox"
            name="only_problems"
            checked={onlyProblems}
            onChange={(e) => { setOnlyProblems(e.target.checked); }}
          />
          <span>Only runs with problems (stopped, warned or skipped records)</span>
        </label>
        {runs && <HistoryTable runs={runs} />}
      </section>
    </div>
  );
}
