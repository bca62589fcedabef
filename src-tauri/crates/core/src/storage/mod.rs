//! Where Canopy keeps things: the SQLite database and its migrations, the keychain for secrets,
//! the key-value app settings, the sync cursors, and locks shared across processes.

pub mod app_settings;
pub mod audit_log;
pub mod cursors;
pub mod db;
pub mod keychain;
pub mod process_lock;
pub mod whole_file;
