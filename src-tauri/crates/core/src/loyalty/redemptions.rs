//! Redemptions at the POS checkout: a synced sale's discount line named exactly as a live reward
//! on offer that day spends that reward's points from the sale's persona — once per (source, sale, line), whatever
//! re-syncs, overlaps or crashes bring — and a voided sale gives them back once. A redemption is
//! always recorded, an employee's too (employees earn nothing, but what they redeem is real). One
//! that takes more than the balance leaves it visibly below zero and is flagged for support
//! ([`overdrawn`]); under FIFO expiration the debit spends the oldest lots (see `expiry`). Where the
//! POS's balances are mirrored the POS has already spent the points: the redemption is recorded,
//! and no points move.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::earning::LinkedSale;
use super::ledger::{self, Entry, LedgerKind};
use crate::base::error::Result;
use crate::config::page_context::PageContext;
use crate::integrations::notifications::{self, NotificationKind};

/// One redemption as a persona's detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Redemption {
    /// The reward's name.
    pub reward: String,
    /// The retail store, when the sale's key is mapped to one.
    pub store: Option<String>,
    /// The POS sale.
    pub sale: String,
    /// Points spent.
    #[ts(type = "number")]
    pub points: i64,
    /// When the sale closed.
    pub redeemed_at: String,
    /// When it was given back (the sale voided).
    pub reversed_at: Option<String>,
}

