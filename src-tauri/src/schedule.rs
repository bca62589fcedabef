//! The background schedule in the app: the core's [`Scheduler`] on the system clock, its events
//! passed on to the UI.

use std::sync::Arc;

use canopy_core::base::clock::SystemClock;
use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::scheduler::Scheduler;
use canopy_core::console::Console;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};

/// The UI's event name for [`ConsoleEvent`]s.
pub const EVENT: &str = "console-event";

/// Sends a background event to the UI.
pub fn announce(app: &AppHandle, event: ConsoleEvent) {
    if let Err(error) = app.emit(EVENT, &event) {
        tracing::warn!(%error, "could not tell the UI about {event:?}");
    }
}

/// Starts the schedule of `console`; it runs until the handle is aborted.
pub fn start(app: AppHandle, console: Console) -> JoinHandle<()> {
    let scheduler = Scheduler::new(console, Arc::new(SystemClock));
    tauri::async_runtime::spawn(scheduler.run_forever(move |event| announce(&app, event)))
}
