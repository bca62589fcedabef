//! What the shell keeps between commands: the data folder, the start-up keychain probe, and the
//! session of the mode in use — its console, the sandbox while it runs, and the schedule. Until
//! the user picks the sandbox or their POS there is no session; picking another mode replaces it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use canopy_core::config::desktop::{self, DesktopPreferences};
use canopy_core::console::endpoints::{current_choice, environment_names_real_pos, Endpoints};
use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::mode::{ConsoleMode, ModeChoice};
use canopy_core::console::{AppStatus, Console, SandboxStore};
use canopy_core::storage::keychain::{self as secret_stores, KeychainStore, SecretStore};
use canopy_core::{Error, ErrorCode, Secret};
use canopy_sandbox::{RunningSandbox, SandboxConfig};
use tauri::{AppHandle, Manager};

use crate::desktop::notices::{self, SeenNotifications};

/// The console of one mode, its sandbox and its schedule; dropping it stops both.
struct Session {
    console: Console,
    mode: ConsoleMode,
    sandbox: Option<RunningSandbox>,
    posabit_url: String,
    schedule: tauri::async_runtime::JoinHandle<()>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.schedule.abort();
    }
}

/// Managed state of the running app.
pub struct AppState {
    app: AppHandle,
    data_dir: PathBuf,
    keychain: Arc<dyn SecretStore>,
    /// `Some(result)` once the background keychain probe has finished.
    probed: Arc<OnceLock<Result<(), Error>>>,
    session: RwLock<Option<Arc<Session>>>,
    /// Set while the tray's *Pause syncing* is ticked; every session's schedule reads it.
    syncs_paused: Arc<AtomicBool>,
    /// The bell as the desktop notifications last saw it.
    seen: Arc<SeenNotifications>,
    desktop: Mutex<DesktopPreferences>,
    /// Whether the tray icon is up (closing the window can keep Canopy running only then).
    in_tray: AtomicBool,
}

impl AppState {
    /// Opens the data folder, probes the keychain in the background, and opens the chosen mode's
    /// session when the user has chosen one.
    pub fn start(app: &AppHandle) -> Result<Self, Box<dyn std::error::Error>> {
        let data_dir = app.path().app_data_dir()?;
        std::fs::create_dir_all(&data_dir)?;
        crate::logging::init(&app.path().app_log_dir()?)?;
        tracing::info!(data_dir = %data_dir.display(), "Canopy starting");
        let keychain: Arc<dyn SecretStore> = Arc::new(KeychainStore::default());
        let probed = Arc::new(OnceLock::new());
        let (slot, probing, announcing) = (probed.clone(), keychain.clone(), app.clone());
        tauri::async_runtime::spawn_blocking(move || {
            let result = secret_stores::probe(probing.as_ref());
            if let Err(error) = &result {
                tracing::error!(code = ?error.code, "keychain check failed: {}", error.message);
            }
            let _ = slot.set(result);
            crate::schedule::announce(&announcing, ConsoleEvent::KeychainChecked);
        });
        let state = AppState {
            app: app.clone(),
            desktop: Mutex::new(desktop::read(&data_dir)),
            data_dir,
            keychain,
            probed,
            session: RwLock::new(None),
            syncs_paused: Arc::default(),
            seen: Arc::default(),
            in_tray: AtomicBool::new(false),
        };
        if let Some(choice) = current_choice(&state.data_dir)? {
            tauri::async_runtime::block_on(state.open(&choice))?;
        }
        Ok(state)
    }

