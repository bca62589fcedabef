//! Applying the POS's discount list (POSaBIT coupons, Greenbits discounts): upsert by id with the
//! store key and label it was read through, and forget those the POS no longer lists there.

use rusqlite::{params, OptionalExtension, Transaction};

use super::apply::RecordChange;
use super::PageContext;
use crate::base::error::Result;
use crate::pos::PosCoupon;

/// Upserts one coupon of the page's credential, read through the store `label` names.
pub fn apply_coupon(
    tx: &Transaction<'_>,
    page: &PageContext,
    label: &str,
    coupon: &PosCoupon,
) -> Result<RecordChange> {
    let payload = &coupon.payload;
    let stored: Option<String> = tx
        .prepare_cached(
            "SELECT payload FROM pos_coupons WHERE credential_id = ?1 AND store_key = ?2 AND pos_id = ?3",
        )?
        .query_row(params![page.credential_id, page.store_key, coupon.pos_id], |r| r.get(0))
        .optional()?;
    tx.prepare_cached(
        "INSERT INTO pos_coupons (credential_id, pos_id, name, active, payload, seen_at, store_key, store_label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (credential_id, store_key, pos_id) DO UPDATE
           SET name = excluded.name, active = excluded.active, payload = excluded.payload, seen_at = excluded.seen_at,
               store_label = excluded.store_label",
    )?
    .execute(params![page.credential_id, coupon.pos_id, coupon.name, coupon.active, payload, page.now,
                     page.store_key, label])?;
    Ok(match stored {
        None => RecordChange::New,
        Some(old) if &old == payload => RecordChange::Unchanged,
        Some(_) => RecordChange::Changed,
    })
}

/// Forgets the coupons of the credential's `store_key` a complete pass started at `started` did not
/// see.
pub fn forget_unseen(
    tx: &Transaction<'_>,
    credential_id: &str,
    store_key: &str,
    started: &str,
) -> Result<()> {
    tx.execute(
        "DELETE FROM pos_coupons WHERE credential_id = ?1 AND store_key = ?2 AND seen_at < ?3",
        params![credential_id, store_key, started],
    )?;
    Ok(())
}
