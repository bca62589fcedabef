//! Points expiration, applied by a job (after each sync and hourly): legacy expires a member's
//! whole balance after N days without a purchase; FIFO gives each earned lot an expiry (its
//! purchase date plus N days, stamped on the ledger entry), spends the oldest points first and
//! expires what is left of each lot when its day comes. Each expiry is an `expire` ledger entry,
//! written once.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Transaction;

use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::config::loyalty::Expiration;
use crate::loyalty::ledger::{self, LedgerKind};
use crate::storage::db::Database;

/// The ledger source of expiry entries.
const SOURCE: &str = "loyalty:expiry";

/// What one expiry run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryRun {
    /// Personas who lost points.
    pub personas: i64,
    /// Points expired in all.
    pub points: i64,
}

/// Expires what is due at `now` under the loyalty settings in force.
pub fn run(db: &Database, now: DateTime<Utc>) -> Result<ExpiryRun> {
    let loyalty = crate::config::loyalty::settings(db)?;
    let days = Duration::days(loyalty.expiration_days);
    db.write(|tx| match loyalty.expiration {
        Expiration::Never => Ok(ExpiryRun::default()),
        Expiration::Legacy => legacy(tx, now, days),
        Expiration::Fifo => fifo(tx, now, loyalty.expiration_days),
    })
}

/// Legacy: a positive balance whose last purchase (else the persona's creation) is more than
/// `days` ago expires whole; the entry is keyed by that anchor, so it lands once per idle spell.
fn legacy(tx: &Transaction<'_>, now: DateTime<Utc>, days: Duration) -> Result<ExpiryRun> {
    let cutoff = db_timestamp(now - days);
    let due: Vec<(i64, i64, String)> = tx
        .prepare(&format!(
            "SELECT id, points_balance, coalesce(last_purchase_at, created_at) FROM personas
             WHERE points_balance > 0 AND coalesce(last_purchase_at, created_at) < ?1
               AND {}",
            crate::personas::pending::SETTLED
        ))?
        .query_map([&cutoff], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let reason = format!("Expired after {} days without a purchase", days.num_days());
    expire_all(
        tx,
        now,
        due.into_iter().map(|(persona, points, anchor)| {
            (persona, points, format!("legacy:{persona}:{anchor}"))
        }),
        &reason,
    )
}

/// FIFO: stamps every positive entry without an expiry (purchase date, else entry date, plus
/// `days`), then expires the unspent rest of each lot past its expiry.
fn fifo(tx: &Transaction<'_>, now: DateTime<Utc>, days: i64) -> Result<ExpiryRun> {
    tx.execute(
        "UPDATE points_ledger SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(
            (SELECT p.purchased_at FROM purchases p
             WHERE p.integration || ':' || p.credential_id = points_ledger.source
               AND p.pos_id = points_ledger.transaction_id),
            created_at), ?1)
         WHERE points > 0 AND kind != 'expire' AND expires_at IS NULL",
        [format!("+{days} days")],
    )?;
    let now_stamp = db_timestamp(now);
    let personas: Vec<i64> = tx
        .prepare(
            "SELECT DISTINCT l.persona_id FROM points_ledger l JOIN personas p ON p.id = l.persona_id
             WHERE l.expires_at <= ?1
               AND (p.points_balance > 0 OR p.id IN (SELECT persona_id FROM personas_pending))",
        )?
        .query_map([&now_stamp], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut due = Vec::new();
    for persona in personas {
        let entries: Vec<(i64, i64, Option<String>)> = tx
            .prepare_cached(
                "SELECT id, points, expires_at FROM points_ledger WHERE persona_id = ?1
                 ORDER BY coalesce(expires_at, '9999'), id",
            )?
            .query_map([persona], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (lot, rest) in expired_lots(&entries, &now_stamp) {
            due.push((persona, rest, format!("fifo:{lot}")));
        }
    }
    expire_all(tx, now, due.into_iter(), "Expired (first in, first out)")
}

/// The lots of a persona's ledger (ordered by expiry) that are past `now` with points left, and
/// how many: every debit spends the oldest lots first.
fn expired_lots(entries: &[(i64, i64, Option<String>)], now: &str) -> Vec<(i64, i64)> {
    let mut debits: i64 = entries.iter().filter(|e| e.1 < 0).map(|e| -e.1).sum();
    let mut due = Vec::new();
    for (id, points, expires_at) in entries.iter().filter(|e| e.1 > 0) {
        let spent = debits.min(*points);
        debits -= spent;
        let rest = points - spent;
        if rest > 0 && expires_at.as_deref().is_some_and(|at| at <= now) {
            due.push((*id, rest));
        }
    }
    due
}

fn expire_all(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    due: impl Iterator<Item = (i64, i64, String)>,
    reason: &str,
) -> Result<ExpiryRun> {
    let now = db_timestamp(now);
    let mut run = ExpiryRun::default();
    let mut personas = std::collections::HashSet::new();
    for (persona_id, points, transaction_id) in due {
        let written = ledger::write(
            tx,
            ledger::Entry {
                persona_id,
                kind: LedgerKind::Expire,
                points: -points,
                source: SOURCE,
                transaction_id: &transaction_id,
                reason,
            },
            &now,
        )?;
        if written {
            run.points += points;
            personas.insert(persona_id);
        }
    }
    run.personas = personas.len() as i64;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::expired_lots;

    fn lot(id: i64, points: i64, expires: &str) -> (i64, i64, Option<String>) {
        (id, points, Some(expires.to_string()))
    }

    #[test]
    fn the_oldest_points_are_spent_first_and_only_the_rest_of_a_past_lot_expires() {
        let entries = vec![
            lot(1, 100, "2026-01-01"),
            lot(2, 50, "2026-03-01"),
            (3, -30, None),
        ];
        assert_eq!(expired_lots(&entries, "2026-02-01"), vec![(1, 70)]);
        assert_eq!(expired_lots(&entries, "2026-04-01"), vec![(1, 70), (2, 50)]);
        assert!(expired_lots(&entries, "2025-12-01").is_empty());
    }

    #[test]
    fn a_lot_already_expired_is_not_expired_again() {
        let entries = vec![
            lot(1, 100, "2026-01-01"),
            lot(2, 50, "2026-03-01"),
            (3, -30, None),
            (4, -70, None),
        ];
        assert!(expired_lots(&entries, "2026-02-01").is_empty());
        assert_eq!(expired_lots(&entries, "2026-04-01"), vec![(2, 50)]);
    }

    #[test]
    fn spending_more_than_the_oldest_lot_reaches_into_the_next() {
        let entries = vec![
            lot(1, 10, "2026-01-01"),
            lot(2, 50, "2026-03-01"),
            (3, -25, None),
        ];
        assert_eq!(expired_lots(&entries, "2026-03-02"), vec![(2, 35)]);
    }
}
