//! Commands of the shell itself.

use canopy_core::app::AppStatus;
use canopy_core::notifications::Notification;
use tauri::State;

use crate::state::AppState;

/// Sandbox or real POS, keychain health and the data directory.
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, canopy_core::Error> {
    Ok(state.status())
}

/// The notifications bell: everything the user should act on, newest first.
#[tauri::command]
pub async fn list_notifications(
    state: State<'_, AppState>,
) -> Result<Vec<Notification>, canopy_core::Error> {
    state.console.notifications().await
}
