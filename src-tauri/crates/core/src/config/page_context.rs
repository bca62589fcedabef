//! The settings every saved POS record is applied with: one sync page's context, read from the
//! loyalty settings and the integration card's settings once per credential's sync.

use chrono::{DateTime, Utc};

use crate::base::pos_kind::Integration;
use crate::config::loyalty::DEFAULT_POINTS_PER_DOLLAR;

/// The per-page facts every record's apply needs.
#[derive(Debug, Clone)]
pub struct PageContext {
    /// The integration.
    pub integration: Integration,
    /// The credential.
    pub credential_id: String,
    /// The mappable key the page came through.
    pub store_key: String,
    /// The sync run (for row-level errors).
    pub run_id: i64,
    /// This page's time stamp.
    pub now: String,
    /// Points a member earns per dollar (Loyalty settings).
    pub points_per_dollar: i64,
    /// Points accrual start date (`YYYY-MM-DD`): sales before it earn nothing.
    pub accrual_start: Option<String>,
    /// The start of the day two-way contact sync was enabled on: POS profile changes made since
    /// then flow into personas; `None` (off) keeps personas as they were first imported.
    pub profile_changes_since: Option<DateTime<Utc>>,
    /// With "Sync to relevant market" on: only shoppers of this state are synced.
    pub market: Option<String>,
    /// Enroll Personas in loyalty program who purchased after this date (`YYYY-MM-DD`).
    pub enroll_after: Option<String>,
    /// The integration's points are mirrored from the POS: its sales earn nothing locally.
    pub mirror_points: bool,
}

impl PageContext {
    /// A context for `credential_id` (also its store key) with the default settings: one point per
    /// dollar, no accrual start, profile changes off, no market, no enrolment, no mirroring.
    pub fn with_defaults(integration: Integration, credential_id: &str, now: &str) -> Self {
        PageContext {
            integration,
            credential_id: credential_id.to_string(),
            store_key: credential_id.to_string(),
            run_id: 0,
            now: now.to_string(),
            points_per_dollar: DEFAULT_POINTS_PER_DOLLAR,
            accrual_start: None,
            profile_changes_since: None,
            market: None,
            enroll_after: None,
            mirror_points: false,
        }
    }
}
