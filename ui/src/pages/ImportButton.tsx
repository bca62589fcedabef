import { useState } from "react";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, ImportSummary } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { useMask } from "../presenter";

/** What an import did, in one sentence. */
export function describeImport(file: string, summary: ImportSummary): string {
  const skipped = summary.rejected > 0 ? `, ${summary.rejected.toLocaleString()} skipped` : "";
  return `Imported ${file}: ${summary.created.toLocaleString()} new, ${summary.merged.toLocaleString()} merged${skipped}.`;
}

/**
 * Personas → Import CSV: the user picks a file; its shoppers become `import`-sourced personas (or
 * merge into the persona with the same phone or e-mail), with progress; skipped lines are listed with
 * their line numbers so the file can be fixed.
 */
export function ImportButton({ onImported }: { onImported: (message: string) => void }) {
  const [done, setDone] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [skipped, setSkipped] = useState<ImportSummary | null>(null);
  const mask = useMask();
  const importCsv = async () => {
    setError(null);
    setSkipped(null);
    const path = await api.pickOpenPath();
    if (typeof path !== "string") return;
    const file = path.split(/[\\/]/).pop() ?? path;
    setDone(0);
    try {
      const summary = await api.importPersonas(path, (p) => { setDone(p.done); });
      onImported(describeImport(file, summary));
      if (summary.rejected > 0) setSkipped(summary);
    } catch (caught) {
      setError(toAppError(caught));
    } finally {
      setDone(null);
    }
  };
  return (
    <>
      {done !== null && <span className="muted small" data-testid="import-progress">{done.toLocaleString()} lines read…</span>}
      <button type="button" disabled={done !== null} onClick={() => void importCsv()}>Import CSV</button>
      {error && <ErrorNotice error={error} title="Import did not run" />}
      {skipped && (
        <div className="notice notice-warning import-skipped" role="status">
          <strong className="notice-title">{skipped.rejected.toLocaleString()} lines were skipped; the others were imported.</strong>
          <ul>
            {skipped.errors.map((e) => <li key={e.line}>Line {e.line}: {mask.text(e.reason)}</li>)}
          </ul>
          {skipped.rejected > skipped.errors.length && <p className="muted small">Only the first {skipped.errors.length} are listed.</p>}
          <button type="button" className="link" onClick={() => { setSkipped(null); }}>Dismiss</button>
        </div>
      )}
    </>
  );
}
