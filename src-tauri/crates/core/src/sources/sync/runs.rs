//! The bookkeeping around a stream's run: its `sync_runs` row, and the notifications a credential's
//! sync raises or clears (its cursor is in `storage::cursors`).

use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use super::{SyncSummary, Trigger};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::integrations::credentials::Credential;
use crate::integrations::notifications::{self, NotificationKind};
use crate::pos::streams::StreamPlan;
use crate::storage::db::Database;

/// Opens a run's row.
pub async fn start(
    db: &Database,
    credential: &Credential,
    plan: &StreamPlan,
    trigger: Trigger,
) -> Result<i64> {
    let (id, integration, key, label, stream) = (
        credential.id.clone(),
        credential.integration,
        plan.store_key.clone(),
        plan.store_label.clone(),
        plan.stream,
    );
    db.write_async(move |tx| {
        tx.execute(
            "INSERT INTO sync_runs (credential_id, integration, store_key, store_label, stream, trigger, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, integration, key, label, stream, trigger, db_timestamp(Utc::now())],
        )?;
        Ok(tx.last_insert_rowid())
    })
    .await
}

/// Closes a run's row with its counts and error.
pub async fn finish(
    db: &Database,
    run_id: i64,
    summary: &SyncSummary,
    total: Option<u64>,
) -> Result<()> {
    let summary = summary.clone();
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, pages = ?3, records_seen = ?4, records_new = ?5,
             records_changed = ?6, records_rejected = ?7, retries = ?8, records_total = ?9,
             error_code = ?10, error_message = ?11, warning = ?12 WHERE id = ?1",
            params![
                run_id,
                db_timestamp(Utc::now()),
                summary.pages,
                summary.seen,
                summary.new,
                summary.changed,
                summary.rejected,
                summary.retries,
                total.map(|t| t as i64),
                summary.error.as_ref().map(|e| e.code),
                summary.error.as_ref().map(|e| e.message.clone()),
                summary.warning,
            ],
        )?;
        Ok(())
    })
    .await
}

/// Adds `warning` to the credential's latest run (its last stream's, a credential syncing one run
/// at a time), after the run was closed: a closing pass that failed.
pub async fn add_warning(db: &Database, credential_id: &str, warning: &str) -> Result<()> {
    let (credential_id, warning) = (credential_id.to_string(), warning.to_string());
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE sync_runs SET warning = coalesce(warning || ' ', '') || ?2
             WHERE id = (SELECT max(id) FROM sync_runs WHERE credential_id = ?1)",
            params![credential_id, warning],
        )?;
        Ok(())
    })
    .await
}

/// Raises or clears a credential's notifications after its sync: a refused credential, and data
/// from a store key mapped to no retail store.
pub async fn notify_credential(
    db: &Database,
    credential: &Credential,
    summaries: &[SyncSummary],
) -> Result<()> {
    let credential = credential.clone();
    let summaries = summaries.to_vec();
    db.write_async(move |tx| {
        let pos = credential.integration.label();
        let store_name = &credential.store_name;
        match summaries.iter().filter_map(|s| s.error.as_ref()).find(|e| {
            matches!(e.code, crate::ErrorCode::PosAuthFailed | crate::ErrorCode::PosPermissionMissing)
        }) {
            Some(error) => {
                let body = format!("{} {}", error.message, error.hint.clone().unwrap_or_default());
                notifications::raise(
                    tx,
                    NotificationKind::SyncFailed,
                    &credential.id,
                    &format!("{pos} sync stopped for “{store_name}”"),
                    body.trim(),
                )?;
            }
            None if summaries.iter().all(|s| s.error.is_none()) => {
                notifications::clear(tx, NotificationKind::SyncFailed, &credential.id)?;
            }
            None => {}
        }
        for key in credential.store_keys() {
            let seen: u32 = summaries
                .iter()
                .filter(|s| s.store_key == key.key)
                .map(|s| s.seen)
                .sum();
            let mapped = tx
                .query_row("SELECT 1 FROM store_mappings WHERE key_id = ?1", [&key.key], |_| Ok(()))
                .optional()?
                .is_some();
            if seen > 0 && !mapped {
                let label = &key.label;
                notifications::raise(
                    tx,
                    NotificationKind::UnmappedStore,
                    &key.key,
                    &format!("Unmapped store: “{label}”"),
                    &format!("{pos} sent data for “{label}”, which is mapped to no retail store. Map it in Settings → Company Account → Retail Stores: Edit the store, then pick the key under Store Mappings."),
                )?;
            }
        }
        Ok(())
    })
    .await
}

/// Closes the runs an earlier process left open (it was killed or crashed mid-run): they show in
/// the history as interrupted. Their saved pages stay; the next run resumes from the cursors.
pub fn close_interrupted(db: &Database, started_before: &str) -> Result<usize> {
    db.write(|tx| {
        let closed = tx.execute(
            "UPDATE sync_runs SET finished_at = started_at, error_code = 'interrupted',
               error_message = 'Canopy stopped before this run finished; the next sync picks up from the last saved page.'
             WHERE finished_at IS NULL AND started_at < ?1",
            [started_before],
        )?;
        // The personas the interrupted runs touched get their favorite store and last purchase
        // now, not at the next sync.
        crate::personas::pending::settle(tx, chrono::Utc::now())?;
        Ok(closed)
    })
}
