//! The dry run of the two "purchased after *date*" card settings (Enroll Personas in loyalty
//! program, Send SMS opt-in requests): who each would reach, per store, before the user saves.

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::config::integration_settings::Setting;
use crate::storage::db::Database;

/// How many personas (phones, for SMS requests) one store contributes to a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreReach {
    /// The retail store, or “Not mapped to a store”.
    pub store: String,
    /// Distinct personas who bought there (distinct phones, for SMS requests).
    #[ts(type = "number")]
    pub personas: i64,
}

/// A dry run of a date setting: who it would reach, per store and in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DryRun {
    /// The setting.
    pub setting: Setting,
    /// The date it was run for.
    pub date: String,
    /// Per store, most personas first.
    pub stores: Vec<StoreReach>,
    /// Distinct personas (phones, for SMS requests) in all; one who bought in two stores counts once.
    #[ts(type = "number")]
    pub total: i64,
}

/// The label of purchases whose key is mapped to no store.
const UNMAPPED: &str = "Not mapped to a store";

/// Who a date setting would reach if saved now: enrolment counts non-members with a sale through
/// `integration` on or after `date`; SMS opt-ins count the phones of personas with such a sale who
/// have not opted in or out and may still get a request.
pub fn dry_run(
    db: &Database,
    integration: Integration,
    setting: Setting,
    date: &str,
) -> Result<DryRun> {
    let date = crate::config::loyalty::parse_date(date)?.to_string();
    // Enrolment reaches personas; SMS requests reach phones (a family sharing one is asked once).
    let counted = match setting {
        Setting::SmsOptInAfter => "pe.phone_e164",
        _ => "p.persona_id",
    };
    let who = match setting {
        Setting::EnrollAfter => "pe.loyalty_member = 0".to_string(),
        Setting::SmsOptInAfter => crate::consent::sms::opt_in::request_eligibility_sql(
            crate::config::loyalty::settings(db)?.sms_max_requests,
        ),
        other => {
            return Err(Error::validation(format!(
                "“{}” has no dry run.",
                other.as_str()
            )))
        }
    };
    let reached = format!(
        "FROM purchases p JOIN personas pe ON pe.id = p.persona_id
         LEFT JOIN store_mappings m ON m.key_id = p.store_key
         LEFT JOIN retail_stores rs ON rs.id = m.store_id
         WHERE p.integration = ?1 AND p.voided = 0 AND p.purchased_at >= ?2 AND {who}"
    );
    db.read(|c| {
        let mut statement = c.prepare(&format!(
            "SELECT coalesce(rs.name, '{UNMAPPED}'), count(DISTINCT {counted}) {reached}
             GROUP BY 1 ORDER BY 2 DESC, 1"
        ))?;
        let stores = statement
            .query_map(params![integration.as_str(), date], |r| {
                Ok(StoreReach {
                    store: r.get(0)?,
                    personas: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total = c.query_row(
            &format!("SELECT count(DISTINCT {counted}) {reached}"),
            params![integration.as_str(), date],
            |r| r.get(0),
        )?;
        Ok(DryRun {
            setting,
            date: date.clone(),
            stores,
            total,
        })
    })
}
