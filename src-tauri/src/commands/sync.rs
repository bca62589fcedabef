//! Commands of syncing: Sync now with progress, cancel, the history and health views, the schedule.

use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::console::events::ConsoleEvent;
use canopy_core::sources::sync::history::{IntegrationHealth, RejectedRecord, SyncRunRow};
use canopy_core::sources::sync::Trigger;
use canopy_core::sources::sync::{SyncProgress, SyncSummary};
use canopy_core::Error;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::state::AppState;

/// Sync now: every credential of the integration (or one), progress streamed to `on_progress`.
#[tauri::command]
pub async fn sync_integration(
    app: AppHandle,
    state: State<'_, AppState>,
    integration: Integration,
    credential_id: Option<String>,
    on_progress: Channel<SyncProgress>,
) -> Result<Vec<SyncSummary>, Error> {
    let sink = Arc::new(move |progress: SyncProgress| {
        let _ = on_progress.send(progress);
    });
    let summaries = state
        .console()?
        .sync(
            integration,
            credential_id.as_deref(),
            Trigger::Manual,
            Some(sink),
        )
        .await?;
    crate::schedule::announce(
        &app,
        ConsoleEvent::SyncFinished {
            integration,
            trigger: Trigger::Manual,
            failed: summaries.iter().any(|s| s.error.is_some()),
        },
    );
    Ok(summaries)
}

/// Asks the running syncs of an integration (all, without one) to stop at the next page.
#[tauri::command]
pub async fn cancel_sync(
    state: State<'_, AppState>,
    integration: Option<Integration>,
) -> Result<usize, Error> {
    state.console()?.cancel_sync(integration).await
}

/// Makes the next sync of an integration read its lists whole rather than only their changed
/// tails; returns how many lists will be.
#[tauri::command]
pub async fn read_whole_lists_next_sync(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<usize, Error> {
    state
        .console()?
        .read_whole_lists_next_sync(integration)
        .await
}

/// The most requests a second Canopy sends one credential of an integration.
#[tauri::command]
pub async fn pace_ceiling(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<u32, Error> {
    state.console()?.pace_ceiling(integration).await
}

/// Sets the most requests a second Canopy sends one credential of an integration (1–100).
#[tauri::command]
pub async fn set_pace_ceiling(
    state: State<'_, AppState>,
    integration: Integration,
    per_second: u32,
) -> Result<u32, Error> {
    state
        .console()?
        .set_pace_ceiling(integration, per_second)
        .await
}

/// The most recent sync runs, newest first; only those with a problem when `only_problems`.
#[tauri::command]
pub async fn sync_history(
    state: State<'_, AppState>,
    limit: u32,
    only_problems: Option<bool>,
) -> Result<Vec<SyncRunRow>, Error> {
    state
        .console()?
        .sync_history(limit, only_problems.unwrap_or(false))
        .await
}

/// The records a run skipped, and why.
#[tauri::command]
pub async fn rejected_records(
    state: State<'_, AppState>,
    run_id: i64,
) -> Result<Vec<RejectedRecord>, Error> {
    state.console()?.rejected_records(run_id).await
}

/// Each integration's health per store.
#[tauri::command]
pub async fn sync_health(state: State<'_, AppState>) -> Result<Vec<IntegrationHealth>, Error> {
    state.console()?.sync_health().await
}

/// Minutes between scheduled syncs (0: off).
#[tauri::command]
pub async fn sync_interval(state: State<'_, AppState>) -> Result<u32, Error> {
    state.console()?.sync_interval().await
}

/// Sets the minutes between scheduled syncs (0: off).
#[tauri::command]
pub async fn set_sync_interval(state: State<'_, AppState>, minutes: u32) -> Result<u32, Error> {
    state.console()?.set_sync_interval(minutes).await
}
