//! What the shell keeps between commands: the core console, the sandbox while it runs, and the
//! result of the start-up keychain probe.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use canopy_core::console::endpoints::Endpoints;
use canopy_core::console::{AppStatus, Console, SandboxStore};
use canopy_core::storage::keychain::{self as secret_stores, KeychainStore, SecretStore};
use canopy_core::{Error, Secret};
use canopy_sandbox::{RunningSandbox, SandboxConfig};
use tauri::{AppHandle, Manager};

/// Managed state of the running app.
pub struct AppState {
    /// The product's operations.
    pub console: Console,
    /// Kept alive while the app runs; `None` when a real POS is configured.
    sandbox: Option<RunningSandbox>,
    data_dir: PathBuf,
    /// The POSaBIT API this console calls.
    posabit_url: String,
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
        let keychain: Arc<dyn SecretStore> = Arc::new(KeychainStore::default());
        let (endpoints, sandbox) = match Endpoints::from_env(keychain.as_ref()) {
            Some(real) => (real, None),
            None => {
                let sandbox = tauri::async_runtime::block_on(canopy_sandbox::start(
                    SandboxConfig::default(),
                    0,
                ))?;
                let endpoints = Endpoints::sandbox(
                    sandbox.posabit_base_url(),
                    Secret::new(sandbox.config().integrator_token.clone()),
                    sandbox.greenbits_base_url(),
                    sandbox.sms_base_url(),
                );
                (endpoints, Some(sandbox))
            }
        };
        let console = Console::open(&data_dir, keychain.clone(), &endpoints)?;

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
            posabit_url: endpoints.posabit_url,
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
            posabit_url: self.posabit_url.clone(),
            keychain_error: self.keychain.get().and_then(|r| r.clone().err()),
            data_dir: self.data_dir.display().to_string(),
            sandbox_stores,
        }
    }
}
