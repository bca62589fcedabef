//! Where a console's calls go and where its data lives, decided the same way for the app and for
//! `canopy-cli`: the sandbox's simulators, or a real POS named by the environment
//! (`CANOPY_POSABIT_URL`, with the integrator token in the keychain; `CANOPY_GREENBITS_URL`;
//! `CANOPY_SMS_URL`), and the data folder the desktop app uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Console, PosClients};
use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::consent::sms::HttpSmsGateway;
use crate::pos::greenbits::{GreenbitsClient, PRODUCTION_URL};
use crate::pos::posabit::PosabitClient;
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// The environment variable that points Canopy at a real POSaBIT instead of the sandbox.
pub const POSABIT_URL_VARIABLE: &str = "CANOPY_POSABIT_URL";
/// The environment variable that overrides the Greenbits API address when a real POS is used.
pub const GREENBITS_URL_VARIABLE: &str = "CANOPY_GREENBITS_URL";
/// The SMS gateway's base URL; the sandbox's simulator when unset and the sandbox runs.
pub const SMS_URL_VARIABLE: &str = "CANOPY_SMS_URL";
/// The keychain entry of Canopy's POSaBIT integrator token (set with `canopy-cli secret set`).
pub const POSABIT_INTEGRATOR_ENTRY: &str = "posabit-integrator";
/// The app's identifier (`tauri.conf.json`), which names its data folder.
pub const APP_IDENTIFIER: &str = "dev.canopy.console";

/// The addresses a console calls.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// POSaBIT's API.
    pub posabit_url: String,
    /// Canopy's POSaBIT integrator token.
    pub posabit_token: Secret,
    /// Greenbits' API.
    pub greenbits_url: String,
    /// The SMS gateway, when there is one.
    pub sms_url: Option<String>,
    /// Whether these are the sandbox's simulators.
    pub sandbox: bool,
}

impl Endpoints {
    /// The real POS the environment names, or `None` when it names none (the sandbox is used).
    pub fn from_env(keychain: &dyn SecretStore) -> Option<Self> {
        let posabit_url = std::env::var(POSABIT_URL_VARIABLE).ok()?;
        let token = keychain.get(POSABIT_INTEGRATOR_ENTRY).ok().flatten();
        if token.is_none() {
            tracing::warn!("no POSaBIT integrator token in the keychain; POSaBIT calls will fail");
        }
        Some(Endpoints {
            posabit_url,
            posabit_token: token.unwrap_or_else(|| Secret::new("")),
            greenbits_url: std::env::var(GREENBITS_URL_VARIABLE)
                .unwrap_or_else(|_| PRODUCTION_URL.to_string()),
            sms_url: std::env::var(SMS_URL_VARIABLE).ok(),
            sandbox: false,
        })
    }

    /// The sandbox's simulators at these addresses (`CANOPY_SMS_URL` still names another gateway).
    pub fn sandbox(
        posabit_url: String,
        token: Secret,
        greenbits_url: String,
        sms_url: String,
    ) -> Self {
        Endpoints {
            posabit_url,
            posabit_token: token,
            greenbits_url,
            sms_url: Some(std::env::var(SMS_URL_VARIABLE).unwrap_or(sms_url)),
            sandbox: true,
        }
    }
}

/// Canopy's data folder, as the desktop app has it on Linux: `$XDG_DATA_HOME/dev.canopy.console`,
/// else `~/.local/share/dev.canopy.console`.
pub fn default_data_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".local/share")))?;
    Some(base.join(APP_IDENTIFIER))
}

impl Console {
    /// A console on the database in `data_dir` (created when missing), calling `endpoints`.
    pub fn open(
        data_dir: &Path,
        secrets: Arc<dyn SecretStore>,
        endpoints: &Endpoints,
    ) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            crate::base::error::Error::internal(format!(
                "Could not create the data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let db = Database::open(data_dir.join("canopy.db"))?;
        let clients = PosClients {
            posabit: PosabitClient::new(&endpoints.posabit_url, endpoints.posabit_token.clone())?,
            greenbits: GreenbitsClient::new(&endpoints.greenbits_url)?,
        };
        let console = Console::new(db, secrets, clients);
        Ok(match &endpoints.sms_url {
            Some(url) => console.with_sms_gateway(Arc::new(HttpSmsGateway::new(url)?)),
            None => {
                tracing::warn!("no SMS gateway: SMS double opt-in requests will not be sent");
                console
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_folder_is_named_by_the_apps_identifier() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../../../../tauri.conf.json"))
                .expect("tauri.conf.json");
        assert_eq!(config["identifier"], APP_IDENTIFIER);
        assert!(default_data_dir().is_some_and(|dir| dir.ends_with(APP_IDENTIFIER)));
    }
}
