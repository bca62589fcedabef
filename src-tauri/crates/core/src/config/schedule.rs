//! The sync schedule's setting: how often Canopy syncs on its own (Sync → Schedule).

use crate::base::error::{Error, Result};
use crate::storage::app_settings;
use crate::storage::db::Database;

/// The `app_settings` key of the interval.
const INTERVAL_KEY: &str = "sync.interval_minutes";
/// The interval until the user sets one.
pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;
/// The shortest interval allowed, to stay polite to the POS.
pub const MIN_INTERVAL_MINUTES: u32 = 5;
/// The longest interval allowed: once a day.
pub const MAX_INTERVAL_MINUTES: u32 = 1_440;

/// Minutes between scheduled syncs; 0 means the schedule is off.
pub fn interval_minutes(db: &Database) -> Result<u32> {
    db.read(|c| {
        let raw = app_settings::get(c, INTERVAL_KEY)?;
        Ok(raw
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_INTERVAL_MINUTES))
    })
}

/// Sets the interval (0 turns the schedule off).
pub fn set_interval_minutes(db: &Database, minutes: u32) -> Result<u32> {
    if minutes != 0 && !(MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(&minutes) {
        return Err(Error::validation(format!(
            "Sync every must be between {MIN_INTERVAL_MINUTES} and {MAX_INTERVAL_MINUTES} minutes, or 0 for off."
        )));
    }
    db.write(|tx| {
        app_settings::put(tx, INTERVAL_KEY, Some(&minutes.to_string()))?;
        Ok(minutes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_defaults_to_fifteen_minutes_and_is_checked() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("s.db")).expect("db");
        assert_eq!(interval_minutes(&db).expect("read"), 15);
        assert_eq!(set_interval_minutes(&db, 30).expect("set"), 30);
        assert_eq!(interval_minutes(&db).expect("read"), 30);
        assert!(set_interval_minutes(&db, 2).is_err());
        assert_eq!(set_interval_minutes(&db, 0).expect("off"), 0);
        assert_eq!(interval_minutes(&db).expect("read"), 0);
    }
}
