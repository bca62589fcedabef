//! Applying the POS's coupon list: upsert by id, and forget coupons the POS no longer lists.

use rusqlite::{params, OptionalExtension, Transaction};

use super::apply::RecordChange;
use super::PageContext;
use crate::base::error::Result;
use crate::pos::PosCoupon;

/// Upserts one coupon of the page's credential.
pub fn apply_coupon(
    tx: &Transaction<'_>,
    page: &PageContext,
    coupon: &PosCoupon,
) -> Result<RecordChange> {
    let payload = coupon.payload.to_string();
    let stored: Option<String> = tx
        .prepare_cached("SELECT payload FROM pos_coupons WHERE credential_id = ?1 AND pos_id = ?2")?
        .query_row(params![page.credential_id, coupon.pos_id], |r| r.get(0))
        .optional()?;
    tx.prepare_cached(
        "INSERT INTO pos_coupons (credential_id, pos_id, name, active, payload, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (credential_id, pos_id) DO UPDATE
           SET name = excluded.name, active = excluded.active, payload = excluded.payload, seen_at = excluded.seen_at",
    )?
    .execute(params![page.credential_id, coupon.pos_id, coupon.name, coupon.active, payload, page.now])?;
    Ok(match stored {
        None => RecordChange::New,
        Some(old) if old == payload => RecordChange::Unchanged,
        Some(_) => RecordChange::Changed,
    })
}

/// Forgets the credential's coupons a complete pass started at `started` did not see.
pub fn forget_unseen(tx: &Transaction<'_>, credential_id: &str, started: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM pos_coupons WHERE credential_id = ?1 AND seen_at < ?2",
        params![credential_id, started],
    )?;
    Ok(())
}
