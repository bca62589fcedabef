//! Personas a sync touched, whose derived fields — the favorite store and the last purchase — are
//! computed once, in the sync's closing pass, instead of once a page: a persona's sales arrive
//! over many pages, and each update of those fields is a write to the persona's row and to an
//! index. Pages note the personas inside their own transaction, so a crash loses none; until they
//! are settled, the points expiry leaves them alone (their last purchase may be newer than it says).

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::base::error::Result;

/// The condition, over `personas`, of a persona whose derived fields are up to date.
pub const SETTLED: &str = "id NOT IN (SELECT persona_id FROM personas_pending)";

/// Notes personas a sync page touched.
pub fn mark(connection: &Connection, persona_ids: &[i64]) -> Result<()> {
    let mut statement = connection
        .prepare_cached("INSERT OR IGNORE INTO personas_pending (persona_id) VALUES (?1)")?;
    for id in persona_ids {
        statement.execute([id])?;
    }
    Ok(())
}

/// Computes the favorite store and the last purchase of every noted persona, and forgets them;
/// returns how many there were. The last purchase is the latest sale not voided, and never moves
/// back (as it would not when the sales were applied one by one).
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
    Ok(connection.execute("DELETE FROM personas_pending", [])?)
}
