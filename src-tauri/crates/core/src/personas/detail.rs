//! One persona in full, for support staff: its profile, every source record and why it was merged,
//! its signups, purchases, points ledger with running balance, and POS pushes — and splitting a
//! wrong merge back out, with the points recomputed.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::identity::{normalize_email, normalize_phone};
use crate::base::pos_kind::Integration;
use crate::loyalty::ledger::LedgerKind;
use crate::personas::matching::insert_persona;
use crate::personas::query::{row, PersonaRow, ROW_COLUMNS};
use crate::storage::db::Database;

/// A POS record attached to the persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SourceRecordView {
    /// The record's id (what a split names).
    #[ts(type = "number")]
    pub id: i64,
    /// The POS.
    pub integration: Integration,
    /// The credential's store name, or the Greenbits location.
    pub store_label: String,
    /// The POS's id for the shopper.
    pub pos_id: String,
    /// Why it joined this persona: `new`, `phone` or `email`.
    pub match_reason: String,
    /// When Canopy first received it.
    pub first_seen_at: String,
    /// When Canopy last received it.
    pub last_seen_at: String,
    /// The POS's loyalty balance for the shopper, where the POS exposes one.
    #[ts(type = "number | null")]
    pub pos_points: Option<i64>,
    /// The last record received, as JSON.
    pub payload: String,
}

/// A signup on Canopy's own form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SignupView {
    /// When.
    pub created_at: String,
    /// Whether consent (with signature) was given.
    pub consent: bool,
    /// Why it joined this persona: `new`, `phone` or `email`.
    pub match_reason: String,
}

/// A purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PurchaseView {
    /// The POS.
    pub integration: Integration,
    /// The POS's id for the sale.
    pub pos_id: String,
    /// When.
    pub purchased_at: String,
    /// Paid, in cents.
    #[ts(type = "number")]
    pub total_cents: i64,
    /// Voided at the POS.
    pub voided: bool,
}

/// A points ledger entry and the balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LedgerEntryView {
    /// What moved the points.
    pub kind: LedgerKind,
    /// Points (negative for a deduction).
    #[ts(type = "number")]
    pub points: i64,
    /// Why.
    pub reason: String,
    /// The transaction it belongs to.
    pub transaction_id: String,
    /// When it was written.
    pub created_at: String,
    /// FIFO expiration: when this entry's points expire.
    pub expires_at: Option<String>,
    /// The balance after this entry.
    #[ts(type = "number")]
    pub balance: i64,
}

/// A push of this persona to a POS (two-way contact sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PushView {
    /// The POS.
    pub integration: Integration,
    /// `pending`, `done` or `failed`.
    pub status: String,
    /// `created`, `matched`, or what went wrong.
    pub outcome: Option<String>,
    /// The POS id it was created as or matched to.
    pub pos_id: Option<String>,
    /// Attempts made.
    #[ts(type = "number")]
    pub attempts: i64,
    /// When it was queued.
    pub created_at: String,
}

/// One persona in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonaDetail {
    /// The row the table shows.
    pub persona: PersonaRow,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Every POS record attached, oldest first.
    pub sources: Vec<SourceRecordView>,
    /// Signups on Canopy's form.
    pub signups: Vec<SignupView>,
    /// Lines of imported files.
    pub imports: Vec<ImportedView>,
    /// The latest purchases, newest first (at most [`LIST_LIMIT`]).
    pub purchases: Vec<PurchaseView>,
    /// The latest ledger entries, newest first, each with the balance after it.
    pub ledger: Vec<LedgerEntryView>,
    /// The consent history, oldest first.
    pub consent: Vec<crate::consent::ConsentEvent>,
    /// A reply from the persona's phone may mean stop: no texts go to it until support decides.
    pub held_for_review: bool,
    /// POS pushes, newest first.
    pub pushes: Vec<PushView>,
    /// Rewards redeemed at a POS checkout, newest first, with their store and sale.
    pub redemptions: Vec<crate::loyalty::redemptions::Redemption>,
}

/// A line of an imported file that landed on this persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportedView {
    /// The file's name.
    pub file_name: String,
    /// The line in the file.
    #[ts(type = "number")]
    pub line: i64,
    /// `new`, `phone` or `email`.
    pub match_reason: String,
    /// When it was imported.
    pub created_at: String,
}

/// How many purchases and ledger entries the detail shows.
pub const LIST_LIMIT: u32 = 200;

fn missing() -> Error {
    Error::new(ErrorCode::NotFound, "That persona no longer exists.")
        .with_hint("Search for it again.")
}

