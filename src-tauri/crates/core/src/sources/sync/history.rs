//! What the history and health views read: every run, and per integration and store whether data
//! is flowing — the FAQ's "is the integration active?" answered from the database.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::Trigger;
use crate::base::error::{ErrorCode, Result};
use crate::base::pos_kind::Integration;
use crate::pos::streams::Stream;
use crate::storage::db::Database;

/// One row of the sync history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncRunRow {
    /// The run's id.
    #[ts(type = "number")]
    pub id: i64,
    /// The integration.
    pub integration: Integration,
    /// The credential's store name.
    pub store_name: String,
    /// The store or location the run covered.
    pub store_label: String,
    /// The stream.
    pub stream: Stream,
    /// What started it.
    pub trigger: Trigger,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// How long it took, in milliseconds; `null` while it runs (or when the app stopped mid-run).
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// Pages fetched.
    pub pages: u32,
    /// Records received.
    pub seen: u32,
    /// New records.
    pub new: u32,
    /// Changed records.
    pub changed: u32,
    /// Unreadable records skipped.
    pub rejected: u32,
    /// Requests retried.
    pub retries: u32,
    /// The error code, when the run stopped early.
    pub error_code: Option<ErrorCode>,
    /// What went wrong.
    pub error_message: Option<String>,
    /// What went wrong without stopping it (e.g. patient lists refused), when anything did.
    pub warning: Option<String>,
}

/// A record a run skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RejectedRecord {
    /// The POS's id of the record, when it had one.
    pub pos_id: Option<String>,
    /// The field that could not be read.
    pub field: String,
    /// Why (it can quote the value: the UI masks it in presenter mode).
    pub reason: String,
}

