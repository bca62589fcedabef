//! Local signups (the `loyalty` source): a shopper signs up on Canopy's own form. The signup merges
//! into the persona with the same phone or e-mail, or creates one; it is a loyalty member from the
//! start. A consent signed here is an SMS and e-mail opt-in for the phone and e-mail typed, kept
//! with the wording the shopper saw ([`CONSENT_WORDING`]) and the signature; shoppers must be 21
//! or older. With two-way contact sync on, the POS gets the customer through the outbox, written
//! in the same transaction.

use chrono::{Datelike, NaiveDate, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::identity::{normalize_email, normalize_phone};
use crate::personas::matching::match_persona;
use crate::sources::outbox;
use crate::storage::db::Database;

/// The consent the signup form shows above its signature box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ConsentWording {
    /// Its version, stored beside each signature.
    pub version: &'static str,
    /// The words.
    pub text: &'static str,
}

/// The signup form's consent wording, now. Change the version with the words.
pub const CONSENT_WORDING: ConsentWording = ConsentWording {
    version: "2026-12-04",
    text: "By signing, I agree to receive marketing texts and e-mails from this dispensary's loyalty program about deals and my rewards, at the phone number and e-mail address above. Msg frequency varies. Msg & data rates may apply. Reply HELP for help and STOP to cancel at any time. Consent is not a condition of purchase. I confirm I am 21 or older.",
};

/// The youngest a shopper may be.
const MINIMUM_AGE: i32 = 21;

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
    /// The version of the consent wording the form showed ([`CONSENT_WORDING`]).
    #[ts(optional)]
    #[serde(default)]
    pub consent_version: Option<String>,
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
    let today = Utc::now().date_naive();
    let birth_date = blank_to_none(&input.birth_date)
        .map(|raw| adult_birth_date(&raw, today))
        .transpose()?;
    if input.consent {
        if birth_date.is_none() {
            return Err(Error::validation(
                "Marketing consent needs the shopper's birth date, showing they are 21 or older.",
            ));
        }
        if input.consent_version.as_deref() != Some(CONSENT_WORDING.version) {
            return Err(Error::validation(
                "The consent wording changed since the form was opened.",
            )
            .with_hint(
                "Close the form, open it again, and have the shopper sign the wording shown.",
            ));
        }
    }
    let last_name = blank_to_none(&input.last_name);
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
                "INSERT INTO personas (first_name, last_name, phone_e164, email, birth_date, loyalty_member, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
                params![first_name, last_name, phone, email, birth_date, now],
            )?;
            (tx.last_insert_rowid(), "new")
        };
        if reason != "new" {
            tx.execute(
                "UPDATE personas SET first_name = coalesce(first_name, ?2), last_name = coalesce(last_name, ?3),
                   phone_e164 = coalesce(phone_e164, ?4), email = coalesce(email, ?5), birth_date = coalesce(birth_date, ?6),
                   loyalty_member = 1, updated_at = ?7
                 WHERE id = ?1",
                params![persona_id, first_name, last_name, phone, email, birth_date, now],
            )?;
        }
        tx.execute(
            "INSERT INTO local_signups (persona_id, first_name, last_name, phone_e164, email, birth_date, consent, signature, match_reason, created_at, store_id,
                                        consent_version, consent_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                persona_id, first_name, last_name, phone, email, birth_date, input.consent, blank_to_none(&input.signature), reason, now,
                input.store_id, input.consent.then_some(CONSENT_WORDING.version), input.consent.then_some(CONSENT_WORDING.text)
            ],
        )?;
        let signup_id = tx.last_insert_rowid();
        crate::personas::favorites::recompute_for(tx, &[persona_id], Utc::now())?;
        if input.consent {
            let evidence = json!({
                "signup": signup_id,
                "form_wording_version": CONSENT_WORDING.version,
                "signature": blank_to_none(&input.signature),
                "store_id": input.store_id,
            });
            crate::consent::signed_at_signup(tx, persona_id, phone.as_deref(), email.as_deref(), &evidence, &now)?;
        }
        let queued_pushes = outbox::enqueue_for_signup(tx, persona_id, &now)?;
        Ok(Signup {
            persona_id,
            match_reason: reason.to_string(),
            queued_pushes,
        })
    })
}

/// A birth date typed as `YYYY-MM-DD` or `MM/DD/YYYY`, as `YYYY-MM-DD`, of a shopper at least
/// [`MINIMUM_AGE`] on `today`; or why not.
fn adult_birth_date(raw: &str, today: NaiveDate) -> Result<String> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%m/%d/%Y"))
        .map_err(|_| {
            Error::validation(format!("“{raw}” is not a birth date."))
                .with_hint("Type it as YYYY-MM-DD, e.g. 1990-04-20.")
        })?;
    let birthday_passed = (today.month(), today.day()) >= (date.month(), date.day());
    let age = today.year() - date.year() - i32::from(!birthday_passed);
    if date > today || age < MINIMUM_AGE {
        return Err(Error::validation("Shoppers must be 21 or older to join.")
            .with_hint("Canopy keeps no record of a shopper under 21."));
    }
    Ok(date.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birth_date_is_read_in_both_forms_and_a_shopper_under_21_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date");
        assert_eq!(
            adult_birth_date("1990-04-20", today).expect("adult"),
            "1990-04-20"
        );
        assert_eq!(
            adult_birth_date("04/20/1990", today).expect("adult"),
            "1990-04-20"
        );
        assert_eq!(
            adult_birth_date("2005-12-04", today).expect("21 today"),
            "2005-12-04"
        );
        for (raw, message) in [
            ("2005-12-05", "Shoppers must be 21 or older to join."),
            ("2030-01-01", "Shoppers must be 21 or older to join."),
            ("yesterday", "“yesterday” is not a birth date."),
        ] {
            assert_eq!(
                adult_birth_date(raw, today).expect_err(raw).message,
                message
            );
        }
    }
}
