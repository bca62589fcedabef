//! The sync engine: pulls POS records page by page into personas.
//!
//! Invariants (from the Airbyte/Singer model): a page's records and the stream's new cursor are
//! committed in one transaction, so a crash never advances the cursor past unsaved data; each run
//! re-reads a small overlap before the cursor; upserts are idempotent on (integration, credential,
//! POS id) and a record older than the stored one never overwrites it.

mod apply;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

pub use apply::{apply_customer, Outcome};

use crate::credentials::{self, Credential};
use crate::db::Database;
use crate::error::{Error, ErrorCode, Result};
use crate::notifications::{self, NotificationKind};
use crate::pos::posabit::{map_customer, PosabitClient};
use crate::secrets::SecretStore;

/// The customers stream's name in `sync_cursors` and `sync_runs`.
pub const CUSTOMERS_STREAM: &str = "customers";
/// Records asked for per page.
pub const PAGE_SIZE: u64 = 100;
/// How far before the cursor each run starts reading again, to catch late writes on the POS.
pub fn cursor_overlap() -> Duration {
    Duration::minutes(5)
}

/// What a sync run of one credential's stream did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SyncSummary {
    /// The credential synced.
    pub credential_id: String,
    /// Its store name.
    pub store_name: String,
    /// The stream, e.g. `customers`.
    pub stream: String,
    /// Pages fetched.
    pub pages: u32,
    /// Records received.
    pub seen: u32,
    /// Records Canopy had never seen.
    pub new: u32,
    /// Records that changed since the last sync.
    pub changed: u32,
    /// Records skipped because they could not be read.
    pub rejected: u32,
    /// Why the run stopped early, when it did.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

fn stamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Micros, true)
}

async fn read_cursor(db: &Database, credential_id: &str) -> Result<Option<DateTime<Utc>>> {
    let id = credential_id.to_string();
    let raw: Option<String> = db
        .read_async(move |c| {
            Ok(c.query_row(
                "SELECT cursor FROM sync_cursors WHERE credential_id = ?1 AND stream = ?2",
                params![id, CUSTOMERS_STREAM],
                |row| row.get(0),
            )
            .optional()?)
        })
        .await?;
    Ok(raw
        .and_then(|r| DateTime::parse_from_rfc3339(&r).ok())
        .map(|t| t.with_timezone(&Utc)))
}

/// Pulls a POSaBIT credential's customers into personas and records the run.
///
/// Returns the summary; a failure that stopped the run is in `summary.error` and in `sync_runs`.
pub async fn sync_posabit_customers(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &PosabitClient,
    credential: &Credential,
    trigger: &str,
) -> Result<SyncSummary> {
    let mut summary = SyncSummary {
        credential_id: credential.id.clone(),
        store_name: credential.store_name.clone(),
        stream: CUSTOMERS_STREAM.to_string(),
        ..SyncSummary::default()
    };
    let run_id = start_run(db, &credential.id, trigger).await?;
    let outcome = pull_pages(db, secrets, client, credential, run_id, &mut summary).await;
    if let Err(error) = outcome {
        tracing::warn!(credential = %credential.id, code = ?error.code, "sync stopped: {}", error.message);
        summary.error = Some(error);
    }
    finish_run(db, run_id, credential, &summary).await?;
    tracing::info!(
        credential = %credential.id, pages = summary.pages, seen = summary.seen, new = summary.new,
        changed = summary.changed, rejected = summary.rejected, "customers sync finished"
    );
    Ok(summary)
}

async fn pull_pages(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &PosabitClient,
    credential: &Credential,
    run_id: i64,
    summary: &mut SyncSummary,
) -> Result<()> {
    let key = credentials::secret_of(secrets, credential)?;
    let cursor = read_cursor(db, &credential.id).await?;
    let updated_after = cursor.map(|c| stamp(c - cursor_overlap()));
    let mut page = 1;
    loop {
        let fetched = client
            .customers_page(&key, page, PAGE_SIZE, updated_after.as_deref())
            .await?;
        summary.pages += 1;
        summary.seen += fetched.customers.len() as u32;
        let counts = save_page(db, credential, run_id, fetched.customers).await?;
        summary.new += counts.new;
        summary.changed += counts.changed;
        summary.rejected += counts.rejected;
        if page >= fetched.total_pages {
            return Ok(());
        }
        page += 1;
    }
}

/// Counts of one saved page.
#[derive(Default)]
struct PageCounts {
    new: u32,
    changed: u32,
    rejected: u32,
}

