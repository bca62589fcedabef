//! Matching records into personas: which persona a new record joins (same phone, else same
//! e-mail), filling the fields a persona lacks, and creating one. Used by POS syncs, signups,
//! CSV imports and splits alike.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::base::error::Result;
use crate::pos::PosCustomer;

/// The persona a new record joins, and why: the first (oldest) persona with the same normalised
/// phone, else the same normalised e-mail. The matching rule for POS records and local signups.
pub fn match_persona(
    tx: &Transaction<'_>,
    phone: &Option<String>,
    email: &Option<String>,
) -> Result<Option<(i64, &'static str)>> {
    for (column, value, reason) in [("phone_e164", phone, "phone"), ("email", email, "email")] {
        let Some(value) = value else { continue };
        let found: Option<i64> = tx
            .prepare_cached(&format!(
                "SELECT id FROM personas WHERE {column} = ?1 ORDER BY id LIMIT 1"
            ))?
            .query_row([value], |r| r.get(0))
            .optional()?;
        if let Some(id) = found {
            return Ok(Some((id, reason)));
        }
    }
    Ok(None)
}

/// What a record merged into a persona knows about the shopper (phone and e-mail normalised).
pub struct Profile<'a> {
    /// Given name.
    pub first_name: Option<&'a str>,
    /// Family name.
    pub last_name: Option<&'a str>,
    /// E.164 phone.
    pub phone: Option<&'a str>,
    /// Normalised e-mail.
    pub email: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<&'a str>,
    /// A member of the loyalty programme.
    pub loyalty_member: bool,
}

/// A merge fills what the persona lacks; it never overwrites another source's values.
pub fn fill_missing(
    tx: &Transaction<'_>,
    persona_id: i64,
    profile: &Profile<'_>,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE personas SET first_name = coalesce(first_name, ?2), last_name = coalesce(last_name, ?3),
           phone_e164 = coalesce(phone_e164, ?4), email = coalesce(email, ?5), birth_date = coalesce(birth_date, ?6),
           loyalty_member = max(loyalty_member, ?7), updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        persona_id,
        profile.first_name,
        profile.last_name,
        profile.phone,
        profile.email,
        profile.birth_date,
        profile.loyalty_member,
        now
    ])?;
    Ok(())
}

/// Creates the persona a POS shopper starts (`phone` and `email` already normalised); returns its id.
pub fn insert_persona(
    tx: &Transaction<'_>,
    customer: &PosCustomer,
    phone: &Option<String>,
    email: &Option<String>,
    now: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO personas (first_name, last_name, first_key, last_key, phone_e164, email, birth_date, loyalty_member,
           address_state, created_at, updated_at)
         VALUES (?1, ?2, canopy_fold(?1), canopy_fold(?2), ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        customer.first_name,
        customer.last_name,
        phone,
        email,
        customer.birth_date,
        customer.loyalty_member,
        customer.state,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}
