import { useEffect, useState } from "react";
import { api } from "../api";
import type { AppError, AuditEntry, Integration } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatDateTime } from "../format";

const SETTING_LABELS: Record<string, string> = {
  sync_personas: "Sync Personas / Sync Contacts",
  use_last_backup: "Use last backup",
  patient_lists_optional: "Pulling patient lists is optional",
  sync_to_relevant_market: "Sync to relevant market",
  enroll_after: "Enroll Personas in loyalty program who purchased after",
  sms_opt_in_after: "Send SMS double opt-ins to Personas who purchased after",
  points_imported_on: "Loyalty points imported on",
  mirror_points: "Mirror integration loyalty point values?",
};

/** Settings → Audit log: every change of an integration setting; read-only. */
export function AuditLog({ version }: { version: number }) {
  const [integration, setIntegration] = useState<Integration | "">("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.auditLog(integration === "" ? null : integration).then(setEntries, (caught: unknown) => { setError(caught as AppError); });
  }, [integration, version]);
  return (
    <div className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <p className="muted">Every change of an integration card&apos;s additional settings: who, when, and whether the warning was acknowledged. Nothing here can be edited.</p>
      <div className="filters">
        <label>
          Integration
          <select value={integration} onChange={(e) => { setIntegration(e.target.value as Integration | ""); }}>
            <option value="">All</option>
            <option value="posabit">POSaBIT</option>
            <option value="greenbits">Greenbits</option>
          </select>
        </label>
      </div>
      {error && <ErrorNotice error={error} />}
      {entries && entries.length === 0 && <p className="empty">No setting has been changed yet.</p>}
      {entries && entries.length > 0 && (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="audit-log">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Integration</th><th scope="col">Setting</th><th scope="col">Change</th><th scope="col">User</th><th scope="col">Warning acknowledged</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatDateTime(e.changed_at)}</td>
                  <td>{e.integration === "posabit" ? "POSaBIT" : "Greenbits"}</td>
                  <td>{SETTING_LABELS[e.setting] ?? e.setting}</td>
                  <td className="nowrap">{e.old_value} → {e.new_value}</td>
                  <td>{e.os_user}</td>
                  <td>{e.warning_acknowledged ? "Yes" : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
