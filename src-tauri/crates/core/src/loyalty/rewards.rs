//! Rewards (Loyalty → Rewards): created in Canopy first, then mirrored in each POS with the same
//! name, which is how a POS sale's discount line is known as a redemption. A reward has a points
//! cost, what it gives ($ off, % off or a free item), the stores it is offered at (none: all) and
//! optional start and end dates. Names are unique among live rewards ignoring case and spacing;
//! retiring keeps the reward and its redemptions. Every change is audited in the same transaction.

use chrono::{NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::stored_name::stored_name;
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// The most points a reward may cost.
pub const MAX_REWARD_POINTS: i64 = 1_000_000;
/// The most a $ off reward may take off, in cents ($100,000).
pub const MAX_AMOUNT_CENTS: i64 = 10_000_000;
/// The longest reward name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

stored_name! {
    /// What a reward gives.
    pub enum RewardKind {
        /// A fixed amount off, in cents.
        AmountOff => "amount_off",
        /// A percentage off.
        PercentOff => "percent_off",
        /// A free item, by name.
        FreeItem => "free_item",
    }
}

/// A reward as the Rewards page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Reward {
    /// Canopy's id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its name: the POS's discount must carry exactly this one.
    pub name: String,
    /// Points it costs.
    #[ts(type = "number")]
    pub points: i64,
    /// What it gives.
    pub kind: RewardKind,
    /// Cents off ($ off) or percent off (% off); none for a free item.
    #[ts(type = "number | null")]
    pub value: Option<i64>,
    /// The free item.
    pub item: Option<String>,
    /// The retail stores it is offered at; empty: every store.
    #[ts(type = "number[]")]
    pub store_ids: Vec<i64>,
    /// First day it is offered (`YYYY-MM-DD`).
    pub starts_on: Option<String>,
    /// Last day it is offered.
    pub ends_on: Option<String>,
    /// When it was retired; a retired reward is kept with its history.
    pub retired_at: Option<String>,
}

/// The reward form's fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct RewardInput {
    /// Name.
    pub name: String,
    /// Points it costs.
    #[ts(type = "number")]
    pub points: i64,
    /// What it gives.
    pub kind: RewardKind,
    /// Cents off or percent off.
    #[ts(type = "number | null")]
    pub value: Option<i64>,
    /// The free item.
    pub item: Option<String>,
    /// Stores it is offered at (empty: all).
    #[ts(type = "number[]")]
    pub store_ids: Vec<i64>,
    /// First day (`YYYY-MM-DD`).
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
}

/// A name as uniqueness and the mirror check compare it: trimmed, inner spaces collapsed,
/// lower-cased.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What a reward gives, in words (for the audit log and the mirror check).
pub fn describe_gift(kind: RewardKind, value: Option<i64>, item: Option<&str>) -> String {
    match kind {
        RewardKind::AmountOff => format!(
            "${}.{:02} off",
            value.unwrap_or(0) / 100,
            value.unwrap_or(0) % 100
        ),
        RewardKind::PercentOff => format!("{}% off", value.unwrap_or(0)),
        RewardKind::FreeItem => format!("a free {}", item.unwrap_or("item")),
    }
}

fn described(reward: &RewardInput) -> String {
    let stores = if reward.store_ids.is_empty() {
        "every store".to_string()
    } else {
        format!("{} store(s)", reward.store_ids.len())
    };
    let dates = match (&reward.starts_on, &reward.ends_on) {
        (None, None) => String::new(),
        (from, to) => format!(
            " · {} to {}",
            from.as_deref().unwrap_or("now"),
            to.as_deref().unwrap_or("no end")
        ),
    };
    format!(
        "{} points · {} · {stores}{dates}",
        reward.points,
        describe_gift(reward.kind, reward.value, reward.item.as_deref())
    )
}

