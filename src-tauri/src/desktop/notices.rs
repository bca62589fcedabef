//! Desktop notifications of the bell's changes: after each sync, what it raised (a sync stopped,
//! a store unmapped) and what recovered is shown by the desktop's notification server; clicking
//! one opens the window on the page with the fix.

use std::sync::Mutex;

use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::Console;
use canopy_core::integrations::desktop_notices::{self, DesktopNotice};
use canopy_core::integrations::notifications::Notification;
use tauri::AppHandle;

/// The bell as last seen, so each change is told once.
#[derive(Debug, Default)]
pub struct SeenNotifications(Mutex<Option<Vec<Notification>>>);

impl SeenNotifications {
    /// Replaces what was seen with `now`, answering what changed since (nothing on the first look).
    fn look(&self, now: Vec<Notification>) -> Vec<DesktopNotice> {
        let mut seen = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changes = seen
            .as_deref()
            .map(|before| desktop_notices::changes(before, &now))
            .unwrap_or_default();
        *seen = Some(now);
        changes
    }

    /// Forgets what was seen (another mode's bell comes next).
    pub fn forget(&self) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// Looks at the bell of `console` and shows a desktop notification for each change since the
/// last look.
pub async fn look(app: &AppHandle, console: &Console, seen: &SeenNotifications) {
    match console.notifications().await {
        Ok(now) => {
            for notice in seen.look(now) {
                show(app, notice);
            }
        }
        Err(error) => tracing::warn!("could not read the notifications: {}", error.message),
    }
}

/// Shows `notice`; a click opens the page with its fix. A desktop without a notification server
/// is logged (the bell still has it).
fn show(app: &AppHandle, notice: DesktopNotice) {
    let app = app.clone();
    std::thread::spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname("Canopy")
            .summary(&notice.title)
            .body(&notice.body)
            .icon("canopy")
            .action("default", "Open")
            .show();
        match shown {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    super::open_window(&app);
                    crate::schedule::announce(
                        &app,
                        ConsoleEvent::NotificationOpened { kind: notice.about },
                    );
                }
            }),
            Err(error) => tracing::warn!(%error, "no desktop notification server"),
        }
    });
}
