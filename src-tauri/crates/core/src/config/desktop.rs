//! The desktop app's own preferences, the same in either mode and so kept beside the databases
//! (`desktop.json` in the data folder): whether closing the window keeps Canopy syncing in the
//! tray, and whether it starts when the user logs in.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::storage::whole_file::write_whole;

/// The file in the data folder that keeps them.
pub const DESKTOP_FILE: &str = "desktop.json";

/// How the app lives outside its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DesktopPreferences {
    /// Closing the window keeps Canopy running in the tray, syncing on schedule (on unless
    /// turned off: syncs that stop with the window are the surprise).
    pub keep_running_in_tray: bool,
    /// Canopy starts when the user logs in (off unless turned on).
    pub start_at_login: bool,
}

impl Default for DesktopPreferences {
    fn default() -> Self {
        DesktopPreferences {
            keep_running_in_tray: true,
            start_at_login: false,
        }
    }
}

/// The preferences kept in `data_dir`, or the defaults when none are (a damaged file is logged
/// and read as the defaults: nothing in it is worth refusing to start over).
pub fn read(data_dir: &Path) -> DesktopPreferences {
    let path = data_dir.join(DESKTOP_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!("{} is damaged ({e}); using the defaults", path.display());
            DesktopPreferences::default()
        }),
        Err(_) => DesktopPreferences::default(),
    }
}

/// Keeps `preferences` in `data_dir`, replacing the file whole.
pub fn save(data_dir: &Path, preferences: DesktopPreferences) -> Result<()> {
    let text = serde_json::to_string_pretty(&preferences)
        .map_err(|e| Error::internal(format!("Could not write the desktop preferences: {e}")))?;
    write_whole(&data_dir.join(DESKTOP_FILE), |mut file| {
        Ok(std::io::Write::write_all(&mut file, text.as_bytes())?)
    })
    .map_err(|e| Error::internal(format!("Could not save the desktop preferences: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_default_to_the_tray_and_no_autostart_and_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(read(dir.path()), DesktopPreferences::default());
        assert!(read(dir.path()).keep_running_in_tray && !read(dir.path()).start_at_login);
        let changed = DesktopPreferences {
            keep_running_in_tray: false,
            start_at_login: true,
        };
        save(dir.path(), changed).expect("saved");
        assert_eq!(read(dir.path()), changed);
        std::fs::write(dir.path().join(DESKTOP_FILE), b"{oops").expect("write");
        assert_eq!(read(dir.path()), DesktopPreferences::default());
    }
}
