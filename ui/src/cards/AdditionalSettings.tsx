import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Integration, IntegrationSettings, Setting } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DateSetting, type DateSettingText } from "./DateSetting";
import { ErrorNotice } from "../components/ErrorNotice";

/** One additional setting as the card lists it, in the seeds' words. */
interface SettingText {
  setting: Setting;
  label: string;
  help: string;
  /** The warning shown before turning it on; the dangerous ones need "I understand". */
  warning?: string;
  /** The seeds' note shown in the warning dialog. */
  note?: string;
  only?: Integration;
}

const SMS_REMOVAL_WARNING =
  "If this setting is removed after it has been set, it can cause loyalty Personas to be lost if they only became a member through this setting and did not use a signup form. We do not recommend changing this after it is set.";

function dateTexts(pos: string): DateSettingText[] {
  return [
    {
      setting: "enroll_after",
      label: "Enroll Personas in loyalty program who purchased after",
      help: "Automatically enrolls shoppers in the loyalty program if they had a sale on or after the date you specify. Enrolled shoppers earn points for sales on or after that date. Canopy enrolls them at the end of the next sync.",
    },
    {
      setting: "sms_opt_in_after",
      label: "Send SMS double opt-ins to Personas who purchased after",
      help: "Sends an SMS double opt-in request to shoppers with a phone number who had a sale on or after the date you specify. Canopy queues the requests on its next SMS run (every 5 minutes, or Send now) and sends each one only within the shopper's local hours: 8 am – 9 pm, or their state's stricter window.",
      removalWarning: SMS_REMOVAL_WARNING,
    },
    {
      setting: "points_imported_on",
      label: "Loyalty points imported on",
      help: `If a date is filled in, Canopy will pull in loyalty points from ${pos} up to that date and stop afterwards. Use this in conjunction with Settings > Loyalty > Points accrual start date, setting that to the following day.`,
      note: "This is a one-time sync. Once the date is set and points have been imported, this setting does not need to be updated again.",
    },
  ];
}

function dateOf(settings: IntegrationSettings, setting: DateSettingText["setting"]): string | null {
  switch (setting) {
    case "enroll_after":
      return settings.enroll_after;
    case "sms_opt_in_after":
      return settings.sms_opt_in_after;
    case "points_imported_on":
      return settings.points_imported_on;
  }
}

function texts(pos: string): SettingText[] {
  return [
    {
      setting: "sync_personas",
      label: "Sync Personas / Sync Contacts",
      help: `Enabling this setting allows Canopy to keep shopper records aligned between ${pos} and Canopy. From POS to Canopy: updates made to shopper profiles in ${pos} (e.g., name, email, phone number, or date of birth) will flow into Canopy. From Canopy to POS: if a shopper signs up through a Canopy form and no existing match is found in ${pos}, a new shopper profile will be created in ${pos} automatically.`,
      warning: `The POS remains the source of truth — to change a shopper's contact info, update it directly in ${pos} so it flows through to Canopy. Syncing begins from the day it is enabled; existing records will not be retroactively synced.`,
    },
    {
      setting: "sync_to_relevant_market",
      label: "Sync to relevant market / Sync to state",
      help: "When enabled, Canopy will only sync contacts that belong to the region or state associated with the given credential.",
      only: "posabit",
    },
    {
      setting: "patient_lists_optional",
      label: "Pulling patient lists is optional",
      help: "If enabled, pulling patient lists is deemed optional: a refused patient list is a warning, not a failed sync.",
      only: "greenbits",
    },
    {
      setting: "mirror_points",
      label: "Mirror integration loyalty point values?",
      help: `Pulls points from ${pos} but keeps loyalty settings managed within ${pos}.`,
      warning: `When Mirror Points is enabled, Canopy continuously overrides loyalty balances with values coming from ${pos}. Freezing or disconnecting the integration will not stop this behavior — it only leaves the last mirrored balance in place.`,
      note: "Points mirroring is not supported by First In, First Out (FIFO) Point Expiration. Please use legacy Points Expiration setting if you would like to Mirror Points from your POS system.",
      only: "greenbits",
    },
    {
      setting: "use_last_backup",
      label: "Use last backup",
      help: `Freezes data from this source at the last sync and stops Canopy from hitting the ${pos} API for new data.`,
      warning: "Do not turn this on unless you are switching POS systems and want to retain existing data.",
    },
  ];
}

