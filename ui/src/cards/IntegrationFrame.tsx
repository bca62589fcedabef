import { useState, type ReactNode } from "react";
import { api } from "../api";
import { useIntegrationRefresh } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Integration, IntegrationStatus } from "../bindings";
import { AdditionalSettings } from "./AdditionalSettings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { MirroredRewards } from "./MirroredRewards";
import { POS_NAMES } from "../labels";

/** The age-gate sentence, word for word from the seeds. */
export const AGE_GATE_SENTENCE = "All users from this source have passed an age gate compliant with my industry";

/** The chip text of each connection state. */
export const STATE_LABELS: Record<IntegrationStatus["state"], string> = {
  not_connected: "Not connected",
  connected: "Connected",
  needs_attention: "Needs attention",
  frozen: "Frozen",
};

/** The seeds' standing warning, word for word. */
export const STANDING_WARNING =
  "Do not touch any other settings in this integration card without consulting an Onboarding Specialist or Customer Success Manager as they can affect your data and the shopper's opt-in status!";

/** Each POS's display name, as the seeds write it. */

interface Props {
  integration: Integration;
  connection: IntegrationStatus | null;
  onToast: (message: string) => void;
  onClose: () => void;
  /** The card's Credentials section. */
  children: ReactNode;
  /** The card's footer (sync). */
  footer: ReactNode;
}

/**
 * What every integration card shares, in the seeds' order: the header with the state chip and
 * Connect (disabled, with what is missing) or Disconnect (behind a dialog); the standing warning;
 * the card's credentials; the Loyalty section's age gate; once connected, how the rewards are
 * mirrored; the footer.
 */
export function IntegrationFrame({ integration, connection, onToast, onClose, children, footer }: Props) {
  const refresh = useIntegrationRefresh(integration);
  const [error, setError] = useState<AppError | null>(null);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const name = POS_NAMES[integration];
  const connected = connection?.connected_at != null;
  const missing = connection?.checklist.filter((item) => !item.done) ?? [];
  const state = connection?.state ?? "not_connected";

  const act = async (work: () => Promise<unknown>, success?: string) => {
    setError(null);
    try {
      await work();
      if (success) onToast(success);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      refresh();
    }
  };

  return (
    <article className="card" aria-labelledby={`${integration}-title`}>
      <header className="card-header">
        <button type="button" className="link" onClick={onClose}>
          ← All integrations
        </button>
        <div className="card-title">
          <span className={`logo logo-${integration}`} aria-hidden="true">
            {name.slice(0, 1)}
          </span>
          <h2 id={`${integration}-title`}>{name}</h2>
          <span className={`chip chip-state-${state}`} data-testid={`${integration}-state`}>
            {STATE_LABELS[state]}
          </span>
          <span className="spacer" />
          {connected ? (
            <button type="button" className="secondary" onClick={() => { setConfirmDisconnect(true); }}>
              Disconnect
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={missing.length > 0 || !connection}
              title={missing.length > 0 ? `Still missing: ${missing.map((m) => m.label).join("; ")}` : `Connect ${name}`}
              onClick={() => void act(() => api.connect(integration), `${name} is connected.`)}
            >
              Connect
            </button>
          )}
        </div>
        {!connected && missing.length > 0 && (
          <div className="checklist-box" aria-label="Minimum settings">
            <strong>Before you can connect:</strong>
            <ul className="checklist">
              {connection?.checklist.map((item) => (
                <li key={item.label} className={item.done ? "granted" : "missing"}>
                  <span aria-hidden="true">{item.done ? "✓" : "○"}</span> {item.label}
                  <span className="visually-hidden">{item.done ? " done" : " to do"}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {error && <ErrorNotice error={error} />}
      </header>

      <div className="notice notice-warning" role="note">
        <strong>
          <span aria-hidden="true">⚠</span> Warning:
        </strong>{" "}
        {STANDING_WARNING}
      </div>

      <section className="card-section" aria-labelledby={`${integration}-credentials-heading`}>
        <h3 id={`${integration}-credentials-heading`}>Credentials</h3>
        {children}
      </section>

      <section className="card-section" aria-labelledby={`${integration}-loyalty-heading`}>
        <h3 id={`${integration}-loyalty-heading`}>Loyalty</h3>
        <label className="checkbox">
          <input
            type="checkbox"
            name="age_gate"
            checked={connection?.age_gate_attested ?? false}
            onChange={(e) => void act(() => api.setAgeGate(integration, e.target.checked))}
          />
          <span>
            <span className="required">Required</span> {AGE_GATE_SENTENCE}
          </span>
        </label>
      </section>

      {connected && <MirroredRewards integration={integration} />}

      <AdditionalSettings
        integration={integration}
        pos={name}
        onSaved={(message) => {
          refresh();
          onToast(message);
        }}
      />

      <footer className="card-footer">{footer}</footer>
      {confirmDisconnect && (
        <ConfirmDialog
          title={`Syncs from ${name} stop until you connect again`}
          confirmLabel={`Disconnect ${name}`}
          onCancel={() => { setConfirmDisconnect(false); }}
          onConfirm={() => {
            setConfirmDisconnect(false);
            void act(() => api.disconnect(integration), `${name} is disconnected. Its personas and credentials are kept.`);
          }}
        >
          <p>Canopy keeps every persona, sale and credential it already has; nothing is deleted.</p>
        </ConfirmDialog>
      )}
    </article>
  );
}