fn collect<T>(
    c: &Connection,
    sql: &str,
    id: i64,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut statement = c.prepare(sql)?;
    let rows = statement.query_map([id], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The persona with everything attached to it.
pub fn detail(db: &Database, id: i64) -> Result<PersonaDetail> {
    db.read(|c| {
        let persona = c
            .query_row(&format!("SELECT {ROW_COLUMNS} FROM personas p WHERE p.id = ?1"), [id], row)
            .optional()?
            .ok_or_else(missing)?;
        let birth_date = c.query_row("SELECT birth_date FROM personas WHERE id = ?1", [id], |r| r.get(0))?;
        let sources = collect(
            c,
            "SELECT s.id, s.integration, c.store_name, c.locations, s.store_key, s.pos_id, s.match_reason,
                    s.first_seen_at, s.last_seen_at, s.pos_points, s.payload
             FROM source_records s JOIN credentials c ON c.id = s.credential_id
             WHERE s.persona_id = ?1 ORDER BY s.first_seen_at, s.id",
            id,
            |r| {
                let (store_name, locations, key): (String, String, Option<String>) = (r.get(2)?, r.get(3)?, r.get(4)?);
                Ok(SourceRecordView {
                    id: r.get(0)?,
                    integration: r.get(1)?,
                    store_label: location_label(&locations, key.as_deref()).unwrap_or(store_name),
                    pos_id: r.get(5)?,
                    match_reason: r.get(6)?,
                    first_seen_at: r.get(7)?,
                    last_seen_at: r.get(8)?,
                    pos_points: r.get(9)?,
                    payload: r.get(10)?,
                })
            },
        )?;
        let signups = collect(
            c,
            "SELECT created_at, consent, match_reason FROM local_signups WHERE persona_id = ?1 ORDER BY id",
            id,
            |r| Ok(SignupView { created_at: r.get(0)?, consent: r.get(1)?, match_reason: r.get(2)? }),
        )?;
        let imports = collect(
            c,
            "SELECT f.file_name, i.line, i.match_reason, i.created_at FROM imported_records i
             JOIN imports f ON f.id = i.import_id WHERE i.persona_id = ?1 ORDER BY i.id",
            id,
            |r| Ok(ImportedView { file_name: r.get(0)?, line: r.get(1)?, match_reason: r.get(2)?, created_at: r.get(3)? }),
        )?;
        let purchases = collect(
            c,
            &format!(
                "SELECT integration, pos_id, purchased_at, total_cents, voided FROM purchases
                 WHERE persona_id = ?1 ORDER BY purchased_at DESC, id DESC LIMIT {LIST_LIMIT}"
            ),
            id,
            |r| {
                Ok(PurchaseView {
                    integration: r.get(0)?,
                    pos_id: r.get(1)?,
                    purchased_at: r.get(2)?,
                    total_cents: r.get(3)?,
                    voided: r.get(4)?,
                })
            },
        )?;
        let ledger = collect(
            c,
            &format!(
                "SELECT kind, points, reason, transaction_id, created_at, expires_at,
                        sum(points) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                 FROM points_ledger WHERE persona_id = ?1 ORDER BY id DESC LIMIT {LIST_LIMIT}"
            ),
            id,
            |r| {
                Ok(LedgerEntryView {
                    kind: r.get(0)?,
                    points: r.get(1)?,
                    reason: r.get(2)?,
                    transaction_id: r.get(3)?,
                    created_at: r.get(4)?,
                    expires_at: r.get(5)?,
                    balance: r.get(6)?,
                })
            },
        )?;
        let pushes = collect(
            c,
            "SELECT integration, status, outcome, pos_id, attempts, created_at FROM outbox
             WHERE persona_id = ?1 ORDER BY id DESC",
            id,
            |r| {
                Ok(PushView {
                    integration: r.get(0)?,
                    status: r.get(1)?,
                    outcome: r.get(2)?,
                    pos_id: r.get(3)?,
                    attempts: r.get(4)?,
                    created_at: r.get(5)?,
                })
            },
        )?;
        let consent = crate::consent::history(c, id)?;
        let held_for_review = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM suppressions s JOIN personas p ON p.phone_e164 = s.address
                            WHERE p.id = ?1 AND s.channel = 'sms' AND s.reason = 'review' AND s.lifted_at IS NULL)",
            [id],
            |r| r.get(0),
        )?;
        let redemptions = crate::loyalty::redemptions::of_persona(c, id)?;
        Ok(PersonaDetail {
            persona,
            birth_date,
            sources,
            signups,
            imports,
            purchases,
            ledger,
            consent,
            held_for_review,
            pushes,
            redemptions,
        })
    })
}

/// Reads a stored source record's payload back into a shopper.
fn read_back(integration: Integration, payload: &str) -> Result<crate::pos::PosCustomer> {
    let payload: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    crate::pos::schema(integration)
        .map_stored_customer(&payload)
        .map_err(|e| {
            Error::internal(format!(
                "A stored record cannot be read again: {}",
                e.reason
            ))
        })
}

/// The Greenbits location name of a store key `<credential>:<location>`, from the credential's
/// locations JSON.
fn location_label(locations: &str, key: Option<&str>) -> Option<String> {
    let location = key?.rsplit_once(':')?.1;
    let choices: Vec<crate::pos::LocationChoice> = serde_json::from_str(locations).ok()?;
    choices
        .into_iter()
        .find(|l| l.id.to_string() == location)
        .map(|l| l.name)
}

