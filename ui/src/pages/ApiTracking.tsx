import { useContext, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { PresenterContext } from "../presenter";

/**
 * Settings → API & Tracking: what the manager types on the POS side (POSaBIT → Settings →
 * Integrations → New Integration): Canopy's API Key (masked until revealed) and UID, and each
 * retail store's store ID number for the Data field.
 */
export function ApiTracking() {
  // Read again whenever the retail stores change (their store ID numbers are listed here).
  const query = useQuery({ queryKey: queryKeys.apiTracking, queryFn: api.apiTracking });
  const tracking = query.data ?? null;
  const [key, setKey] = useState<string | null>(null);
  const [revealError, setError] = useState<AppError | null>(null);
  const error = revealError ?? (query.error ? toAppError(query.error) : null);
  const presenting = useContext(PresenterContext);

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
