//! Where a console's calls go and where its data lives, decided the same way for the app and for
//! `canopy-cli`: in sandbox mode the built-in simulators and nothing else; in real mode the
//! addresses the user entered in the app (each overridable by an environment variable for
//! operators: `CANOPY_POSABIT_URL`, `CANOPY_GREENBITS_URL`, `CANOPY_SMS_URL`) with the tokens from
//! the keychain; and the data folder the desktop app uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::mode::{self, ConsoleMode, ModeChoice, RealPosAddresses};
use super::{Console, PosClients};
use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::consent::sms::HttpSmsGateway;
use crate::pos::greenbits::GreenbitsClient;
use crate::pos::posabit::PosabitClient;
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// The environment variable that puts Canopy in real mode on this POSaBIT address, whatever the
/// data folder's choice says.
pub const POSABIT_URL_VARIABLE: &str = "CANOPY_POSABIT_URL";
/// The environment variable that overrides the Greenbits API address in real mode.
pub const GREENBITS_URL_VARIABLE: &str = "CANOPY_GREENBITS_URL";
/// The environment variable that overrides the SMS gateway's address in real mode.
pub const SMS_URL_VARIABLE: &str = "CANOPY_SMS_URL";
/// The keychain entry of Canopy's POSaBIT integrator token.
pub const POSABIT_INTEGRATOR_ENTRY: &str = "posabit-integrator";
/// The keychain entry of the SMS gateway's token.
pub const SMS_GATEWAY_ENTRY: &str = "sms-gateway";
/// The app's identifier (`tauri.conf.json`), which names its data folder.
pub const APP_IDENTIFIER: &str = "dev.canopy.console";

/// An SMS gateway's address and the token it is called with.
#[derive(Debug, Clone)]
pub struct SmsGatewayAddress {
    /// Its base URL.
    pub url: String,
    /// Sent as a bearer token when there is one.
    pub token: Option<Secret>,
}

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
    pub sms: Option<SmsGatewayAddress>,
    /// The mode these addresses belong to, which picks the database file.
    pub mode: ConsoleMode,
}

/// Whether an operator's environment puts Canopy in real mode.
pub fn environment_names_real_pos() -> bool {
    std::env::var_os(POSABIT_URL_VARIABLE).is_some()
}

/// The environment variables overriding a real-mode address, by name.
pub fn environment_overrides() -> Vec<String> {
    [
        POSABIT_URL_VARIABLE,
        GREENBITS_URL_VARIABLE,
        SMS_URL_VARIABLE,
    ]
    .into_iter()
    .filter(|name| std::env::var_os(name).is_some())
    .map(str::to_string)
    .collect()
}

/// The mode `data_dir` works in, or `None` before the user chose one: real whenever the
/// environment names a POSaBIT address, else the kept choice.
pub fn current_choice(data_dir: &Path) -> Result<Option<ModeChoice>> {
    let forced = environment_names_real_pos();
    let saved = mode::read_choice(data_dir, forced)?;
    Ok(match (forced, saved) {
        (true, saved) => Some(ModeChoice {
            mode: ConsoleMode::Real,
            real: saved.map(|c| c.real).unwrap_or_default(),
        }),
        (false, saved) => saved,
    })
}

impl Endpoints {
    /// The real POS at the addresses the user entered, each overridden by its environment
    /// variable when set, with the tokens kept in `keychain`.
    pub fn real(addresses: &RealPosAddresses, keychain: &dyn SecretStore) -> Result<Self> {
        let variable_or = |name: &str, saved: &str| std::env::var(name).unwrap_or(saved.into());
        let token = keychain.get(POSABIT_INTEGRATOR_ENTRY)?;
        if token.is_none() {
            tracing::warn!("no POSaBIT integrator token in the keychain; POSaBIT calls will fail");
        }
        let sms_url = std::env::var(SMS_URL_VARIABLE)
            .ok()
            .or_else(|| addresses.sms_url.clone());
        let sms = match sms_url {
            Some(url) => Some(SmsGatewayAddress {
                url,
                token: keychain.get(SMS_GATEWAY_ENTRY)?,
            }),
            None => None,
        };
        Ok(Endpoints {
            posabit_url: variable_or(POSABIT_URL_VARIABLE, &addresses.posabit_url),
            posabit_token: token.unwrap_or_else(|| Secret::new("")),
            greenbits_url: variable_or(GREENBITS_URL_VARIABLE, &addresses.greenbits_url),
            sms,
            mode: ConsoleMode::Real,
        })
    }

    /// The sandbox's simulators at these addresses, its own SMS gateway included: the sandbox
    /// never calls anything else, whatever the environment says.
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
            sms: Some(SmsGatewayAddress {
                url: sms_url,
                token: None,
            }),
            mode: ConsoleMode::Sandbox,
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
    /// A console on the database of the endpoints' mode in `data_dir` (created when missing),
    /// calling `endpoints`.
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
        let db = Database::open(mode::database_file(data_dir, endpoints.mode))?;
        db.write(|transaction| mode::check_stamp(transaction, endpoints.mode))?;
        let clients = PosClients {
            posabit: PosabitClient::new(&endpoints.posabit_url, endpoints.posabit_token.clone())?,
            greenbits: GreenbitsClient::new(&endpoints.greenbits_url)?,
        };
        let console = Console::new(db, secrets, clients);
        Ok(match &endpoints.sms {
            Some(gateway) => console.with_sms_gateway(Arc::new(
                HttpSmsGateway::new(&gateway.url)?.with_token(gateway.token.clone()),
            )),
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
