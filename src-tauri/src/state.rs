//! What the shell keeps between commands: the core console, the sandbox while it runs, and the
//! result of the start-up keychain probe.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use canopy_core::consent::sms::HttpSmsGateway;
use canopy_core::console::{AppStatus, Console, PosClients, SandboxStore};
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::{self as secret_stores, KeychainStore, SecretStore};
use canopy_core::{Error, Secret};
use canopy_sandbox::{RunningSandbox, SandboxConfig};
use tauri::{AppHandle, Manager};

/// The environment variable that points Canopy at a real POSaBIT instead of the sandbox.
const POSABIT_URL_VARIABLE: &str = "CANOPY_POSABIT_URL";
/// The environment variable that overrides the Greenbits API address when a real POS is used.
const GREENBITS_URL_VARIABLE: &str = "CANOPY_GREENBITS_URL";
/// The SMS gateway's base URL; the sandbox's simulator when unset and the sandbox runs.
const SMS_URL_VARIABLE: &str = "CANOPY_SMS_URL";
/// The keychain entry of Canopy's POSaBIT integrator token (set with `canopy-cli secret set`).
const POSABIT_INTEGRATOR_ENTRY: &str = "posabit-integrator";

/// Managed state of the running app.
pub struct AppState {
    /// The product's operations.
    pub console: Console,
    /// Kept alive while the app runs; `None` when a real POS is configured.
    sandbox: Option<RunningSandbox>,
    data_dir: PathBuf,
    /// `Some(result)` once the background keychain probe has finished.
    keychain: Arc<OnceLock<Result<(), Error>>>,
}

impl AppState {
    /// Opens the database, starts the sandbox (unless a real POS is configured) and probes the
    /// keychain in the background.
    pub fn start(app: &AppHandle) -> Result<Self, Box<dyn std::error::Error>> {
        let data_dir = app.path().app_data_dir()?;
        std::fs::create_dir_all(&data_dir)?;
        crate::logging::init(&app.path().app_log_dir()?)?;
        tracing::info!(data_dir = %data_dir.display(), "Canopy starting");
        let db = Database::open(data_dir.join("canopy.db"))?;
        let keychain: Arc<dyn SecretStore> = Arc::new(KeychainStore::default());

        let (clients, sandbox) = match std::env::var(POSABIT_URL_VARIABLE) {
            Ok(url) => {
                let token = keychain.get(POSABIT_INTEGRATOR_ENTRY).ok().flatten();
                if token.is_none() {
                    tracing::warn!(
                        "no POSaBIT integrator token in the keychain; POSaBIT calls will fail"
                    );
                }
                let greenbits = std::env::var(GREENBITS_URL_VARIABLE)
                    .unwrap_or_else(|_| canopy_core::pos::greenbits::PRODUCTION_URL.to_string());
                let clients = PosClients {
                    posabit: PosabitClient::new(url, token.unwrap_or_else(|| Secret::new("")))?,
                    greenbits: GreenbitsClient::new(greenbits)?,
                };
                (clients, None)
            }
            Err(_) => {
                let sandbox = tauri::async_runtime::block_on(canopy_sandbox::start(
                    SandboxConfig::default(),
                    0,
                ))?;
                let clients = PosClients {
                    posabit: PosabitClient::new(
                        sandbox.posabit_base_url(),
                        Secret::new(sandbox.config().integrator_token.clone()),
                    )?,
                    greenbits: GreenbitsClient::new(sandbox.greenbits_base_url())?,
                };
                (clients, Some(sandbox))
            }
        };
        let mut console = Console::new(db, keychain.clone(), clients);
        let sms_url = std::env::var(SMS_URL_VARIABLE)
            .ok()
            .or_else(|| sandbox.as_ref().map(|s| s.sms_base_url()));
        match sms_url {
            Some(url) => console = console.with_sms_gateway(Arc::new(HttpSmsGateway::new(url)?)),
            None => tracing::warn!("no SMS gateway: SMS double opt-in requests will not be sent"),
        }

        let probed = Arc::new(OnceLock::new());
        let (slot, recovering) = (probed.clone(), console.clone());
        tauri::async_runtime::spawn_blocking(move || {
            let result = secret_stores::probe(keychain.as_ref())
                .and_then(|()| recovering.recover().map(drop));
            if let Err(error) = &result {
                tracing::error!(code = ?error.code, "keychain check failed: {}", error.message);
            }
            let _ = slot.set(result);
        });
        Ok(AppState {
            console,
            sandbox,
            data_dir,
            keychain: probed,
        })
    }

    /// The key of a sandbox venue, for adding it without the key crossing to the UI.
    pub fn sandbox_key(&self, venue_id: u64) -> Option<Secret> {
        let sandbox = self.sandbox.as_ref()?;
        let venue = sandbox.config().venues.iter().find(|v| v.id == venue_id)?;
        Some(Secret::new(venue.token.clone()))
    }

    /// What the shell shows: sandbox or real POS, keychain health, where data lives.
    pub fn status(&self) -> AppStatus {
        let sandbox_stores = self
            .sandbox
            .iter()
            .flat_map(|s| s.config().venues.iter())
            .map(|venue| {
                let granted: Vec<&str> = venue.permissions.iter().map(|p| p.wire_name()).collect();
                SandboxStore::new(venue.id, &venue.name, &venue.state, &granted)
            })
            .collect();
        AppStatus {
            sandbox: self.sandbox.is_some(),
            posabit_url: match &self.sandbox {
                Some(sandbox) => sandbox.posabit_base_url(),
                None => std::env::var(POSABIT_URL_VARIABLE).unwrap_or_default(),
            },
            keychain_error: self.keychain.get().and_then(|r| r.clone().err()),
            data_dir: self.data_dir.display().to_string(),
            sandbox_stores,
        }
    }
}
