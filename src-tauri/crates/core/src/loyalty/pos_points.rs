//! POS point balances in the local ledger: the one-time import ("Loyalty points imported on
//! *date*") and mirrored balances ("Mirror integration loyalty point values?", Greenbits). Both
//! write delta entries, never overwrite history, and run after a credential's streams.

use chrono::NaiveDate;
use rusqlite::{params, Transaction};

use crate::base::error::Result;
use crate::config::integration_settings::IntegrationSettings;
use crate::config::page_context::PageContext;
use crate::loyalty::ledger::{self, LedgerKind};

/// The `sync_cursors` stream that marks a credential's points import as finished.
const IMPORT_CURSOR: &str = "points_import";

/// Imports `page`'s credential's POS balances while the import is due: every sync up to and
/// including the import date brings each POS record's imported points up to its POS balance; the
/// first sync after the date does so one last time (only if this credential never imported) and
/// closes the import for good. Returns the points imported.
pub(crate) fn import_balances(
    tx: &Transaction<'_>,
    page: &PageContext,
    settings: &IntegrationSettings,
    today: NaiveDate,
) -> Result<i64> {
    let Some(date) = settings
        .points_imported_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return Ok(0);
    };
    let state = crate::storage::cursors::cursor(tx, &page.credential_id, IMPORT_CURSOR)?;
    match state.as_deref() {
        Some("done") => return Ok(0),
        Some(_) if today > date => {
            close_import(tx, page)?;
            return Ok(0);
        }
        _ => {}
    }
    let records: Vec<(i64, i64, i64, i64)> = tx
        .prepare(
            "SELECT id, persona_id, pos_points, imported_points FROM source_records
             WHERE credential_id = ?1 AND pos_points IS NOT NULL AND pos_points != imported_points AND employee = 0",
        )?
        .query_map([&page.credential_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let source = format!("{}:{}", page.integration.as_str(), page.credential_id);
    let mut total = 0;
    for (record_id, persona_id, pos_points, imported) in records {
        let delta = pos_points - imported;
        ledger::write(
            tx,
            ledger::Entry {
                persona_id,
                kind: LedgerKind::Import,
                points: delta,
                source: &source,
                transaction_id: &format!("{record_id}@{}", page.now),
                reason: &format!("POS balance imported ({date})"),
            },
            &page.now,
        )?;
        tx.prepare_cached("UPDATE source_records SET imported_points = ?2 WHERE id = ?1")?
            .execute(params![record_id, pos_points])?;
        total += delta;
    }
    if today > date {
        close_import(tx, page)?;
    } else {
        crate::storage::cursors::put_cursor(tx, &page.credential_id, IMPORT_CURSOR, "importing")?;
    }
    Ok(total)
}

/// Marks the credential's import finished, and the integration's once it was first closed.
fn close_import(tx: &Transaction<'_>, page: &PageContext) -> Result<()> {
    crate::storage::cursors::put_cursor(tx, &page.credential_id, IMPORT_CURSOR, "done")?;
    tx.execute(
        "UPDATE integrations SET points_import_done_at = coalesce(points_import_done_at, ?2) WHERE integration = ?1",
        params![page.integration.as_str(), page.now],
    )?;
    Ok(())
}

/// With mirrored points on: every persona with a POS record of `page`'s credential gets a `mirror`
/// entry for the difference, so its balance equals the sum of its POS balances from this
/// integration. Returns the personas adjusted.
pub(crate) fn mirror_balances(
    tx: &Transaction<'_>,
    page: &PageContext,
    settings: &IntegrationSettings,
) -> Result<usize> {
    if !settings.mirror_points {
        return Ok(0);
    }
    let integration = page.integration.as_str();
    let off: Vec<(i64, i64)> = tx
        .prepare(
            "SELECT id, target - points_balance FROM (
               SELECT p.id, p.points_balance,
                      (SELECT sum(s.pos_points) FROM source_records s
                       WHERE s.persona_id = p.id AND s.integration = ?2 AND s.pos_points IS NOT NULL) AS target
               FROM personas p
               WHERE p.id IN (SELECT persona_id FROM source_records WHERE credential_id = ?1 AND pos_points IS NOT NULL))
             WHERE target != points_balance",
        )?
        .query_map(params![page.credential_id, integration], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let source = format!("{integration}:mirror");
    for (persona_id, delta) in &off {
        ledger::write(
            tx,
            ledger::Entry {
                persona_id: *persona_id,
                kind: LedgerKind::Mirror,
                points: *delta,
                source: &source,
                transaction_id: &format!("{persona_id}@{}", page.now),
                reason: "Balance mirrored from the POS",
            },
            &page.now,
        )?;
    }
    Ok(off.len())
}