/// Checks the form and returns it tidied (name trimmed, an unused value or item dropped).
fn checked(input: RewardInput) -> Result<RewardInput> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Error::validation("A reward needs a name."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::validation(format!(
            "A reward's name is at most {MAX_NAME_CHARS} characters."
        )));
    }
    if !(1..=MAX_REWARD_POINTS).contains(&input.points) {
        return Err(Error::validation(format!(
            "Points must be a whole number from 1 to {MAX_REWARD_POINTS}."
        )));
    }
    let (value, item) = match input.kind {
        RewardKind::AmountOff => match input.value {
            Some(cents) if (1..=MAX_AMOUNT_CENTS).contains(&cents) => (Some(cents), None),
            _ => {
                return Err(Error::validation(
                    "A $ off reward needs an amount from $0.01 to $100,000.",
                ))
            }
        },
        RewardKind::PercentOff => match input.value {
            Some(percent) if (1..=100).contains(&percent) => (Some(percent), None),
            _ => {
                return Err(Error::validation(
                    "A % off reward needs a percentage from 1 to 100.",
                ))
            }
        },
        RewardKind::FreeItem => match input.item.as_deref().map(str::trim) {
            Some(item) if !item.is_empty() => (None, Some(item.to_string())),
            _ => {
                return Err(Error::validation(
                    "A free-item reward needs the item's name.",
                ))
            }
        },
    };
    let date = |field: &str, value: &Option<String>| -> Result<Option<String>> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| Some(d.to_string()))
                .map_err(|_| Error::validation(format!("The {field} date must be YYYY-MM-DD."))),
        }
    };
    let (starts_on, ends_on) = (
        date("start", &input.starts_on)?,
        date("end", &input.ends_on)?,
    );
    if let (Some(start), Some(end)) = (&starts_on, &ends_on) {
        if end < start {
            return Err(Error::validation("The end date is before the start date."));
        }
    }
    let mut store_ids = input.store_ids;
    store_ids.sort_unstable();
    store_ids.dedup();
    Ok(RewardInput {
        name,
        points: input.points,
        kind: input.kind,
        value,
        item,
        store_ids,
        starts_on,
        ends_on,
    })
}

fn read_reward(c: &Connection, row: &Row<'_>) -> rusqlite::Result<Reward> {
    let id: i64 = row.get(0)?;
    let store_ids = c
        .prepare_cached(
            "SELECT store_id FROM reward_stores WHERE reward_id = ?1 ORDER BY store_id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(Reward {
        id,
        name: row.get(1)?,
        points: row.get(2)?,
        kind: row.get(3)?,
        value: row.get(4)?,
        item: row.get(5)?,
        starts_on: row.get(6)?,
        ends_on: row.get(7)?,
        retired_at: row.get(8)?,
        store_ids,
    })
}

const COLUMNS: &str = "id, name, points, kind, value, item, starts_on, ends_on, retired_at";

/// Every reward, live ones first, by name.
pub fn list(connection: &Connection) -> Result<Vec<Reward>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM rewards ORDER BY retired_at IS NOT NULL, name_key, id"
    ))?;
    let rows = statement.query_map([], |row| read_reward(connection, row))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One reward.
pub fn get(connection: &Connection, id: i64) -> Result<Reward> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM rewards WHERE id = ?1"),
            [id],
            |row| read_reward(connection, row),
        )
        .optional()?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "That reward no longer exists."))
}

fn taken(tx: &Transaction<'_>, name: &str, other_than: Option<i64>) -> Result<()> {
    let clash: Option<String> = tx
        .query_row(
            "SELECT name FROM rewards WHERE name_key = ?1 AND retired_at IS NULL AND id IS NOT ?2",
            params![name_key(name), other_than],
            |r| r.get(0),
        )
        .optional()?;
    match clash {
        Some(existing) => Err(Error::new(
            ErrorCode::Conflict,
            format!("A reward named “{existing}” already exists."),
        )
        .with_hint("Names are compared ignoring case and spaces, as a POS checkout may: pick another name.")),
        None => Ok(()),
    }
}

fn put_stores(tx: &Transaction<'_>, reward_id: i64, store_ids: &[i64]) -> Result<()> {
    tx.execute(
        "DELETE FROM reward_stores WHERE reward_id = ?1",
        [reward_id],
    )?;
    for store in store_ids {
        let known: bool = tx.query_row(
            "SELECT count(*) > 0 FROM retail_stores WHERE id = ?1",
            [store],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::validation(
                "One of the chosen stores no longer exists.",
            ));
        }
        tx.execute(
            "INSERT INTO reward_stores (reward_id, store_id) VALUES (?1, ?2)",
            params![reward_id, store],
        )?;
    }
    Ok(())
}

