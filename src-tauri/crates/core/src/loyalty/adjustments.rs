//! Points adjusted by hand by support staff, from a persona's detail: a required reason, one
//! `adjust` ledger entry, and an audit entry, in one transaction.

use chrono::Utc;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use ts_rs::TS;

use super::ledger::{self, Entry, LedgerKind};
use crate::base::error::{Error, ErrorCode, Result};
use crate::storage::audit_log::{self, AuditArea, AuditChange};
use crate::storage::db::Database;

/// The most points one adjustment may move either way.
pub const MAX_ADJUSTMENT: i64 = 1_000_000;

/// The adjustment form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct PointsAdjustment {
    /// The persona.
    #[ts(type = "number")]
    pub persona_id: i64,
    /// Points to add (negative: to take away).
    #[ts(type = "number")]
    pub points: i64,
    /// Why: required, kept in the ledger and the audit log.
    pub reason: String,
}

/// Applies `adjustment`; returns the persona's new balance.
pub fn adjust(db: &Database, adjustment: &PointsAdjustment) -> Result<i64> {
    let reason = adjustment.reason.trim();
    if reason.is_empty() {
        return Err(Error::validation(
            "Say why the points change: the reason is kept with them.",
        ));
    }
    if adjustment.points == 0 || adjustment.points.abs() > MAX_ADJUSTMENT {
        return Err(Error::validation(format!(
            "Adjust by a whole number of points from 1 to {MAX_ADJUSTMENT}, either way."
        )));
    }
    db.write(|tx| {
        let before: i64 = tx
            .query_row(
                &format!(
                    "SELECT {} FROM personas p WHERE p.id = ?1",
                    crate::personas::pending::BALANCE_OF_P
                ),
                [adjustment.persona_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "That persona no longer exists."))?;
        let now = Utc::now().to_rfc3339();
        let transaction = format!("{}:{now}", adjustment.persona_id);
        ledger::write(
            tx,
            Entry {
                persona_id: adjustment.persona_id,
                kind: LedgerKind::Adjust,
                points: adjustment.points,
                source: "support:manual",
                transaction_id: &transaction,
                reason: &format!("Adjusted by hand: {reason}"),
            },
            &now,
        )?;
        let after = before + adjustment.points;
        audit_log::record(
            tx,
            &AuditChange {
                area: AuditArea::PointsAdjustment,
                integration: None,
                subject: &format!("Persona #{}", adjustment.persona_id),
                old_value: &format!("{before} points"),
                new_value: &format!("{after} points ({:+}: {reason})", adjustment.points),
                warning_acknowledged: false,
            },
        )?;
        Ok(after)
    })
}
