//! Reading a fetched page into domain records before it is saved: each POS record mapped by the
//! connector's schema (or kept as the reason it could not be), shoppers outside the market left
//! out. Pure work with no database, so a sync reads the next page while the writer saves this one.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::PageContext;
use crate::pos::streams::{RecordKind, StreamPlan};
use crate::pos::{PosCoupon, PosCustomer, PosSale, PosSchema, RecordError};

/// One record of a page, read.
#[derive(Debug)]
pub enum PageRecord {
    /// A shopper.
    Customer(PosCustomer),
    /// A sale.
    Sale(PosSale),
    /// A coupon.
    Coupon(PosCoupon),
    /// A record that could not be read, and why: skipped with a row-level error.
    Unreadable(RecordError),
}

/// A page's records as saving takes them.
#[derive(Debug, Default)]
pub struct ReadPage {
    /// The records in the order the POS sent them, less shoppers outside the market.
    pub records: Vec<PageRecord>,
    /// The newest `updated_at` among the readable shoppers and sales kept.
    pub newest: Option<DateTime<Utc>>,
}

impl ReadPage {
    /// How many of its records could not be read.
    pub fn rejected(&self) -> u32 {
        self.records
            .iter()
            .filter(|record| matches!(record, PageRecord::Unreadable(_)))
            .count() as u32
    }
}

/// The market a page's shoppers are kept to: the context's, where the POS reports a state.
pub fn market<'a>(schema: &dyn PosSchema, page: &'a PageContext) -> Option<&'a str> {
    page.market
        .as_deref()
        .filter(|_| schema.capabilities().shopper_state)
}

/// Reads `records`, a page of `plan`'s stream, with `schema`; with a `market`, a shopper whose
/// state is another (or unknown) is left out.
pub fn read_page(
    schema: &dyn PosSchema,
    plan: &StreamPlan,
    market: Option<&str>,
    records: &[Value],
) -> ReadPage {
    let mut page = ReadPage {
        records: Vec::with_capacity(records.len()),
        newest: None,
    };
    for record in records {
        let read = match plan.kind {
            RecordKind::Customer => match schema.map_customer(record) {
                Ok(customer) if !in_market(market, customer.state.as_deref()) => continue,
                Ok(customer) => {
                    page.newest = page.newest.max(Some(customer.updated_at));
                    PageRecord::Customer(customer)
                }
                Err(bad) => PageRecord::Unreadable(bad),
            },
            RecordKind::Sale => match schema.map_sale(record) {
                Ok(sale) => {
                    page.newest = page.newest.max(Some(sale.updated_at));
                    PageRecord::Sale(sale)
                }
                Err(bad) => PageRecord::Unreadable(bad),
            },
            RecordKind::Coupon => match schema.map_coupon(record) {
                Ok(coupon) => PageRecord::Coupon(coupon),
                Err(bad) => PageRecord::Unreadable(bad),
            },
        };
        page.records.push(read);
    }
    page
}

/// With "Sync to relevant market" on (a `market`), whether a shopper in `state` belongs to it.
fn in_market(market: Option<&str>, state: Option<&str>) -> bool {
    market.is_none_or(|market| state.is_some_and(|state| state.eq_ignore_ascii_case(market)))
}