/// Splits a wrongly merged source record off into a persona of its own: the record, its sales and
/// the points they earned move with it; both personas' balances, last purchase and favorite store
/// are recomputed, and when the record that left was the one the persona's profile came from, the
/// profile is taken from the oldest record left. Returns the new persona's id.
pub fn split(db: &Database, record_id: i64) -> Result<i64> {
    db.write(|tx| {
        let record: Option<(i64, Integration, String, String, String, String)> = tx
            .query_row(
                "SELECT persona_id, integration, credential_id, pos_id, payload, match_reason FROM source_records WHERE id = ?1",
                [record_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let (old, integration, credential, pos_id, payload, reason) =
            record.ok_or_else(|| Error::new(ErrorCode::NotFound, "That source record no longer exists.").with_hint("Reload the persona."))?;
        let others: i64 = tx.query_row(
            "SELECT (SELECT count(*) FROM source_records WHERE persona_id = ?1 AND id <> ?2)
                  + (SELECT count(*) FROM local_signups WHERE persona_id = ?1)",
            params![old, record_id],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Err(Error::validation("This is the persona's only record: there is nothing to split it from."));
        }
        let customer = read_back(integration, &payload)?;
        let now = Utc::now().to_rfc3339();
        let new = insert_persona(
            tx,
            &customer,
            &customer.phone_raw.as_deref().and_then(normalize_phone),
            &customer.email_raw.as_deref().and_then(normalize_email),
            &now,
        )?;
        tx.execute(
            "UPDATE source_records SET persona_id = ?2, match_reason = 'new' WHERE id = ?1",
            params![record_id, new],
        )?;
        // An opt-out is never lost: the new persona keeps the one the merged persona had, and what
        // its own POS record says.
        if crate::consent::sms_state(tx, old)? == crate::consent::SmsConsent::OptedOut {
            crate::consent::opt_out(
                tx,
                new,
                crate::consent::ConsentSource::Split,
                "Split off a persona that had opted out",
                None,
                &now,
            )?;
        }
        crate::consent::from_pos(
            tx,
            new,
            crate::consent::grants::PosConsent {
                integration,
                credential_id: &credential,
                customer: &customer,
                previously_opted_in: None,
            },
            &now,
        )?;
        tx.execute(
            "UPDATE purchases SET persona_id = ?4 WHERE integration = ?1 AND credential_id = ?2 AND customer_pos_id = ?3",
            params![integration, credential, pos_id, new],
        )?;
        tx.execute(
            "UPDATE points_ledger SET persona_id = ?3 WHERE persona_id = ?2 AND source = ?1 AND transaction_id IN
               (SELECT pos_id FROM purchases WHERE persona_id = ?3)",
            params![format!("{integration}:{credential}"), old, new],
        )?;
        // Its redemptions, and what they spent and gave back, go with its sales.
        tx.execute(
            "UPDATE redemptions SET persona_id = ?3 WHERE persona_id = ?2 AND source = ?1 AND sale_pos_id IN
               (SELECT pos_id FROM purchases WHERE persona_id = ?3)",
            params![format!("{integration}:{credential}"), old, new],
        )?;
        tx.execute(
            "UPDATE points_ledger SET persona_id = ?3 WHERE persona_id = ?2 AND source = ?1 AND transaction_id IN
               (SELECT sale_pos_id || '#' || line FROM redemptions WHERE persona_id = ?3 AND source = ?1)",
            params![format!("{integration}:{credential}"), old, new],
        )?;
        if reason == "new" {
            // The persona's profile came from the record that left: take it from the oldest one left.
            let next: Option<(Integration, String)> = tx
                .query_row(
                    "SELECT integration, payload FROM source_records WHERE persona_id = ?1 ORDER BY first_seen_at, id LIMIT 1",
                    [old],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((next_integration, next_payload)) = next {
                let profile = read_back(next_integration, &next_payload)?;
                tx.execute(
                    "UPDATE personas SET first_name = ?2, last_name = ?3, phone_e164 = ?4, email = ?5, birth_date = ?6 WHERE id = ?1",
                    params![
                        old,
                        profile.first_name,
                        profile.last_name,
                        profile.phone_raw.as_deref().and_then(normalize_phone),
                        profile.email_raw.as_deref().and_then(normalize_email),
                        profile.birth_date
                    ],
                )?;
                tx.execute("UPDATE source_records SET match_reason = 'new' WHERE persona_id = ?1 AND id = (SELECT id FROM source_records WHERE persona_id = ?1 ORDER BY first_seen_at, id LIMIT 1)", [old])?;
            }
        }
        for persona in [old, new] {
            tx.execute(
                "UPDATE personas SET
                   points_balance = (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE persona_id = ?1),
                   last_purchase_at = (SELECT max(purchased_at) FROM purchases WHERE persona_id = ?1 AND voided = 0),
                   updated_at = ?2
                 WHERE id = ?1",
                params![persona, now],
            )?;
        }
        // The balances now hold every ledger entry, a running sync's unsettled ones too.
        crate::personas::pending::forget_points(tx, &[old, new])?;
        crate::personas::favorites::recompute_for(tx, &[old, new], Utc::now())?;
        tracing::info!(record_id, from = old, to = new, "split a source record off into its own persona");
        Ok(new)
    })
}
