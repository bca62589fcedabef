//! POS credentials: a row in SQLite for what may be shown, the secret in the keychain only.
//!
//! Adding one is a small journal so that neither half can exist without the other: the row is
//! inserted as `pending`, the secret written, then the row made `active`. If Canopy dies in between,
//! [`remove_unfinished`] (run at start-up) deletes the pending row and any secret it may have left.
//! Each POS's card flow (what its form asks and how its key is verified) is beside this module:
//! `posabit_credentials` and `greenbits_credentials`.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::integrations::notifications;
use crate::pos::streams::{StreamPlan, StreamScope};
use crate::pos::{required_permissions, store_keys, LocationChoice, StoreKey};
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// One permission of the pre-flight check: granted or missing, with the remedy when missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PermissionCheck {
    /// The POS's name for it, e.g. `enhanced_customer_data`.
    pub key: String,
    /// The seeds' label, e.g. "Enhanced Customer Data Access".
    pub label: String,
    /// Whether the key carries it.
    pub granted: bool,
    /// What to do when it is missing.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

/// A credential as the UI may see it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Credential {
    /// Canopy's id for it.
    pub id: String,
    /// Which POS it is for.
    pub integration: Integration,
    /// The store name the user gave it.
    pub store_name: String,
    /// Relevant market of credential (a US state), when given.
    pub market: Option<String>,
    /// The venue name the POS reported for the key.
    pub venue_name: Option<String>,
    /// The venue's state as the POS reported it.
    pub venue_state: Option<String>,
    /// The permission pre-flight as of the last verification.
    pub permissions: Vec<PermissionCheck>,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// When the POS last accepted the key (RFC 3339).
    pub verified_at: Option<String>,
    /// Greenbits: the user name Canopy logged in with.
    pub username: Option<String>,
    /// Greenbits: the Associated Email.
    pub associated_email: Option<String>,
    /// Greenbits: the locations the access applies to; each is a mappable key.
    pub locations: Vec<LocationChoice>,
    /// Greenbits: whether the locations serve medical patients.
    pub medical_patients: bool,
}

impl Credential {
    /// What decides its streams.
    pub fn stream_scope(&self) -> StreamScope<'_> {
        StreamScope {
            credential_id: &self.id,
            store_name: &self.store_name,
            locations: &self.locations,
            medical_patients: self.medical_patients,
        }
    }

    /// Its streams, in the order they run.
    pub fn streams(&self) -> Vec<StreamPlan> {
        crate::pos::schema(self.integration).streams(&self.stream_scope())
    }

    /// Its mappable keys: itself, or each of its locations.
    pub fn store_keys(&self) -> Vec<StoreKey> {
        let state = self.market.as_deref().or(self.venue_state.as_deref());
        store_keys(
            self.integration,
            &self.id,
            &self.store_name,
            state,
            &self.locations,
        )
    }
}

/// The result of adding a credential.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AddedCredential {
    /// The stored credential.
    pub credential: Credential,
    /// True when spaces around the key were removed, so the UI can say so.
    pub key_was_trimmed: bool,
}

/// The keychain entry holding a credential's secret.
pub fn secret_name(credential_id: &str) -> String {
    format!("credential:{credential_id}")
}

/// The two-letter codes of the US states and DC.
pub const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
];

/// The longest store name accepted.
const MAX_STORE_NAME: usize = 80;

/// A trimmed Store Name and an upper-cased Relevant market (a US state), or why not.
pub(crate) fn validate_name_and_market(
    store_name: &str,
    market: Option<&str>,
) -> Result<(String, Option<String>)> {
    let store_name = store_name.trim().to_string();
    if store_name.is_empty() {
        return Err(Error::validation("Store Name is empty.")
            .with_hint("Type the store's name as you want to see it in Canopy."));
    }
    if store_name.chars().count() > MAX_STORE_NAME {
        return Err(Error::validation(format!(
            "Store Name is longer than {MAX_STORE_NAME} characters."
        )));
    }
    let market = match market.map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => {
            let upper = m.to_uppercase();
            if !US_STATES.contains(&upper.as_str()) {
                return Err(Error::validation(format!("“{m}” is not a US state."))
                    .with_hint("Use the two-letter code, e.g. WA."));
            }
            Some(upper)
        }
    };
    Ok((store_name, market))
}

pub(crate) fn permission_checks(
    required: &[(&str, &str, &str)],
    granted: &[String],
) -> Vec<PermissionCheck> {
    required
        .iter()
        .map(|(key, label, remedy)| {
            let has = granted.iter().any(|g| g == key);
            PermissionCheck {
                key: key.to_string(),
                label: label.to_string(),
                granted: has,
                remedy: (!has).then(|| remedy.to_string()),
            }
        })
        .collect()
}

