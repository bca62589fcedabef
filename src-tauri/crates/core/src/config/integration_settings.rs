//! The integration cards' additional settings as stored (changing one, with its guard and audit
//! entry, is [`crate::integrations::setting_changes`]'s job). Their effects live where syncs read them: Sync Personas in
//! the sync engine and the outbox, Use last backup in [`crate::console::Console::sync`], patient lists
//! in the Greenbits patients stream, relevant market in the customers stream and the outbox,
//! enrolment in [`crate::loyalty::enrollment`], SMS opt-ins in [`crate::consent::sms`], the points import and mirrored
//! points in [`crate::loyalty::pos_points`].

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::Result;
use crate::base::pos_kind::Integration;

/// An additional setting of an integration card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// Sync Personas / Sync Contacts: two-way contact sync from the day it is enabled.
    SyncPersonas,
    /// Use last backup: no POS call is made; the data stays as of the last sync.
    UseLastBackup,
    /// Pulling patient lists is optional (Greenbits): a refused patient list is a warning.
    PatientListsOptional,
    /// Sync to relevant market (POSaBIT): only contacts of the credential's state are synced.
    SyncToRelevantMarket,
    /// Enroll Personas in loyalty program who purchased after *date*.
    EnrollAfter,
    /// Send SMS double opt-ins to Personas who purchased after *date*.
    SmsOptInAfter,
    /// Loyalty points imported on *date*: a one-time import of the POS balances.
    PointsImportedOn,
    /// Mirror integration loyalty point values? (Greenbits): balances follow the POS's.
    MirrorPoints,
}

impl Setting {
    /// The wire and audit-log name.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::SyncPersonas => "sync_personas",
            Setting::UseLastBackup => "use_last_backup",
            Setting::PatientListsOptional => "patient_lists_optional",
            Setting::SyncToRelevantMarket => "sync_to_relevant_market",
            Setting::EnrollAfter => "enroll_after",
            Setting::SmsOptInAfter => "sms_opt_in_after",
            Setting::PointsImportedOn => "points_imported_on",
            Setting::MirrorPoints => "mirror_points",
        }
    }

    /// Whether `integration`'s card offers the setting: patient lists and mirrored points need a
    /// POS that has them, relevant market one that reports each shopper's state.
    pub fn applies_to(self, integration: Integration) -> bool {
        let offers = crate::pos::capabilities(integration);
        match self {
            Setting::PatientListsOptional => offers.patient_lists,
            Setting::MirrorPoints => offers.mirrored_points,
            Setting::SyncToRelevantMarket => offers.shopper_state,
            _ => true,
        }
    }

    /// Whether the setting holds a date rather than on/off.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Setting::EnrollAfter | Setting::SmsOptInAfter | Setting::PointsImportedOn
        )
    }

    /// The `integrations` column it is stored in.
    pub fn column(self) -> &'static str {
        match self {
            Setting::SyncPersonas => "sync_personas_since",
            Setting::UseLastBackup => "frozen_at",
            Setting::PatientListsOptional => "patient_lists_optional",
            Setting::SyncToRelevantMarket => "sync_to_market",
            Setting::EnrollAfter => "enroll_after",
            Setting::SmsOptInAfter => "sms_opt_in_after",
            Setting::PointsImportedOn => "points_imported_on",
            Setting::MirrorPoints => "mirror_points",
        }
    }
}

/// An integration's additional settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct IntegrationSettings {
    /// Sync Personas is on since (RFC 3339), or off.
    pub sync_personas_since: Option<String>,
    /// Use last backup is on since (RFC 3339), or off.
    pub frozen_since: Option<String>,
    /// Pulling patient lists is optional (Greenbits).
    pub patient_lists_optional: bool,
    /// Sync to relevant market (POSaBIT).
    pub sync_to_relevant_market: bool,
    /// Enroll Personas in loyalty program who purchased after this date (`YYYY-MM-DD`).
    pub enroll_after: Option<String>,
    /// Send SMS double opt-ins to Personas who purchased after this date (`YYYY-MM-DD`).
    pub sms_opt_in_after: Option<String>,
    /// Loyalty points imported on this date (`YYYY-MM-DD`).
    pub points_imported_on: Option<String>,
    /// When the one-time points import finished (RFC 3339); it never runs again.
    pub points_import_done_at: Option<String>,
    /// Mirror integration loyalty point values? (Greenbits).
    pub mirror_points: bool,
}

/// The integration's settings (all off for an integration never touched).
pub fn get(
    connection: &rusqlite::Connection,
    integration: Integration,
) -> Result<IntegrationSettings> {
    Ok(connection
        .query_row(
            "SELECT sync_personas_since, frozen_at, patient_lists_optional, sync_to_market, enroll_after,
                    sms_opt_in_after, points_imported_on, points_import_done_at, mirror_points
             FROM integrations WHERE integration = ?1",
            [integration.as_str()],
            |r| {
                Ok(IntegrationSettings {
                    sync_personas_since: r.get(0)?,
                    frozen_since: r.get(1)?,
                    patient_lists_optional: r.get(2)?,
                    sync_to_relevant_market: r.get(3)?,
                    enroll_after: r.get(4)?,
                    sms_opt_in_after: r.get(5)?,
                    points_imported_on: r.get(6)?,
                    points_import_done_at: r.get(7)?,
                    mirror_points: r.get(8)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}
