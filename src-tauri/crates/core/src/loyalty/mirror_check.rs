//! The mirror check: each live reward against each connected POS's discount list (POSaBIT coupons,
//! Greenbits discounts), per store key, by name — since a redemption is only known by the exact
//! name on the sale's discount line. Run after every sync and on demand; a reward missing in a
//! connected POS is a notification that clears itself once mirrored.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::rewards::{self, name_key, Reward, RewardKind};
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::base::stored_name::stored_name;
use crate::integrations::notifications::{self, NotificationKind};

stored_name! {
    /// How one reward stands in one POS store.
    pub enum MirrorState {
        /// A discount with exactly the reward's name, active, and (where the POS says) its value.
        Mirrored => "mirrored",
        /// No discount of that name.
        Missing => "missing",
        /// A discount whose name differs only in case or spacing: redemption needs the exact name.
        NameDiffers => "name_differs",
        /// The discount exists but is switched off in the POS.
        Inactive => "inactive",
        /// The discount exists with another value than the reward gives.
        ValueDiffers => "value_differs",
    }
}

/// One reward in one POS store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RewardMirror {
    /// The reward.
    #[ts(type = "number")]
    pub reward_id: i64,
    /// The reward's name.
    pub reward_name: String,
    /// The POS.
    pub integration: Integration,
    /// The store key (a POSaBIT credential, a Greenbits location) the POS list belongs to.
    pub store_key: String,
    /// The store or location, as the integration card names it.
    pub store_label: String,
    /// How the reward stands there.
    pub state: MirrorState,
    /// The POS discount's own name, when one was found.
    pub pos_name: Option<String>,
    /// What the POS discount gives, where the POS says and it differs.
    pub pos_value: Option<String>,
}

/// One integration's count for its card: "3 of 4 rewards mirrored".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MirrorSummary {
    /// The POS.
    pub integration: Integration,
    /// Live rewards mirrored in every store key of the integration they are offered at.
    pub mirrored: u32,
    /// Live rewards checked against the integration.
    pub rewards: u32,
}

/// A POS discount as the check reads it.
struct PosDiscount {
    name: String,
    active: bool,
    payload: Value,
}

/// A store key of a connected integration that has a discount list.
struct StoreKeyList {
    integration: Integration,
    key: String,
    label: String,
    store_id: Option<i64>,
    discounts: Vec<PosDiscount>,
}

fn store_key_lists(c: &Connection) -> Result<Vec<StoreKeyList>> {
    let mut lists: BTreeMap<String, StoreKeyList> = BTreeMap::new();
    let mut statement = c.prepare(
        "SELECT cr.integration, pc.store_key, pc.name, pc.active, pc.payload, pc.store_label, m.store_id
         FROM pos_coupons pc
         JOIN credentials cr ON cr.id = pc.credential_id AND cr.status = 'active' AND cr.removed_at IS NULL
         JOIN integrations i ON i.integration = cr.integration AND i.connected_at IS NOT NULL
         LEFT JOIN store_mappings m ON m.key_id = pc.store_key
         ORDER BY 2, pc.name",
    )?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let integration: Integration = r.get(0)?;
        let key: String = r.get(1)?;
        let list = lists.entry(key.clone()).or_insert_with(|| StoreKeyList {
            integration,
            key,
            label: String::new(),
            store_id: None,
            discounts: Vec::new(),
        });
        list.label = r.get(5)?;
        list.store_id = r.get(6)?;
        list.discounts.push(PosDiscount {
            name: r.get(2)?,
            active: r.get(3)?,
            payload: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(Value::Null),
        });
    }
    Ok(lists.into_values().collect())
}

/// What a POS discount gives, where its record says: `(kind, value)` in the reward's units.
fn pos_gift(payload: &Value) -> Option<(RewardKind, i64)> {
    let value = payload["value"].as_i64()?;
    match payload["discount_type"].as_str()? {
        "percent" => Some((RewardKind::PercentOff, value)),
        "amount" => Some((RewardKind::AmountOff, value)),
        _ => None,
    }
}

fn state_of(
    reward: &Reward,
    discounts: &[PosDiscount],
) -> (MirrorState, Option<String>, Option<String>) {
    if let Some(exact) = discounts.iter().find(|d| d.name.trim() == reward.name) {
        if !exact.active {
            return (MirrorState::Inactive, Some(exact.name.clone()), None);
        }
        return match pos_gift(&exact.payload) {
            Some((kind, value)) if (kind, Some(value)) != (reward.kind, reward.value) => (
                MirrorState::ValueDiffers,
                Some(exact.name.clone()),
                Some(rewards::describe_gift(kind, Some(value), None)),
            ),
            _ => (MirrorState::Mirrored, Some(exact.name.clone()), None),
        };
    }
    let key = name_key(&reward.name);
    match discounts.iter().find(|d| name_key(&d.name) == key) {
        Some(near) => (MirrorState::NameDiffers, Some(near.name.clone()), None),
        None => (MirrorState::Missing, None, None),
    }
}

