//! Changing an integration card's additional setting: its guard (the warning to acknowledge, the
//! date to pick, the POS that offers it) and the audit-log entry written in the same transaction.

use chrono::Utc;
use rusqlite::params;
use serde::Deserialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::config::integration_settings::{get, IntegrationSettings, Setting};
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// A change the card asks for.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SettingChange {
    /// Which setting.
    pub setting: Setting,
    /// On or off.
    pub on: bool,
    /// The date (`YYYY-MM-DD`) of a date setting turned on.
    #[ts(optional)]
    #[serde(default)]
    pub date: Option<String>,
    /// The user ticked "I understand" in the warning dialog.
    pub warning_acknowledged: bool,
}

/// Whether the change needs the warning acknowledged: turning on Sync Personas, Use last
/// backup or mirrored points, and removing (or moving) the SMS opt-in date once it is set.
fn needs_acknowledgement(before: &IntegrationSettings, change: &SettingChange) -> bool {
    match change.setting {
        Setting::SyncPersonas | Setting::UseLastBackup | Setting::MirrorPoints => change.on,
        Setting::SmsOptInAfter => {
            before.sms_opt_in_after.is_some()
                && (!change.on || change.date != before.sms_opt_in_after)
        }
        _ => false,
    }
}

/// Changes one setting and writes the audit entry in the same transaction. Refused: a setting of
/// the other POS; a guarded change without its warning acknowledged; a date setting without a
/// valid date; the points import once it has run; mirrored points while expiration is FIFO.
/// Removing the SMS opt-in date drops the members who joined only through it.
pub fn set(
    db: &Database,
    integration: Integration,
    change: &SettingChange,
) -> Result<IntegrationSettings> {
    let setting = change.setting;
    if !setting.applies_to(integration) {
        return Err(Error::validation(format!(
            "{} has no “{}” setting.",
            integration.label(),
            setting.as_str()
        )));
    }
    let date = match (setting.is_date(), change.on, change.date.as_deref()) {
        (true, true, Some(raw)) if !raw.trim().is_empty() => {
            Some(crate::config::loyalty::parse_date(raw)?.to_string())
        }
        (true, true, _) => return Err(Error::validation("Pick a date first.")),
        _ => None,
    };
    let change = SettingChange {
        date: date.clone(),
        ..change.clone()
    };
    let now = Utc::now().to_rfc3339();
    db.write(|tx| {
        let before = get(tx, integration)?;
        check_allowed(tx, &before, &change)?;
        let new_value: rusqlite::types::Value = match setting {
            Setting::SyncPersonas | Setting::UseLastBackup if change.on => {
                // Keep the original day when it is already on: the setting applies from then.
                let since = if setting == Setting::SyncPersonas { &before.sync_personas_since } else { &before.frozen_since };
                since.clone().unwrap_or_else(|| now.clone()).into()
            }
            Setting::SyncPersonas | Setting::UseLastBackup => rusqlite::types::Value::Null,
            _ if setting.is_date() => date.clone().map_or(rusqlite::types::Value::Null, Into::into),
            _ => i64::from(change.on).into(),
        };
        tx.execute(
            &format!(
                "INSERT INTO integrations (integration, {0}) VALUES (?1, ?2)
                 ON CONFLICT (integration) DO UPDATE SET {0} = excluded.{0}",
                setting.column()
            ),
            params![integration.as_str(), new_value],
        )?;
        if setting == Setting::SmsOptInAfter && !change.on && before.sms_opt_in_after.is_some() {
            let lost = crate::consent::drop_sms_only_members(tx, integration, &now)?;
            tracing::info!(integration = integration.as_str(), lost, "SMS opt-in setting removed");
        }
        let old = value_of(&before, setting);
        let after = get(tx, integration)?;
        let new = value_of(&after, setting);
        if new != old {
            audit_log::record(
                tx,
                &AuditChange {
                    area: AuditArea::CardSetting,
                    integration: Some(integration),
                    subject: setting.as_str(),
                    old_value: &old,
                    new_value: &new,
                    warning_acknowledged: change.warning_acknowledged,
                },
            )?;
            tracing::info!(integration = integration.as_str(), setting = setting.as_str(), %old, %new, "setting changed");
        }
        Ok(after)
    })
}

/// Refuses a change its guard does not allow, with what to do instead.
fn check_allowed(
    connection: &rusqlite::Connection,
    before: &IntegrationSettings,
    change: &SettingChange,
) -> Result<()> {
    let setting = change.setting;
    if needs_acknowledgement(before, change) && !change.warning_acknowledged {
        return Err(
            Error::validation("Read the warning and tick “I understand” first.")
                .with_hint("This setting changes what syncs do to your data."),
        );
    }
    if setting == Setting::PointsImportedOn {
        if let (Some(done), Some(on)) = (&before.points_import_done_at, &before.points_imported_on)
        {
            if change.date.as_ref() != Some(on) {
                return Err(Error::validation(format!(
                    "Loyalty points were imported on {on} (finished {}). This is a one-time import and cannot be changed.",
                    &done[..10.min(done.len())]
                ))
                .with_hint("Points earned since then come from sales; use Settings → Loyalty → Points accrual start date."));
            }
        }
    }
    if setting == Setting::MirrorPoints
        && change.on
        && crate::config::loyalty::read(connection)?.expiration
            == crate::config::loyalty::Expiration::Fifo
    {
        return Err(Error::validation(crate::config::loyalty::MIRROR_NEEDS_LEGACY)
            .with_hint("Settings → Loyalty → Points expiration: choose legacy (or never), then turn mirroring on."));
    }
    Ok(())
}

fn value_of(settings: &IntegrationSettings, setting: Setting) -> String {
    let date = |date: &Option<String>| date.clone().unwrap_or_else(|| "off".into());
    let on = |on: bool| if on { "on" } else { "off" }.to_string();
    match setting {
        Setting::SyncPersonas => on(settings.sync_personas_since.is_some()),
        Setting::UseLastBackup => on(settings.frozen_since.is_some()),
        Setting::PatientListsOptional => on(settings.patient_lists_optional),
        Setting::SyncToRelevantMarket => on(settings.sync_to_relevant_market),
        Setting::MirrorPoints => on(settings.mirror_points),
        Setting::EnrollAfter => date(&settings.enroll_after),
        Setting::SmsOptInAfter => date(&settings.sms_opt_in_after),
        Setting::PointsImportedOn => date(&settings.points_imported_on),
    }
}
