//! The background sync schedule: every minute, if the configured interval has passed since the last
//! scheduled run, sync every connected integration; tell the UI when anything finished.

use std::time::Duration;

use canopy_core::app::Console;
use canopy_core::schedule::ConsoleEvent;
use tauri::{AppHandle, Emitter};

/// The UI's event name for [`ConsoleEvent`]s.
pub const EVENT: &str = "console-event";

/// Sends a background event to the UI.
pub fn announce(app: &AppHandle, event: ConsoleEvent) {
    if let Err(error) = app.emit(EVENT, &event) {
        tracing::warn!(%error, "could not tell the UI about {event:?}");
    }
}

/// Starts the schedule loop for the app's lifetime.
pub fn start(app: AppHandle, console: Console) {
    tauri::async_runtime::spawn(async move {
        let mut waited_minutes = 0u32;
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            waited_minutes += 1;
            let interval = match console.sync_interval().await {
                Ok(minutes) => minutes,
                Err(error) => {
                    tracing::warn!("could not read the sync schedule: {}", error.message);
                    continue;
                }
            };
            if interval == 0 || waited_minutes < interval {
                continue;
            }
            waited_minutes = 0;
            for (integration, result) in console.scheduled_sync().await {
                let failed = match &result {
                    Ok(summaries) => summaries.iter().any(|s| s.error.is_some()),
                    Err(error) => {
                        tracing::warn!(
                            ?integration,
                            "scheduled sync did not run: {}",
                            error.message
                        );
                        true
                    }
                };
                announce(
                    &app,
                    ConsoleEvent::SyncFinished {
                        integration,
                        trigger: "schedule".into(),
                        failed,
                    },
                );
            }
        }
    });
}