    /// Replaces the session with one in `choice`'s mode: a running sync of the old one is asked
    /// to stop at its next page (it resumes there next time) and its schedule stops.
    pub async fn open(&self, choice: &ModeChoice) -> Result<(), Error> {
        if let Some(old) = self.take_session() {
            old.console.cancel_sync(None).await?;
        }
        let (endpoints, sandbox) = match choice.mode {
            ConsoleMode::Real => (Endpoints::real(&choice.real, self.keychain.as_ref())?, None),
            ConsoleMode::Sandbox => {
                let sandbox = canopy_sandbox::start(SandboxConfig::default(), 0)
                    .await
                    .map_err(|e| Error::internal(format!("The sandbox could not start: {e}")))?;
                let endpoints = Endpoints::sandbox(
                    sandbox.posabit_base_url(),
                    Secret::new(sandbox.config().integrator_token.clone()),
                    sandbox.greenbits_base_url(),
                    sandbox.sms_base_url(),
                );
                (endpoints, Some(sandbox))
            }
        };
        let console = Console::open(&self.data_dir, self.keychain.clone(), &endpoints)?;
        let recovering = console.clone();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(error) = recovering.recover() {
                tracing::error!(code = ?error.code, "recovery failed: {}", error.message);
            }
        });
        let schedule =
            crate::schedule::start(self.app.clone(), console.clone(), self.syncs_paused.clone());
        self.seen.forget();
        let (app, baseline, seen) = (self.app.clone(), console.clone(), self.seen.clone());
        tauri::async_runtime::spawn(async move { notices::look(&app, &baseline, &seen).await });
        tracing::info!(mode = %choice.mode, "session opened");
        let session = Session {
            console,
            mode: choice.mode,
            sandbox,
            posabit_url: endpoints.posabit_url,
            schedule,
        };
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(session));
        Ok(())
    }

    fn take_session(&self) -> Option<Arc<Session>> {
        self.session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn session(&self) -> Option<Arc<Session>> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The console of the mode in use, or an error asking the user to choose one.
    pub fn console(&self) -> Result<Console, Error> {
        self.session()
            .map(|session| session.console.clone())
            .ok_or_else(|| {
                Error::new(ErrorCode::Conflict, "Canopy has no data source yet.")
                    .with_hint("Choose Explore with the sandbox or Connect my POS first.")
            })
    }

    /// The flag the tray's *Pause syncing* sets.
    pub fn syncs_paused(&self) -> &AtomicBool {
        &self.syncs_paused
    }

    /// What the desktop notifications last saw of the bell.
    pub fn seen_notifications(&self) -> Arc<SeenNotifications> {
        self.seen.clone()
    }

    /// The desktop preferences.
    pub fn desktop_preferences(&self) -> DesktopPreferences {
        *self.desktop.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps new desktop preferences.
    pub fn set_desktop_preferences(&self, preferences: DesktopPreferences) -> Result<(), Error> {
        desktop::save(&self.data_dir, preferences)?;
        *self.desktop.lock().unwrap_or_else(PoisonError::into_inner) = preferences;
        Ok(())
    }

    /// Records that the tray icon is up.
    pub fn set_in_tray(&self) {
        self.in_tray.store(true, Ordering::SeqCst);
    }

    /// Whether closing the window should leave Canopy running in the tray.
    pub fn closing_keeps_running(&self) -> bool {
        self.in_tray.load(Ordering::SeqCst) && self.desktop_preferences().keep_running_in_tray
    }

    /// The data folder.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The keychain.
    pub fn keychain(&self) -> &dyn SecretStore {
        self.keychain.as_ref()
    }

    /// The key of a sandbox venue, for adding it without the key crossing to the UI.
    pub fn sandbox_key(&self, venue_id: u64) -> Option<Secret> {
        let session = self.session()?;
        let sandbox = session.sandbox.as_ref()?;
        let venue = sandbox.config().venues.iter().find(|v| v.id == venue_id)?;
        Some(Secret::new(venue.token.clone()))
    }

    /// What the shell shows: the mode, keychain health, where data lives.
    pub fn status(&self) -> AppStatus {
        let session = self.session();
        let sandbox_stores = session
            .iter()
            .flat_map(|s| s.sandbox.iter())
            .flat_map(|s| s.config().venues.iter())
            .map(|venue| {
                let granted: Vec<&str> = venue.permissions.iter().map(|p| p.wire_name()).collect();
                SandboxStore::new(venue.id, &venue.name, &venue.state, &granted)
            })
            .collect();
        AppStatus {
            mode: session.as_ref().map(|s| s.mode),
            mode_set_by_environment: environment_names_real_pos(),
            sandbox: session.as_ref().is_some_and(|s| s.sandbox.is_some()),
            posabit_url: session
                .as_ref()
                .map(|s| s.posabit_url.clone())
                .unwrap_or_default(),
            keychain_error: self.probed.get().and_then(|r| r.clone().err()),
            data_dir: self.data_dir.display().to_string(),
            sandbox_stores,
        }
    }
}
