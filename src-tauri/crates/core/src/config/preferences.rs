//! The console's own preferences, kept between starts in `app_settings`.

use crate::base::error::Result;
use crate::storage::app_settings;
use crate::storage::db::Database;

/// The `app_settings` key of presenter mode.
const PRESENTER_MODE_KEY: &str = "ui.presenter_mode";

/// Whether presenter mode (contact details and secrets masked on screen) is on.
pub fn presenter_mode(db: &Database) -> Result<bool> {
    db.read(|c| Ok(app_settings::get(c, PRESENTER_MODE_KEY)?.as_deref() == Some("on")))
}

/// Turns presenter mode on or off; returns the new state.
pub fn set_presenter_mode(db: &Database, on: bool) -> Result<bool> {
    db.write(|tx| {
        app_settings::put(tx, PRESENTER_MODE_KEY, Some(if on { "on" } else { "off" }))?;
        Ok(on)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presenter_mode_is_off_until_turned_on_and_is_remembered() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("p.db");
        let db = Database::open(&path).expect("db");
        assert!(!presenter_mode(&db).expect("read"));
        assert!(set_presenter_mode(&db, true).expect("on"));
        drop(db);
        let reopened = Database::open(&path).expect("reopened");
        assert!(presenter_mode(&reopened).expect("remembered"));
    }
}
