//! Settings → Company Account → Retail Stores, and each store's Store Mappings: which POS key
//! (a POSaBIT credential) sells for it. One key maps to at most one store, and a store has at most
//! one key per integration.

pub mod api_tracking;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, ErrorCode, Result};
use crate::base::pos_kind::Integration;
use crate::integrations::credentials::{self, US_STATES};
use crate::integrations::notifications::{self, NotificationKind};
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// A retail store of the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RetailStore {
    /// Canopy's id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The store ID number the manager types into the POS's integration "Data" field.
    pub store_number: String,
    /// Two-letter US state.
    pub state: String,
    /// IANA time zone, e.g. `America/Los_Angeles`.
    pub timezone: String,
    /// Street address.
    pub address: Option<String>,
    /// State license number.
    pub license: Option<String>,
}

/// The store form's fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct StoreInput {
    /// Name.
    pub name: String,
    /// Store ID number (digits).
    pub store_number: String,
    /// Two-letter US state.
    pub state: String,
    /// IANA time zone.
    pub timezone: String,
    /// Street address (optional).
    pub address: Option<String>,
    /// License (optional).
    pub license: Option<String>,
}

/// A POS key that can be mapped to a store, with where it is mapped and where it probably belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MappableKey {
    /// The key's id (a credential id).
    pub key_id: String,
    /// Its integration.
    pub integration: Integration,
    /// What the dropdown shows, e.g. the credential's store name.
    pub label: String,
    /// The store it is mapped to.
    #[ts(type = "number | null")]
    pub store_id: Option<i64>,
    /// The store it likely belongs to (same name, or the only store in its state), when unmapped.
    #[ts(type = "number | null")]
    pub suggested_store_id: Option<i64>,
}

/// Time zones offered in the store form (the US ones).
pub const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Detroit",
    "America/Boise",
];

fn trimmed(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn validate(input: &StoreInput) -> Result<StoreInput> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(Error::validation("Name is empty.").with_hint("Type the store's name."));
    }
    let store_number = input.store_number.trim().to_string();
    if store_number.is_empty() || !store_number.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::validation("Store ID number must be digits only.")
            .with_hint("This is the number you type into the POS's integration Data field in place of “#”."));
    }
    let state = input.state.trim().to_uppercase();
    if !US_STATES.contains(&state.as_str()) {
        return Err(
            Error::validation(format!("“{}” is not a US state.", input.state.trim()))
                .with_hint("Use the two-letter code, e.g. WA."),
        );
    }
    let timezone = input.timezone.trim().to_string();
    if !TIMEZONES.contains(&timezone.as_str()) {
        return Err(
            Error::validation(format!("“{timezone}” is not a time zone Canopy knows."))
                .with_hint("Pick one from the list."),
        );
    }
    Ok(StoreInput {
        name,
        store_number,
        state,
        timezone,
        address: trimmed(&input.address),
        license: trimmed(&input.license),
    })
}

const STORE_COLUMNS: &str = "id, name, store_number, state, timezone, address, license";

fn store_from_row(row: &Row<'_>) -> rusqlite::Result<RetailStore> {
    Ok(RetailStore {
        id: row.get(0)?,
        name: row.get(1)?,
        store_number: row.get(2)?,
        state: row.get(3)?,
        timezone: row.get(4)?,
        address: row.get(5)?,
        license: row.get(6)?,
    })
}

fn clash(connection: &Connection, input: &StoreInput, except: Option<i64>) -> Result<()> {
    let other = |column: &str, value: &str| -> Result<bool> {
        Ok(connection
            .query_row(
                &format!("SELECT 1 FROM retail_stores WHERE {column} = ?1 COLLATE NOCASE AND id IS NOT ?2"),
                params![value, except],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    if other("name", &input.name)? {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!("A store named “{}” already exists.", input.name),
        ));
    }
    if other("store_number", &input.store_number)? {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "Store ID number {} is already used by another store.",
                input.store_number
            ),
        ));
    }
    Ok(())
}