fn audit(tx: &Transaction<'_>, subject: &str, old_value: &str, new_value: &str) -> Result<()> {
    audit_log::record(
        tx,
        &AuditChange {
            area: AuditArea::Rewards,
            integration: None,
            subject,
            old_value,
            new_value,
            warning_acknowledged: false,
        },
    )
}

/// Creates a reward.
pub fn create(db: &Database, input: RewardInput) -> Result<Reward> {
    let input = checked(input)?;
    db.write(|tx| {
        taken(tx, &input.name, None)?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            "INSERT INTO rewards (name, name_key, points, kind, value, item, starts_on, ends_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![input.name, name_key(&input.name), input.points, input.kind, input.value, input.item,
                    input.starts_on, input.ends_on, now],
        )?;
        let id = tx.last_insert_rowid();
        put_stores(tx, id, &input.store_ids)?;
        audit(tx, &input.name, "", &described(&input))?;
        get(tx, id)
    })
}

/// Changes a live reward.
pub fn update(db: &Database, id: i64, input: RewardInput) -> Result<Reward> {
    let input = checked(input)?;
    db.write(|tx| {
        let before = get(tx, id)?;
        if before.retired_at.is_some() {
            return Err(Error::validation("A retired reward cannot be changed."));
        }
        taken(tx, &input.name, Some(id))?;
        tx.execute(
            "UPDATE rewards SET name = ?2, name_key = ?3, points = ?4, kind = ?5, value = ?6, item = ?7,
               starts_on = ?8, ends_on = ?9, updated_at = ?10 WHERE id = ?1",
            params![id, input.name, name_key(&input.name), input.points, input.kind, input.value, input.item,
                    input.starts_on, input.ends_on, Utc::now().to_rfc3339()],
        )?;
        put_stores(tx, id, &input.store_ids)?;
        let old = RewardInput {
            name: before.name,
            points: before.points,
            kind: before.kind,
            value: before.value,
            item: before.item,
            store_ids: before.store_ids,
            starts_on: before.starts_on,
            ends_on: before.ends_on,
        };
        let old_text = format!("{} · {}", old.name, described(&old));
        let new_text = format!("{} · {}", input.name, described(&input));
        if old_text != new_text {
            audit(tx, &input.name, &old_text, &new_text)?;
        }
        get(tx, id)
    })
}

/// Retires a reward: no longer offered or mirrored, its redemptions kept.
pub fn retire(db: &Database, id: i64) -> Result<Reward> {
    db.write(|tx| {
        let reward = get(tx, id)?;
        if reward.retired_at.is_none() {
            tx.execute(
                "UPDATE rewards SET retired_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, Utc::now().to_rfc3339()],
            )?;
            audit(tx, &reward.name, "live", "retired")?;
        }
        get(tx, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_ignoring_case_and_spacing() {
        assert_eq!(name_key("  10%  Off   Everything "), "10% off everything");
        assert_eq!(
            name_key("10% off everything"),
            name_key("10% OFF EVERYTHING")
        );
        assert_ne!(name_key("10% Off"), name_key("10%Off"));
    }

    #[test]
    fn the_form_is_checked_and_tidied() {
        let input = |kind, value, item: Option<&str>| RewardInput {
            name: "  Free   Lighter ".into(),
            points: 50,
            kind,
            value,
            item: item.map(str::to_string),
            store_ids: vec![3, 1, 3],
            starts_on: Some("2026-01-01".into()),
            ends_on: None,
        };
        let tidy = checked(input(RewardKind::FreeItem, Some(5), Some(" Lighter "))).unwrap();
        assert_eq!(
            (
                tidy.name.as_str(),
                tidy.value,
                tidy.item.as_deref(),
                tidy.store_ids
            ),
            ("Free Lighter", None, Some("Lighter"), vec![1, 3])
        );
        assert!(checked(input(RewardKind::PercentOff, Some(101), None)).is_err());
        assert!(checked(input(RewardKind::AmountOff, None, None)).is_err());
        let backwards = RewardInput {
            ends_on: Some("2025-01-01".into()),
            ..input(RewardKind::PercentOff, Some(10), None)
        };
        assert!(checked(backwards).is_err());
    }
}
