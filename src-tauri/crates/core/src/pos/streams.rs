//! What a connector tells the sync about its lists: the streams a credential reads, how each one
//! pages, and one page as fetched. The engine in `sources::sync` runs them without knowing the POS.

use serde_json::Value;

use super::rate_budget::RateBudget;
use super::LocationChoice;
use crate::base::stored_name::stored_name;

/// The kind of record a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// Shoppers (POSaBIT customers, Greenbits people and patients); they carry the POS points
    /// balance too, so the points stream rides on them.
    Customer,
    /// Sales (POSaBIT tickets, Greenbits orders).
    Sale,
    /// POS coupons.
    Coupon,
}

/// How a stream moves through the POS's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Pages of the records updated after the stored high-water mark (minus an overlap).
    Incremental,
    /// A list paged by offset and sorted by `updated_at` ascending, so everything changed since
    /// the last run sits at its tail: a run finds where the tail starts (a few one-record probes)
    /// and reads from there; now and then (and on demand) it reads the whole list instead, for
    /// what the tail cannot show. Changes are found by comparing with what is stored; a stopped
    /// scan resumes at its offset (see `sources::sync::scan_cursor`).
    OffsetScan,
    /// The whole (short) list every run.
    Full,
}

stored_name! {
    /// A stream as the history shows it, whichever POS it reads.
    pub enum Stream {
        /// Shoppers (POSaBIT customers, Greenbits people).
        Customers => "customers",
        /// Medical patient lists: refusing them may be optional (a card setting).
        Patients => "patients",
        /// Sales.
        Sales => "sales",
        /// POS coupons.
        Coupons => "coupons",
    }
}

/// What a credential holds that decides its streams.
#[derive(Debug, Clone, Copy)]
pub struct StreamScope<'a> {
    /// The credential's id.
    pub credential_id: &'a str,
    /// The store name the user gave it.
    pub store_name: &'a str,
    /// The locations it syncs, for a POS with several per credential.
    pub locations: &'a [LocationChoice],
    /// Whether medical patient lists are synced too.
    pub medical_patients: bool,
}

/// One stream of one credential.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// The stream, as the history shows it.
    pub stream: Stream,
    /// The key of its cursor in `sync_cursors` (unique per credential).
    pub cursor_key: String,
    /// The mappable key its records come through.
    pub store_key: String,
    /// The store or location name, for progress and history.
    pub store_label: String,
    /// The POS location it reads, for a POS with several per credential.
    pub location: Option<u64>,
    /// What its records are.
    pub kind: RecordKind,
    /// How it pages.
    pub paging: Paging,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// Page `page` (from 1) of the records updated after `after`.
    Page {
        /// The lower bound (exclusive), as ISO 8601.
        after: Option<String>,
        /// The page number.
        page: u64,
    },
    /// The record at `offset` (from 0).
    Offset(u64),
    /// Only the record at `offset`: a probe for where an offset list's tail starts.
    Probe(u64),
}

/// One page as fetched, before mapping.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// The records.
    pub records: Vec<Value>,
    /// Records from this page's start to the end of the list, where the POS says.
    pub remaining: Option<u64>,
    /// Whether the list goes on after this page.
    pub more: bool,
    /// What the answer said of the POS's rate limit, when it said.
    pub budget: Option<RateBudget>,
}

impl RawPage {
    /// A page of an offset-paged list of `total` records that started at `offset`.
    pub fn at_offset(records: Vec<Value>, offset: u64, total: u64) -> Self {
        RawPage {
            remaining: Some(total.saturating_sub(offset)),
            more: offset.saturating_add(records.len() as u64) < total && !records.is_empty(),
            records,
            budget: None,
        }
    }

    /// The same page with what its answer said of the rate limit.
    pub fn with_budget(self, budget: Option<RateBudget>) -> Self {
        RawPage { budget, ..self }
    }
}
