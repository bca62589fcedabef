import { useState } from "react";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, DryRun, Integration, IntegrationSettings, Setting } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { SmsRequests } from "./SmsRequests";

/** A date setting as the card lists it, in the seeds' words. */
export interface DateSettingText {
  setting: Extract<Setting, "enroll_after" | "sms_opt_in_after" | "points_imported_on">;
  label: string;
  help: string;
  /** The seeds' warning about removing the setting once set. */
  removalWarning?: string;
  /** The seeds' note shown with the setting. */
  note?: string;
}

/** The step a change is at: the dry run, the removal warning, the one-time confirmation or the accrual offer. */
type Step =
  | { kind: "dry-run"; dry: DryRun }
  | { kind: "removal"; next: string | null; atRisk: number }
  | { kind: "import"; date: string }
  | { kind: "accrual"; start: string };

/** The day after `date` (`YYYY-MM-DD`). */
export function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

interface Props {
  integration: Integration;
  text: DateSettingText;
  /** The saved date, or null when off. */
  current: string | null;
  /** When the one-time points import finished (it cannot change after). */
  doneAt?: string | null;
  onSaved: (next: IntegrationSettings) => void;
  /** A toast-worthy sentence about what changed. */
  onMessage: (message: string) => void;
  onError: (error: AppError) => void;
}

/**
 * One "… after *date*" setting: a date field with its help; saving shows who it would reach per
 * store first (a dry run), removing the SMS setting warns first, and the points import is confirmed
 * as one-time and then offers the matching points accrual start date.
 */
