import { useContext, useEffect, useState } from "react";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { ApiTracking as Tracking, AppError } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { PresenterContext } from "../presenter";

/**
 * Settings → API & Tracking: what the manager types on the POS side (POSaBIT → Settings →
 * Integrations → New Integration): Canopy's API Key (masked until revealed) and UID, and each
 * retail store's store ID number for the Data field.
 */
export function ApiTracking({ storesVersion }: { storesVersion: number }) {
  const [tracking, setTracking] = useState<Tracking | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const presenting = useContext(PresenterContext);

  useEffect(() => {
    api.apiTracking().then(setTracking, (e: unknown) => { setError(toAppError(e)); });
  }, [storesVersion]);

  return (
    <div className="card" aria-labelledby="api-heading">
      <h2 id="api-heading">API &amp; Tracking</h2>
      <p className="muted">Fill out the API Key &amp; UID in your POS&apos;s integration settings, and enter each store&apos;s ID number into the Data field.</p>
      {error && <ErrorNotice error={error} />}
      {tracking && (
        <dl className="facts">
          <dt>API Key</dt>
          <dd className="secret-row">
            <code data-testid="api-key">{presenting ? "••••••••••••••••" : key ?? "••••••••••••••••"}</code>
            {presenting ? (
              <span className="muted small">Hidden in presenter mode</span>
            ) : key === null ? (
              <button
                type="button"
                className="secondary small"
                onClick={() => { api.revealApiKey().then(setKey, (e: unknown) => { setError(toAppError(e)); }); }}
              >
                Reveal
              </button>
            ) : (
              <button type="button" className="secondary small" onClick={() => { setKey(null); }}>Hide</button>
            )}
          </dd>
          <dt>UID</dt>
          <dd><code data-testid="api-uid">{tracking.uid}</code></dd>
          <dt>Store ID numbers</dt>
          <dd>
            {tracking.stores.length === 0 ? (
              <span className="muted">Add retail stores first.</span>
            ) : (
              <ul className="plain">
                {tracking.stores.map((s) => <li key={s.store_number}>{s.name}: <code>{s.store_number}</code></li>)}
              </ul>
            )}
          </dd>
        </dl>
      )}
    </div>
  );
}
