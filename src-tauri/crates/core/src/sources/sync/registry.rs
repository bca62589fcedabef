//! One run per credential at a time: the registry of running syncs and their cancel flags.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::base::error::{Error, ErrorCode, Result};

/// The credentials being synced right now.
#[derive(Debug, Default)]
pub struct SyncRegistry {
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

/// A credential's place in the registry; dropping it frees the credential for the next run.
#[derive(Debug)]
pub struct RunSlot {
    registry: Arc<SyncRegistry>,
    credential_id: String,
    cancel: Arc<AtomicBool>,
}

impl RunSlot {
    /// The run's cancel flag.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }
}

impl Drop for RunSlot {
    fn drop(&mut self) {
        self.registry
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.credential_id);
    }
}

impl SyncRegistry {
    /// Claims `credential_id` for a run, or says a run of it is already going.
    pub fn begin(self: &Arc<Self>, credential_id: &str, store_name: &str) -> Result<RunSlot> {
        let cancel = Arc::new(AtomicBool::new(false));
        let claimed = {
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            let free = !running.contains_key(credential_id);
            if free {
                running.insert(credential_id.to_string(), cancel.clone());
            }
            free
        };
        if !claimed {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("“{store_name}” is already syncing."),
            )
            .with_hint("Wait for it to finish, or cancel it first."));
        }
        Ok(RunSlot {
            registry: self.clone(),
            credential_id: credential_id.to_string(),
            cancel,
        })
    }

    /// Asks the runs of the given credentials (all, with `None`) to stop at the next page boundary;
    /// returns how many were running.
    pub fn cancel(&self, credential_ids: Option<&[String]>) -> usize {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running
            .iter()
            .filter(|(id, _)| credential_ids.is_none_or(|ids| ids.contains(id)))
            .inspect(|(_, flag)| flag.store(true, Ordering::SeqCst))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_runs_once_at_a_time_and_is_freed_when_its_run_ends() {
        let registry = Arc::new(SyncRegistry::default());
        let slot = registry.begin("c1", "Main St").unwrap();
        assert_eq!(
            registry.begin("c1", "Main St").unwrap_err().code,
            ErrorCode::Conflict
        );
        let other = registry.begin("c2", "Elm St").unwrap();
        assert_eq!(registry.cancel(Some(&["c1".to_string()])), 1);
        assert!(slot.cancel_flag().load(Ordering::SeqCst));
        assert!(!other.cancel_flag().load(Ordering::SeqCst));
        drop(slot);
        assert!(registry.begin("c1", "Main St").is_ok());
    }
}
