//! Each persona's favorite store: the mapped store where the persona bought most (by amount) in the
//! last 90 days, ties going to the most recent purchase; else the mapped store it signed up at (the
//! store key of its first source record); else the store of its first signup on Canopy's form.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection};

use crate::base::error::Result;

/// How far back purchases count towards the favorite store.
pub fn window() -> Duration {
    Duration::days(90)
}

const FAVORITE: &str = "coalesce(
    (SELECT m.store_id FROM purchases p JOIN store_mappings m ON m.key_id = p.store_key
      WHERE p.persona_id = personas.id AND p.voided = 0 AND p.purchased_at >= ?1
      GROUP BY m.store_id ORDER BY sum(p.total_cents) DESC, max(p.purchased_at) DESC LIMIT 1),
    (SELECT m.store_id FROM source_records s JOIN store_mappings m ON m.key_id = s.store_key
      WHERE s.persona_id = personas.id ORDER BY s.first_seen_at, s.id LIMIT 1),
    (SELECT l.store_id FROM local_signups l WHERE l.persona_id = personas.id AND l.store_id IS NOT NULL
      ORDER BY l.id LIMIT 1))";

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

/// Recomputes the favorite store of the personas matching `condition` (SQL over `personas`).
pub(crate) fn recompute_where(
    connection: &Connection,
    condition: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        &format!("UPDATE personas SET favorite_store_id = {FAVORITE} WHERE {condition}"),
        [since(now)],
    )?;
    Ok(())
}

/// Recomputes every persona's favorite store (after the mappings changed).
pub fn recompute_all(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    recompute_where(connection, "1", now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::db::Database;

    /// A database with two mapped stores (keys `k1`, `k2`), one unmapped key `k3`, and persona 1
    /// first seen through `k2`.
    fn world() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("f.db")).expect("db");
        db.write(|tx| {
            tx.execute_batch(
                "INSERT INTO credentials (id, integration, store_name, status, created_at)
                   VALUES ('c', 'posabit', 'C', 'active', '2026-01-01T00:00:00Z');
                 INSERT INTO retail_stores (id, name, store_number, state, timezone, created_at)
                   VALUES (1, 'North', '1', 'WA', 'America/Los_Angeles', '2026-01-01T00:00:00Z'),
                          (2, 'South', '2', 'WA', 'America/Los_Angeles', '2026-01-01T00:00:00Z');
                 INSERT INTO store_mappings (key_id, integration, store_id, mapped_at)
                   VALUES ('k1', 'posabit', 1, '2026-01-01T00:00:00Z'), ('k2', 'greenbits', 2, '2026-01-01T00:00:00Z');
                 INSERT INTO personas (id, created_at, updated_at) VALUES (1, '2026-01-01', '2026-01-01');
                 INSERT INTO source_records (persona_id, integration, credential_id, store_key, pos_id, match_reason,
                   pos_updated_at, first_seen_at, last_seen_at, payload)
                   VALUES (1, 'greenbits', 'c', 'k2', 'x', 'new', '2026-01-01', '2026-01-01', '2026-01-01', '{}');",
            )?;
            Ok(())
        })
        .expect("seed");
        (dir, db)
    }

    fn buy(db: &Database, id: &str, key: &str, cents: i64, at: &str) {
        db.write(|tx| {
            tx.execute(
                "INSERT INTO purchases (integration, credential_id, store_key, pos_id, persona_id, total_cents,
                   discounts, purchased_at, pos_updated_at, payload)
                 VALUES ('posabit', 'c', ?1, ?2, 1, ?3, '[]', ?4, ?4, '{}')",
                params![key, id, cents, at],
            )?;
            Ok(())
        })
        .expect("purchase");
    }

    fn favorite(db: &Database, now: DateTime<Utc>) -> Option<i64> {
        db.write(|tx| {
            recompute_for(tx, &[1], now)?;
            Ok(tx.query_row(
                "SELECT favorite_store_id FROM personas WHERE id = 1",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("favorite")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("stamp")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_store_bought_at_most_in_90_days_wins_ties_go_to_the_latest_else_the_signup_store() {
        let (_dir, db) = world();
        let now = at("2026-11-29T12:00:00Z");
        assert_eq!(
            favorite(&db, now),
            Some(2),
            "no purchases: the store of signup"
        );
        buy(&db, "old", "k1", 90_000, "2026-06-01T00:00:00Z");
        assert_eq!(
            favorite(&db, now),
            Some(2),
            "a purchase older than 90 days does not count"
        );
        buy(&db, "n1", "k1", 3_000, "2026-11-01T00:00:00Z");
        buy(&db, "s1", "k2", 2_000, "2026-11-10T00:00:00Z");
        assert_eq!(favorite(&db, now), Some(1), "most spent in the window");
        buy(&db, "s2", "k2", 1_000, "2026-11-20T00:00:00Z");
        assert_eq!(
            favorite(&db, now),
            Some(2),
            "a tie goes to the most recent purchase"
        );
        buy(&db, "u1", "k3", 99_000, "2026-11-21T00:00:00Z");
        assert_eq!(
            favorite(&db, now),
            Some(2),
            "sales through an unmapped key do not count"
        );
        buy(&db, "n2", "k1", 5_000, "2026-11-22T00:00:00Z");
        assert_eq!(favorite(&db, now), Some(1));
        db.write(|tx| {
            recompute_all(tx, at("2027-06-01T00:00:00Z"))?;
            Ok(())
        })
        .expect("all");
        assert_eq!(
            favorite(&db, at("2027-06-01T00:00:00Z")),
            Some(2),
            "the window passed: signup store again"
        );
    }
}
