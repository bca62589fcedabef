import { useState } from "react";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, Integration, Stream, SyncProgress, SyncSummary } from "../bindings";
import { STREAM_LABELS, SYNC_STATE_SUFFIXES } from "../labels";
import { ErrorNotice } from "../components/ErrorNotice";
import { plural } from "../format";

interface Props {
  integration: Integration;
  connected: boolean;
  onToast: (message: string) => void;
  onShowPersonas: () => void;
}

/** The key of one stream's progress bar: credential, store and stream. */
function streamKey(p: { credential_id: string; store_label: string; stream: Stream | null }) {
  return `${p.credential_id}/${p.store_label}/${p.stream ?? "credential"}`;
}

/** One stream's bar: records done of the POS's total, or an indeterminate bar when it gives none. */
export function ProgressBar({ progress }: { progress: SyncProgress }) {
  const label = `${progress.store_label} · ${STREAM_LABELS[progress.stream]}`;
  const finished = progress.state === "finished";
  const known = finished || (progress.total !== null && progress.total > 0);
  const percent = finished ? 100 : known ? Math.min(100, Math.round((progress.done / (progress.total ?? 1)) * 100)) : undefined;
  return (
    <div className={`progress progress-${progress.state}`} data-testid="sync-progress">
      <div className="progress-label">
        <span>{label}</span>
        <span className="muted">
          {progress.done.toLocaleString()}
          {known ? ` / ${(progress.total ?? progress.done).toLocaleString()}` : ""} records
          {SYNC_STATE_SUFFIXES[progress.state]}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className={known ? "progress-fill" : "progress-fill indeterminate"} style={{ width: known ? `${String(percent)}%` : undefined }} />
      </div>
    </div>
  );
}

/** Sync now for one integration: a bar per stream while it runs, Cancel, then what each stream did. */
export function SyncPanel({ integration, connected, onToast, onShowPersonas }: Props) {
  const [syncing, setSyncing] = useState(false);
  const [progress, setProgress] = useState<Record<string, SyncProgress>>({});
  const [results, setResults] = useState<SyncSummary[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const syncNow = async () => {
    setSyncing(true);
    setError(null);
    setResults(null);
    setProgress({});
    try {
      const summaries = await api.syncIntegration(integration, null, (p) => {
        setProgress((current) => ({ ...current, [streamKey(p)]: p }));
      });
      setResults(summaries);
      if (summaries.every((s) => !s.error)) {
        const fresh = summaries.reduce((n, s) => n + s.new, 0);
        onToast(`Sync finished: ${plural(fresh, "new record")}.`);
      }
    } catch (caught) {
      setError(toAppError(caught));
    } finally {
      setSyncing(false);
    }
  };

  const failures = results?.filter((r) => r.error) ?? [];
  const totals = results?.reduce(
    (sum, r) => ({ seen: sum.seen + r.seen, new: sum.new + r.new, changed: sum.changed + r.changed, rejected: sum.rejected + r.rejected }),
    { seen: 0, new: 0, changed: 0, rejected: 0 },
  );
  const bars = Object.values(progress);
  return (
    <div className="sync-panel">
      <div className="sync-actions">
        <button
          type="button"
          className="primary"
          disabled={syncing || !connected}
          title={connected ? undefined : "Connect first"}
          onClick={() => void syncNow()}
        >
          {syncing ? (
            <>
              <span className="spinner" aria-hidden="true" /> Syncing…
            </>
          ) : (
            "Sync now"
          )}
        </button>
        {syncing && (
          <button type="button" onClick={() => void api.cancelSync(integration)}>
            Cancel
          </button>
        )}
      </div>
      {bars.length > 0 && (
        <div className="progress-list" aria-live="polite">
          {bars.map((p) => (
            <ProgressBar key={streamKey(p)} progress={p} />
          ))}
        </div>
      )}
      <div className="sync-results" aria-live="polite">
        {error && <ErrorNotice error={error} title="Sync did not run" />}
        {failures.map((r) =>
          r.error ? (
            <ErrorNotice key={streamKey(r)} error={r.error} title={`${r.store_name}: sync stopped`} />
          ) : null,
        )}
        {totals && (
          <p>
            {plural(totals.seen, "record")} received: {totals.new} new, {totals.changed} changed
            {totals.rejected > 0 ? `, ${String(totals.rejected)} skipped (see Sync → History)` : ""}.
          </p>
        )}
        {results && (
          <button type="button" className="link" onClick={onShowPersonas}>
            See personas sourced from {integration} →
          </button>
        )}
      </div>
    </div>
  );
}
