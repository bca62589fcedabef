//! Loyalty settings (Settings → Loyalty): points per dollar, the points accrual start date before
//! which sales earn nothing, points expiration (FIFO or legacy) and how many SMS opt-in requests a
//! shopper can ever get.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::storage::app_settings;
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// The `app_settings` key of points per dollar.
const POINTS_PER_DOLLAR_KEY: &str = "loyalty.points_per_dollar";
/// The `app_settings` key of the points accrual start date.
const ACCRUAL_START_KEY: &str = "loyalty.accrual_start";
/// The `app_settings` key of the expiration policy.
const EXPIRATION_KEY: &str = "loyalty.expiration";
/// The `app_settings` key of the expiration's days.
const EXPIRATION_DAYS_KEY: &str = "loyalty.expiration_days";
/// The `app_settings` key of the most SMS opt-in requests per shopper.
const SMS_MAX_REQUESTS_KEY: &str = "loyalty.sms_max_requests";
/// Points per dollar until the user sets them.
pub const DEFAULT_POINTS_PER_DOLLAR: i64 = 1;
/// The most points per dollar Canopy accepts.
pub const MAX_POINTS_PER_DOLLAR: i64 = 100;
/// Days before points expire until the user sets them.
pub const DEFAULT_EXPIRATION_DAYS: i64 = 365;
/// SMS opt-in requests a shopper can ever get until the user sets it.
pub const DEFAULT_SMS_MAX_REQUESTS: i64 = 2;

/// How points expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Expiration {
    /// Points never expire.
    #[default]
    Never,
    /// Legacy: the whole balance expires after `expiration_days` without a purchase.
    Legacy,
    /// First in, first out: each earn entry expires `expiration_days` after its purchase, oldest
    /// points spent first.
    Fifo,
}

impl Expiration {
    fn as_str(self) -> &'static str {
        match self {
            Expiration::Never => "never",
            Expiration::Legacy => "legacy",
            Expiration::Fifo => "fifo",
        }
    }

    fn parse(raw: &str) -> Expiration {
        match raw {
            "legacy" => Expiration::Legacy,
            "fifo" => Expiration::Fifo,
            _ => Expiration::Never,
        }
    }
}

/// Settings → Loyalty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LoyaltySettings {
    /// Points a loyalty member earns per dollar spent.
    #[ts(type = "number")]
    pub points_per_dollar: i64,
    /// Points accrual start date (`YYYY-MM-DD`): sales before it earn no points.
    pub accrual_start: Option<String>,
    /// How points expire.
    pub expiration: Expiration,
    /// Days for the expiration policy (1–3650).
    #[ts(type = "number")]
    pub expiration_days: i64,
    /// SMS double opt-in requests a shopper can ever get, over every integration (1–5).
    #[ts(type = "number")]
    pub sms_max_requests: i64,
}

/// The loyalty settings in force, read on `connection`.
pub fn read(connection: &Connection) -> Result<LoyaltySettings> {
    let number = |key: &str, default: i64| -> Result<i64> {
        Ok(app_settings::get(connection, key)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(default))
    };
    Ok(LoyaltySettings {
        points_per_dollar: number(POINTS_PER_DOLLAR_KEY, DEFAULT_POINTS_PER_DOLLAR)?,
        accrual_start: app_settings::get(connection, ACCRUAL_START_KEY)?,
        expiration: app_settings::get(connection, EXPIRATION_KEY)?
            .map(|v| Expiration::parse(&v))
            .unwrap_or_default(),
        expiration_days: number(EXPIRATION_DAYS_KEY, DEFAULT_EXPIRATION_DAYS)?,
        sms_max_requests: number(SMS_MAX_REQUESTS_KEY, DEFAULT_SMS_MAX_REQUESTS)?,
    })
}

/// The loyalty settings in force.
pub fn settings(db: &Database) -> Result<LoyaltySettings> {
    db.read(read)
}

/// Parses a `YYYY-MM-DD` date a user typed, with a message that says how to write one.
pub fn parse_date(raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        Error::validation(format!("“{}” is not a date.", raw.trim()))
            .with_hint("Use YYYY-MM-DD, e.g. 2026-01-01.")
    })
}

/// The message that explains why FIFO expiration and mirrored points cannot both be on.
pub const MIRROR_NEEDS_LEGACY: &str = "Points mirroring is not supported by First In, First Out (FIFO) Point Expiration. Please use legacy Points Expiration setting if you would like to Mirror Points from your POS system.";

