//! The `app_settings` key–value table: the console's own settings (never a secret).

use rusqlite::{params, Connection, OptionalExtension};

use crate::base::error::Result;

/// The value stored under `key`, if any.
pub fn get(connection: &Connection, key: &str) -> Result<Option<String>> {
    Ok(connection
        .query_row(
            "SELECT value FROM app_settings WHERE key = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Stores `value` under `key` (`None` removes it).
pub fn put(connection: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => connection.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => connection.execute("DELETE FROM app_settings WHERE key = ?1", [key])?,
    };
    Ok(())
}
