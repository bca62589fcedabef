import type { AppStatus } from "../bindings";
import { ApiTracking } from "./ApiTracking";
import { AuditLog } from "./AuditLog";
import { DataSource } from "./DataSource";
import { DesktopSettings } from "./DesktopSettings";
import { SupportBundle } from "./SupportBundle";
import { LoyaltySettings } from "./LoyaltySettings";
import { RetailStores } from "./RetailStores";

/** Settings: retail stores, API & tracking, the settings audit log, the data source (sandbox or your POS), the keychain, where data lives. */
export function SettingsPage({ status, onToast }: { status: AppStatus | null; onToast: (message: string) => void }) {
  if (!status) return <p className="muted">Loading…</p>;
  return (
    <section className="settings" aria-label="Settings">
      <RetailStores onToast={onToast} />
      <ApiTracking />
      <LoyaltySettings onToast={onToast} />
      <AuditLog onToast={onToast} />
      <DataSource status={status} />
      <DesktopSettings onToast={onToast} />
      <SupportBundle onToast={onToast} />
      <div className="card">
        <h2>Security</h2>
        <dl className="facts">
          <dt>System keychain</dt>
          <dd>{status.keychain_error ? `Unavailable: ${status.keychain_error.message}` : "Available — keys are stored only there"}</dd>
          <dt>Data folder</dt>
          <dd>
            <code>{status.data_dir}</code>
          </dd>
        </dl>
      </div>
    </section>
  );
}
