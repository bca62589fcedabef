//! The points ledger: every change to a persona's points is one entry, written once per (source,
//! transaction, kind), and the persona's balance moves with it in the same transaction — or, for a
//! sync's records, when the sync settles the persona (see `personas::pending`).

use rusqlite::{params, Transaction};

use crate::base::error::Result;
use crate::base::stored_name::stored_name;

stored_name! {
    /// What moved a persona's points.
    pub enum LedgerKind {
        /// Earned on a purchase.
        Earn => "earn",
        /// Spent on a reward.
        Redeem => "redeem",
        /// A correction (a voided purchase takes its points back).
        Adjust => "adjust",
        /// The POS's balance imported ("Loyalty points imported").
        Import => "import",
        /// The POS's balance mirrored (the POS keeps the points).
        Mirror => "mirror",
        /// Expired points.
        Expire => "expire",
    }
}

/// One entry to write.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The persona.
    pub persona_id: i64,
    /// What moves the points.
    pub kind: LedgerKind,
    /// Points added (negative: taken away).
    pub points: i64,
    /// Where it comes from, e.g. `posabit:<credential>` or `loyalty:expiry`.
    pub source: &'a str,
    /// The source's transaction: with `source` and `kind`, what makes the entry land once.
    pub transaction_id: &'a str,
    /// Why, in words.
    pub reason: &'a str,
}

/// Writes `entry` and moves the persona's balance by it; returns false (and changes nothing) when
/// the same (source, transaction, kind) was written before.
pub fn write(tx: &Transaction<'_>, entry: Entry<'_>, now: &str) -> Result<bool> {
    let inserted = insert(tx, entry, now)?;
    if inserted {
        tx.prepare_cached(
            "UPDATE personas SET points_balance = points_balance + ?2 WHERE id = ?1",
        )?
        .execute(params![entry.persona_id, entry.points])?;
    }
    Ok(inserted)
}

/// [`write`] for a sync's records: the points reach the persona's balance when the sync settles
/// its personas (see `personas::pending`), not one sale at a time.
pub fn write_settled_later(tx: &Transaction<'_>, entry: Entry<'_>, now: &str) -> Result<bool> {
    let inserted = insert(tx, entry, now)?;
    if inserted {
        crate::personas::pending::add_points(tx, entry.persona_id, entry.points)?;
    }
    Ok(inserted)
}

/// Inserts `entry` unless its (source, transaction, kind) is there; returns whether it was new.
fn insert(tx: &Transaction<'_>, entry: Entry<'_>, now: &str) -> Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO points_ledger (persona_id, kind, points, source, transaction_id, reason, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            entry.persona_id,
            entry.kind,
            entry.points,
            entry.source,
            entry.transaction_id,
            entry.reason,
            now
        ])?;
    Ok(inserted == 1)
}
