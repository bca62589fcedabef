//! Locks shared across processes (the app, `canopy-cli sync`, `canopy-cli service`): a file beside
//! the database, locked while some work runs and released by the operating system when the
//! process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::base::error::{Error, Result};

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct ProcessLock {
    /// The locked file.
    _file: File,
}

impl ProcessLock {
    /// The file of the lock named `name` beside the database at `db_path`.
    pub fn path(db_path: &Path, name: &str) -> PathBuf {
        let mut path = db_path.as_os_str().to_owned();
        path.push(format!(".{name}.lock"));
        PathBuf::from(path)
    }

    /// Takes the lock named `name` of the database at `db_path`; `None` while another process (or
    /// another holder in this one) has it.
    pub fn try_acquire(db_path: &Path, name: &str) -> Result<Option<Self>> {
        let path = Self::path(db_path, name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                Error::internal(format!("Could not open the lock {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ProcessLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(Error::internal(format!(
                "Could not lock {}: {e}",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_has_one_holder_until_it_is_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("canopy.db");
        let held = ProcessLock::try_acquire(&db, "sync-1")
            .expect("lock")
            .expect("free");
        assert!(ProcessLock::try_acquire(&db, "sync-1")
            .expect("lock")
            .is_none());
        assert!(
            ProcessLock::try_acquire(&db, "sync-2")
                .expect("lock")
                .is_some(),
            "locks are by name"
        );
        drop(held);
        assert!(ProcessLock::try_acquire(&db, "sync-1")
            .expect("lock")
            .is_some());
        assert_eq!(
            ProcessLock::path(&db, "sms"),
            dir.path().join("canopy.db.sms.lock")
        );
    }
}
