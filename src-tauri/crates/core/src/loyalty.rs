//! Loyalty settings the sync applies (Settings → Loyalty).

use rusqlite::OptionalExtension;

use crate::db::Database;
use crate::error::Result;

/// The `app_settings` key of points per dollar.
pub const POINTS_PER_DOLLAR_KEY: &str = "loyalty.points_per_dollar";
/// Points per dollar until the user sets them.
pub const DEFAULT_POINTS_PER_DOLLAR: i64 = 1;

/// Points a loyalty member earns per dollar spent.
pub fn points_per_dollar(db: &Database) -> Result<i64> {
    db.read(|c| {
        let raw: Option<String> = c
            .query_row(
                "SELECT value FROM app_settings WHERE key = ?1",
                [POINTS_PER_DOLLAR_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(raw
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_POINTS_PER_DOLLAR))
    })
}
