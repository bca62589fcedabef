//! The local SQLite database: one file, one writer, read-only connections for queries.
//!
//! Settings on every connection: WAL journal, `synchronous=NORMAL`, foreign keys on, a busy timeout.
//! The log is checkpointed off the writer's path (see [`checkpoint`]).
//! Every write runs in a `BEGIN IMMEDIATE` transaction on the single writer connection, so writers
//! never deadlock on lock upgrades. Calls block; async callers use [`Database::write_async`] and
//! [`Database::read_async`], which move the work to Tokio's blocking pool.

mod checkpoint;
mod migrations;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use migrations::{migrate, schema_version, MIGRATIONS};

use crate::base::error::Result;

/// How long a connection waits for a lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How many idle read connections are kept open.
const MAX_IDLE_READERS: usize = 4;

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    checkpointer: checkpoint::Checkpointer,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    // A sync page runs some twenty distinct statements per record; keep them all prepared.
    connection.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Copies the database at schema `version` to `<file>.v<version>.bak` (a consistent copy, WAL
/// included) before it is upgraded; returns the copy's path.
fn copy_before_upgrade(connection: &Connection, path: &Path, version: usize) -> Result<PathBuf> {
    let copy = PathBuf::from(format!("{}.v{version}.bak", path.display()));
    // A copy left by an earlier failed upgrade is of the same version: take a fresh one.
    if copy.exists() {
        std::fs::remove_file(&copy).map_err(|e| {
            crate::base::error::Error::internal(format!(
                "Could not replace {}: {e}",
                copy.display()
            ))
        })?;
    }
    connection.execute("VACUUM INTO ?1", [copy.display().to_string()])?;
    tracing::info!(copy = %copy.display(), version, "database copied before its upgrade");
    Ok(copy)
}

/// The error for a file SQLite cannot read as a database: damaged, or not Canopy's.
fn not_canopys(path: &Path, error: rusqlite::Error) -> crate::base::error::Error {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => crate::base::error::Error::internal(format!(
            "The database file {} is damaged or is not Canopy's.",
            path.display()
        ))
        .with_hint(
            "Move that file out of the data folder and start Canopy again: POS data syncs again from the POS. Keep the file for support — signups and consent history live only in it.",
        ),
        _ => error.into(),
    }
}

