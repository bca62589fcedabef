//! Adding a Greenbits credential: log in once with the user's name and password (the password is
//! used for that one call and never kept), show the permission pre-flight and the locations, then
//! store the API token in the keychain with the locations the user picked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::identity::normalize_email;
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::integrations::credentials::{
    permission_checks, store_with_secret, AddedCredential, NewRow, PermissionCheck,
};
use crate::pos::greenbits::{GreenbitsClient, GreenbitsUser};
use crate::pos::LocationChoice;
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// How long a log-in waits for its locations to be picked.
const LOGIN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The log-in form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct GreenbitsLoginInput {
    /// Username (or the user's e-mail).
    pub username: String,
    /// Password: sent to Greenbits once, never stored.
    #[ts(type = "string")]
    pub password: Secret,
}

/// What a log-in found. The token it earned stays in the backend under `login_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GreenbitsLogin {
    /// Refers to the log-in when the credential is saved.
    pub login_id: String,
    /// The user's name in Greenbits.
    pub username: String,
    /// The user's e-mail in Greenbits.
    pub email: String,
    /// View Customer, Update Customer and Enable Backoffice: granted or missing.
    pub permissions: Vec<PermissionCheck>,
    /// The locations the user may reach, for the checklist.
    pub locations: Vec<LocationChoice>,
}

/// The second step: which locations, the Associated Email, medical patients.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewGreenbitsCredential {
    /// The log-in this completes.
    pub login_id: String,
    /// Associated Email.
    pub associated_email: String,
    /// The ticked locations.
    #[ts(type = "number[]")]
    pub location_ids: Vec<u64>,
    /// Whether the locations serve medical patients.
    pub medical_patients: bool,
}

struct Pending {
    user: GreenbitsUser,
    locations: Vec<LocationChoice>,
    at: Instant,
}

/// Log-ins waiting for the user to pick locations (in memory only).
#[derive(Default)]
pub struct PendingLogins(Mutex<HashMap<String, Pending>>);

impl PendingLogins {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Logs in to Greenbits and returns the pre-flight and the locations.
pub async fn login(
    client: &GreenbitsClient,
    pending: &PendingLogins,
    input: GreenbitsLoginInput,
) -> Result<GreenbitsLogin> {
    let username = input.username.trim().to_string();
    if username.is_empty() {
        return Err(Error::validation("Username is empty.")
            .with_hint("Type the Greenbits username or e-mail."));
    }
    if input.password.expose().is_empty() {
        return Err(Error::validation("Password is empty."));
    }
    let user = client.login(&username, &input.password).await?;
    let locations: Vec<LocationChoice> = client
        .locations(&user.token)
        .await?
        .into_iter()
        .filter(|l| user.accessible_location_ids.contains(&l.id))
        .map(LocationChoice::from)
        .collect();
    let login = GreenbitsLogin {
        login_id: uuid::Uuid::new_v4().to_string(),
        username: user.username.clone(),
        email: user.email.clone(),
        permissions: permission_checks(
            crate::pos::required_permissions(Integration::Greenbits),
            &user.permissions,
        ),
        locations: locations.clone(),
    };
    {
        let mut waiting = pending.lock();
        waiting.retain(|_, p| p.at.elapsed() < LOGIN_LIFETIME);
        waiting.insert(
            login.login_id.clone(),
            Pending {
                user,
                locations,
                at: Instant::now(),
            },
        );
    }
    Ok(login)
}

/// Stores the credential of a finished log-in: the token in the keychain, the rest in SQLite.
pub async fn add(
    db: &Database,
    secrets: &dyn SecretStore,
    pending: &PendingLogins,
    input: NewGreenbitsCredential,
) -> Result<AddedCredential> {
    let associated_email = normalize_email(&input.associated_email).ok_or_else(|| {
        Error::validation("Associated Email is not an e-mail address.")
            .with_hint("Type the e-mail the Greenbits user is associated with.")
    })?;
    let taken = pending
        .lock()
        .remove(&input.login_id)
        .filter(|p| p.at.elapsed() < LOGIN_LIFETIME);
    let Some(login) = taken else {
        return Err(
            Error::new(ErrorCode::NotFound, "The Greenbits log-in has expired.")
                .with_hint("Log in again, then pick the locations."),
        );
    };
    let locations: Vec<LocationChoice> = login
        .locations
        .iter()
        .filter(|l| input.location_ids.contains(&l.id))
        .cloned()
        .collect();
    if locations.is_empty() || locations.len() != input.location_ids.len() {
        // Keep the log-in so the user can fix the choice without logging in again.
        let message = if input.location_ids.is_empty() {
            "Pick at least one location."
        } else {
            "A picked location is not one this user can reach."
        };
        pending.lock().insert(input.login_id.clone(), login);
        return Err(Error::validation(message));
    }
    let row = NewRow {
        integration: Integration::Greenbits,
        store_name: login.user.username.clone(),
        market: None,
        venue_name: None,
        venue_state: locations.first().and_then(|l| l.state.clone()),
        permissions: login.user.permissions.clone(),
        username: Some(login.user.username.clone()),
        associated_email: Some(associated_email),
        locations,
        medical_patients: input.medical_patients,
    };
    let credential = store_with_secret(db, secrets, row, &login.user.token).await?;
    tracing::info!(credential = %credential.id, user = %credential.store_name, "Greenbits credential added");
    Ok(AddedCredential {
        credential,
        key_was_trimmed: false,
    })
}

/// A Greenbits credential's locations and medical flag as the user changes them on the card.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct GreenbitsCredentialEdit {
    /// The credential.
    pub credential_id: String,
    /// The locations to sync, from those the stored token reaches.
    #[ts(type = "number[]")]
    pub location_ids: Vec<u64>,
    /// Whether the locations serve medical patients (their patient lists are synced).
    pub medical_patients: bool,
}

