//! Where secrets live: the OS keychain, behind the [`SecretStore`] trait.
//!
//! Production uses [`KeychainStore`] (macOS Keychain, Windows Credential Manager, Secret Service on
//! Linux, chosen by the `keyring` crate's explicit platform features). There is never a plaintext
//! fallback: when no keychain answers, every call fails with `keychain_unavailable`.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::secret::Secret;

/// A place to keep secrets by name.
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) the secret under `name`.
    fn put(&self, name: &str, secret: &Secret) -> Result<()>;
    /// The secret under `name`, or `None` when there is none.
    fn get(&self, name: &str) -> Result<Option<Secret>>;
    /// Removes the secret under `name`; removing a missing one is not an error.
    fn delete(&self, name: &str) -> Result<()>;
}

/// The keychain service name Canopy's entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "dev.canopy.console";

/// The OS keychain through the `keyring` crate.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// A store filing entries under `service` (tests use their own service name).
    pub fn new(service: impl Into<String>) -> Self {
        KeychainStore {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(keychain_error)
    }
}

impl Default for KeychainStore {
    fn default() -> Self {
        KeychainStore::new(KEYCHAIN_SERVICE)
    }
}

/// The error the user sees when no keychain answers.
pub fn keychain_unavailable(detail: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::KeychainUnavailable,
        format!("The system keychain is not available ({detail})."),
    )
    .with_hint(
        "Canopy keeps keys only in the system keychain. Unlock it (on Linux: start and unlock \
         gnome-keyring or another Secret Service), then try again.",
    )
}

fn keychain_error(error: keyring::Error) -> Error {
    match error {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            keychain_unavailable(inner)
        }
        other => Error::internal(format!("The system keychain refused the request: {other}")),
    }
}

impl SecretStore for KeychainStore {
    fn put(&self, name: &str, secret: &Secret) -> Result<()> {
        self.entry(name)?
            .set_password(secret.expose())
            .map_err(keychain_error)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keychain_error(error)),
        }
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(keychain_error(error)),
        }
    }
}

/// The name of the entry [`probe`] writes and removes.
const PROBE_ENTRY: &str = "canopy-startup-probe";

/// Checks at start-up that the store can write, read back and delete an entry.
pub fn probe(store: &dyn SecretStore) -> Result<()> {
    let marker = Secret::new(format!("probe-{}", uuid::Uuid::new_v4()));
    store.put(PROBE_ENTRY, &marker)?;
    let read = store.get(PROBE_ENTRY)?;
    store.delete(PROBE_ENTRY)?;
    if read.as_ref() == Some(&marker) {
        Ok(())
    } else {
        Err(keychain_unavailable(
            "an entry written to it could not be read back",
        ))
    }
}

/// An in-memory store for unit tests of logic; never used by the app.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    entries: Mutex<HashMap<String, Secret>>,
}

impl MemorySecretStore {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many secrets the store holds.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the store holds no secret.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }
}

impl SecretStore for MemorySecretStore {
    fn put(&self, name: &str, secret: &Secret) -> Result<()> {
        self.entries().insert(name.to_string(), secret.clone());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        Ok(self.entries().get(name).cloned())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.entries().remove(name);
        Ok(())
    }
}