const CREDENTIAL_COLUMNS: &str =
    "id, integration, store_name, market, venue_name, venue_state, permissions, created_at, \
     verified_at, username, associated_email, locations, medical_patients";

fn credential_from_row(row: &Row<'_>) -> rusqlite::Result<Credential> {
    let permissions: String = row.get(6)?;
    let granted: Vec<String> = serde_json::from_str(&permissions).unwrap_or_default();
    let integration: Integration = row.get(1)?;
    let locations: String = row.get(11)?;
    Ok(Credential {
        id: row.get(0)?,
        integration,
        username: row.get(9)?,
        associated_email: row.get(10)?,
        locations: serde_json::from_str(&locations).unwrap_or_default(),
        medical_patients: row.get(12)?,
        store_name: row.get(2)?,
        market: row.get(3)?,
        venue_name: row.get(4)?,
        venue_state: row.get(5)?,
        permissions: permission_checks(required_permissions(integration), &granted),
        created_at: row.get(7)?,
        verified_at: row.get(8)?,
    })
}

pub(crate) fn name_taken(
    connection: &Connection,
    integration: Integration,
    store_name: &str,
) -> Result<bool> {
    Ok(connection
        .query_row(
            "SELECT 1 FROM credentials WHERE integration = ?1 AND store_name = ?2 COLLATE NOCASE AND removed_at IS NULL",
            params![integration.as_str(), store_name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The columns of a credential about to be stored.
pub(crate) struct NewRow {
    pub(crate) integration: Integration,
    pub(crate) store_name: String,
    pub(crate) market: Option<String>,
    pub(crate) venue_name: Option<String>,
    pub(crate) venue_state: Option<String>,
    pub(crate) permissions: Vec<String>,
    pub(crate) username: Option<String>,
    pub(crate) associated_email: Option<String>,
    pub(crate) locations: Vec<LocationChoice>,
    pub(crate) medical_patients: bool,
}

/// Records a change of the credential named `store_name` in the audit log (never a secret).
pub(crate) fn audit(
    connection: &rusqlite::Connection,
    integration: Integration,
    store_name: &str,
    old_value: &str,
    new_value: &str,
) -> Result<()> {
    audit_log::record(
        connection,
        &AuditChange {
            area: AuditArea::Credential,
            integration: Some(integration),
            subject: store_name,
            old_value,
            new_value,
            warning_acknowledged: false,
        },
    )
}

/// Stores a credential so neither half can exist without the other: the row as `pending`, then the
/// secret, then the row `active`. A failed keychain write removes the row again.
pub(crate) async fn store_with_secret(
    db: &Database,
    secrets: &dyn SecretStore,
    row: NewRow,
    secret: &Secret,
) -> Result<Credential> {
    let id = uuid::Uuid::new_v4().to_string();
    let (permissions, locations) = (to_json(&row.permissions)?, to_json(&row.locations)?);
    let (integration, store_name) = (row.integration, row.store_name.clone());
    {
        let id = id.clone();
        db.write_async(move |tx| {
            if name_taken(tx, row.integration, &row.store_name)? {
                return Err(conflict(&row.store_name));
            }
            tx.execute(
                "INSERT INTO credentials (id, integration, store_name, market, venue_name, venue_state, permissions, status,
                   created_at, verified_at, username, associated_email, locations, medical_patients)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8, ?9, ?10, ?11, ?12)",
                params![
                    id, row.integration.as_str(), row.store_name, row.market, row.venue_name, row.venue_state, permissions,
                    Utc::now().to_rfc3339(), row.username, row.associated_email, locations, row.medical_patients
                ],
            )?;
            Ok(())
        })
        .await?;
    }
    if let Err(error) = secrets.put(&secret_name(&id), secret) {
        let id = id.clone();
        db.write_async(move |tx| Ok(tx.execute("DELETE FROM credentials WHERE id = ?1", [id])?))
            .await?;
        return Err(error);
    }
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE credentials SET status = 'active' WHERE id = ?1",
            [&id],
        )?;
        audit(tx, integration, &store_name, "", "added")?;
        Ok(tx.query_row(
            &format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?1"),
            [&id],
            credential_from_row,
        )?)
    })
    .await
}

/// A list column's JSON text.
fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::internal(format!("Could not record the credential: {e}")))
}

/// The error for a Store Name already in use.
pub(crate) fn conflict(store_name: &str) -> Error {
    Error::new(
        ErrorCode::Conflict,
        format!("A credential named “{store_name}” already exists."),
    )
    .with_hint("Give this store another name, or remove the existing credential first.")
}

/// Every finished credential of `integration`, oldest first.
pub fn list(db: &Database, integration: Integration) -> Result<Vec<Credential>> {
    db.read(|c| active(c, integration))
}

