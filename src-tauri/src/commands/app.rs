//! Commands of the shell itself.

use canopy_core::app::AppStatus;
use tauri::State;

use crate::state::AppState;

/// Sandbox or real POS, keychain health and the data directory.
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, canopy_core::Error> {
    Ok(state.status())
}