function isOn(settings: IntegrationSettings, setting: Setting): boolean {
  switch (setting) {
    case "sync_personas":
      return settings.sync_personas_since !== null;
    case "use_last_backup":
      return settings.frozen_since !== null;
    case "patient_lists_optional":
      return settings.patient_lists_optional;
    case "sync_to_relevant_market":
      return settings.sync_to_relevant_market;
    case "mirror_points":
      return settings.mirror_points;
    default:
      return false;
  }
}

/** The card's additional settings: each toggle with its help text; the dangerous ones behind a warning. */
export function AdditionalSettings({ integration, pos, onSaved }: { integration: Integration; pos: string; onSaved: (message: string) => void }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: queryKeys.integrationSettings(integration), queryFn: () => api.integrationSettings(integration) });
  const settings = query.data ?? null;
  const setSettings = (next: IntegrationSettings) => { queryClient.setQueryData(queryKeys.integrationSettings(integration), next); };
  const [asking, setAsking] = useState<SettingText | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [changeError, setError] = useState<AppError | null>(null);
  const error = changeError ?? (query.error ? toAppError(query.error) : null);

  const apply = (text: SettingText, on: boolean, acknowledged: boolean) => {
    setAsking(null);
    setError(null);
    api.changeSetting(integration, { setting: text.setting, on, warning_acknowledged: acknowledged }).then(
      (next) => {
        setSettings(next);
        onSaved(`${text.label}: ${on ? "on" : "off"}.`);
      },
      (caught: unknown) => { setError(toAppError(caught)); },
    );
  };

  if (!settings) return error ? <ErrorNotice error={error} /> : null;
  return (
    <section className="card-section" aria-labelledby={`${integration}-settings-heading`}>
      <h3 id={`${integration}-settings-heading`}>Additional settings</h3>
      {error && <ErrorNotice error={error} />}
      <ul className="settings-list">
        {dateTexts(pos).map((t) => (
          <DateSetting
            key={t.setting}
            integration={integration}
            text={t}
            current={dateOf(settings, t.setting)}
            doneAt={settings.points_import_done_at}
            onSaved={setSettings}
            onMessage={onSaved}
            onError={setError}
          />
        ))}
        {texts(pos)
          .filter((t) => !t.only || t.only === integration)
          .map((t) => {
            const on = isOn(settings, t.setting);
            return (
              <li key={t.setting}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    name={`setting_${t.setting}`}
                    checked={on}
                    onChange={(e) => {
                      if (e.target.checked && t.warning) {
                        setUnderstood(false);
                        setAsking(t);
                      } else {
                        apply(t, e.target.checked, false);
                      }
                    }}
                  />
                  <span>
                    <strong>{t.label}</strong>
                    <span className="muted small setting-help">{t.help}</span>
                  </span>
                </label>
              </li>
            );
          })}
      </ul>
      {asking?.warning && (
        <ConfirmDialog
          title={`Turn on “${asking.label}”?`}
          confirmLabel={`Turn on ${asking.label}`}
          confirmDisabled={!understood}
          onCancel={() => { setAsking(null); }}
          onConfirm={() => { apply(asking, true, true); }}
        >
          <p><strong>⚠ Warning:</strong> {asking.warning}</p>
          {asking.note && <p>ℹ {asking.note}</p>}
          <label className="checkbox understand">
            <input type="checkbox" name="understand" checked={understood} onChange={(e) => { setUnderstood(e.target.checked); }} />
            <span>I understand</span>
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
