//! Commands of the app's life outside its window: keep running in the tray, start at login.

use canopy_core::config::desktop::DesktopPreferences;
use canopy_core::Error;
use tauri::State;
use tauri_plugin_autostart::ManagerExt;

use crate::state::AppState;

/// The desktop preferences.
#[tauri::command]
pub async fn desktop_preferences(state: State<'_, AppState>) -> Result<DesktopPreferences, Error> {
    Ok(state.desktop_preferences())
}

/// Keeps the desktop preferences and applies *start at login* to the desktop's autostart.
#[tauri::command]
pub async fn save_desktop_preferences(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    preferences: DesktopPreferences,
) -> Result<DesktopPreferences, Error> {
    let autostart = app.autolaunch();
    let applied = if preferences.start_at_login {
        autostart.enable()
    } else {
        autostart.disable()
    };
    // Disabling what was never enabled is not a failure.
    if let Err(error) = applied {
        if preferences.start_at_login || autostart.is_enabled().unwrap_or(true) {
            return Err(Error::internal(format!(
                "Could not change starting at login: {error}"
            )));
        }
    }
    state.set_desktop_preferences(preferences)?;
    Ok(preferences)
}
