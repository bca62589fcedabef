//! Changing an integration card's additional setting: its guard (the warning to acknowledge, the
//! date to pick, the POS that offers it) and the audit-log entry written in the same transaction.

use chrono::Utc;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::config::integration_settings::{get, IntegrationSettings, Setting};
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

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEntry {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// The integration.
    pub integration: String,
    /// The setting's name.
    pub setting: String,
    /// Before.
    pub old_value: String,
    /// After.
    pub new_value: String,
    /// When (RFC 3339).
    pub changed_at: String,
    /// The operating-system user who changed it.
    pub os_user: String,
    /// Whether the warning was acknowledged.
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

/// The operating-system user, for the audit log: from the environment, else (Linux) the account
/// name of this process's user id.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(account_name)
        .unwrap_or_else(|| "unknown".into())
}

/// The `/etc/passwd` name of the process's real user id.
fn account_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))?
        .split_whitespace()
        .nth(1)?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.get(2) == Some(&uid.as_str()))
        .and_then(|fields| fields.first().map(|name| name.to_string()))
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
            tx.execute(
                "INSERT INTO audit_log (integration, setting, old_value, new_value, changed_at, os_user, warning_acknowledged)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![integration.as_str(), setting.as_str(), old, new, now, os_user(), change.warning_acknowledged],
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

/// The audit log, newest first, optionally of one integration.
pub fn audit_log(db: &Database, integration: Option<Integration>) -> Result<Vec<AuditEntry>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT id, integration, setting, old_value, new_value, changed_at, os_user, warning_acknowledged
             FROM audit_log WHERE ?1 IS NULL OR integration = ?1 ORDER BY id DESC LIMIT 1000",
        )?;
        let rows = statement.query_map([integration.map(Integration::as_str)], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                integration: r.get(1)?,
                setting: r.get(2)?,
                old_value: r.get(3)?,
                new_value: r.get(4)?,
                changed_at: r.get(5)?,
                os_user: r.get(6)?,
                warning_acknowledged: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}
