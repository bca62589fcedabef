import { useState, type SyntheticEvent } from "react";
import { toAppError } from "../ipc";
import type { AppError, RealPosInput, RealPosSettings } from "../bindings";
import { ErrorNotice } from "./ErrorNotice";

interface Props {
  /** What is kept now (addresses, and whether each token is saved). */
  saved: RealPosSettings;
  /** The submit button's words, e.g. "Connect my POS". */
  submitLabel: string;
  /** Saves the settings; a rejection is shown above the buttons. */
  onSubmit: (input: RealPosInput) => Promise<void>;
  onCancel?: () => void;
}

/**
 * Real mode's settings: the POS addresses and the tokens Canopy calls them with. Tokens go to the
 * system keychain; a token field left blank keeps the saved one.
 */
export function RealPosForm({ saved, submitLabel, onSubmit, onCancel }: Props) {
  const [posabitUrl, setPosabitUrl] = useState(saved.addresses.posabit_url);
  const [posabitToken, setPosabitToken] = useState("");
  const [greenbitsUrl, setGreenbitsUrl] = useState(saved.addresses.greenbits_url);
  const [smsUrl, setSmsUrl] = useState(saved.addresses.sms_url ?? "");
  const [smsToken, setSmsToken] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const keptHint = (kept: boolean) => (kept ? "Saved in the keychain — leave blank to keep it." : "Not saved yet.");

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const input: RealPosInput = {
      addresses: { posabit_url: posabitUrl, greenbits_url: greenbitsUrl, sms_url: smsUrl.trim() === "" ? null : smsUrl },
      posabit_token: posabitToken,
      sms_token: smsToken,
    };
    onSubmit(input).then(
      () => {
        setBusy(false);
      },
      (e: unknown) => {
        setError(toAppError(e));
        setBusy(false);
      },
    );
  };

  return (
    <form className="real-pos-form" aria-label="Your POS" onSubmit={submit}>
      {saved.environment_overrides.length > 0 && (
        <p className="notice notice-warning small">
          Set by the environment, and used instead of what is entered here: {saved.environment_overrides.join(", ")}.
        </p>
      )}
      <div className="form-grid">
        <label>
          POSaBIT API address
          <input name="posabit_url" type="url" required value={posabitUrl} onChange={(e) => { setPosabitUrl(e.target.value); }} />
        </label>
        <label>
          POSaBIT integrator token
          <input name="posabit_token" type="password" autoComplete="off" value={posabitToken} onChange={(e) => { setPosabitToken(e.target.value); }} />
          <span className="muted small">{keptHint(saved.posabit_token_saved)} POSaBIT gives it to Canopy&apos;s integrator account.</span>
        </label>
        <label>
          Greenbits API address
          <input name="greenbits_url" type="url" required value={greenbitsUrl} onChange={(e) => { setGreenbitsUrl(e.target.value); }} />
        </label>
        <label>
          SMS gateway address
          <input name="sms_url" type="url" placeholder="None: SMS opt-ins are not sent" value={smsUrl} onChange={(e) => { setSmsUrl(e.target.value); }} />
        </label>
        <label>
          SMS gateway token
          <input name="sms_token" type="password" autoComplete="off" value={smsToken} onChange={(e) => { setSmsToken(e.target.value); }} />
          <span className="muted small">{keptHint(saved.sms_token_saved)}</span>
        </label>
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="form-actions">
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