export function DateSetting({ integration, text, current, doneAt, onSaved, onMessage, onError }: Props) {
  const [date, setDate] = useState(current ?? "");
  const [step, setStep] = useState<Step | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = `setting_${text.setting}`;
  const locked = text.setting === "points_imported_on" && Boolean(doneAt);

  const save = (next: string | null, acknowledged: boolean) => {
    setStep(null);
    setBusy(true);
    api
      .changeSetting(integration, { setting: text.setting, on: next !== null, date: next ?? undefined, warning_acknowledged: acknowledged })
      .then(
        (settings) => {
          setDate(next ?? "");
          onSaved(settings);
          onMessage(next ? `${text.label} ${next}: saved.` : `${text.label}: removed.`);
          if (next && text.setting === "points_imported_on") setStep({ kind: "accrual", start: dayAfter(next) });
        },
        (caught: unknown) => { onError(toAppError(caught)); },
      )
      .finally(() => { setBusy(false); });
  };

  /** Saving a new value (or clearing it): the guard this setting has comes first. */
  const begin = (next: string | null) => {
    setUnderstood(false);
    if (text.removalWarning && current !== null && next !== current) {
      api.smsOnlyMembers(integration).then(
        (atRisk) => { setStep({ kind: "removal", next, atRisk }); },
        (caught: unknown) => { onError(toAppError(caught)); },
      );
    } else if (next === null) {
      save(null, false);
    } else if (text.setting === "points_imported_on") {
      setStep({ kind: "import", date: next });
    } else {
      setBusy(true);
      api
        .dryRunSetting(integration, text.setting, next)
        .then((dry) => { setStep({ kind: "dry-run", dry }); }, (caught: unknown) => { onError(toAppError(caught)); })
        .finally(() => { setBusy(false); });
    }
  };

  const acceptAccrual = (start: string) => {
    setStep(null);
    api
      .loyaltySettings()
      .then((loyalty) => api.saveLoyaltySettings({ ...loyalty, accrual_start: start }))
      .then(
        () => { onMessage(`Points accrual start date: ${start}.`); },
        (caught: unknown) => { onError(toAppError(caught)); },
      );
  };

  return (
    <li className="date-setting">
      <label htmlFor={id}>
        <strong>{text.label}</strong>
        <span className="muted small setting-help">{text.help}</span>
      </label>
      {text.note && <span className="muted small setting-help">ℹ {text.note}</span>}
      <div className="date-setting-row">
        <input id={id} name={id} type="date" value={date} disabled={locked || busy} onChange={(e) => { setDate(e.target.value); }} />
        <button type="button" className="secondary" disabled={locked || busy || date === "" || date === current} onClick={() => { begin(date); }}>
          {text.setting === "points_imported_on" ? "Save" : "Preview and save"}
        </button>
        {current !== null && !locked && (
          <button type="button" className="link" disabled={busy} onClick={() => { begin(null); }}>
            Remove
          </button>
        )}
        {current !== null ? (
          <span className="chip chip-ok">{locked ? `Imported · ${current}` : `On since ${current}`}</span>
        ) : (
          <span className="chip">Off — no date set</span>
        )}
      </div>
      {locked && <span className="muted small">The one-time import finished; it will not run again.</span>}
      {text.setting === "sms_opt_in_after" && current !== null && <SmsRequests integration={integration} onMessage={onMessage} />}
      {step?.kind === "dry-run" && (
        <ConfirmDialog
          title={dryRunTitle(text.setting, step.dry.total)}
          confirmLabel={text.setting === "enroll_after" ? "Save and enroll" : "Save and send requests"}
          onCancel={() => { setStep(null); }}
          onConfirm={() => { save(step.dry.date, false); }}
        >
          <p>Shoppers who purchased on or after {step.dry.date}, per store:</p>
          <DryRunTable dry={step.dry} />
          {text.setting === "enroll_after" ? (
            <p className="muted small">They become loyalty members and earn points for sales on or after that date, from the next sync.</p>
          ) : (
            <p className="muted small">
              One request per phone number (a family sharing one is asked once), sent between 8 am and 9 pm in the store&apos;s
              time zone. Shoppers who opted out are never asked.
            </p>
          )}
          {text.removalWarning && <p><strong>⚠ Warning:</strong> {text.removalWarning}</p>}
        </ConfirmDialog>
      )}
      {step?.kind === "removal" && (
        <ConfirmDialog
          title={step.next ? `Change “${text.label}”?` : `Remove “${text.label}”?`}
          confirmLabel={step.next ? "Change the date" : "Remove the setting"}
          confirmDisabled={!understood}
          onCancel={() => { setStep(null); }}
          onConfirm={() => { save(step.next, true); }}
        >
          <p><strong>⚠ Warning:</strong> {text.removalWarning}</p>
          <p>
            {step.atRisk === 1 ? "1 loyalty member" : `${step.atRisk.toLocaleString()} loyalty members`} joined only through this setting
            {step.next ? "." : " and will stop being members."}
          </p>
          <label className="checkbox understand">
            <input type="checkbox" name="understand" checked={understood} onChange={(e) => { setUnderstood(e.target.checked); }} />
            <span>I understand</span>
          </label>
        </ConfirmDialog>
      )}
      {step?.kind === "import" && (
        <ConfirmDialog
          title={`Import loyalty points up to ${step.date}?`}
          confirmLabel="Save the import date"
          onCancel={() => { setStep(null); }}
          onConfirm={() => { save(step.date, false); }}
        >
          <p>{text.help}</p>
          <p>ℹ {text.note}</p>
        </ConfirmDialog>
      )}
      {step?.kind === "accrual" && (
        <ConfirmDialog
          title={`Set the points accrual start date to ${step.start}?`}
          confirmLabel={`Start accrual on ${step.start}`}
          onCancel={() => { setStep(null); }}
          onConfirm={() => { acceptAccrual(step.start); }}
        >
          <p>Points imported from the POS cover sales up to the import date. Starting accrual the day after keeps a sale from counting twice (Settings → Loyalty).</p>
        </ConfirmDialog>
      )}
    </li>
  );
}

function dryRunTitle(setting: Setting, total: number): string {
  if (setting === "enroll_after") {
    return `Enroll ${total === 1 ? "1 persona" : `${total.toLocaleString()} personas`} in the loyalty program?`;
  }
  return `Send SMS opt-in requests to ${total === 1 ? "1 phone number" : `${total.toLocaleString()} phone numbers`}?`;
}

/** A dry run's reach per store. */
function DryRunTable({ dry }: { dry: DryRun }) {
  if (dry.stores.length === 0) return <p className="empty">No shopper matches yet.</p>;
  return (
    <table className="table dry-run">
      <thead>
        <tr><th>Store</th><th>{dry.setting === "enroll_after" ? "Personas" : "Phone numbers"}</th></tr>
      </thead>
      <tbody>
        {dry.stores.map((s) => (
          <tr key={s.store}><td>{s.store}</td><td>{s.personas.toLocaleString()}</td></tr>
        ))}
        {dry.stores.length > 1 && (
          <tr><td><strong>In all</strong></td><td><strong>{dry.total.toLocaleString()}</strong></td></tr>
        )}
      </tbody>
    </table>
  );
}