/// Changes which locations a Greenbits credential syncs and whether it serves medical patients,
/// from the locations its token reaches now; a location taken off loses its store mapping (its
/// data stays attributed).
pub async fn edit(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &GreenbitsClient,
    edit: GreenbitsCredentialEdit,
) -> Result<crate::integrations::credentials::Credential> {
    let credential = crate::integrations::credentials::find(db, &edit.credential_id)?;
    if credential.integration != Integration::Greenbits {
        return Err(Error::validation(
            "Only a Greenbits credential has locations to pick.",
        ));
    }
    let locations: Vec<LocationChoice> = reachable(secrets, client, &credential)
        .await?
        .into_iter()
        .filter(|l| edit.location_ids.contains(&l.id))
        .collect();
    if locations.is_empty() || locations.len() != edit.location_ids.len() {
        return Err(Error::validation(if edit.location_ids.is_empty() {
            "Pick at least one location."
        } else {
            "A picked location is not one this login reaches now."
        })
        .with_hint("Press Test connection to see the locations it reaches."));
    }
    let dropped: Vec<String> = credential
        .locations
        .iter()
        .filter(|old| !locations.iter().any(|l| l.id == old.id))
        .map(|old| crate::pos::location_key(&credential.id, old.id))
        .collect();
    let stored = serde_json::to_string(&locations)
        .map_err(|e| Error::internal(format!("Could not record the locations: {e}")))?;
    let id = credential.id.clone();
    let describe = |locations: &[LocationChoice], medical: bool| {
        let names: Vec<&str> = locations.iter().map(|l| l.name.as_str()).collect();
        format!(
            "{}; patients {}",
            names.join(", "),
            if medical { "on" } else { "off" }
        )
    };
    let before = describe(&credential.locations, credential.medical_patients);
    let after = describe(&locations, edit.medical_patients);
    let store_name = credential.store_name.clone();
    db.write_async(move |tx| {
        crate::integrations::credentials::audit(
            tx,
            Integration::Greenbits,
            &store_name,
            &before,
            &after,
        )?;
        tx.execute(
            "UPDATE credentials SET locations = ?2, medical_patients = ?3 WHERE id = ?1",
            rusqlite::params![id, stored, edit.medical_patients],
        )?;
        for key in &dropped {
            tx.execute("DELETE FROM store_mappings WHERE key_id = ?1", [key])?;
        }
        crate::personas::favorites::recompute_all(tx, chrono::Utc::now())
    })
    .await?;
    tracing::info!(credential = %credential.id, "Greenbits credential's locations changed");
    crate::integrations::credentials::find(db, &credential.id)
}

/// The locations a Greenbits credential's token reaches now, for picking on the card.
pub async fn reachable_locations(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &GreenbitsClient,
    credential_id: &str,
) -> Result<Vec<LocationChoice>> {
    let credential = crate::integrations::credentials::find(db, credential_id)?;
    reachable(secrets, client, &credential).await
}

/// The locations `credential`'s stored token reaches, asked of Greenbits now.
async fn reachable(
    secrets: &dyn SecretStore,
    client: &GreenbitsClient,
    credential: &crate::integrations::credentials::Credential,
) -> Result<Vec<LocationChoice>> {
    let token = crate::integrations::credentials::secret_of(secrets, credential)?;
    Ok(client
        .locations(&token)
        .await?
        .into_iter()
        .map(LocationChoice::from)
        .collect())
}

/// Logs a Greenbits credential in again after its token was refused: the user's password (sent to
/// Greenbits once, never kept) earns a new token, which replaces the stored one in the keychain;
/// the permissions are those Greenbits reports at this log-in.
pub async fn log_in_again(
    db: &Database,
    secrets: &dyn SecretStore,
    client: &GreenbitsClient,
    credential_id: &str,
    password: &Secret,
) -> Result<crate::integrations::credentials::Credential> {
    let credential = crate::integrations::credentials::find(db, credential_id)?;
    let username = credential
        .username
        .clone()
        .filter(|_| credential.integration == Integration::Greenbits)
        .ok_or_else(|| Error::validation("Only a Greenbits credential logs in with a password."))?;
    if password.expose().is_empty() {
        return Err(Error::validation("Password is empty."));
    }
    let user = client.login(&username, password).await?;
    secrets.put(
        &crate::integrations::credentials::secret_name(&credential.id),
        &user.token,
    )?;
    let permissions = serde_json::to_string(&user.permissions)
        .map_err(|e| Error::internal(format!("Could not record permissions: {e}")))?;
    let (id, now) = (credential.id.clone(), chrono::Utc::now().to_rfc3339());
    let store_name = credential.store_name.clone();
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE credentials SET permissions = ?2, verified_at = ?3 WHERE id = ?1",
            rusqlite::params![id, permissions, now],
        )?;
        crate::integrations::credentials::audit(
            tx,
            Integration::Greenbits,
            &store_name,
            "token",
            "new token (logged in again)",
        )?;
        crate::integrations::notifications::clear_credential(tx, &id)
    })
    .await?;
    tracing::info!(credential = %credential.id, "Greenbits credential logged in again; its token was replaced");
    crate::integrations::credentials::find(db, &credential.id)
}
