//! Settings → API & Tracking: the values a manager types on the POS side — Canopy's own API key
//! (a secret, kept in the keychain and shown only when revealed), its UID, and each retail store's
//! store ID number.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;
use crate::stores;

/// The keychain entry of Canopy's own API key.
const API_KEY_ENTRY: &str = "canopy-api-key";
/// The `app_settings` key of Canopy's UID (not a secret).
const UID_SETTING: &str = "api_uid";

/// A store's ID number, as the POS's Data field wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreNumber {
    /// The store's name.
    pub name: String,
    /// Its store ID number.
    pub store_number: String,
}

/// What the API & Tracking page shows; the API key itself only through [`reveal_api_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiTracking {
    /// Canopy's UID.
    pub uid: String,
    /// Each retail store's ID number.
    pub stores: Vec<StoreNumber>,
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// Canopy's UID, made on first use.
fn uid(db: &Database) -> Result<String> {
    db.write(|tx| {
        let existing: Option<String> = tx
            .query_row(
                "SELECT value FROM app_settings WHERE key = ?1",
                [UID_SETTING],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(uid) = existing {
            return Ok(uid);
        }
        let uid = random_token("cnpy_uid_");
        tx.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)",
            params![UID_SETTING, uid],
        )?;
        Ok(uid)
    })
}

/// The UID and the store ID numbers.
pub fn api_tracking(db: &Database) -> Result<ApiTracking> {
    let stores = stores::list(db)?
        .into_iter()
        .map(|s| StoreNumber {
            name: s.name,
            store_number: s.store_number,
        })
        .collect();
    Ok(ApiTracking {
        uid: uid(db)?,
        stores,
    })
}

/// Canopy's API key, made and stored in the keychain on first use. Shown only on request.
pub fn reveal_api_key(secrets: &dyn SecretStore) -> Result<Secret> {
    if let Some(key) = secrets.get(API_KEY_ENTRY)? {
        return Ok(key);
    }
    let key = Secret::new(random_token("cnpy_key_"));
    secrets.put(API_KEY_ENTRY, &key)?;
    tracing::info!("Canopy API key created in the keychain");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::keychain::MemorySecretStore;

    #[test]
    fn the_uid_and_the_key_are_made_once_and_the_key_lives_in_the_keychain_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("c.db")).unwrap();
        let first = api_tracking(&db).unwrap();
        assert!(first.uid.starts_with("cnpy_uid_"));
        assert_eq!(api_tracking(&db).unwrap().uid, first.uid);
        let secrets = MemorySecretStore::default();
        let key = reveal_api_key(&secrets).unwrap();
        assert_eq!(reveal_api_key(&secrets).unwrap(), key);
        assert_eq!(secrets.len(), 1);
        let file = std::fs::read(db.path()).unwrap();
        assert!(!file
            .windows(key.expose().len())
            .any(|w| w == key.expose().as_bytes()));
    }
}