impl Database {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date. Before
    /// an upgrade it copies the file beside it (`<file>.v<old version>.bak`), kept when the
    /// upgrade fails and removed once the new version has opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Database::open_with(path.as_ref(), MIGRATIONS)
    }

    /// [`Database::open`] with a given list of migrations (tests give one that fails).
    fn open_with(path: &Path, migrations: &[&str]) -> Result<Self> {
        let path = path.to_path_buf();
        let mut writer = Connection::open(&path)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| not_canopys(&path, e))?;
        // 32 MiB of page cache for the writer: bounded, whatever the size of the data.
        writer.pragma_update(None, "cache_size", -32_000)?;
        // A log that grew during a long sync is cut back to 64 MiB once it restarts.
        writer.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        configure(&writer)?;
        migrations::register_functions(&writer)?;
        let from = schema_version(&writer)?;
        let copy = (from > 0 && from < migrations.len())
            .then(|| copy_before_upgrade(&writer, &path, from))
            .transpose()?;
        if let Err(mut error) = migrations::migrate_with(&mut writer, migrations) {
            if let Some(copy) = &copy {
                let hint = error.hint.take().unwrap_or_default();
                error.hint = Some(format!(
                    "{hint} A copy from before the upgrade is kept at {}.",
                    copy.display()
                ));
            }
            return Err(error);
        }
        if let Some(copy) = copy {
            if let Err(e) = std::fs::remove_file(&copy) {
                tracing::warn!("could not remove {}: {e}", copy.display());
            }
        }
        checkpoint::watch(&writer);
        Ok(Database {
            inner: Arc::new(Inner {
                checkpointer: checkpoint::Checkpointer::new(&path),
                path,
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` in an IMMEDIATE transaction on the writer, committing when it returns `Ok`.
    pub fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut writer = lock(&self.inner.writer);
        let transaction = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        if self.inner.checkpointer.after_commit() == checkpoint::AfterCommit::CheckpointHere {
            if let Err(e) = checkpoint::passive(&writer) {
                tracing::warn!("checkpoint failed: {e}");
            }
        }
        drop(writer);
        Ok(value)
    }

    /// Runs `work` on a read-only connection.
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = lock(&self.inner.readers).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.inner.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&connection)?;
                connection
            }
        };
        let value = work(&connection);
        let mut readers = lock(&self.inner.readers);
        if readers.len() < MAX_IDLE_READERS {
            readers.push(connection);
        }
        value
    }

    /// [`Database::write`] on Tokio's blocking pool.
    pub async fn write_async<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write(work)).await?
    }

    /// [`Database::read`] on Tokio's blocking pool.
    pub async fn read_async<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read(work)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_hold_on_writer_and_readers() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("canopy.db")).unwrap();
        let journal: String = db
            .write(|tx| Ok(tx.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(journal, "wal");
        let (foreign_keys, timeout): (i64, i64) = db
            .read(|c| {
                Ok((
                    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                    c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((foreign_keys, timeout), (1, 5000));
    }

    #[test]
    fn a_failed_upgrade_keeps_a_copy_from_before_it_and_a_good_one_removes_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("real.db");
        let older = &MIGRATIONS[..MIGRATIONS.len() - 1];
        let db = Database::open_with(&path, older).unwrap();
        db.write(|tx| crate::storage::app_settings::put(tx, "kept", Some("yes")))
            .unwrap();
        drop(db);
        let copy = dir.path().join(format!("real.db.v{}.bak", older.len()));

        let last = format!(
            "{}\nINSERT INTO no_such_table VALUES (1);",
            MIGRATIONS[MIGRATIONS.len() - 1]
        );
        let mut broken = older.to_vec();
        broken.push(&last);
        let Err(refused) = Database::open_with(&path, &broken) else {
            panic!("a failing upgrade opened");
        };
        let hint = refused.hint.unwrap_or_default();
        assert!(hint.contains(&copy.display().to_string()), "{hint}");
        let kept = Connection::open(&copy).unwrap();
        assert_eq!(schema_version(&kept).unwrap(), older.len());
        let value: String = kept
            .query_row(
                "SELECT value FROM app_settings WHERE key = 'kept'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(value, "yes", "the copy holds the data");
        drop(kept);

        let db = Database::open(&path).unwrap();
        assert_eq!(db.read(schema_version).unwrap(), MIGRATIONS.len());
        assert!(!copy.exists(), "the copy goes once the new version opens");
        let value = db
            .read(|c| crate::storage::app_settings::get(c, "kept"))
            .unwrap();
        assert_eq!(value.as_deref(), Some("yes"));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named_with_what_to_do_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("canopy.db");
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &garbage).unwrap();
        let Err(refused) = Database::open(&path) else {
            panic!("a damaged file opened");
        };
        assert!(
            refused.message.ends_with("is damaged or is not Canopy's."),
            "{}",
            refused.message
        );
        assert!(refused
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("Move that file")));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            garbage,
            "the file is not touched"
        );
    }

    #[test]
    fn readers_cannot_write_and_failed_writes_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("canopy.db")).unwrap();
        let refused = db.read(|c| Ok(c.execute("CREATE TABLE x (a)", [])?));
        assert!(refused.is_err());
        let failed: Result<()> = db.write(|tx| {
            tx.execute(
                "INSERT INTO app_settings (key, value) VALUES ('k', 'v')",
                [],
            )?;
            Err(crate::Error::internal("boom"))
        });
        assert!(failed.is_err());
        let left: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM app_settings", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(left, 0);
    }
}
