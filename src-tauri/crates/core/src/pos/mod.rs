//! Point-of-sale clients and the integration-neutral records they produce.
//!
//! Each POS kind has a folder with its HTTP client, a pure mapping from its JSON to the records
//! below, its [`PosSchema`] and its [`Connector`]: the seam the rest of the core reaches a POS
//! through. Base URL
//! and credentials are injected, so the same client talks to the built-in sandbox and to the real
//! POS. How to add a POS: `pos/README.md`.

pub mod connector;
pub mod fields;
pub mod greenbits;
pub mod http;
pub mod posabit;
pub mod rate_budget;
pub mod retry;
pub mod store_keys;
pub mod streams;

pub use connector::{Access, Connector, NewShopper, PosFuture, PosSchema};
pub use store_keys::{location_key, location_of, store_keys, StoreKey};

use chrono::{DateTime, Utc};

use crate::base::pos_kind::Integration;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The POS clients, pointed at the sandbox or the real POS.
#[derive(Clone)]
pub struct PosClients {
    /// POSaBIT.
    pub posabit: posabit::PosabitClient,
    /// Greenbits.
    pub greenbits: greenbits::GreenbitsClient,
}

impl PosClients {
    /// The connector of `integration`'s POS.
    pub fn connector(&self, integration: Integration) -> std::sync::Arc<dyn Connector> {
        match integration {
            Integration::Posabit => std::sync::Arc::new(self.posabit.clone()),
            Integration::Greenbits => std::sync::Arc::new(self.greenbits.clone()),
        }
    }
}

/// A location of a multi-location credential (a Greenbits company), as the credential keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocationChoice {
    /// The Greenbits company id.
    #[ts(type = "number")]
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its state, when Greenbits reports one.
    pub state: Option<String>,
}

/// A shopper as a POS reports it, before matching.
#[derive(Debug, Clone, PartialEq)]
pub struct PosCustomer {
    /// The POS's own id for the shopper, as text.
    pub pos_id: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The phone exactly as the POS sent it.
    pub phone_raw: Option<String>,
    /// The e-mail exactly as the POS sent it.
    pub email_raw: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Member of the POS loyalty programme.
    pub loyalty_member: bool,
    /// Opted in to marketing at the POS; `None` when the POS has no such field.
    pub marketing_opt_in: Option<bool>,
    /// Opted out of marketing at the POS: final, whatever else says otherwise.
    pub marketing_opt_out: bool,
    /// The POS holds a signed consent ("Customer Consent" with signature): evidence for an opt-in.
    pub consent_signed: bool,
    /// An employee profile: it earns no points.
    pub employee: bool,
    /// The loyalty balance the POS holds for the shopper, where the POS exposes one.
    pub points: Option<i64>,
    /// The shopper's state (two letters), where the POS reports one: "Sync to relevant market".
    pub state: Option<String>,
    /// When the POS last changed the record.
    pub updated_at: DateTime<Utc>,
    /// The record as received (JSON text), kept as provenance.
    pub payload: String,
}

/// Why one POS record could not be read; the sync skips it and keeps the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record's POS id, when it had a readable one.
    pub pos_id: Option<String>,
    /// The field at fault.
    pub field: String,
    /// What was wrong with it.
    pub reason: String,
}

/// A sale (POSaBIT ticket, Greenbits order) as the POS reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PosSale {
    /// The POS's id for the sale.
    pub pos_id: String,
    /// The POS id of the shopper it was rung up for; `None` for a walk-in.
    pub customer_pos_id: Option<String>,
    /// What the shopper paid, in cents.
    pub total_cents: i64,
    /// The discount lines as JSON text, `[{"name", "amount"}]` (mirrored discounts are matched
    /// by name).
    pub discounts: String,
    /// Voided at the POS: it counts for nothing.
    pub voided: bool,
    /// When the sale was closed.
    pub purchased_at: DateTime<Utc>,
    /// When the POS last changed the record.
    pub updated_at: DateTime<Utc>,
    /// The record as received (JSON text).
    pub payload: String,
}

