//! Canopy's product logic, free of any Tauri dependency: the local database, the keychain, the POS
//! clients and the sync engine. The desktop shell and the CLI are thin front ends over [`app::Console`].

pub mod api_tracking;
pub mod app;
pub mod app_settings;
pub mod bindings;
pub mod connection;
pub mod consent;
pub mod credentials;
pub mod db;
pub mod enrollment;
pub mod error;
pub mod expiry;
pub mod export;
pub mod favorites;
pub mod greenbits_credentials;
pub mod identity;
pub mod import;
pub mod ledger;
pub mod loyalty;
pub mod notifications;
pub mod outbox;
pub mod persona_detail;
pub mod personas;
pub mod pos;
pub mod pos_points;
pub mod preferences;
pub mod schedule;
pub mod secret;
pub mod secrets;
pub mod settings;
pub mod signups;
pub mod sms;
pub mod stores;
pub mod sync;

pub use error::{Error, ErrorCode, Result};
pub use secret::Secret;