/// The active credentials of `integration` on an open connection (or inside a transaction).
pub(crate) fn active(connection: &Connection, integration: Integration) -> Result<Vec<Credential>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE integration = ?1 AND status = 'active' AND removed_at IS NULL ORDER BY created_at, id"
    ))?;
    let rows = statement.query_map([integration.as_str()], credential_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The active credential `id` on an open connection, if there is one.
pub(crate) fn active_by_id(connection: &Connection, id: &str) -> Result<Option<Credential>> {
    Ok(connection
        .query_row(
            &format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?1 AND status = 'active' AND removed_at IS NULL"),
            [id],
            credential_from_row,
        )
        .optional()?)
}

/// The secret of a credential, read from the keychain.
pub fn secret_of(secrets: &dyn SecretStore, credential: &Credential) -> Result<Secret> {
    secrets.get(&secret_name(&credential.id))?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!(
                "The key of “{}” is missing from the system keychain.",
                credential.store_name
            ),
        )
        .with_hint("Remove this credential and add it again with the key from the POS.")
    })
}

/// The ids of the credentials matching an SQL condition on one parameter.
fn ids_where(db: &Database, condition: &str, parameter: &str) -> Result<Vec<String>> {
    db.read(|c| {
        let mut statement = c.prepare(&format!("SELECT id FROM credentials WHERE {condition}"))?;
        let ids = statement.query_map([parameter], |row| row.get(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<String>>>()?)
    })
}

/// Deletes credentials whose add was interrupted before `started_at` (RFC 3339: when this run of
/// Canopy began, so an add in flight now is left alone), and any secret they or a removal left
/// behind; returns how many unfinished adds were undone.
pub fn remove_unfinished(
    db: &Database,
    secrets: &dyn SecretStore,
    started_at: &str,
) -> Result<usize> {
    for id in ids_where(db, "removed_at IS NOT NULL AND removed_at < ?1", started_at)? {
        secrets.delete(&secret_name(&id))?;
    }
    let pending = ids_where(db, "status = 'pending' AND created_at < ?1", started_at)?;
    for id in &pending {
        secrets.delete(&secret_name(id))?;
        db.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM credentials WHERE id = ?1 AND status = 'pending'",
                [id],
            )?)
        })?;
        tracing::warn!(credential = %id, "removed a credential whose add did not finish");
    }
    Ok(pending.len())
}

/// The active credential `id`, or a not-found error that says to reload.
pub(crate) fn find(db: &Database, id: &str) -> Result<Credential> {
    let id = id.to_string();
    db.read(move |c| {
        active_by_id(c, &id)?.ok_or_else(|| {
            Error::new(ErrorCode::NotFound, "That credential no longer exists.")
                .with_hint("Reload the integration card.")
        })
    })
}

/// Removes a credential: its key leaves the keychain; the row stays (hidden) so the personas it
/// brought in keep their provenance. Its store mapping is removed.
pub async fn remove(db: &Database, secrets: &dyn SecretStore, id: &str) -> Result<()> {
    let credential = find(db, id)?;
    let (row, now) = (credential.id.clone(), Utc::now().to_rfc3339());
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE credentials SET removed_at = ?2 WHERE id = ?1",
            params![row, now],
        )?;
        // A POSaBIT key is the credential id; Greenbits keys are `<credential id>:<location>`.
        tx.execute(
            "DELETE FROM store_mappings WHERE key_id = ?1 OR key_id LIKE ?1 || ':%'",
            [&row],
        )?;
        notifications::clear_credential(tx, &row)?;
        crate::personas::favorites::recompute_all(tx, chrono::Utc::now())
    })
    .await?;
    if let Err(error) = secrets.delete(&secret_name(&credential.id)) {
        // Keep the credential usable rather than half-removed; the user can try again.
        let row = credential.id.clone();
        db.write_async(move |tx| {
            Ok(tx.execute(
                "UPDATE credentials SET removed_at = NULL WHERE id = ?1",
                [row],
            )?)
        })
        .await?;
        return Err(error);
    }
    let (integration, store_name) = (credential.integration, credential.store_name.clone());
    db.write_async(move |tx| audit(tx, integration, &store_name, "active", "removed"))
        .await?;
    tracing::info!(credential = %credential.id, "credential removed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_checks_name_the_missing_one_with_its_remedy() {
        let checks = permission_checks(
            required_permissions(Integration::Posabit),
            &["menu_feed".into(), "venue_data".into()],
        );
        let missing: Vec<_> = checks
            .iter()
            .filter(|c| !c.granted)
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(
            missing,
            ["Incoming Orders Access", "Enhanced Customer Data Access"]
        );
        assert!(checks[3].remedy.as_deref().unwrap().contains("account rep"));
        assert!(checks[0].remedy.is_none());
    }
}