/// Saves one page and the advanced cursor in a single IMMEDIATE transaction.
async fn save_page(
    db: &Database,
    credential: &Credential,
    run_id: i64,
    elements: Vec<serde_json::Value>,
) -> Result<PageCounts> {
    let credential_id = credential.id.clone();
    let integration = credential.integration;
    db.write_async(move |tx| {
        let now = stamp(Utc::now());
        let mut counts = PageCounts::default();
        let mut newest: Option<DateTime<Utc>> = None;
        for element in &elements {
            match map_customer(element) {
                Ok(customer) => {
                    newest = newest.max(Some(customer.updated_at));
                    match apply_customer(tx, integration, &credential_id, &customer, &now)? {
                        Outcome::New => counts.new += 1,
                        Outcome::Changed => counts.changed += 1,
                        Outcome::Unchanged | Outcome::Stale => {}
                    }
                }
                Err(bad) => {
                    counts.rejected += 1;
                    tx.execute(
                        "INSERT INTO sync_record_errors (run_id, pos_id, field, reason) VALUES (?1, ?2, ?3, ?4)",
                        params![run_id, bad.pos_id, bad.field, bad.reason],
                    )?;
                }
            }
        }
        if let Some(newest) = newest {
            tx.execute(
                "INSERT INTO sync_cursors (credential_id, stream, cursor) VALUES (?1, ?2, ?3)
                 ON CONFLICT (credential_id, stream) DO UPDATE SET cursor = max(cursor, excluded.cursor)",
                params![credential_id, CUSTOMERS_STREAM, stamp(newest)],
            )?;
        }
        Ok(counts)
    })
    .await
}

async fn start_run(db: &Database, credential_id: &str, trigger: &str) -> Result<i64> {
    let (id, trigger) = (credential_id.to_string(), trigger.to_string());
    db.write_async(move |tx| {
        tx.execute(
            "INSERT INTO sync_runs (credential_id, stream, trigger, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, CUSTOMERS_STREAM, trigger, stamp(Utc::now())],
        )?;
        Ok(tx.last_insert_rowid())
    })
    .await
}

async fn finish_run(
    db: &Database,
    run_id: i64,
    credential: &Credential,
    summary: &SyncSummary,
) -> Result<()> {
    let summary = summary.clone();
    let (credential_id, store_name) = (credential.id.clone(), credential.store_name.clone());
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, pages = ?3, records_seen = ?4, records_new = ?5,
             records_changed = ?6, records_rejected = ?7, error_code = ?8, error_message = ?9 WHERE id = ?1",
            params![
                run_id,
                stamp(Utc::now()),
                summary.pages,
                summary.seen,
                summary.new,
                summary.changed,
                summary.rejected,
                summary.error.as_ref().map(|e| e.code.as_str()),
                summary.error.as_ref().map(|e| e.message.clone()),
            ],
        )?;
        notify(tx, &credential_id, &store_name, &summary)
    })
    .await
}

/// Raises or clears the run's notifications: a stopped sync, and data from an unmapped key.
fn notify(
    tx: &rusqlite::Transaction<'_>,
    credential_id: &str,
    store_name: &str,
    summary: &SyncSummary,
) -> Result<()> {
    match &summary.error {
        Some(error)
            if matches!(
                error.code,
                ErrorCode::PosAuthFailed | ErrorCode::PosPermissionMissing
            ) =>
        {
            let body = format!(
                "{} {}",
                error.message,
                error.hint.clone().unwrap_or_default()
            );
            notifications::raise(
                tx,
                NotificationKind::SyncFailed,
                credential_id,
                &format!("POSaBIT sync stopped for “{store_name}”"),
                body.trim(),
            )?;
        }
        Some(_) => {}
        None => notifications::clear(tx, NotificationKind::SyncFailed, credential_id)?,
    }
    let mapped = tx
        .query_row(
            "SELECT 1 FROM store_mappings WHERE key_id = ?1",
            [credential_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if summary.seen > 0 && !mapped {
        notifications::raise(
            tx,
            NotificationKind::UnmappedStore,
            credential_id,
            &format!("Unmapped store: “{store_name}”"),
            &format!("POSaBIT sent data for “{store_name}”, which is mapped to no retail store. Map it in Settings → Company Account → Retail Stores: Edit the store, then pick the key under Store Mappings."),
        )?;
    }
    Ok(())
}
