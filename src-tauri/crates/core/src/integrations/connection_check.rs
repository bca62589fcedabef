//! Test connection: a stored credential's pre-flight run again against its POS, saying what
//! changed since it was last checked — permissions gained or lost, the store's name or state in the
//! POS, locations reached or lost — and keeping the new answer.

use chrono::Utc;
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::credentials::{find, permission_checks, secret_of, Credential};
use crate::base::error::{Error, Result};
use crate::pos::{required_permissions, Access, Connector};
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// What a Test connection found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionCheck {
    /// The credential as the POS answers for it now.
    pub credential: Credential,
    /// What changed since the last check, a sentence each; empty when nothing did.
    pub changes: Vec<String>,
}

/// Runs credential `id`'s pre-flight again through `connector` and records the answer.
pub async fn test(
    db: &Database,
    secrets: &dyn SecretStore,
    connector: &dyn Connector,
    id: &str,
) -> Result<ConnectionCheck> {
    let credential = find(db, id)?;
    let secret = secret_of(secrets, &credential)?;
    let access = connector.check_access(&secret).await?;
    let changes = changes(&credential, &access);
    let permissions = access
        .permissions
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::internal(format!("Could not record permissions: {e}")))?;
    let (row, now) = (credential.id.clone(), Utc::now().to_rfc3339());
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE credentials SET verified_at = ?2, permissions = coalesce(?3, permissions),
               venue_name = coalesce(?4, venue_name), venue_state = coalesce(?5, venue_state)
             WHERE id = ?1",
            params![row, now, permissions, access.name, access.state],
        )?;
        Ok(())
    })
    .await?;
    tracing::info!(credential = %credential.id, changes = changes.len(), "connection tested");
    Ok(ConnectionCheck {
        credential: find(db, id)?,
        changes,
    })
}

/// What `access` says that `credential` did not.
fn changes(credential: &Credential, access: &Access) -> Vec<String> {
    let mut changes = Vec::new();
    if let Some(granted) = &access.permissions {
        let now = permission_checks(required_permissions(credential.integration), granted);
        for (before, after) in credential.permissions.iter().zip(&now) {
            match (before.granted, after.granted) {
                (false, true) => changes.push(format!("{} is now granted.", after.label)),
                (true, false) => changes.push(format!(
                    "{} is no longer granted. {}",
                    after.label,
                    after.remedy.as_deref().unwrap_or_default()
                )),
                _ => {}
            }
        }
    }
    if let Some(name) = access
        .name
        .as_ref()
        .filter(|n| credential.venue_name.as_ref() != Some(*n))
    {
        changes.push(format!(
            "The store is now called “{name}” in the POS (was “{}”).",
            credential.venue_name.as_deref().unwrap_or("unknown")
        ));
    }
    if let Some(state) = access
        .state
        .as_ref()
        .filter(|s| credential.venue_state.as_ref() != Some(*s))
    {
        changes.push(format!("The store's state is now {state}."));
    }
    if let Some(reached) = &access.locations {
        for lost in credential
            .locations
            .iter()
            .filter(|l| !reached.iter().any(|r| r.id == l.id))
        {
            changes.push(format!(
                "The login no longer reaches “{}”: its data stops syncing.",
                lost.name
            ));
        }
        for new in reached
            .iter()
            .filter(|r| !credential.locations.iter().any(|l| l.id == r.id))
        {
            changes.push(format!(
                "The login now also reaches “{}” (not synced: add it to sync it).",
                new.name
            ));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::pos_kind::Integration;
    use crate::pos::LocationChoice;

    fn credential(integration: Integration, granted: &[&str]) -> Credential {
        let granted: Vec<String> = granted.iter().map(|g| g.to_string()).collect();
        Credential {
            id: "c1".into(),
            integration,
            store_name: "Capitol Hill".into(),
            market: None,
            venue_name: Some("Greenleaf".into()),
            venue_state: Some("WA".into()),
            permissions: permission_checks(required_permissions(integration), &granted),
            created_at: "t".into(),
            verified_at: None,
            username: None,
            associated_email: None,
            locations: vec![LocationChoice {
                id: 1,
                name: "Ballard".into(),
                state: None,
            }],
            medical_patients: false,
        }
    }

    #[test]
    fn a_permission_lost_or_gained_and_a_renamed_store_are_each_a_sentence() {
        let before = credential(
            Integration::Posabit,
            &["menu_feed", "venue_data", "incoming_orders"],
        );
        let access = Access {
            name: Some("Greenleaf Capitol Hill".into()),
            state: Some("WA".into()),
            permissions: Some(vec![
                "menu_feed".into(),
                "venue_data".into(),
                "enhanced_customer_data".into(),
            ]),
            locations: None,
        };
        let said = changes(&before, &access);
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(
            said[0].starts_with("Incoming Orders Access is no longer granted."),
            "{said:?}"
        );
        assert_eq!(said[1], "Enhanced Customer Data Access is now granted.");
        assert_eq!(
            said[2],
            "The store is now called “Greenleaf Capitol Hill” in the POS (was “Greenleaf”)."
        );
        let same = Access {
            permissions: Some(vec![
                "menu_feed".into(),
                "venue_data".into(),
                "incoming_orders".into(),
            ]),
            ..Access::default()
        };
        assert!(changes(&before, &same).is_empty());
    }

    #[test]
    fn locations_reached_or_lost_are_said_by_name() {
        let before = credential(Integration::Greenbits, &[]);
        let access = Access {
            locations: Some(vec![LocationChoice {
                id: 2,
                name: "Fremont".into(),
                state: None,
            }]),
            ..Access::default()
        };
        assert_eq!(
            changes(&before, &access),
            [
                "The login no longer reaches “Ballard”: its data stops syncing.",
                "The login now also reaches “Fremont” (not synced: add it to sync it)."
            ]
        );
    }
}
