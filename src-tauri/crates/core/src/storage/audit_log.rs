//! The audit log: every change that touches data or consent — an integration card's settings,
//! credentials, Connect and Disconnect, the age gate, retail stores and their mappings, loyalty
//! settings, rewards, manual point adjustments — written in the same transaction as the change,
//! with who made it, and never edited (triggers refuse it). No secret is ever a value here.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::base::stored_name::stored_name;
use crate::storage::db::Database;
use crate::storage::whole_file::write_whole;

stored_name! {
    /// What part of the console a change touched.
    pub enum AuditArea {
        /// An integration card's additional setting.
        CardSetting => "card_setting",
        /// A credential added, edited, given a new key or token, or removed.
        Credential => "credential",
        /// Connect or Disconnect.
        Connection => "connection",
        /// The age-gate attestation.
        AgeGate => "age_gate",
        /// A retail store created, edited or deleted.
        RetailStore => "retail_store",
        /// A store mapping set or cleared.
        StoreMapping => "store_mapping",
        /// Settings → Loyalty.
        LoyaltySettings => "loyalty_settings",
        /// A reward created, edited or retired.
        Rewards => "rewards",
        /// A persona's points adjusted by hand.
        PointsAdjustment => "points_adjustment",
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct AuditChange<'a> {
    /// The area.
    pub area: AuditArea,
    /// The integration, where there is one.
    pub integration: Option<Integration>,
    /// What changed: a setting's name, a credential's or store's name.
    pub subject: &'a str,
    /// Before.
    pub old_value: &'a str,
    /// After.
    pub new_value: &'a str,
    /// Whether a warning was acknowledged for it.
    pub warning_acknowledged: bool,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEntry {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// The area.
    pub area: AuditArea,
    /// The integration, where there is one.
    pub integration: Option<Integration>,
    /// What changed.
    pub subject: String,
    /// Before.
    pub old_value: String,
    /// After.
    pub new_value: String,
    /// When (RFC 3339).
    pub changed_at: String,
    /// The operating-system user who changed it.
    pub os_user: String,
    /// Whether a warning was acknowledged.
    pub warning_acknowledged: bool,
}

/// Writes `change` with the current time and user, inside the caller's transaction.
pub fn record(connection: &Connection, change: &AuditChange<'_>) -> Result<()> {
    connection.execute(
        "INSERT INTO audit_log (area, integration, subject, old_value, new_value, changed_at, os_user, warning_acknowledged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            change.area,
            change.integration.map(Integration::as_str),
            change.subject,
            change.old_value,
            change.new_value,
            Utc::now().to_rfc3339(),
            os_user(),
            change.warning_acknowledged
        ],
    )?;
    tracing::info!(area = %change.area, integration = ?change.integration, "audited change");
    Ok(())
}

/// The newest entries (at most 1,000), of one integration and one area when given.
pub fn entries(
    db: &Database,
    integration: Option<Integration>,
    area: Option<AuditArea>,
) -> Result<Vec<AuditEntry>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT id, area, integration, subject, old_value, new_value, changed_at, os_user, warning_acknowledged
             FROM audit_log WHERE (?1 IS NULL OR integration = ?1) AND (?2 IS NULL OR area = ?2)
             ORDER BY id DESC LIMIT 1000",
        )?;
        let rows = statement.query_map(
            params![integration.map(Integration::as_str), area.map(AuditArea::as_str)],
            |r| {
                let integration: Option<String> = r.get(2)?;
                Ok(AuditEntry {
                    id: r.get(0)?,
                    area: r.get(1)?,
                    integration: integration.as_deref().and_then(Integration::parse),
                    subject: r.get(3)?,
                    old_value: r.get(4)?,
                    new_value: r.get(5)?,
                    changed_at: r.get(6)?,
                    os_user: r.get(7)?,
                    warning_acknowledged: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// Writes every entry, oldest first, as CSV at `path` (replaced whole); returns how many.
pub fn export_csv(db: &Database, path: &Path) -> Result<usize> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::internal(format!("Could not write the audit log: {e}"))
            .with_hint("Choose a folder you can write to, with some free space.")
    };
    let mut all = entries(db, None, None)?;
    all.reverse();
    write_whole(path, |file| {
        let mut csv = csv::Writer::from_writer(file);
        csv.write_record([
            "changed_at",
            "area",
            "integration",
            "subject",
            "old_value",
            "new_value",
            "os_user",
            "warning_acknowledged",
        ])?;
        for entry in &all {
            csv.write_record([
                entry.changed_at.as_str(),
                entry.area.as_str(),
                entry.integration.map_or("", Integration::as_str),
                entry.subject.as_str(),
                entry.old_value.as_str(),
                entry.new_value.as_str(),
                entry.os_user.as_str(),
                if entry.warning_acknowledged {
                    "yes"
                } else {
                    "no"
                },
            ])?;
        }
        csv.into_inner()?.flush()?;
        Ok(())
    })
    .map_err(|e| failed(&e))?;
    Ok(all.len())
}

/// The operating-system user running Canopy.
pub fn os_user() -> String {
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