/// A coupon (the POS side of a mirrored discount).
#[derive(Debug, Clone, PartialEq)]
pub struct PosCoupon {
    /// The POS's id for it.
    pub pos_id: String,
    /// Its name: mirrored discounts are matched by name.
    pub name: String,
    /// Whether it can be used.
    pub active: bool,
    /// The record as received (JSON text).
    pub payload: String,
}

/// A list record read into its domain type, or why it could not be.
pub type Mapped<T> = std::result::Result<T, RecordError>;

/// Maps one discount of a POS's list (a POSaBIT coupon, a Greenbits discount: both `{id, name,
/// active, …}`) to a [`PosCoupon`]; a pure function.
pub fn map_discount(record: &Value) -> Mapped<PosCoupon> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let f = fields::Fields::of(record, Some(pos_id.clone()))?;
    Ok(PosCoupon {
        name: f.text("name")?.ok_or_else(|| f.error("name", "missing"))?,
        active: f.flag("active")?.unwrap_or(true),
        payload: record.to_string(),
        pos_id,
    })
}

/// Takes the array `field` out of a JSON object (empty when missing).
pub(crate) fn take_list(body: &mut Value, field: &str) -> Vec<Value> {
    match body.get_mut(field).map(Value::take) {
        Some(Value::Array(records)) => records,
        _ => Vec::new(),
    }
}

/// Drops the null fields of a JSON object: a POS create sends only what Canopy knows.
pub(crate) fn without_nulls(mut fields: Value) -> Value {
    if let Some(map) = fields.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    fields
}

/// Reads a JSON field as an ISO 8601 instant no later than a day from now (see
/// [`fields::FUTURE_SLACK`]): the stamp a page's paging may move on from.
pub(crate) fn instant(record: &Value, field: &str) -> Option<DateTime<Utc>> {
    fields::instant_of(&record[field]).filter(|at| *at <= Utc::now() + fields::FUTURE_SLACK)
}

/// The longest id a POS record may have, in bytes.
pub const MAX_ID_BYTES: usize = 200;

/// Reads a record's id: a positive integer or a non-empty string of at most [`MAX_ID_BYTES`].
pub(crate) fn record_id(record: &Value) -> Option<String> {
    match &record["id"] {
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.len() <= MAX_ID_BYTES => {
            Some(s.trim().to_string())
        }
        _ => None,
    }
}

impl RecordError {
    /// A record error about `field`.
    pub fn new(pos_id: Option<String>, field: &str, reason: &str) -> Self {
        RecordError {
            pos_id,
            field: field.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// The schema of `integration`'s POS: its streams and how its records read.
pub fn schema(integration: Integration) -> &'static dyn PosSchema {
    match integration {
        Integration::Posabit => &posabit::PosabitSchema,
        Integration::Greenbits => &greenbits::GreenbitsSchema,
    }
}

/// What `integration`'s POS offers.
pub fn capabilities(integration: Integration) -> Capabilities {
    schema(integration).capabilities()
}

/// A permission a POS credential needs: (wire name, label, remedy when missing).
pub type Permission = (&'static str, &'static str, &'static str);

/// The permissions `integration`'s credentials need.
pub fn required_permissions(integration: Integration) -> &'static [Permission] {
    match integration {
        Integration::Posabit => &posabit::REQUIRED_PERMISSIONS,
        Integration::Greenbits => &greenbits::REQUIRED_PERMISSIONS,
    }
}

/// What a POS offers that changes which card settings make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// It keeps medical patient lists apart from its shoppers.
    pub patient_lists: bool,
    /// Its loyalty balances can be mirrored (they follow the POS instead of local earning).
    pub mirrored_points: bool,
    /// It reports each shopper's state (for "Sync to relevant market").
    pub shopper_state: bool,
    /// One credential reaches several locations, each a store key of its own.
    pub locations: bool,
}
