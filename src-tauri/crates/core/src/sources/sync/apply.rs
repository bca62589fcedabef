//! Applying one POS customer to the persona tables: link, match or create, idempotently.

use rusqlite::{params, OptionalExtension, Transaction};

use super::PageContext;
use crate::base::error::Result;
use crate::base::identity::{normalize_email, normalize_phone};
use crate::consent::grants::PosConsent;
use crate::personas::matching::{fill_missing, insert_persona, match_persona, Profile};
use crate::pos::PosCustomer;

/// What applying a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordChange {
    /// The record was new: attached to a matched or a new persona.
    New,
    /// A known record changed; the persona took the POS's values.
    Changed,
    /// A known record arrived again unchanged.
    Unchanged,
    /// An older version of a known record arrived; ignored.
    Stale,
}

/// Applies `customer` from the page's credential and store key, inside the caller's transaction.
/// Returns what it did and the persona it touched.
///
/// Matching order for a record never seen: normalised phone, then normalised e-mail, else a new
/// persona. The reason is stored on the source record so the merge can be explained later.
pub fn apply_customer(
    tx: &Transaction<'_>,
    page: &PageContext,
    customer: &PosCustomer,
) -> Result<(RecordChange, i64)> {
    let phone = customer.phone_raw.as_deref().and_then(normalize_phone);
    let email = customer.email_raw.as_deref().and_then(normalize_email);
    let updated_at = customer.updated_at.to_rfc3339();
    let payload = &customer.payload;
    let integration = page.integration.as_str();
    let existing: Option<(i64, i64, String, String, bool, Option<bool>)> = tx
        .prepare_cached(
            "SELECT id, persona_id, pos_updated_at, payload, loyalty_member, marketing_opt_in FROM source_records
             WHERE integration = ?1 AND credential_id = ?2 AND pos_id = ?3",
        )?
        .query_row(
            params![integration, page.credential_id, customer.pos_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let consent = |previously_opted_in| PosConsent {
        integration: page.integration,
        credential_id: &page.credential_id,
        customer,
        previously_opted_in,
    };

    if let Some((
        record_id,
        persona_id,
        stored_updated_at,
        stored_payload,
        was_member,
        said_opt_in,
    )) = existing
    {
        let stored = chrono::DateTime::parse_from_rfc3339(&stored_updated_at).ok();
        if stored.is_some_and(|s| customer.updated_at < s) {
            return Ok((RecordChange::Stale, persona_id));
        }
        if &stored_payload == payload {
            tx.prepare_cached("UPDATE source_records SET last_seen_at = ?2 WHERE id = ?1")?
                .execute(params![record_id, page.now])?;
            return Ok((RecordChange::Unchanged, persona_id));
        }
        tx.prepare_cached(
            "UPDATE source_records SET payload = ?2, pos_updated_at = ?3, phone_raw = ?4, last_seen_at = ?5,
               pos_points = ?6, employee = ?7, loyalty_member = max(loyalty_member, ?8), marketing_opt_in = ?9 WHERE id = ?1",
        )?
        .execute(params![
            record_id,
            payload,
            updated_at,
            customer.phone_raw,
            page.now,
            customer.points,
            customer.employee,
            customer.loyalty_member,
            customer.marketing_opt_in
        ])?;
        // With two-way contact sync on, the POS is the source of truth for the profile fields it
        // sends, for changes made since the day it was enabled; membership always flows, and
        // consent moves only through the consent rules.
        let profile_flows = page
            .profile_changes_since
            .is_some_and(|since| customer.updated_at >= since);
        tx.prepare_cached(
            "UPDATE personas SET
               first_name = CASE WHEN ?10 THEN coalesce(?2, first_name) ELSE first_name END,
               last_name = CASE WHEN ?10 THEN coalesce(?3, last_name) ELSE last_name END,
               phone_e164 = CASE WHEN ?10 THEN coalesce(?4, phone_e164) ELSE phone_e164 END,
               email = CASE WHEN ?10 THEN coalesce(?5, email) ELSE email END,
               birth_date = CASE WHEN ?10 THEN coalesce(?6, birth_date) ELSE birth_date END,
               loyalty_member = max(loyalty_member, ?7), address_state = coalesce(?8, address_state), updated_at = ?9
             WHERE id = ?1",
        )?
        .execute(params![
            persona_id,
            customer.first_name,
            customer.last_name,
            phone,
            email,
            customer.birth_date,
            customer.loyalty_member,
            customer.state,
            page.now,
            profile_flows
        ])?;
        crate::consent::from_pos(tx, persona_id, consent(said_opt_in), &page.now)?;
        if customer.loyalty_member && !was_member {
            // Joining the programme: the shopper's sales earn, whichever arrived first.
            crate::loyalty::earning::reconcile_customer_points(tx, page, &customer.pos_id)?;
        }
        return Ok((RecordChange::Changed, persona_id));
    }

    let (persona_id, reason) = if let Some(found) = match_persona(tx, &phone, &email)? {
        found
    } else {
        (
            insert_persona(tx, customer, &phone, &email, &page.now)?,
            "new",
        )
    };
    if reason != "new" {
        fill_missing(
            tx,
            persona_id,
            &Profile {
                first_name: customer.first_name.as_deref(),
                last_name: customer.last_name.as_deref(),
                phone: phone.as_deref(),
                email: email.as_deref(),
                birth_date: customer.birth_date.as_deref(),
                loyalty_member: customer.loyalty_member,
            },
            &page.now,
        )?;
    }
    tx.prepare_cached(
        "INSERT INTO source_records (persona_id, integration, credential_id, store_key, pos_id, match_reason, phone_raw,
           pos_updated_at, first_seen_at, last_seen_at, payload, pos_points, employee, loyalty_member, marketing_opt_in)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        persona_id,
        integration,
        page.credential_id,
        page.store_key,
        customer.pos_id,
        reason,
        customer.phone_raw,
        updated_at,
        page.now,
        payload,
        customer.points,
        customer.employee,
        customer.loyalty_member,
        customer.marketing_opt_in
    ])?;
    // A new persona took the state when it was made; one matched by phone or e-mail keeps its
    // own and takes this one only if it had none.
    if customer.state.is_some() && reason != "new" {
        tx.prepare_cached(
            "UPDATE personas SET address_state = coalesce(address_state, ?2) WHERE id = ?1",
        )?
        .execute(params![persona_id, customer.state])?;
    }
    crate::consent::from_pos(tx, persona_id, consent(None), &page.now)?;
    crate::loyalty::earning::link_waiting_purchases(tx, page, &customer.pos_id, persona_id)?;
    Ok((RecordChange::New, persona_id))
}
