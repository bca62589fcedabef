//! The tray icon and its menu: Open, Sync now, Pause syncing, Quit. With it, closing the window
//! keeps Canopy running (when the user's preference says so) and its schedule syncing.

use std::sync::atomic::Ordering;

use canopy_core::console::events::ConsoleEvent;
use canopy_core::sources::sync::Trigger;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::state::AppState;

const OPEN: &str = "tray-open";
const SYNC_NOW: &str = "tray-sync-now";
const PAUSE: &str = "tray-pause";
const QUIT: &str = "tray-quit";

/// Puts Canopy in the tray. Fails where the desktop has no tray; the window then closes as usual.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Canopy", true, None::<&str>)?;
    let sync_now = MenuItem::with_id(app, SYNC_NOW, "Sync now", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, PAUSE, "Pause syncing", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &sync_now, &pause, &separator, &quit])?;
    let mut tray = TrayIconBuilder::with_id("canopy")
        .tooltip("Canopy")
        .menu(&menu)
        .show_menu_on_left_click(true);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Handles a tray menu item; returns false for other ids.
pub fn on_menu_event(app: &AppHandle, id: &str) -> bool {
    match id {
        OPEN => super::open_window(app),
        SYNC_NOW => sync_now(app),
        PAUSE => {
            if let Some(state) = app.try_state::<AppState>() {
                let paused = !state.syncs_paused().load(Ordering::SeqCst);
                state.syncs_paused().store(paused, Ordering::SeqCst);
                tracing::info!(paused, "scheduled syncs paused from the tray");
            }
        }
        QUIT => app.exit(0),
        _ => return false,
    }
    true
}

/// Syncs every connected integration now, as the window's Sync now does.
fn sync_now(app: &AppHandle) {
    let Some(console) = app.try_state::<AppState>().and_then(|s| s.console().ok()) else {
        super::open_window(app);
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        for (integration, result) in console.sync_connected(Trigger::Manual).await {
            let failed = result.as_ref().map_or(true, |summaries| {
                summaries.iter().any(|summary| summary.error.is_some())
            });
            crate::schedule::announce(
                &app,
                ConsoleEvent::SyncFinished {
                    integration,
                    trigger: Trigger::Manual,
                    failed,
                },
            );
        }
    });
}
