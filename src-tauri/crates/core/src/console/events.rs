//! The events the console's front ends pass on to the UI when background work changes what it
//! shows (the shell sends them as `console-event`).

use serde::Serialize;
use ts_rs::TS;

use crate::base::pos_kind::Integration;
use crate::integrations::notifications::NotificationKind;
use crate::sources::sync::Trigger;

/// Something that happened in the background, sent to the UI as the `console-event` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleEvent {
    /// A sync of an integration ended (notifications, history and health may have changed).
    SyncFinished {
        /// The integration.
        integration: Integration,
        /// What started it.
        trigger: Trigger,
        /// Whether any stream stopped with an error.
        failed: bool,
    },
    /// The user clicked a desktop notification: the UI opens the page with its fix.
    NotificationOpened {
        /// What the notification was about.
        kind: NotificationKind,
    },
    /// The start-up keychain probe has answered: the app status (its keychain error) is final.
    KeychainChecked,
    /// A background job changed shoppers: SMS opt-in texts went out or replies came in, or points
    /// expired (personas, their consent and points, the SMS status and the notifications may
    /// have changed).
    ShoppersChanged,
    /// Presenter mode was turned on or off.
    PresenterModeChanged {
        /// Whether it is on now.
        on: bool,
    },
}
