//! Which world a console works in — the built-in sandbox or the user's real POS — as the user
//! chose it on first start. The choice and the real POS's addresses live in the data folder's
//! `console-mode.json` (never a secret: the integrator and gateway tokens go to the keychain); each
//! mode has its own database file, stamped with its mode when first opened, so sandbox data can
//! never be read as real data or the reverse.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::stored_name::stored_name;
use crate::pos::{greenbits, posabit};
use crate::storage::app_settings;
use crate::storage::whole_file::write_whole;

stored_name! {
    /// Where a console's data comes from.
    pub enum ConsoleMode {
        /// The built-in simulators and generated shoppers.
        Sandbox => "sandbox",
        /// The user's own POS and SMS gateway.
        Real => "real",
    }
}

/// The file in the data folder that keeps the choice.
pub const MODE_FILE: &str = "console-mode.json";
/// The database file of the years before modes: adopted once by the mode it was used in.
const LEGACY_DATABASE: &str = "canopy.db";
/// The `app_settings` key a database's mode is stamped under.
const STAMP_KEY: &str = "console_mode";

/// The real POS's addresses, as the user entered them (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RealPosAddresses {
    /// POSaBIT's API.
    pub posabit_url: String,
    /// Greenbits' API.
    pub greenbits_url: String,
    /// The SMS gateway, when the dispensary has one.
    pub sms_url: Option<String>,
}

impl Default for RealPosAddresses {
    fn default() -> Self {
        RealPosAddresses {
            posabit_url: posabit::PRODUCTION_URL.to_string(),
            greenbits_url: greenbits::PRODUCTION_URL.to_string(),
            sms_url: None,
        }
    }
}

impl RealPosAddresses {
    /// The same addresses trimmed, refusing any that is not an `http(s)` URL.
    pub fn validated(self) -> Result<Self> {
        let posabit_url = checked_url("POSaBIT API address", &self.posabit_url)?;
        let greenbits_url = checked_url("Greenbits API address", &self.greenbits_url)?;
        let sms_url = match self.sms_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(checked_url("SMS gateway address", url)?),
        };
        Ok(RealPosAddresses {
            posabit_url,
            greenbits_url,
            sms_url,
        })
    }
}

/// `text` as a URL without its trailing slash, or a validation error naming `what`.
fn checked_url(what: &str, text: &str) -> Result<String> {
    let trimmed = text.trim().trim_end_matches('/');
    match reqwest::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(trimmed.to_string())
        }
        _ => Err(Error::validation(format!(
            "The {what} must be a web address starting with https:// (e.g. {}).",
            posabit::PRODUCTION_URL
        ))),
    }
}

/// What `console-mode.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeChoice {
    /// The mode in use.
    pub mode: ConsoleMode,
    /// The real POS's addresses, kept while the sandbox is in use.
    #[serde(default)]
    pub real: RealPosAddresses,
}

