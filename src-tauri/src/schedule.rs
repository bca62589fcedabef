//! The background schedule: every minute, if the configured interval has passed since the last
//! scheduled run, sync every connected integration and tell the UI when anything finished; every
//! five minutes, the SMS double opt-in job; every hour, the points expiry job.

use std::time::Duration;

use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::Console;
use tauri::{AppHandle, Emitter};

/// The UI's event name for [`ConsoleEvent`]s.
pub const EVENT: &str = "console-event";

/// Sends a background event to the UI.
pub fn announce(app: &AppHandle, event: ConsoleEvent) {
    if let Err(error) = app.emit(EVENT, &event) {
        tracing::warn!(%error, "could not tell the UI about {event:?}");
    }
}

/// Minutes between runs of the SMS double opt-in job.
const SMS_EVERY_MINUTES: u64 = 5;
/// Minutes between runs of the points expiry job.
const EXPIRY_EVERY_MINUTES: u64 = 60;

/// Starts the loyalty jobs' loop for the app's lifetime; failures are logged and tried next time.
fn start_jobs(console: Console) {
    tauri::async_runtime::spawn(async move {
        let mut minute = 0u64;
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            minute += 1;
            if minute % SMS_EVERY_MINUTES == 0 && console.sms_gateway_configured() {
                match console.run_sms_opt_ins(chrono::Utc::now()).await {
                    Ok(run) => tracing::info!(?run, "SMS opt-in job ran"),
                    Err(error) => tracing::warn!("SMS opt-in job failed: {}", error.message),
                }
            }
            if minute % EXPIRY_EVERY_MINUTES == 0 {
                match console.expire_points(chrono::Utc::now()).await {
                    Ok(run) => tracing::info!(?run, "points expiry ran"),
                    Err(error) => tracing::warn!("points expiry failed: {}", error.message),
                }
            }
        }
    });
}

/// Starts the schedule loops for the app's lifetime.
pub fn start(app: AppHandle, console: Console) {
    start_jobs(console.clone());
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
