//! Loyalty settings the sync applies (Settings → Loyalty): points per dollar, and the points accrual
//! start date before which sales earn nothing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::app_settings;
use crate::db::Database;
use crate::error::{Error, Result};

/// The `app_settings` key of points per dollar.
const POINTS_PER_DOLLAR_KEY: &str = "loyalty.points_per_dollar";
/// The `app_settings` key of the points accrual start date.
const ACCRUAL_START_KEY: &str = "loyalty.accrual_start";
/// Points per dollar until the user sets them.
pub const DEFAULT_POINTS_PER_DOLLAR: i64 = 1;
/// The most points per dollar Canopy accepts.
pub const MAX_POINTS_PER_DOLLAR: i64 = 100;

/// Settings → Loyalty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LoyaltySettings {
    /// Points a loyalty member earns per dollar spent.
    #[ts(type = "number")]
    pub points_per_dollar: i64,
    /// Points accrual start date (`YYYY-MM-DD`): sales before it earn no points.
    pub accrual_start: Option<String>,
}

/// The loyalty settings in force.
pub fn settings(db: &Database) -> Result<LoyaltySettings> {
    db.read(|c| {
        Ok(LoyaltySettings {
            points_per_dollar: app_settings::get(c, POINTS_PER_DOLLAR_KEY)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_POINTS_PER_DOLLAR),
            accrual_start: app_settings::get(c, ACCRUAL_START_KEY)?,
        })
    })
}

/// Saves the loyalty settings after checking them; they apply to sales synced from now on.
pub fn save(db: &Database, input: &LoyaltySettings) -> Result<LoyaltySettings> {
    if !(0..=MAX_POINTS_PER_DOLLAR).contains(&input.points_per_dollar) {
        return Err(Error::validation(format!(
            "Points per dollar must be between 0 and {MAX_POINTS_PER_DOLLAR}."
        )));
    }
    let start = input
        .accrual_start
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(date) = start {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            Error::validation(format!("“{date}” is not a date."))
                .with_hint("Use YYYY-MM-DD, e.g. 2026-01-01.")
        })?;
    }
    db.write(|tx| {
        app_settings::put(
            tx,
            POINTS_PER_DOLLAR_KEY,
            Some(&input.points_per_dollar.to_string()),
        )?;
        app_settings::put(tx, ACCRUAL_START_KEY, start)
    })?;
    settings(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_are_checked_and_saved() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("l.db")).expect("db");
        assert_eq!(
            settings(&db).expect("read"),
            LoyaltySettings {
                points_per_dollar: 1,
                accrual_start: None
            }
        );
        let saved = save(
            &db,
            &LoyaltySettings {
                points_per_dollar: 3,
                accrual_start: Some(" 2026-02-01 ".into()),
            },
        )
        .expect("saved");
        assert_eq!(
            saved,
            LoyaltySettings {
                points_per_dollar: 3,
                accrual_start: Some("2026-02-01".into())
            }
        );
        assert!(save(
            &db,
            &LoyaltySettings {
                points_per_dollar: 101,
                accrual_start: None
            }
        )
        .is_err());
        let bad = save(
            &db,
            &LoyaltySettings {
                points_per_dollar: 1,
                accrual_start: Some("02/01/2026".into()),
            },
        )
        .expect_err("date");
        assert!(bad.message.contains("not a date"));
        assert_eq!(
            settings(&db).expect("unchanged").points_per_dollar,
            3,
            "a refused save changes nothing"
        );
    }
}
