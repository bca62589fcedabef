//! When Canopy cannot start (the keychain, the database or its migration): a window that says what
//! happened and what to do, instead of an exit nobody sees.

use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// The title of the window, also what the tests look for.
pub const TITLE: &str = "Canopy could not start";

/// Logs `error`, hides the main window and shows the error with what to do; Canopy quits when the
/// window is closed.
pub fn show(app: &AppHandle, error: &(dyn std::error::Error + 'static)) {
    let (message, hint) = match error.downcast_ref::<canopy_core::Error>() {
        Some(error) => (error.message.clone(), error.hint.clone()),
        None => (error.to_string(), None),
    };
    tracing::error!("Canopy could not start: {message}");
    let folder = |path: tauri::Result<std::path::PathBuf>| {
        path.map_or_else(|_| "unknown".to_string(), |p| p.display().to_string())
    };
    let text = format!(
        "{message}\n\n{}\n\nData folder: {}\nLogs: {}",
        hint.unwrap_or_else(|| {
            "Try starting Canopy again. If it keeps failing, send the log file to support.".into()
        }),
        folder(app.path().app_data_dir()),
        folder(app.path().app_log_dir()),
    );
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.hide();
    }
    let quitting = app.clone();
    app.dialog()
        .message(text)
        .title(TITLE)
        .kind(MessageDialogKind::Error)
        .buttons(MessageDialogButtons::Ok)
        .show(move |_| quitting.exit(1));
}
