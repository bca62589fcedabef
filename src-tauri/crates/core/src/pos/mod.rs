//! Point-of-sale clients and the integration-neutral records they produce.
//!
//! Each POS kind has a module with its HTTP client and a pure mapping from its JSON to the records
//! below. Base URL and credentials are injected, so the same client talks to the built-in sandbox
//! and to the real POS.

pub mod greenbits;
pub mod http;
pub mod posabit;

use chrono::{DateTime, Utc};
use serde_json::Value;

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
    /// Opted in to marketing at the POS.
    pub marketing_opt_in: bool,
    /// When the POS last changed the record.
    pub updated_at: DateTime<Utc>,
    /// The record as received, kept as provenance.
    pub payload: Value,
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