/// The choice kept in `data_dir`, or `None` before the user has made one. A folder from before
/// modes (a `canopy.db` and no choice) is adopted as the sandbox's, which is what the app always
/// opened then, or as the real POS's when `real_by_environment` says an operator pointed it at one.
pub fn read_choice(data_dir: &Path, real_by_environment: bool) -> Result<Option<ModeChoice>> {
    let path = data_dir.join(MODE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::internal(format!("{} is damaged: {e}", path.display())).with_hint(format!(
                "Delete {MODE_FILE} in the data folder and choose the sandbox or your POS again."
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            adopt_legacy_database(data_dir, real_by_environment)
        }
        Err(e) => Err(Error::internal(format!(
            "Could not read {}: {e}",
            path.display()
        ))),
    }
}

fn adopt_legacy_database(data_dir: &Path, real: bool) -> Result<Option<ModeChoice>> {
    let legacy = data_dir.join(LEGACY_DATABASE);
    if !legacy.exists() {
        return Ok(None);
    }
    let mode = if real {
        ConsoleMode::Real
    } else {
        ConsoleMode::Sandbox
    };
    for suffix in ["", "-wal", "-shm"] {
        let from = data_dir.join(format!("{LEGACY_DATABASE}{suffix}"));
        if from.exists() {
            let to = PathBuf::from(format!(
                "{}{suffix}",
                database_file(data_dir, mode).display()
            ));
            std::fs::rename(&from, &to).map_err(|e| {
                Error::internal(format!("Could not rename {}: {e}", from.display()))
            })?;
        }
    }
    tracing::info!(%mode, "adopted the database from before modes");
    let choice = ModeChoice {
        mode,
        real: RealPosAddresses::default(),
    };
    save_choice(data_dir, &choice)?;
    Ok(Some(choice))
}

/// Keeps `choice` in `data_dir`, replacing the file whole (a crash leaves the old or the new one).
pub fn save_choice(data_dir: &Path, choice: &ModeChoice) -> Result<()> {
    let failed = |e: &str| {
        Error::internal(format!(
            "Could not save the mode in {}: {e}",
            data_dir.display()
        ))
    };
    std::fs::create_dir_all(data_dir).map_err(|e| failed(&e.to_string()))?;
    let text = serde_json::to_string_pretty(choice)
        .map_err(|e| Error::internal(format!("Could not write the mode: {e}")))?;
    write_whole(&data_dir.join(MODE_FILE), |mut file| {
        Ok(std::io::Write::write_all(&mut file, text.as_bytes())?)
    })
    .map_err(|e| failed(&e.to_string()))
}

/// The database file of `mode` in `data_dir`.
pub fn database_file(data_dir: &Path, mode: ConsoleMode) -> PathBuf {
    data_dir.join(match mode {
        ConsoleMode::Sandbox => "sandbox.db",
        ConsoleMode::Real => "real.db",
    })
}

/// Stamps a database with `mode` the first time, and refuses one stamped with the other mode.
pub fn check_stamp(connection: &Connection, mode: ConsoleMode) -> Result<()> {
    match app_settings::get(connection, STAMP_KEY)?.as_deref() {
        None => app_settings::put(connection, STAMP_KEY, Some(mode.as_str())),
        Some(stamped) if stamped == mode.as_str() => Ok(()),
        Some(stamped) => Err(Error::new(
            ErrorCode::Conflict,
            format!("This database holds {stamped} data, not {mode} data."),
        )
        .with_hint(
            "Canopy keeps sandbox and real data in separate files; put the file back where it came from.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_must_be_web_addresses() {
        let entered = RealPosAddresses {
            posabit_url: " https://pos.example/api/ ".into(),
            greenbits_url: "http://127.0.0.1:9000/api".into(),
            sms_url: Some("  ".into()),
        };
        let valid = entered.validated().expect("valid");
        assert_eq!(valid.posabit_url, "https://pos.example/api");
        assert_eq!(valid.sms_url, None);
        for wrong in ["pos.example", "ftp://pos.example", "https://", ""] {
            let entered = RealPosAddresses {
                posabit_url: wrong.into(),
                ..RealPosAddresses::default()
            };
            let error = entered.validated().expect_err(wrong);
            assert!(error.message.contains("POSaBIT API address"), "{wrong}");
        }
    }

    #[test]
    fn a_choice_is_kept_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(read_choice(dir.path(), false).expect("read"), None);
        let choice = ModeChoice {
            mode: ConsoleMode::Real,
            real: RealPosAddresses::default(),
        };
        save_choice(dir.path(), &choice).expect("save");
        assert_eq!(read_choice(dir.path(), false).expect("read"), Some(choice));
    }

    #[test]
    fn a_folder_from_before_modes_is_the_sandboxs() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("canopy.db"), b"old").expect("write");
        let choice = read_choice(dir.path(), false)
            .expect("read")
            .expect("adopted");
        assert_eq!(choice.mode, ConsoleMode::Sandbox);
        assert!(!dir.path().join("canopy.db").exists());
        assert_eq!(
            std::fs::read(dir.path().join("sandbox.db")).expect("moved"),
            b"old"
        );
        assert_eq!(read_choice(dir.path(), false).expect("read"), Some(choice));
    }

    #[test]
    fn a_damaged_choice_says_how_to_recover() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(MODE_FILE), b"{").expect("write");
        let error = read_choice(dir.path(), false).expect_err("damaged");
        assert!(error.hint.is_some_and(|h| h.contains(MODE_FILE)));
    }
}