/// The live reward named exactly `name` whose offer covers `day` (`YYYY-MM-DD`): from its start
/// date, else the day it was created in Canopy, to its end date. A discount line before a reward
/// existed is not its redemption (a start date in the past says otherwise).
fn reward_for(tx: &Transaction<'_>, name: &str, day: &str) -> Result<Option<(i64, String, i64)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, name, points FROM rewards
             WHERE name = ?1 AND retired_at IS NULL
               AND ?2 >= coalesce(starts_on, substr(created_at, 1, 10))
               AND (ends_on IS NULL OR ?2 <= ends_on)",
        )?
        .query_row(params![name, day], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// A redemption already recorded for a sale line: (reward name, points, reversed).
fn recorded(
    tx: &Transaction<'_>,
    source: &str,
    sale: &str,
    line: i64,
) -> Result<Option<(String, i64, bool)>> {
    Ok(tx
        .prepare_cached(
            "SELECT rw.name, r.points, r.reversed_at IS NOT NULL FROM redemptions r JOIN rewards rw ON rw.id = r.reward_id
             WHERE r.source = ?1 AND r.sale_pos_id = ?2 AND r.line = ?3",
        )?
        .query_row(params![source, sale, line], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The retail store a sale's store key is mapped to.
fn mapped_store(tx: &Transaction<'_>, store_key: &str) -> Result<Option<(i64, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT s.id, s.name FROM store_mappings m JOIN retail_stores s ON s.id = m.store_id WHERE m.key_id = ?1",
        )?
        .query_row([store_key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Brings a linked sale's redemptions in line with its discount lines and whether it was voided,
/// inside the caller's transaction: a line naming a reward on offer that day is recorded once and
/// spends the reward's points once; a voided sale's recorded redemptions are reversed once and
/// their points given back once.
pub(crate) fn reconcile(tx: &Transaction<'_>, page: &PageContext, sale: &LinkedSale) -> Result<()> {
    if sale.discounts == "[]" {
        return Ok(());
    }
    let lines: Vec<Value> = serde_json::from_str(&sale.discounts).unwrap_or_default();
    let source = format!("{}:{}", page.integration.as_str(), page.credential_id);
    for (line, discount) in lines.iter().enumerate() {
        let Some(name) = discount["name"].as_str().map(str::trim) else {
            continue;
        };
        let line = line as i64;
        match recorded(tx, &source, &sale.pos_id, line)? {
            Some((reward, _, false)) if sale.voided => {
                give_back(tx, page, &source, sale, line, &reward)?;
            }
            Some(_) => {}
            // A sale first seen voided reads as one voided later: redeemed, then given back.
            None => match redeem(tx, page, &source, sale, line, name)? {
                Some(reward) if sale.voided => give_back(tx, page, &source, sale, line, &reward)?,
                _ => {}
            },
        }
    }
    Ok(())
}

/// Records a new redemption of the reward `name` names (if one is on offer) and spends its points;
/// returns the reward's name when it did.
fn redeem(
    tx: &Transaction<'_>,
    page: &PageContext,
    source: &str,
    sale: &LinkedSale,
    line: i64,
    name: &str,
) -> Result<Option<String>> {
    let day = sale.purchased_at.get(..10).unwrap_or_default();
    let Some((reward_id, reward, points)) = reward_for(tx, name, day)? else {
        return Ok(None);
    };
    let store = mapped_store(tx, &sale.store_key)?;
    tx.prepare_cached(
        "INSERT INTO redemptions (reward_id, persona_id, source, sale_pos_id, line, store_id, points, redeemed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![reward_id, sale.persona_id, source, sale.pos_id, line,
                     store.as_ref().map(|(id, _)| *id), points, sale.purchased_at])?;
    // Where the POS keeps the balances it has already spent them: recorded, nothing moves here.
    if page.mirror_points {
        return Ok(Some(reward));
    }
    let at = store.map_or(String::new(), |(_, s)| format!(" at {s}"));
    ledger::write_settled_later(
        tx,
        Entry {
            persona_id: sale.persona_id,
            kind: LedgerKind::Redeem,
            points: -points,
            source,
            transaction_id: &format!("{}#{line}", sale.pos_id),
            reason: &format!("Redeemed “{reward}”{at}, sale {}", sale.pos_id),
        },
        &page.now,
    )?;
    Ok(Some(reward))
}

/// Reverses a recorded redemption of a voided sale and gives back what it spent.
fn give_back(
    tx: &Transaction<'_>,
    page: &PageContext,
    source: &str,
    sale: &LinkedSale,
    line: i64,
    reward: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE redemptions SET reversed_at = ?4 WHERE source = ?1 AND sale_pos_id = ?2 AND line = ?3",
    )?
    .execute(params![source, sale.pos_id, line, page.now])?;
    let transaction = format!("{}#{line}", sale.pos_id);
    let spent: Option<i64> = tx
        .prepare_cached(
            "SELECT points FROM points_ledger WHERE source = ?1 AND transaction_id = ?2 AND kind = 'redeem'",
        )?
        .query_row(params![source, transaction], |r| r.get(0))
        .optional()?;
    if let Some(spent) = spent {
        ledger::write_settled_later(
            tx,
            Entry {
                persona_id: sale.persona_id,
                kind: LedgerKind::Adjust,
                points: -spent,
                source,
                transaction_id: &transaction,
                reason: &format!(
                    "Redemption of “{reward}” given back: sale {} voided",
                    sale.pos_id
                ),
            },
            &page.now,
        )?;
    }
    Ok(())
}

/// A persona's redemptions, newest first.
pub fn of_persona(c: &Connection, persona_id: i64) -> Result<Vec<Redemption>> {
    let mut statement = c.prepare(
        "SELECT rw.name, s.name, r.sale_pos_id, r.points, r.redeemed_at, r.reversed_at
         FROM redemptions r JOIN rewards rw ON rw.id = r.reward_id
         LEFT JOIN retail_stores s ON s.id = r.store_id
         WHERE r.persona_id = ?1 ORDER BY r.redeemed_at DESC, r.id DESC",
    )?;
    let rows = statement.query_map([persona_id], |r| {
        Ok(Redemption {
            reward: r.get(0)?,
            store: r.get(1)?,
            sale: r.get(2)?,
            points: r.get(3)?,
            redeemed_at: r.get(4)?,
            reversed_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A shopper whose redemptions took them below zero points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OverdrawnPersona {
    /// The persona.
    #[ts(type = "number")]
    pub persona_id: i64,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The balance now (below zero).
    #[ts(type = "number")]
    pub points_balance: i64,
}

/// Personas whose redemptions took them below zero: flagged for support, never hidden.
pub fn overdrawn(c: &Connection) -> Result<Vec<OverdrawnPersona>> {
    let mut statement = c.prepare(
        "SELECT p.id, p.first_name, p.last_name, p.points_balance FROM personas p
         WHERE p.points_balance < 0 AND EXISTS (SELECT 1 FROM redemptions r WHERE r.persona_id = p.id)
         ORDER BY p.points_balance, p.id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(OverdrawnPersona {
            persona_id: r.get(0)?,
            first_name: r.get(1)?,
            last_name: r.get(2)?,
            points_balance: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Raises (or updates) the one notification about overdrawn shoppers, or clears it when none is
/// left; returns how many there are.
pub fn refresh_overdrawn_notification(c: &Connection) -> Result<usize> {
    let overdrawn = overdrawn(c)?.len();
    if overdrawn == 0 {
        notifications::clear(c, NotificationKind::PointsOverdrawn, "overdrawn")?;
        return Ok(0);
    }
    let shoppers = if overdrawn == 1 {
        "shopper's"
    } else {
        "shoppers'"
    };
    notifications::raise(
        c,
        NotificationKind::PointsOverdrawn,
        "overdrawn",
        &format!("{overdrawn} {shoppers} redemptions took them below zero points"),
        "A POS checkout redeemed a reward for more points than the shopper had. The redemptions are kept and each balance shows below zero. Loyalty → Rewards lists these shoppers: if the POS was wrong, adjust a balance by hand from the shopper's detail, with a reason.",
    )?;
    Ok(overdrawn)
}
