//! Each persona's favorite store: the mapped store where the persona bought most (by amount) in the
//! last 90 days, ties going to the most recent purchase; else the mapped store it signed up at (the
//! store key of its first source record).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection};

use crate::error::Result;

/// How far back purchases count towards the favorite store.
pub fn window() -> Duration {
    Duration::days(90)
}

const FAVORITE: &str = "coalesce(
    (SELECT m.store_id FROM purchases p JOIN store_mappings m ON m.key_id = p.store_key
      WHERE p.persona_id = personas.id AND p.voided = 0 AND p.purchased_at >= ?1
      GROUP BY m.store_id ORDER BY sum(p.total_cents) DESC, max(p.purchased_at) DESC LIMIT 1),
    (SELECT m.store_id FROM source_records s JOIN store_mappings m ON m.key_id = s.store_key
      WHERE s.persona_id = personas.id ORDER BY s.first_seen_at, s.id LIMIT 1))";

fn since(now: DateTime<Utc>) -> String {
    (now - window()).to_rfc3339()
}

/// Recomputes the favorite store of the given personas (after a sync page touched them).
pub fn recompute_for(
    connection: &Connection,
    persona_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut statement = connection.prepare_cached(&format!(
        "UPDATE personas SET favorite_store_id = {FAVORITE} WHERE id = ?2"
    ))?;
    let since = since(now);
    for id in persona_ids {
        statement.execute(params![since, id])?;
    }
    Ok(())
}

/// Recomputes every persona's favorite store (after the mappings changed).
pub fn recompute_all(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        &format!("UPDATE personas SET favorite_store_id = {FAVORITE}"),
        [since(now)],
    )?;
    Ok(())
}
