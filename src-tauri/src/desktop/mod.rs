//! The app's life outside its window: the tray (Open, Sync now, Pause syncing, Quit) that keeps
//! Canopy syncing when the window is closed, the Help menu, desktop notifications of what the
//! bell raises and clears, and starting at login.

pub mod help_menu;
pub mod notices;
pub mod tray;

use tauri::{AppHandle, Manager};

/// Shows, unminimises and focuses the main window.
pub fn open_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Routes a click in any of the app's menus (the tray's or the Help menu) to its action.
pub fn on_menu_event(app: &AppHandle, id: &str) {
    if !tray::on_menu_event(app, id) {
        help_menu::on_menu_event(app, id);
    }
}
