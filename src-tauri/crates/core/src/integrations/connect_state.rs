//! An integration's connection: the Loyalty section's age-gate attestation, the minimum settings
//! Connect needs, and Connect / Disconnect. Disconnecting stops syncs and keeps every record.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::integrations::credentials;
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// The sentence of the age-gate checkbox, in the seeds' words.
pub const AGE_GATE_SENTENCE: &str =
    "All users from this source have passed an age gate compliant with my industry";

/// Where an integration stands, as its tile and card chip show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Never connected, or disconnected.
    NotConnected,
    /// Connected and every minimum setting still holds.
    Connected,
    /// Connected, but a minimum setting no longer holds (e.g. a permission went missing).
    NeedsAttention,
    /// Connected with "Use last backup" on: no POS call is made, the data stays as it was.
    Frozen,
}

/// One line of the minimum-settings checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ChecklistItem {
    /// What must hold, in the user's words.
    pub label: String,
    /// Whether it holds.
    pub done: bool,
}

/// An integration's connection status and the checklist Connect needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IntegrationStatus {
    /// Which integration.
    pub integration: Integration,
    /// Its state.
    pub state: ConnectionState,
    /// Whether the age-gate checkbox is ticked.
    pub age_gate_attested: bool,
    /// When it was connected (RFC 3339), while connected.
    pub connected_at: Option<String>,
    /// The minimum settings and whether each holds.
    pub checklist: Vec<ChecklistItem>,
}

impl IntegrationStatus {
    /// Whether every minimum setting holds.
    pub fn ready(&self) -> bool {
        self.checklist.iter().all(|i| i.done)
    }
}

/// The status of `integration` now.
pub fn status(db: &Database, integration: Integration) -> Result<IntegrationStatus> {
    let credentials = credentials::list(db, integration)?;
    let name = integration.as_str();
    let (attested, connected_at): (bool, Option<String>) = db.read(move |c| {
        Ok(c.query_row(
            "SELECT age_gate_attested_at IS NOT NULL, connected_at FROM integrations WHERE integration = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((false, None)))
    })?;
    let all_granted = credentials
        .iter()
        .all(|c| c.permissions.iter().all(|p| p.granted));
    let checklist = vec![
        ChecklistItem {
            label: "Add at least one credential and let Canopy verify it".into(),
            done: !credentials.is_empty(),
        },
        ChecklistItem {
            label: "Grant every permission the pre-flight lists to each credential".into(),
            done: !credentials.is_empty() && all_granted,
        },
        ChecklistItem {
            label: format!("Tick “{AGE_GATE_SENTENCE}” in the Loyalty section"),
            done: attested,
        },
    ];
    let ready = checklist.iter().all(|i| i.done);
    let frozen = db
        .read(|c| crate::config::integration_settings::get(c, integration))?
        .frozen_since
        .is_some();
    let state = match (&connected_at, ready) {
        (None, _) => ConnectionState::NotConnected,
        (Some(_), _) if frozen => ConnectionState::Frozen,
        (Some(_), true) => ConnectionState::Connected,
        (Some(_), false) => ConnectionState::NeedsAttention,
    };
    Ok(IntegrationStatus {
        integration,
        state,
        age_gate_attested: attested,
        connected_at,
        checklist,
    })
}

/// Sets one column of an integration's row, recording `audited` (area, before, after) in the audit
/// log in the same transaction.
fn upsert(
    db: &Database,
    integration: Integration,
    column: &str,
    value: Option<String>,
    audited: Option<(AuditArea, &str, &str)>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO integrations (integration, {column}) VALUES (?1, ?2)
         ON CONFLICT (integration) DO UPDATE SET {column} = excluded.{column}"
    );
    db.write(|tx| {
        tx.execute(&sql, params![integration.as_str(), value])?;
        match audited {
            Some((area, old_value, new_value)) => audit_log::record(
                tx,
                &AuditChange {
                    area,
                    integration: Some(integration),
                    subject: column_subject(column),
                    old_value,
                    new_value,
                    warning_acknowledged: false,
                },
            ),
            None => Ok(()),
        }
    })
}

/// How the audit log names a column's change.
fn column_subject(column: &str) -> &'static str {
    match column {
        "age_gate_attested_at" => {
            "All users from this source have passed an age gate compliant with my industry"
        }
        _ => "Connection",
    }
}

/// Ticks or unticks the age-gate attestation.
pub fn set_age_gate(
    db: &Database,
    integration: Integration,
    attested: bool,
) -> Result<IntegrationStatus> {
    let (old, new) = if attested {
        ("not ticked", "ticked")
    } else {
        ("ticked", "not ticked")
    };
    upsert(
        db,
        integration,
        "age_gate_attested_at",
        attested.then(|| Utc::now().to_rfc3339()),
        Some((AuditArea::AgeGate, old, new)),
    )?;
    status(db, integration)
}

/// Connects, when every minimum setting holds; otherwise says what is missing.
pub fn connect(db: &Database, integration: Integration) -> Result<IntegrationStatus> {
    let current = status(db, integration)?;
    if !current.ready() {
        let missing: Vec<&str> = current
            .checklist
            .iter()
            .filter(|i| !i.done)
            .map(|i| i.label.as_str())
            .collect();
        return Err(
            Error::validation("Connect needs the minimum settings first.")
                .with_hint(format!("Still missing: {}.", missing.join("; "))),
        );
    }
    if current.connected_at.is_none() {
        upsert(
            db,
            integration,
            "connected_at",
            Some(Utc::now().to_rfc3339()),
            Some((AuditArea::Connection, "not connected", "connected")),
        )?;
        tracing::info!(integration = integration.as_str(), "integration connected");
    }
    status(db, integration)
}

/// Disconnects: syncs stop; credentials, personas and their history stay.
pub fn disconnect(db: &Database, integration: Integration) -> Result<IntegrationStatus> {
    upsert(db, integration, "connected_at", None, None)?;
    upsert(
        db,
        integration,
        "disconnected_at",
        Some(Utc::now().to_rfc3339()),
        Some((AuditArea::Connection, "connected", "disconnected")),
    )?;
    tracing::info!(
        integration = integration.as_str(),
        "integration disconnected"
    );
    status(db, integration)
}

/// Fails unless `integration` is connected: syncs run only for connected integrations.
pub fn require_connected(db: &Database, integration: Integration) -> Result<()> {
    let name = integration.as_str();
    let connected: bool = db.read(move |c| {
        Ok(c.query_row(
            "SELECT count(*) > 0 FROM integrations WHERE integration = ?1 AND connected_at IS NOT NULL",
            [name],
            |r| r.get(0),
        )?)
    })?;
    if connected {
        Ok(())
    } else {
        Err(
            Error::validation(format!("{} is not connected.", integration.label()))
                .with_hint("Tick the age-gate checkbox in the Loyalty section and press Connect."),
        )
    }
}
