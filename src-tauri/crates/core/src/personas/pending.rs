//! Personas a sync touched, whose derived fields — the favorite store, the last purchase and the
//! points balance — are brought up to date once, in the sync's closing pass, instead of once a
//! page or once a sale: a persona's sales arrive over many pages, and each update of those fields
//! is a write to the persona's row and to an index. Pages note the personas, and the points their
//! ledger entries add, inside their own transaction, so a crash loses none; settling at any moment
//! (closing pass, cancel, start-up) is exact. Until a persona is settled, a balance shown adds its
//! pending points ([`BALANCE_OF_P`]) and the idle-points expiry leaves it alone (its last purchase
//! may be newer than it says).

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::base::error::Result;

/// The condition, over `personas`, of a persona whose derived fields are up to date.
pub const SETTLED: &str = "id NOT IN (SELECT persona_id FROM personas_pending)";

/// The SQL (a literal, for `concat!`) of the balance of the persona aliased `p`: its settled
/// balance plus the points of ledger entries a running sync has written and not yet settled.
macro_rules! balance_of_p {
    () => {
        "(p.points_balance + coalesce((SELECT pending.points FROM personas_pending pending WHERE pending.persona_id = p.id), 0))"
    };
}
pub(crate) use balance_of_p;

/// [`balance_of_p`] as a string, for `format!`.
pub const BALANCE_OF_P: &str = balance_of_p!();

/// Notes personas a sync page touched.
pub fn mark(connection: &Connection, persona_ids: &[i64]) -> Result<()> {
    let mut statement = connection
        .prepare_cached("INSERT OR IGNORE INTO personas_pending (persona_id) VALUES (?1)")?;
    for id in persona_ids {
        statement.execute([id])?;
    }
    Ok(())
}

/// Notes `points` that a ledger entry just written moves the persona's balance by, for the
/// closing pass to add.
pub fn add_points(connection: &Connection, persona_id: i64, points: i64) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO personas_pending (persona_id, points) VALUES (?1, ?2)
             ON CONFLICT (persona_id) DO UPDATE SET points = points + excluded.points",
        )?
        .execute([persona_id, points])?;
    Ok(())
}

/// Forgets the pending points of `persona_ids` whose balances were just computed again from the
/// whole ledger (which already holds the entries those points came from).
pub fn forget_points(connection: &Connection, persona_ids: &[i64]) -> Result<()> {
    let mut statement = connection
        .prepare_cached("UPDATE personas_pending SET points = 0 WHERE persona_id = ?1")?;
    for id in persona_ids {
        statement.execute([id])?;
    }
    Ok(())
}

/// Computes the favorite store and the last purchase of every noted persona, adds its pending
/// points to its balance, and forgets them; returns how many there were. The last purchase is the
/// latest sale not voided, and never moves back (as it would not when the sales were applied one
/// by one).
pub fn settle(connection: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let pending = "id IN (SELECT persona_id FROM personas_pending)";
    super::favorites::recompute_where(connection, pending, now)?;
    connection.execute(
        &format!(
            "UPDATE personas SET last_purchase_at = coalesce(
               max(coalesce(last_purchase_at, ''),
                   (SELECT max(purchased_at) FROM purchases WHERE persona_id = personas.id AND voided = 0)),
               last_purchase_at)
             WHERE {pending}"
        ),
        [],
    )?;
    connection.execute(
        "UPDATE personas SET points_balance = points_balance + pending.points
         FROM personas_pending AS pending
         WHERE pending.persona_id = personas.id AND pending.points != 0",
        [],
    )?;
    Ok(connection.execute("DELETE FROM personas_pending", [])?)
}
