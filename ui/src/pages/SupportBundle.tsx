import { useState } from "react";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, BundleEntry } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** Human-sized bytes. */
function size(bytes: number): string {
  return bytes < 1024 ? `${String(bytes)} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * Settings → Support: a support bundle for support staff, shown file by file before it is saved.
 * Nothing in it is a key, a token, or a shopper's phone, e-mail, name or birth date.
 */
export function SupportBundle({ onToast }: { onToast: (message: string) => void }) {
  const [entries, setEntries] = useState<BundleEntry[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const fail = (e: unknown) => {
    setError(toAppError(e));
  };
  const preview = () => {
    setError(null);
    api.supportBundleContents().then(setEntries, fail);
  };
  const saveAs = async () => {
    const path = await api.pickBundlePath(`canopy-support-${new Date().toISOString().slice(0, 10)}.zip`);
    if (!path) return;
    await api.saveSupportBundle(path);
    setEntries(null);
    onToast(`Support bundle saved to ${path}.`);
  };

  return (
    <div className="card" aria-labelledby="support-heading">
      <h2 id="support-heading">Support</h2>
      <p className="muted small">
        A support bundle lets support see what went wrong: settings, credentials without their keys, recent syncs and the
        records they skipped, and the last log lines. It holds no key or token and no shopper&apos;s phone, e-mail, name
        or birth date.
      </p>
      {!entries && (
        <div className="form-actions">
          <button type="button" className="secondary" onClick={preview}>
            Create support bundle
          </button>
        </div>
      )}
      {entries && (
        <>
          <table className="bundle-files" aria-label="What the support bundle holds">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">What it holds</th>
                <th scope="col">Size</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.name}>
                  <td><code>{entry.name}</code></td>
                  <td>{entry.what}</td>
                  <td>{size(entry.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions">
            <button type="button" className="secondary" onClick={() => { setEntries(null); }}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => { saveAs().catch(fail); }}>
              Save support bundle…
            </button>
          </div>
        </>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
