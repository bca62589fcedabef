//! Applying one POS sale: a purchase on the shopper's persona and, for loyalty members, the points it
//! earns — each ledger entry written once per (source, transaction).

use rusqlite::{params, OptionalExtension, Transaction};

use super::apply::RecordChange;
use super::PageContext;
use crate::base::error::Result;
use crate::loyalty::earning::{reconcile_sale_points, LinkedSale};
use crate::pos::PosSale;

/// Applies `sale` inside the caller's transaction; returns what it did and the persona it is on,
/// when its shopper is known.
pub fn apply_sale(
    tx: &Transaction<'_>,
    page: &PageContext,
    sale: &PosSale,
) -> Result<(RecordChange, Option<i64>)> {
    let integration = page.integration.as_str();
    let payload = &sale.payload;
    let existing: Option<(i64, Option<i64>, String, String)> = tx
        .prepare_cached(
            "SELECT id, persona_id, pos_updated_at, payload FROM purchases
             WHERE integration = ?1 AND credential_id = ?2 AND pos_id = ?3",
        )?
        .query_row(params![integration, page.credential_id, sale.pos_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    if let Some((purchase_id, persona_id, stored_updated_at, stored_payload)) = existing {
        let stored = chrono::DateTime::parse_from_rfc3339(&stored_updated_at).ok();
        if stored.is_some_and(|s| sale.updated_at < s) {
            return Ok((RecordChange::Stale, persona_id));
        }
        if &stored_payload == payload {
            return Ok((RecordChange::Unchanged, persona_id));
        }
        tx.prepare_cached(
            "UPDATE purchases SET total_cents = ?2, discounts = ?3, voided = ?4, purchased_at = ?5,
               pos_updated_at = ?6, payload = ?7 WHERE id = ?1",
        )?
        .execute(params![
            purchase_id,
            sale.total_cents,
            sale.discounts,
            sale.voided,
            sale.purchased_at.to_rfc3339(),
            sale.updated_at.to_rfc3339(),
            payload
        ])?;
        if persona_id.is_some() {
            crate::loyalty::earning::reconcile_purchase_points(tx, page, purchase_id)?;
        }
        return Ok((RecordChange::Changed, persona_id));
    }
    // The shopper's persona and membership, when the POS customer is known.
    let shopper: Option<(i64, bool, bool)> = match &sale.customer_pos_id {
        Some(customer) => tx
            .prepare_cached(
                "SELECT persona_id, loyalty_member, employee FROM source_records
                 WHERE integration = ?1 AND credential_id = ?2 AND pos_id = ?3",
            )?
            .query_row(params![integration, page.credential_id, customer], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?,
        None => None,
    };
    let persona_id = shopper.map(|(persona_id, _, _)| persona_id);
    let purchased_at = sale.purchased_at.to_rfc3339();
    tx.prepare_cached(
        "INSERT INTO purchases (integration, credential_id, store_key, pos_id, customer_pos_id, persona_id,
           total_cents, discounts, voided, purchased_at, pos_updated_at, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        integration,
        page.credential_id,
        page.store_key,
        sale.pos_id,
        sale.customer_pos_id,
        persona_id,
        sale.total_cents,
        sale.discounts,
        sale.voided,
        purchased_at,
        sale.updated_at.to_rfc3339(),
        payload
    ])?;
    if let Some((persona_id, member, employee)) = shopper {
        let linked = LinkedSale {
            persona_id,
            pos_id: sale.pos_id.clone(),
            total_cents: sale.total_cents,
            voided: sale.voided,
            purchased_at,
            discounts: sale.discounts.clone(),
            store_key: page.store_key.clone(),
            member,
            employee,
        };
        reconcile_sale_points(tx, page, &linked)?;
    }
    Ok((RecordChange::New, persona_id))
}