/// Every active reward (live, its end date not passed) against every store key of a connected
/// integration it is offered at.
pub fn check(c: &Connection) -> Result<Vec<RewardMirror>> {
    let today = chrono::Utc::now().date_naive().to_string();
    let live: Vec<Reward> = rewards::list(c)?
        .into_iter()
        .filter(|r| r.retired_at.is_none() && r.ends_on.as_ref().is_none_or(|end| *end >= today))
        .collect();
    let lists = store_key_lists(c)?;
    let mut rows = Vec::new();
    for reward in &live {
        for list in &lists {
            let offered = reward.store_ids.is_empty()
                || list.store_id.is_some_and(|s| reward.store_ids.contains(&s));
            if !offered {
                continue;
            }
            let (state, pos_name, pos_value) = state_of(reward, &list.discounts);
            rows.push(RewardMirror {
                reward_id: reward.id,
                reward_name: reward.name.clone(),
                integration: list.integration,
                store_key: list.key.clone(),
                store_label: list.label.clone(),
                state,
                pos_name,
                pos_value,
            });
        }
    }
    Ok(rows)
}

/// Per connected integration, how many of the live rewards checked against it are mirrored in
/// every one of its store keys.
pub fn summaries(rows: &[RewardMirror]) -> Vec<MirrorSummary> {
    let mut by: BTreeMap<(&str, i64), (Integration, bool)> = BTreeMap::new();
    for row in rows {
        let entry = by
            .entry((row.integration.as_str(), row.reward_id))
            .or_insert((row.integration, true));
        entry.1 &= row.state == MirrorState::Mirrored;
    }
    let mut counts: BTreeMap<&str, MirrorSummary> = BTreeMap::new();
    for ((name, _), (integration, mirrored)) in by {
        let summary = counts.entry(name).or_insert(MirrorSummary {
            integration,
            mirrored: 0,
            rewards: 0,
        });
        summary.rewards += 1;
        summary.mirrored += u32::from(mirrored);
    }
    counts.into_values().collect()
}

/// Raises a notification for each active reward missing in a connected POS, and clears those
/// that are mirrored (or retired) since; returns the check's rows.
pub fn refresh_notifications(c: &Connection) -> Result<Vec<RewardMirror>> {
    let rows = check(c)?;
    let mut missing: BTreeMap<String, (&RewardMirror, Vec<&str>)> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.state == MirrorState::Missing) {
        let subject = format!("{}:{}", row.reward_id, row.integration.as_str());
        missing
            .entry(subject)
            .or_insert((row, Vec::new()))
            .1
            .push(row.store_label.as_str());
    }
    let raised: Vec<String> = c
        .prepare("SELECT subject FROM notifications WHERE kind = 'reward_missing' AND cleared_at IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for subject in raised.iter().filter(|s| !missing.contains_key(*s)) {
        notifications::clear(c, NotificationKind::RewardMissing, subject)?;
    }
    for (subject, (row, stores)) in &missing {
        let pos = row.integration.label();
        notifications::raise(
            c,
            NotificationKind::RewardMissing,
            subject,
            &format!("“{}” is not mirrored in {pos}", row.reward_name),
            &format!(
                "Mirror the discount in {pos} ensuring you use the same name: “{}” (missing at {}). Redemptions at the checkout deduct points only once it is.",
                row.reward_name,
                stores.join(", ")
            ),
        )?;
    }
    Ok(rows)
}

/// Counts of redemptions per reward and store between two days (inclusive, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RedemptionCount {
    /// The reward.
    #[ts(type = "number")]
    pub reward_id: i64,
    /// The retail store, when the sale's key is mapped to one.
    pub store_name: Option<String>,
    /// Redemptions not reversed.
    #[ts(type = "number")]
    pub redemptions: i64,
    /// Points they spent.
    #[ts(type = "number")]
    pub points: i64,
}

/// Redemptions per reward and store between `from` and `to` (inclusive days).
pub fn redemption_counts(c: &Connection, from: &str, to: &str) -> Result<Vec<RedemptionCount>> {
    let mut statement = c.prepare(
        "SELECT r.reward_id, s.name, count(*), sum(r.points)
         FROM redemptions r LEFT JOIN retail_stores s ON s.id = r.store_id
         WHERE r.reversed_at IS NULL AND substr(r.redeemed_at, 1, 10) BETWEEN ?1 AND ?2
         GROUP BY r.reward_id, s.name ORDER BY r.reward_id, s.name",
    )?;
    let rows = statement.query_map(params![from, to], |r| {
        Ok(RedemptionCount {
            reward_id: r.get(0)?,
            store_name: r.get(1)?,
            redemptions: r.get(2)?,
            points: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
