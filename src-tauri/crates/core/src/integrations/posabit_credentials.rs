//! Adding a POSaBIT credential from its card: the Store Name, the pasted venue key and the
//! Relevant market, checked and trimmed; the key verified against POSaBIT (`/v3/info`) before
//! anything is stored; then editing the names and rotating the key of one already added.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::integrations::credentials::{
    conflict, find, name_taken, secret_name, store_with_secret, validate_name_and_market,
    AddedCredential, Credential, NewRow,
};
use crate::pos::posabit::PosabitClient;
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// What the user typed into POSaBIT's Add Credential form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewPosabitCredential {
    /// Store Name.
    pub store_name: String,
    /// Key: the venue token from POSaBIT.
    #[ts(type = "string")]
    pub key: Secret,
    /// Relevant market of credential (optional US state).
    pub market: Option<String>,
}

/// The trimmed, checked form of [`NewPosabitCredential`].
struct ValidInput {
    store_name: String,
    key: Secret,
    market: Option<String>,
    key_was_trimmed: bool,
}

fn validate(input: &NewPosabitCredential) -> Result<ValidInput> {
    let (store_name, market) =
        validate_name_and_market(&input.store_name, input.market.as_deref())?;
    let (key, key_was_trimmed) = validate_key(&input.key)?;
    Ok(ValidInput {
        store_name,
        key,
        market,
        key_was_trimmed,
    })
}

/// The key without stray spaces, and whether any were removed; or why it cannot be a key.
fn validate_key(raw: &Secret) -> Result<(Secret, bool)> {
    let key = raw.expose().trim();
    if key.is_empty() {
        return Err(Error::validation("Key is empty.")
            .with_hint("Paste the API key POSaBIT shows for this store."));
    }
    if key.contains(char::is_whitespace) {
        return Err(Error::validation("Key contains spaces in the middle.")
            .with_hint("Copy the key again from POSaBIT; a key is one word with no spaces."));
    }
    Ok((Secret::new(key), key.len() != raw.expose().len()))
}

/// Verifies a POSaBIT key against the POS and stores it: the row in SQLite, the key in the keychain.
pub async fn add_posabit(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &PosabitClient,
    input: NewPosabitCredential,
) -> Result<AddedCredential> {
    let valid = validate(&input)?;
    let name = valid.store_name.clone();
    if db
        .read_async(move |c| name_taken(c, Integration::Posabit, &name))
        .await?
    {
        return Err(conflict(&valid.store_name));
    }
    let venue = client.venue_info(&valid.key).await?;
    let row = NewRow {
        integration: Integration::Posabit,
        store_name: valid.store_name,
        market: valid.market,
        venue_name: Some(venue.name),
        venue_state: venue.state,
        permissions: venue.permissions,
        username: None,
        associated_email: None,
        locations: Vec::new(),
        medical_patients: false,
    };
    let credential = store_with_secret(db, secrets, row, &valid.key).await?;
    tracing::info!(credential = %credential.id, store = %credential.store_name, "POSaBIT credential added");
    Ok(AddedCredential {
        credential,
        key_was_trimmed: valid.key_was_trimmed,
    })
}

/// Changes what the user named a POSaBIT credential: its Store Name and Relevant market.
pub async fn edit_posabit(
    db: &Database,
    id: &str,
    store_name: &str,
    market: Option<String>,
) -> Result<Credential> {
    let credential = find(db, id)?;
    let (store_name, market) = validate_name_and_market(store_name, market.as_deref())?;
    let row = credential.id.clone();
    let before = format!(
        "{} ({})",
        credential.store_name,
        credential.market.as_deref().unwrap_or("no market")
    );
    db.write_async(move |tx| {
        let clash: Option<String> = tx
            .query_row(
                "SELECT id FROM credentials WHERE integration = 'posabit' AND store_name = ?1 COLLATE NOCASE AND removed_at IS NULL AND id <> ?2",
                params![store_name, row],
                |r| r.get(0),
            )
            .optional()?;
        if clash.is_some() {
            return Err(conflict(&store_name));
        }
        tx.execute("UPDATE credentials SET store_name = ?2, market = ?3 WHERE id = ?1", params![row, store_name, market])?;
        let after = format!("{store_name} ({})", market.as_deref().unwrap_or("no market"));
        crate::integrations::credentials::audit(tx, Integration::Posabit, &store_name, &before, &after)
    })
    .await?;
    find(db, id)
}

/// Replaces a POSaBIT credential's key after checking the new one opens the same venue.
pub async fn rotate_posabit_key(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &PosabitClient,
    id: &str,
    key: Secret,
) -> Result<AddedCredential> {
    let credential = find(db, id)?;
    let (key, key_was_trimmed) = validate_key(&key)?;
    let venue = client.venue_info(&key).await?;
    if credential
        .venue_name
        .as_deref()
        .is_some_and(|name| name != venue.name)
    {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "This key opens “{}”, not “{}”.",
                venue.name,
                credential.venue_name.unwrap_or_default()
            ),
        )
        .with_hint(
            "Use the key POSaBIT shows for this store, or add the other store as a new credential.",
        ));
    }
    secrets.put(&secret_name(&credential.id), &key)?;
    let permissions = serde_json::to_string(&venue.permissions)
        .map_err(|e| Error::internal(format!("Could not record permissions: {e}")))?;
    let (row, now) = (credential.id.clone(), Utc::now().to_rfc3339());
    let store_name = credential.store_name.clone();
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE credentials SET permissions = ?2, verified_at = ?3, venue_state = ?4 WHERE id = ?1",
            params![row, permissions, now, venue.state],
        )?;
        crate::integrations::credentials::audit(tx, Integration::Posabit, &store_name, "key", "new key")
    })
    .await?;
    tracing::info!(credential = %credential.id, "credential key rotated");
    Ok(AddedCredential {
        credential: find(db, id)?,
        key_was_trimmed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(store: &str, key: &str, market: Option<&str>) -> NewPosabitCredential {
        NewPosabitCredential {
            store_name: store.into(),
            key: Secret::new(key),
            market: market.map(Into::into),
        }
    }

    #[test]
    fn validation_trims_and_says_so() {
        let valid = validate(&input("  Capitol Hill ", "  abc123\n", Some(" wa "))).unwrap();
        assert_eq!(valid.store_name, "Capitol Hill");
        assert_eq!(valid.key.expose(), "abc123");
        assert!(valid.key_was_trimmed);
        assert_eq!(valid.market.as_deref(), Some("WA"));
        assert!(!validate(&input("S", "abc", None)).unwrap().key_was_trimmed);
    }

    #[test]
    fn validation_refuses_empty_and_odd_input_with_a_clear_message() {
        for (store, key, market, expected) in [
            ("", "k", None, "Store Name is empty."),
            ("S", "   ", None, "Key is empty."),
            ("S", "ab cd", None, "Key contains spaces in the middle."),
            ("S", "k", Some("Narnia"), "“Narnia” is not a US state."),
        ] {
            let error = validate(&input(store, key, market)).err().unwrap();
            assert_eq!(error.code, ErrorCode::Validation);
            assert_eq!(error.message, expected);
        }
    }
}