/// The records run `run_id` skipped, in the order it met them (at most 1,000).
pub fn rejected_records(db: &Database, run_id: i64) -> Result<Vec<RejectedRecord>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT pos_id, field, reason FROM sync_record_errors WHERE run_id = ?1 ORDER BY id LIMIT 1000",
        )?;
        let rows = statement.query_map([run_id], |r| {
            Ok(RejectedRecord {
                pos_id: r.get(0)?,
                field: r.get(1)?,
                reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// The most recent runs, newest first; only those with an error, a warning or a rejected
/// record when `only_problems`.
pub fn runs(db: &Database, limit: u32, only_problems: bool) -> Result<Vec<SyncRunRow>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT r.id, coalesce(r.integration, c.integration), c.store_name, coalesce(r.store_label, c.store_name),
                    r.stream, r.trigger, r.started_at,
                    CAST(round((julianday(r.finished_at) - julianday(r.started_at)) * 86400000) AS INTEGER),
                    r.pages, r.records_seen, r.records_new, r.records_changed, r.records_rejected, r.retries,
                    r.error_code, r.error_message, r.warning
             FROM sync_runs r JOIN credentials c ON c.id = r.credential_id
             WHERE NOT ?2 OR r.error_code IS NOT NULL OR r.warning IS NOT NULL OR r.records_rejected > 0
             ORDER BY r.id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map(params![limit.min(1_000), only_problems], |r| {
            Ok(SyncRunRow {
                id: r.get(0)?,
                integration: r.get(1)?,
                store_name: r.get(2)?,
                store_label: r.get(3)?,
                stream: r.get(4)?,
                trigger: r.get(5)?,
                started_at: r.get(6)?,
                duration_ms: r.get(7)?,
                pages: r.get(8)?,
                seen: r.get(9)?,
                new: r.get(10)?,
                changed: r.get(11)?,
                rejected: r.get(12)?,
                retries: r.get(13)?,
                error_code: r.get(14)?,
                error_message: r.get(15)?,
                warning: r.get(16)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// One store key's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreHealth {
    /// The credential the key belongs to (what "Sync now" of this row syncs).
    pub credential_id: String,
    /// The mappable key.
    pub store_key: String,
    /// The store or location name.
    pub label: String,
    /// The retail store it is mapped to, when it is.
    pub mapped_store: Option<String>,
    /// When its last run that ended without error finished.
    pub last_success_at: Option<String>,
    /// When that run started: the data is current as of then.
    pub current_as_of: Option<String>,
    /// The last run's error, when it failed.
    pub last_error: Option<String>,
    /// Personas sourced through this key.
    #[ts(type = "number")]
    pub personas: i64,
    /// Purchases received through this key.
    #[ts(type = "number")]
    pub purchases: i64,
}

/// One integration's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IntegrationHealth {
    /// The integration.
    pub integration: Integration,
    /// The FAQ check: personas sourced from it exist and its last sync succeeded.
    pub active: bool,
    /// Why it is not active, in a sentence.
    pub verdict: String,
    /// Personas sourced from it.
    #[ts(type = "number")]
    pub personas: i64,
    /// Each store key's health.
    pub stores: Vec<StoreHealth>,
}

/// The health of each integration that has credentials.
pub fn health(db: &Database) -> Result<Vec<IntegrationHealth>> {
    let mut report = Vec::new();
    for &integration in Integration::ALL {
        let credentials = crate::integrations::credentials::list(db, integration)?;
        if credentials.is_empty() {
            continue;
        }
        let keys: Vec<(String, String, String)> = credentials
            .iter()
            .flat_map(|c| {
                c.store_keys()
                    .into_iter()
                    .map(|key| (c.id.clone(), key.key, key.label))
            })
            .collect();
        let stores = db.read(|c| {
            keys.iter()
                .map(|(credential, key, label)| store_health(c, credential, key, label))
                .collect::<Result<Vec<_>>>()
        })?;
        let personas: i64 = db.read(|c| {
            Ok(c.query_row(
                "SELECT count(DISTINCT persona_id) FROM source_records WHERE integration = ?1",
                [integration.as_str()],
                |r| r.get(0),
            )?)
        })?;
        let failing: Vec<&StoreHealth> = stores.iter().filter(|s| s.last_error.is_some()).collect();
        let never = stores.iter().all(|s| s.last_success_at.is_none());
        let verdict = if personas == 0 && never {
            "Not active yet: no sync has brought in any personas.".to_string()
        } else if let Some(store) = failing.first() {
            format!(
                "Needs attention: the last sync of “{}” failed — {}",
                store.label,
                store.last_error.clone().unwrap_or_default()
            )
        } else if personas == 0 {
            "Not active: syncs succeed but no personas are sourced from it.".to_string()
        } else {
            format!("Active: {personas} personas sourced, and the last sync succeeded.")
        };
        report.push(IntegrationHealth {
            integration,
            active: personas > 0 && failing.is_empty() && !never,
            verdict,
            personas,
            stores,
        });
    }
    Ok(report)
}

fn store_health(
    c: &rusqlite::Connection,
    credential_id: &str,
    key: &str,
    label: &str,
) -> Result<StoreHealth> {
    let last_success: Option<(String, String)> = c
        .query_row(
            "SELECT started_at, finished_at FROM sync_runs
             WHERE store_key = ?1 AND stream = 'customers' AND finished_at IS NOT NULL AND error_code IS NULL
             ORDER BY id DESC LIMIT 1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last_error: Option<String> = c
        .query_row(
            "SELECT error_message FROM sync_runs WHERE store_key = ?1 AND finished_at IS NOT NULL
             ORDER BY id DESC LIMIT 1",
            [key],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let count = |sql: &str| -> Result<i64> { Ok(c.query_row(sql, params![key], |r| r.get(0))?) };
    Ok(StoreHealth {
        credential_id: credential_id.to_string(),
        store_key: key.to_string(),
        label: label.to_string(),
        mapped_store: c
            .query_row(
                "SELECT s.name FROM store_mappings m JOIN retail_stores s ON s.id = m.store_id WHERE m.key_id = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?,
        current_as_of: last_success.as_ref().map(|(started, _)| started.clone()),
        last_success_at: last_success.map(|(_, finished)| finished),
        last_error,
        personas: count("SELECT count(DISTINCT persona_id) FROM source_records WHERE store_key = ?1")?,
        purchases: count("SELECT count(*) FROM purchases WHERE store_key = ?1")?,
    })
}
