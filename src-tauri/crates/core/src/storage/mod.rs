//! Where Canopy keeps things: the SQLite database and its migrations, the keychain for secrets,
//! the key-value app settings and the sync cursors.

pub mod app_settings;
pub mod cursors;
pub mod db;
pub mod keychain;
