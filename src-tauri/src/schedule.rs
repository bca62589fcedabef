//! The background schedule in the app: the core's [`Scheduler`] on the system clock, its events
//! passed on to the UI and, after a sync, to the desktop notifications.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use canopy_core::base::clock::SystemClock;
use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::scheduler::Scheduler;
use canopy_core::console::Console;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};

use crate::desktop::notices;
use crate::state::AppState;

/// The UI's event name for [`ConsoleEvent`]s.
pub const EVENT: &str = "console-event";

/// Sends a background event to the UI; after a sync, the desktop notifications look at the bell.
pub fn announce(app: &AppHandle, event: ConsoleEvent) {
    if let Err(error) = app.emit(EVENT, &event) {
        tracing::warn!(%error, "could not tell the UI about {event:?}");
    }
    if !matches!(event, ConsoleEvent::SyncFinished { .. }) {
        return;
    }
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let (Ok(console), seen) = (state.console(), state.seen_notifications()) else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move { notices::look(&app, &console, &seen).await });
}

/// Starts the schedule of `console`, its syncs skipped while `paused` is set; it runs until the
/// handle is aborted.
pub fn start(app: AppHandle, console: Console, paused: Arc<AtomicBool>) -> JoinHandle<()> {
    let scheduler = Scheduler::new(console, Arc::new(SystemClock)).with_syncs_paused_by(paused);
    tauri::async_runtime::spawn(scheduler.run_forever(move |event| announce(&app, event)))
}
