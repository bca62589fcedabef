//! The console's loyalty and consent operations: dry runs of the date settings, the SMS double
//! opt-in job and the points expiry job.

use chrono::{DateTime, Utc};

use super::Console;
use crate::base::clock::Clock;
use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::config::integration_settings::Setting;
use crate::consent::sms::opt_in::{self, SmsRun, SmsStatus};
use crate::loyalty::date_setting_reach::{self, DryRun};
use crate::loyalty::expiry::{self, ExpiryRun};

impl Console {
    /// Who a date setting would reach if saved with `date`, per store.
    pub async fn dry_run(
        &self,
        integration: Integration,
        setting: Setting,
        date: String,
    ) -> Result<DryRun> {
        self.blocking(move |db| date_setting_reach::dry_run(db, integration, setting, &date))
            .await
    }

    /// How many loyalty members removing `integration`'s SMS opt-in setting would lose.
    pub async fn sms_only_members(&self, integration: Integration) -> Result<i64> {
        self.blocking(move |db| db.read(|c| crate::consent::sms_only_members(c, integration)))
            .await
    }

    /// Whether texts can be sent at all (an SMS gateway is set up).
    pub fn sms_gateway_configured(&self) -> bool {
        self.sms.is_some()
    }

    /// Runs the SMS job on `clock` (read again for every text): replies, answers, then requests.
    pub async fn run_sms_opt_ins(&self, clock: &dyn Clock) -> Result<SmsRun> {
        let gateway = self.sms.clone().ok_or_else(|| {
            Error::validation("No SMS gateway is set up, so no opt-in request can be sent.")
                .with_hint("Start Canopy with its sandbox, or set up an SMS gateway.")
        })?;
        opt_in::run(&self.db, gateway.as_ref(), clock).await
    }

    /// Where `integration`'s SMS opt-in requests stand.
    pub async fn sms_status(&self, integration: Integration) -> Result<SmsStatus> {
        self.blocking(move |db| opt_in::status(db, integration))
            .await
    }

    /// Expires the points due at `now` under Settings → Loyalty's expiration.
    pub async fn expire_points(&self, now: DateTime<Utc>) -> Result<ExpiryRun> {
        self.blocking(move |db| expiry::run(db, now)).await
    }
}