/// Every retail store, by name.
pub fn list(db: &Database) -> Result<Vec<RetailStore>> {
    db.read(|c| {
        let mut statement = c.prepare(&format!(
            "SELECT {STORE_COLUMNS} FROM retail_stores ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = statement.query_map([], store_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// Records a change of the store named `store` in the audit log.
fn audit(
    tx: &rusqlite::Connection,
    area: AuditArea,
    integration: Option<Integration>,
    store: &str,
    old_value: &str,
    new_value: &str,
) -> Result<()> {
    audit_log::record(
        tx,
        &AuditChange {
            area,
            integration,
            subject: store,
            old_value,
            new_value,
            warning_acknowledged: false,
        },
    )
}

/// How the audit log shows a store's fields.
fn described(store: &RetailStore) -> String {
    format!(
        "#{} {} · {}",
        store.store_number, store.state, store.timezone
    )
}

/// Creates a store.
pub fn create(db: &Database, input: &StoreInput) -> Result<RetailStore> {
    let input = validate(input)?;
    db.write(|tx| {
        clash(tx, &input, None)?;
        tx.execute(
            "INSERT INTO retail_stores (name, store_number, state, timezone, address, license, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![input.name, input.store_number, input.state, input.timezone, input.address, input.license, Utc::now().to_rfc3339()],
        )?;
        let created = tx.query_row(&format!("SELECT {STORE_COLUMNS} FROM retail_stores WHERE id = ?1"), [tx.last_insert_rowid()], store_from_row)?;
        audit(tx, AuditArea::RetailStore, None, &created.name, "", &described(&created))?;
        Ok(created)
    })
}

fn missing_store() -> Error {
    Error::new(ErrorCode::NotFound, "That store no longer exists.")
        .with_hint("Reload Retail Stores.")
}

/// Changes a store.
pub fn update(db: &Database, id: i64, input: &StoreInput) -> Result<RetailStore> {
    let input = validate(input)?;
    db.write(|tx| {
        clash(tx, &input, Some(id))?;
        let before = tx
            .query_row(&format!("SELECT {STORE_COLUMNS} FROM retail_stores WHERE id = ?1"), [id], store_from_row)
            .optional()?;
        let changed = tx.execute(
            "UPDATE retail_stores SET name = ?2, store_number = ?3, state = ?4, timezone = ?5, address = ?6, license = ?7 WHERE id = ?1",
            params![id, input.name, input.store_number, input.state, input.timezone, input.address, input.license],
        )?;
        let (Some(before), 1..) = (before, changed) else {
            return Err(missing_store());
        };
        let after = tx.query_row(&format!("SELECT {STORE_COLUMNS} FROM retail_stores WHERE id = ?1"), [id], store_from_row)?;
        let (old, new) = (format!("{} {}", before.name, described(&before)), format!("{} {}", after.name, described(&after)));
        if old != new {
            audit(tx, AuditArea::RetailStore, None, &after.name, &old, &new)?;
        }
        Ok(after)
    })
}

/// Deletes a store and its mappings (its keys become unmapped).
pub fn delete(db: &Database, id: i64) -> Result<()> {
    db.write(|tx| {
        let name: Option<String> = tx
            .query_row("SELECT name FROM retail_stores WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(name) = name else {
            return Err(missing_store());
        };
        tx.execute("DELETE FROM retail_stores WHERE id = ?1", [id])?;
        audit(tx, AuditArea::RetailStore, None, &name, "kept", "deleted")
    })
}

fn comparable(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The store a key most likely belongs to: one whose name contains the key's name (or the reverse),
/// else the only store in the key's state.
fn suggest(stores: &[RetailStore], label: &str, state: Option<&str>) -> Option<i64> {
    let wanted = comparable(label);
    let by_name: Vec<&RetailStore> = stores
        .iter()
        .filter(|s| {
            let name = comparable(&s.name);
            !wanted.is_empty()
                && !name.is_empty()
                && (name.contains(&wanted) || wanted.contains(&name))
        })
        .collect();
    if let [only] = by_name.as_slice() {
        return Some(only.id);
    }
    let in_state: Vec<&RetailStore> = stores
        .iter()
        .filter(|s| Some(s.state.as_str()) == state)
        .collect();
    match in_state.as_slice() {
        [only] => Some(only.id),
        _ => None,
    }
}

/// Every mappable key of every integration, with its mapping and, when unmapped, a suggestion.
pub fn mappable_keys(db: &Database) -> Result<Vec<MappableKey>> {
    let stores = list(db)?;
    let mapped: Vec<(String, i64)> = db.read(|c| {
        let mut statement = c.prepare("SELECT key_id, store_id FROM store_mappings")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let store_of = |key: &str| mapped.iter().find(|(k, _)| k == key).map(|(_, s)| *s);
    let mut keys = Vec::new();
    for &integration in Integration::ALL {
        for credential in credentials::list(db, integration)? {
            for key in credential.store_keys() {
                let store_id = store_of(&key.key);
                keys.push(MappableKey {
                    suggested_store_id: store_id
                        .is_none()
                        .then(|| suggest(&stores, &key.label, key.state.as_deref()))
                        .flatten(),
                    key_id: key.key,
                    integration,
                    label: key.label,
                    store_id,
                });
            }
        }
    }
    Ok(keys)
}

/// Whether `key` is a live key of `integration`: one of an active credential's store keys.
fn key_exists(connection: &Connection, integration: Integration, key: &str) -> Result<bool> {
    let credential_id = key.split_once(':').map_or(key, |(id, _)| id);
    Ok(
        credentials::active_by_id(connection, credential_id)?.is_some_and(|credential| {
            credential.integration == integration
                && credential.store_keys().iter().any(|k| k.key == key)
        }),
    )
}

/// Saves a store's mapping for one integration: `key_id` sells for `store_id` (or, with `None`,
/// nothing of that integration does). A key mapped to another store is refused, naming it.
pub fn save_mapping(
    db: &Database,
    store_id: i64,
    integration: Integration,
    key_id: Option<&str>,
) -> Result<()> {
    db.write(|tx| {
        if tx.query_row("SELECT 1 FROM retail_stores WHERE id = ?1", [store_id], |_| Ok(())).optional()?.is_none() {
            return Err(missing_store());
        }
        if let Some(key) = key_id {
            if !key_exists(tx, integration, key)? {
                return Err(Error::new(ErrorCode::NotFound, "That key no longer exists.").with_hint("Reload the store."));
            }
            let taken: Option<String> = tx
                .query_row(
                    "SELECT s.name FROM store_mappings m JOIN retail_stores s ON s.id = m.store_id WHERE m.key_id = ?1 AND m.store_id <> ?2",
                    params![key, store_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                return Err(Error::new(ErrorCode::Conflict, format!("This key is already mapped to “{other}”."))
                    .with_hint(format!("One key maps to one store: remove it from “{other}” first.")));
            }
        }
        let (store_name, before): (String, Option<String>) = tx.query_row(
            "SELECT s.name, (SELECT key_id FROM store_mappings m WHERE m.store_id = s.id AND m.integration = ?2)
             FROM retail_stores s WHERE s.id = ?1",
            params![store_id, integration.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if before.as_deref() != key_id {
            let (old, new) = (key_label(tx, before.as_deref())?, key_label(tx, key_id)?);
            audit(tx, AuditArea::StoreMapping, Some(integration), &store_name, &old, &new)?;
        }
        tx.execute("DELETE FROM store_mappings WHERE store_id = ?1 AND integration = ?2", params![store_id, integration.as_str()])?;
        if let Some(key) = key_id {
            tx.execute(
                "INSERT INTO store_mappings (key_id, integration, store_id, mapped_at) VALUES (?1, ?2, ?3, ?4)",
                params![key, integration.as_str(), store_id, Utc::now().to_rfc3339()],
            )?;
            notifications::clear(tx, NotificationKind::UnmappedStore, key)?;
        }
        crate::personas::favorites::recompute_all(tx, Utc::now())
    })
}

/// How the audit log names a key: its credential's store name (and location), never the key.
fn key_label(tx: &rusqlite::Connection, key_id: Option<&str>) -> Result<String> {
    let Some(key) = key_id else {
        return Ok("no key".to_string());
    };
    let credential = key.split(':').next().unwrap_or(key);
    let name: Option<String> = tx
        .query_row(
            "SELECT store_name FROM credentials WHERE id = ?1",
            [credential],
            |r| r.get(0),
        )
        .optional()?;
    let location = key
        .split_once(':')
        .map(|(_, l)| format!(" · location {l}"))
        .unwrap_or_default();
    Ok(format!(
        "{}{location}",
        name.unwrap_or_else(|| "a removed credential".into())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(id: i64, name: &str, state: &str) -> RetailStore {
        RetailStore {
            id,
            name: name.into(),
            store_number: id.to_string(),
            state: state.into(),
            timezone: "America/Los_Angeles".into(),
            address: None,
            license: None,
        }
    }

    #[test]
    fn suggestions_prefer_a_name_match_then_the_only_store_in_the_state() {
        let stores = [
            store(1, "Greenleaf — Capitol Hill", "WA"),
            store(2, "Pearl District", "OR"),
            store(3, "Spokane", "WA"),
        ];
        assert_eq!(suggest(&stores, "capitol hill", Some("OR")), Some(1));
        assert_eq!(suggest(&stores, "Downtown", Some("OR")), Some(2));
        assert_eq!(
            suggest(&stores, "Downtown", Some("WA")),
            None,
            "two stores in WA: no guess"
        );
        assert_eq!(suggest(&stores, "", None), None);
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let good = StoreInput {
            name: " Capitol Hill ".into(),
            store_number: " 12 ".into(),
            state: "wa".into(),
            timezone: "America/Los_Angeles".into(),
            address: Some("  ".into()),
            license: None,
        };
        let valid = validate(&good).unwrap();
        assert_eq!(
            (
                valid.name.as_str(),
                valid.store_number.as_str(),
                valid.state.as_str(),
                valid.address
            ),
            ("Capitol Hill", "12", "WA", None)
        );
        for (broken, message) in [
            (
                StoreInput {
                    name: "".into(),
                    ..good.clone()
                },
                "Name is empty.",
            ),
            (
                StoreInput {
                    store_number: "12a".into(),
                    ..good.clone()
                },
                "Store ID number must be digits only.",
            ),
            (
                StoreInput {
                    state: "Cascadia".into(),
                    ..good.clone()
                },
                "“Cascadia” is not a US state.",
            ),
            (
                StoreInput {
                    timezone: "Mars/Olympus".into(),
                    ..good
                },
                "“Mars/Olympus” is not a time zone Canopy knows.",
            ),
        ] {
            assert_eq!(validate(&broken).unwrap_err().message, message);
        }
    }
}