/// Saves the loyalty settings after checking them; they apply to sales synced from now on. FIFO
/// expiration is refused while an integration mirrors its POS points.
pub fn save(db: &Database, input: &LoyaltySettings) -> Result<LoyaltySettings> {
    if !(0..=MAX_POINTS_PER_DOLLAR).contains(&input.points_per_dollar) {
        return Err(Error::validation(format!(
            "Points per dollar must be between 0 and {MAX_POINTS_PER_DOLLAR}."
        )));
    }
    if !(1..=3650).contains(&input.expiration_days) {
        return Err(Error::validation("Points expire after 1 to 3650 days."));
    }
    if !(1..=5).contains(&input.sms_max_requests) {
        return Err(Error::validation(
            "A shopper can get 1 to 5 SMS opt-in requests.",
        ));
    }
    let start = input
        .accrual_start
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(date) = start {
        parse_date(date)?;
    }
    let before = settings(db)?;
    db.write(|tx| {
        let mirroring: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM integrations WHERE mirror_points = 1)",
            [],
            |r| r.get(0),
        )?;
        if mirroring && input.expiration == Expiration::Fifo {
            return Err(Error::validation(MIRROR_NEEDS_LEGACY).with_hint(
                "Turn “Mirror integration loyalty point values?” off on the Greenbits card first, or keep legacy expiration.",
            ));
        }
        let put = |key: &str, value: String| app_settings::put(tx, key, Some(&value));
        put(POINTS_PER_DOLLAR_KEY, input.points_per_dollar.to_string())?;
        put(EXPIRATION_KEY, input.expiration.as_str().to_string())?;
        put(EXPIRATION_DAYS_KEY, input.expiration_days.to_string())?;
        put(SMS_MAX_REQUESTS_KEY, input.sms_max_requests.to_string())?;
        app_settings::put(tx, ACCRUAL_START_KEY, start)?;
        let after = read(tx)?;
        if after != before {
            audit_log::record(
                tx,
                &AuditChange {
                    area: AuditArea::LoyaltySettings,
                    integration: None,
                    subject: "Loyalty",
                    old_value: &summary(&before),
                    new_value: &summary(&after),
                    warning_acknowledged: false,
                },
            )?;
        }
        Ok(())
    })?;
    settings(db)
}

/// The loyalty settings on one line, for the audit log.
fn summary(settings: &LoyaltySettings) -> String {
    format!(
        "{} points per dollar; accrual from {}; expiration {} after {} days; at most {} SMS requests",
        settings.points_per_dollar,
        settings.accrual_start.as_deref().unwrap_or("the start"),
        settings.expiration.as_str(),
        settings.expiration_days,
        settings.sms_max_requests
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> LoyaltySettings {
        LoyaltySettings {
            points_per_dollar: 1,
            accrual_start: None,
            expiration: Expiration::Never,
            expiration_days: DEFAULT_EXPIRATION_DAYS,
            sms_max_requests: DEFAULT_SMS_MAX_REQUESTS,
        }
    }

    #[test]
    fn settings_default_are_checked_and_saved() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("l.db")).expect("db");
        assert_eq!(settings(&db).expect("read"), defaults());
        let wanted = LoyaltySettings {
            points_per_dollar: 3,
            accrual_start: Some(" 2026-02-01 ".into()),
            expiration: Expiration::Fifo,
            expiration_days: 90,
            sms_max_requests: 1,
        };
        let saved = save(&db, &wanted).expect("saved");
        assert_eq!(
            saved,
            LoyaltySettings {
                accrual_start: Some("2026-02-01".into()),
                ..wanted
            }
        );
        for bad in [
            LoyaltySettings {
                points_per_dollar: 101,
                ..defaults()
            },
            LoyaltySettings {
                expiration_days: 0,
                ..defaults()
            },
            LoyaltySettings {
                sms_max_requests: 9,
                ..defaults()
            },
        ] {
            assert!(save(&db, &bad).is_err(), "{bad:?} is refused");
        }
        let bad = save(
            &db,
            &LoyaltySettings {
                accrual_start: Some("02/01/2026".into()),
                ..defaults()
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

    #[test]
    fn fifo_is_refused_while_an_integration_mirrors_points() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("l.db")).expect("db");
        db.write(|tx| {
            tx.execute(
                "INSERT INTO integrations (integration, mirror_points) VALUES ('greenbits', 1)",
                [],
            )?;
            Ok(())
        })
        .expect("mirror on");
        let refused = save(
            &db,
            &LoyaltySettings {
                expiration: Expiration::Fifo,
                ..defaults()
            },
        )
        .expect_err("fifo refused");
        assert!(refused
            .message
            .contains("not supported by First In, First Out"));
        let legacy = save(
            &db,
            &LoyaltySettings {
                expiration: Expiration::Legacy,
                ..defaults()
            },
        )
        .expect("legacy is fine");
        assert_eq!(legacy.expiration, Expiration::Legacy);
    }
}
