//! The local passes a credential's sync ends with, after its streams: enrolment by date, the
//! favorite store, last purchase and points balance of the personas it touched, the one-time
//! points import, mirrored points, and the rewards' mirror check and overdraft flag. One
//! transaction, no POS call.

use chrono::Utc;

use super::engine::RunSettings;
use super::PageContext;
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::storage::db::Database;

/// What the closing passes did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    /// Personas whose favorite store, last purchase and balance were brought up to date.
    pub settled_personas: usize,
    /// Purchases settled again for a new enrolment date.
    pub enrolled_purchases: usize,
    /// Points imported from POS balances.
    pub imported_points: i64,
    /// Personas whose balance was mirrored.
    pub mirrored_personas: usize,
    /// Shoppers whose redemptions took them below zero.
    pub overdrawn_personas: usize,
}

/// Runs the closing passes for the credential `settings` were read for.
pub(super) async fn close_credential(db: &Database, settings: &RunSettings) -> Result<Closing> {
    let page = PageContext {
        now: db_timestamp(Utc::now()),
        ..settings.page.clone()
    };
    let integration = settings.integration.clone();
    db.write_async(move |tx| {
        // Enrolment's points are settled with the pages'; the balances are then whole for the
        // import and mirror passes, which read them.
        let enrolled_purchases = crate::loyalty::enrollment::enroll_credential(tx, &page)?;
        Ok(Closing {
            settled_personas: crate::personas::pending::settle(tx, Utc::now())?,
            enrolled_purchases,
            imported_points: crate::loyalty::pos_points::import_balances(
                tx,
                &page,
                &integration,
                Utc::now().date_naive(),
            )?,
            mirrored_personas: crate::loyalty::pos_points::mirror_balances(
                tx,
                &page,
                &integration,
            )?,
            overdrawn_personas: {
                // The POS's discount list was just read: check the rewards' mirrors again.
                crate::loyalty::mirror_check::refresh_notifications(tx)?;
                crate::loyalty::redemptions::refresh_overdrawn_notification(tx)?
            },
        })
    })
    .await
}
