//! The ceiling of each POS's pace (Sync → Pace): the most requests a second Canopy sends one
//! credential of that POS, however clean its answers. The pace starts at 5 a second and follows
//! the POS up to this (see `pos::retry`).

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::storage::app_settings;
use crate::storage::db::Database;

/// The ceiling until the user sets one.
pub const DEFAULT_MAX_PER_SECOND: u32 = 10;
/// The highest ceiling allowed.
pub const MAX_PER_SECOND: u32 = 100;

fn key(integration: Integration) -> String {
    format!("sync.max_requests_per_second.{}", integration.as_str())
}

/// The most requests a second a credential of `integration` is sent.
pub fn max_per_second(db: &Database, integration: Integration) -> Result<u32> {
    db.read(|c| {
        Ok(app_settings::get(c, &key(integration))?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MAX_PER_SECOND))
    })
}

/// Sets the ceiling of `integration`'s pace.
pub fn set_max_per_second(db: &Database, integration: Integration, per_second: u32) -> Result<u32> {
    if !(1..=MAX_PER_SECOND).contains(&per_second) {
        return Err(Error::validation(format!(
            "The most requests a second must be between 1 and {MAX_PER_SECOND}."
        )));
    }
    db.write(|tx| {
        app_settings::put(tx, &key(integration), Some(&per_second.to_string()))?;
        Ok(per_second)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pos_has_its_own_ceiling_within_bounds() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("p.db")).expect("db");
        assert_eq!(max_per_second(&db, Integration::Posabit).expect("read"), 10);
        assert_eq!(
            set_max_per_second(&db, Integration::Greenbits, 4).expect("set"),
            4
        );
        assert_eq!(
            max_per_second(&db, Integration::Greenbits).expect("read"),
            4
        );
        assert_eq!(max_per_second(&db, Integration::Posabit).expect("read"), 10);
        assert!(set_max_per_second(&db, Integration::Posabit, 0).is_err());
        assert!(set_max_per_second(&db, Integration::Posabit, 101).is_err());
    }
}
