//! The window's Help menu: the version, and the folders support asks for (logs, data).

use tauri::menu::{Menu, MenuItem, Submenu};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;

const OPEN_LOGS: &str = "help-open-logs";
const OPEN_DATA: &str = "help-open-data";

/// The menu bar with its Help menu.
pub fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let version = MenuItem::with_id(
        app,
        "help-version",
        format!("Canopy {}", app.package_info().version),
        false,
        None::<&str>,
    )?;
    let logs = MenuItem::with_id(app, OPEN_LOGS, "Open logs folder", true, None::<&str>)?;
    let data = MenuItem::with_id(app, OPEN_DATA, "Open data folder", true, None::<&str>)?;
    let help = Submenu::with_items(app, "Help", true, &[&version, &logs, &data])?;
    Menu::with_items(app, &[&help])
}

/// Handles a Help menu item; other ids are ignored.
pub fn on_menu_event(app: &AppHandle, id: &str) {
    let folder = match id {
        OPEN_LOGS => app.path().app_log_dir(),
        OPEN_DATA => app.path().app_data_dir(),
        _ => return,
    };
    let opened = folder.map_err(|e| e.to_string()).and_then(|path| {
        app.opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| e.to_string())
    });
    if let Err(error) = opened {
        tracing::warn!(%error, "could not open the folder");
    }
}
