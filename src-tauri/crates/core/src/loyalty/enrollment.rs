//! The enrolment pass a sync runs when "Enroll Personas in loyalty program who purchased after" is
//! set or moved (its dry run is `date_setting_reach`).

use rusqlite::{params, Transaction};

use crate::base::error::Result;
use crate::config::page_context::PageContext;

/// The stream name under which a credential's applied enrolment date is kept in `sync_cursors`.
const ENROLLMENT_CURSOR: &str = "enrollment";

/// Brings the purchases of `page`'s credential on or after its enrolment date in line with it, once
/// per date: their shoppers join the programme and the sales earn. New sales settle as they arrive,
/// so this pass runs only when the date is new to the credential. Returns the purchases settled.
pub(crate) fn enroll_credential(tx: &Transaction<'_>, page: &PageContext) -> Result<usize> {
    let Some(date) = page.enroll_after.as_deref() else {
        return Ok(0);
    };
    let applied = crate::storage::cursors::cursor(tx, &page.credential_id, ENROLLMENT_CURSOR)?;
    if applied.as_deref() == Some(date) {
        return Ok(0);
    }
    let purchases: Vec<i64> = tx
        .prepare(
            "SELECT id FROM purchases WHERE credential_id = ?1 AND purchased_at >= ?2 AND persona_id IS NOT NULL",
        )?
        .query_map(params![page.credential_id, date], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for purchase_id in &purchases {
        crate::loyalty::earning::reconcile_purchase_points(tx, page, *purchase_id)?;
    }
    crate::storage::cursors::put_cursor(tx, &page.credential_id, ENROLLMENT_CURSOR, date)?;
    Ok(purchases.len())
}
