//! Commands of the shell itself.

use canopy_core::console::AppStatus;
use canopy_core::integrations::notifications::Notification;
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
    state.console()?.notifications().await
}

/// Settings → API & Tracking: Canopy's UID and each store's ID number (no secret).
#[tauri::command]
pub async fn api_tracking(
    state: State<'_, AppState>,
) -> Result<canopy_core::stores::api_tracking::ApiTracking, canopy_core::Error> {
    state.console()?.api_tracking().await
}

/// Reveals Canopy's own API key: the one secret the UI may show, because the user must type it
/// into the POS. Only on this explicit request, never in any other answer.
#[tauri::command]
pub async fn reveal_api_key(state: State<'_, AppState>) -> Result<String, canopy_core::Error> {
    Ok(state
        .console()?
        .reveal_api_key()
        .await?
        .expose()
        .to_string())
}

/// Whether presenter mode (contact details and secrets masked on screen) is on.
#[tauri::command]
pub async fn presenter_mode(state: State<'_, AppState>) -> Result<bool, canopy_core::Error> {
    state.console()?.presenter_mode().await
}

/// Turns presenter mode on or off; it is remembered between starts, and every window is told.
#[tauri::command]
pub async fn set_presenter_mode(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    on: bool,
) -> Result<bool, canopy_core::Error> {
    let on = state.console()?.set_presenter_mode(on).await?;
    crate::schedule::announce(
        &app,
        canopy_core::console::events::ConsoleEvent::PresenterModeChanged { on },
    );
    Ok(on)
}

/// Writes a UI failure (an error boundary caught a render error) to the app log: the error's
/// message and the component stack, which name code, never a shopper's data.
#[tauri::command]
pub fn log_ui_error(message: String, component_stack: String) {
    tracing::error!(%component_stack, "the UI failed to render: {message}");
}

/// Settings → Loyalty.
#[tauri::command]
pub async fn loyalty_settings(
    state: State<'_, AppState>,
) -> Result<canopy_core::config::loyalty::LoyaltySettings, canopy_core::Error> {
    state.console()?.loyalty_settings().await
}

/// Saves Settings → Loyalty.
#[tauri::command]
pub async fn save_loyalty_settings(
    state: State<'_, AppState>,
    input: canopy_core::config::loyalty::LoyaltySettings,
) -> Result<canopy_core::config::loyalty::LoyaltySettings, canopy_core::Error> {
    state.console()?.save_loyalty_settings(input).await
}
