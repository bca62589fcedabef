//! Local signups (the `loyalty` source): a shopper signs up on Canopy's own form. The signup merges
//! into the persona with the same phone or e-mail, or creates one; it is a loyalty member from the
//! start, and consent given here is a marketing opt-in. With two-way contact sync on, the POS gets
//! the customer through the outbox, written in the same transaction.

use chrono::Utc;
use rusqlite::params;
use serde::Deserialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::identity::{normalize_email, normalize_phone};
use crate::personas::matching::match_persona;
use crate::sources::outbox;
use crate::storage::db::Database;

/// What the signup form sends.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct SignupInput {
    /// Given name (required).
    pub first_name: String,
    /// Family name.
    pub last_name: Option<String>,
    /// A phone in any common US format.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// The consent checkbox.
    pub consent: bool,
    /// The signature given with the consent.
    pub signature: Option<String>,
    /// The retail store the shopper signed up at.
    #[ts(optional, type = "number")]
    #[serde(default)]
    pub store_id: Option<i64>,
}

/// What a signup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    /// The persona it landed on.
    pub persona_id: i64,
    /// `new`, or what it merged on: `phone` / `email`.
    pub match_reason: String,
    /// POS pushes queued in the outbox (one per integration with two-way contact sync on and no
    /// record of the shopper yet).
    pub queued_pushes: usize,
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Records a signup: validates it, matches or creates the persona, and queues POS pushes — all in
/// one transaction.
pub fn sign_up(db: &Database, input: &SignupInput) -> Result<Signup> {
    let first_name = input.first_name.trim().to_string();
    if first_name.is_empty() {
        return Err(Error::validation("First name is required."));
    }
    let phone = match blank_to_none(&input.phone) {
        Some(raw) => Some(normalize_phone(&raw).ok_or_else(|| {
            Error::validation(format!("“{raw}” is not a US phone number."))
                .with_hint("Type the 10 digits, e.g. (206) 555-0100.")
        })?),
        None => None,
    };
    let email = match blank_to_none(&input.email) {
        Some(raw) => Some(
            normalize_email(&raw)
                .ok_or_else(|| Error::validation(format!("“{raw}” is not an e-mail address.")))?,
        ),
        None => None,
    };
    if phone.is_none() && email.is_none() {
        return Err(Error::validation(
            "Give a phone number or an e-mail address.",
        ));
    }
    if input.consent && blank_to_none(&input.signature).is_none() {
        return Err(Error::validation("Consent needs a signature."));
    }
    let (last_name, birth_date) = (
        blank_to_none(&input.last_name),
        blank_to_none(&input.birth_date),
    );
    let now = Utc::now().to_rfc3339();
    db.write(|tx| {
        if let Some(store) = input.store_id {
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM retail_stores WHERE id = ?1)",
                [store],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Error::validation("That store no longer exists.").with_hint("Pick another store, or none."));
            }
        }
        let (persona_id, reason) = if let Some(found) = match_persona(tx, &phone, &email)? {
            found
        } else {
            tx.execute(
                "INSERT INTO personas (first_name, last_name, phone_e164, email, birth_date, loyalty_member, marketing_opt_in, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)",
                params![first_name, last_name, phone, email, birth_date, input.consent, now],
            )?;
            (tx.last_insert_rowid(), "new")
        };
        if reason != "new" {
            tx.execute(
                "UPDATE personas SET first_name = coalesce(first_name, ?2), last_name = coalesce(last_name, ?3),
                   phone_e164 = coalesce(phone_e164, ?4), email = coalesce(email, ?5), birth_date = coalesce(birth_date, ?6),
                   loyalty_member = 1, marketing_opt_in = max(marketing_opt_in, ?7), updated_at = ?8
                 WHERE id = ?1",
                params![persona_id, first_name, last_name, phone, email, birth_date, input.consent, now],
            )?;
        }
        tx.execute(
            "INSERT INTO local_signups (persona_id, first_name, last_name, phone_e164, email, birth_date, consent, signature, match_reason, created_at, store_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![persona_id, first_name, last_name, phone, email, birth_date, input.consent, blank_to_none(&input.signature), reason, now, input.store_id],
        )?;
        crate::personas::favorites::recompute_for(tx, &[persona_id], Utc::now())?;
        if input.consent {
            crate::consent::signed_at_signup(tx, persona_id, phone.is_some(), &now)?;
        }
        let queued_pushes = outbox::enqueue_for_signup(tx, persona_id, &now)?;
        Ok(Signup {
            persona_id,
            match_reason: reason.to_string(),
            queued_pushes,
        })
    })
}
