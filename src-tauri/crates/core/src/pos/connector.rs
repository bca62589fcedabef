//! The seam every POS implements: its schema (streams, reading records into the neutral types)
//! and its connector (fetching a page, looking a shopper up, creating one). Everything outside
//! `pos/` reaches a POS through them, so a new POS is one new folder here.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::streams::{Position, RawPage, RecordKind, StreamPlan, StreamScope};
use super::{Capabilities, Mapped, PosCoupon, PosCustomer, PosSale, RecordError};
use crate::base::error::Result;
use crate::base::secret::Secret;

/// A POS call in flight.
pub type PosFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What a stored credential reaches, as the POS reports it; `None` where the POS cannot say with
/// the stored secret alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The store's name in the POS.
    pub name: Option<String>,
    /// The store's state.
    pub state: Option<String>,
    /// The permissions the secret carries (wire names).
    pub permissions: Option<Vec<String>>,
    /// The locations it may reach.
    pub locations: Option<Vec<super::LocationChoice>>,
}

/// A shopper Canopy creates in a POS (a local signup pushed by two-way contact sync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShopper {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The phone, E.164.
    pub phone: Option<String>,
    /// The e-mail, normalised.
    pub email: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
}

impl NewShopper {
    /// The ten digits a US POS takes for the E.164 phone.
    pub fn national_phone(&self) -> Option<String> {
        self.phone
            .as_deref()
            .map(|phone| phone.trim_start_matches("+1").to_string())
    }
}

/// What a POS's lists look like: its streams and how its records read. Pure: no I/O, so the
/// page-saving code can be driven without a POS (benchmarks, property tests).
pub trait PosSchema: Send + Sync {
    /// What the POS offers that changes which card settings apply.
    fn capabilities(&self) -> Capabilities;

    /// The streams of one credential, in the order they run: shoppers before their sales.
    fn streams(&self, scope: &StreamScope<'_>) -> Vec<StreamPlan>;

    /// When the POS last changed a raw record of `kind`, where readable: where the next
    /// incremental page starts, even past records that cannot be mapped.
    fn updated_at(&self, kind: RecordKind, record: &Value) -> Option<DateTime<Utc>>;

    /// Reads one raw shopper record.
    fn map_customer(&self, record: &Value) -> Mapped<PosCustomer>;

    /// Reads a shopper's stored payload (what [`PosCustomer::payload`] kept) back.
    fn map_stored_customer(&self, payload: &Value) -> Mapped<PosCustomer>;

    /// Reads one raw sale record.
    fn map_sale(&self, record: &Value) -> Mapped<PosSale>;

    /// Reads one raw record of the POS's discount list (coupons); a POS without one never plans
    /// a coupon stream, so never gets one.
    fn map_coupon(&self, record: &Value) -> Mapped<PosCoupon> {
        let _ = record;
        Err(RecordError::new(
            None,
            "coupon",
            "this POS has no discount list",
        ))
    }
}

/// One POS's API, as the sync and the outbox call it.
pub trait Connector: Send + Sync {
    /// Its lists' shape.
    fn schema(&self) -> &dyn PosSchema;

    /// What the credential's `secret` reaches now: the POS's answer to the permission pre-flight,
    /// as far as the POS can tell it without the user (Test connection).
    fn check_access<'a>(&'a self, secret: &'a Secret) -> PosFuture<'a, Access>;

    /// Fetches the page of `plan` at `position` with the credential's `secret`.
    fn fetch_page<'a>(
        &'a self,
        secret: &'a Secret,
        plan: &'a StreamPlan,
        position: &'a Position,
    ) -> PosFuture<'a, RawPage>;

    /// The POS id of the shopper at `location` with the same phone or e-mail, if there is one:
    /// the look-up staff (and Canopy) make before creating a shopper.
    fn find_shopper<'a>(
        &'a self,
        secret: &'a Secret,
        location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, Option<String>>;

    /// Creates the shopper at `location` and returns the POS's id for them.
    fn create_shopper<'a>(
        &'a self,
        secret: &'a Secret,
        location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, String>;
}
