//! The shell's notifications: things the user should act on, raised by syncs and cleared by the fix
//! (an unmapped store clears when its key is mapped; a failed sync clears when the next one works).

use chrono::Utc;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::Result;
use crate::storage::db::Database;

/// What a notification is about, and so where its link goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Data arrived from a key mapped to no retail store: fix it in Settings → Retail Stores.
    UnmappedStore,
    /// A credential's sync stopped on an auth or permission failure: fix it on the integration card.
    SyncFailed,
    /// A live reward has no discount of its name in a connected POS: mirror it there.
    RewardMissing,
    /// Redemptions took shoppers below zero points: support looks at their ledgers.
    PointsOverdrawn,
}

impl NotificationKind {
    fn as_str(self) -> &'static str {
        match self {
            NotificationKind::UnmappedStore => "unmapped_store",
            NotificationKind::SyncFailed => "sync_failed",
            NotificationKind::RewardMissing => "reward_missing",
            NotificationKind::PointsOverdrawn => "points_overdrawn",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "unmapped_store" => NotificationKind::UnmappedStore,
            "reward_missing" => NotificationKind::RewardMissing,
            "points_overdrawn" => NotificationKind::PointsOverdrawn,
            _ => NotificationKind::SyncFailed,
        }
    }
}

/// An active notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Notification {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// The thing it is about (a credential id).
    pub subject: String,
    /// One line.
    pub title: String,
    /// What happened and what to do.
    pub body: String,
    /// When it was raised (RFC 3339).
    pub created_at: String,
}

/// Raises a notification, unless the same one is already active.
pub fn raise(
    connection: &Connection,
    kind: NotificationKind,
    subject: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    connection.execute(
        "INSERT INTO notifications (kind, subject, title, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, subject) WHERE cleared_at IS NULL DO UPDATE SET title = excluded.title, body = excluded.body",
        params![kind.as_str(), subject, title, body, Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// Clears the active notification of `kind` about `subject`, if any.
pub fn clear(connection: &Connection, kind: NotificationKind, subject: &str) -> Result<()> {
    connection.execute(
        "UPDATE notifications SET cleared_at = ?3 WHERE kind = ?1 AND subject = ?2 AND cleared_at IS NULL",
        params![kind.as_str(), subject, Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// Clears every active notification about a credential or one of its Greenbits locations.
pub fn clear_credential(connection: &Connection, credential_id: &str) -> Result<()> {
    connection.execute(
        "UPDATE notifications SET cleared_at = ?2
         WHERE (subject = ?1 OR subject LIKE ?1 || ':%') AND cleared_at IS NULL",
        params![credential_id, Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// Every active notification, newest first.
pub fn active(db: &Database) -> Result<Vec<Notification>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT id, kind, subject, title, body, created_at FROM notifications WHERE cleared_at IS NULL ORDER BY created_at DESC, id DESC",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(Notification {
                id: r.get(0)?,
                kind: NotificationKind::parse(&r.get::<_, String>(1)?),
                subject: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}
