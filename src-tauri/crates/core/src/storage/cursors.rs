//! Sync cursors: where each stream (or closing pass) of a credential got to, in `sync_cursors`.

use rusqlite::{params, OptionalExtension};

use crate::base::error::Result;
use crate::storage::db::Database;

/// The stored cursor of a credential's stream.
pub async fn read_cursor(
    db: &Database,
    credential_id: &str,
    cursor_key: &str,
) -> Result<Option<String>> {
    let (id, key) = (credential_id.to_string(), cursor_key.to_string());
    db.read_async(move |c| cursor(c, &id, &key)).await
}

/// The stored cursor of a credential's stream, read on `connection`.
pub fn cursor(
    connection: &rusqlite::Connection,
    credential_id: &str,
    cursor_key: &str,
) -> Result<Option<String>> {
    Ok(connection
        .query_row(
            "SELECT cursor FROM sync_cursors WHERE credential_id = ?1 AND stream = ?2",
            params![credential_id, cursor_key],
            |row| row.get(0),
        )
        .optional()?)
}

/// Stores a credential's cursor for a pass that is not a stream (its value replaces the old one).
pub fn put_cursor(
    tx: &rusqlite::Transaction<'_>,
    credential_id: &str,
    cursor_key: &str,
    value: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_cursors (credential_id, stream, cursor) VALUES (?1, ?2, ?3)
         ON CONFLICT (credential_id, stream) DO UPDATE SET cursor = excluded.cursor",
        params![credential_id, cursor_key, value],
    )?;
    Ok(())
}
