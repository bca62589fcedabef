import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, AuditArea, Integration } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatDateTime } from "../format";
import { AUDIT_AREA_LABELS, isMember, membersOf, POS_NAMES } from "../labels";

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

/**
 * Settings → Audit log: every change that touches data or consent — card settings, credentials,
 * Connect and Disconnect, the age gate, retail stores and mappings, loyalty settings. Filtered by
 * integration and area, exported to CSV; read-only.
 */
export function AuditLog({ onToast }: { onToast: (message: string) => void }) {
  const [integration, setIntegration] = useState<Integration | "">("");
  const [area, setArea] = useState<AuditArea | "">("");
  // Every change is audited: the shell makes this stale after each finished action.
  const query = useQuery({
    queryKey: [...queryKeys.auditLog, integration, area],
    queryFn: () => api.auditLog(integration === "" ? null : integration, area === "" ? null : area),
    // A new filter keeps the old rows on screen until its answer arrives.
    placeholderData: keepPreviousData,
  });
  const entries = query.data ?? null;
  const [exportError, setError] = useState<AppError | null>(null);
  const error = exportError ?? (query.error ? toAppError(query.error) : null);
  const exportCsv = async () => {
    const path = await api.pickSavePath("canopy-audit-log.csv");
    if (!path) return;
    const written = await api.exportAuditLog(path);
    onToast(`Wrote ${String(written)} audit entries to ${path}.`);
  };
  return (
    <div className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <p className="muted">
        Every change that touches data or consent: who, when, what it was and what it became, and whether a warning was
        acknowledged. Nothing here can be edited.
      </p>
      <div className="filters">
        <label>
          Integration
          <select
            name="audit_integration"
            value={integration}
            onChange={(e) => {
              const value = e.target.value;
              setIntegration(isMember(POS_NAMES, value) ? value : "");
            }}
          >
            <option value="">All</option>
            {membersOf(POS_NAMES).map((pos) => (
              <option key={pos} value={pos}>{POS_NAMES[pos]}</option>
            ))}
          </select>
        </label>
        <label>
          Area
          <select
            name="audit_area"
            value={area}
            onChange={(e) => {
              const value = e.target.value;
              setArea(isMember(AUDIT_AREA_LABELS, value) ? value : "");
            }}
          >
            <option value="">All</option>
            {membersOf(AUDIT_AREA_LABELS).map((a) => (
              <option key={a} value={a}>{AUDIT_AREA_LABELS[a]}</option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => { exportCsv().catch((e: unknown) => { setError(toAppError(e)); }); }}>
          Export CSV…
        </button>
      </div>
      {error && <ErrorNotice error={error} />}
      {entries && entries.length === 0 && <p className="empty">Nothing has been changed yet.</p>}
      {entries && entries.length > 0 && (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="audit-log">
            <thead>
              <tr>
                <th scope="col">When</th><th scope="col">Area</th><th scope="col">Integration</th><th scope="col">What</th>
                <th scope="col">Change</th><th scope="col">User</th><th scope="col">Warning acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatDateTime(e.changed_at)}</td>
                  <td>{AUDIT_AREA_LABELS[e.area]}</td>
                  <td>{e.integration ? POS_NAMES[e.integration] : "—"}</td>
                  <td>{SETTING_LABELS[e.subject] ?? e.subject}</td>
                  <td>{e.old_value === "" ? e.new_value : `${e.old_value} → ${e.new_value}`}</td>
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
