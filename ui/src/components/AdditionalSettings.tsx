import { useEffect, useState } from "react";
import { api } from "../api";
import type { AppError, Integration, IntegrationSettings, Setting } from "../bindings";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorNotice } from "./ErrorNotice";

/** One additional setting as the card lists it, in the seeds' words. */
interface SettingText {
  setting: Setting;
  label: string;
  help: string;
  /** The warning shown before turning it on; the dangerous ones need "I understand". */
  warning?: string;
  only?: Integration;
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
  }
}

/** The card's additional settings: each toggle with its help text; the dangerous ones behind a warning. */
export function AdditionalSettings({ integration, pos, onChanged }: { integration: Integration; pos: string; onChanged: (message: string) => void }) {
  const [settings, setSettings] = useState<IntegrationSettings | null>(null);
  const [asking, setAsking] = useState<SettingText | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    api.integrationSettings(integration).then(setSettings, (caught: unknown) => { setError(caught as AppError); });
  }, [integration]);

  const apply = (text: SettingText, on: boolean, acknowledged: boolean) => {
    setAsking(null);
    setError(null);
    api.changeSetting(integration, { setting: text.setting, on, warning_acknowledged: acknowledged }).then(
      (next) => {
        setSettings(next);
        onChanged(`${text.label}: ${on ? "on" : "off"}.`);
      },
      (caught: unknown) => { setError(caught as AppError); },
    );
  };

  if (!settings) return error ? <ErrorNotice error={error} /> : null;
  return (
    <section className="card-section" aria-labelledby={`${integration}-settings-heading`}>
      <h3 id={`${integration}-settings-heading`}>Additional settings</h3>
      {error && <ErrorNotice error={error} />}
      <ul className="settings-list">
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
          <label className="checkbox understand">
            <input type="checkbox" name="understand" checked={understood} onChange={(e) => { setUnderstood(e.target.checked); }} />
            <span>I understand</span>
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
