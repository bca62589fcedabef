//! POSaBIT's lists: one key is one venue with three streams — customers and tickets paged by
//! `updated_at`, and the short coupon list read whole.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{mapping, CAPABILITIES};
use crate::pos::connector::PosSchema;
use crate::pos::streams::{Paging, RecordKind, Stream, StreamPlan, StreamScope};
use crate::pos::{instant, Capabilities, Mapped, PosCoupon, PosCustomer, PosSale};

/// POSaBIT's schema.
pub struct PosabitSchema;

impl PosSchema for PosabitSchema {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn streams(&self, scope: &StreamScope<'_>) -> Vec<StreamPlan> {
        let plan = |stream, kind, paging| StreamPlan {
            stream,
            cursor_key: stream.to_string(),
            store_key: scope.credential_id.to_string(),
            store_label: scope.store_name.to_string(),
            location: None,
            kind,
            paging,
        };
        vec![
            plan(Stream::Customers, RecordKind::Customer, Paging::Incremental),
            plan(Stream::Sales, RecordKind::Sale, Paging::Incremental),
            plan(Stream::Coupons, RecordKind::Coupon, Paging::Full),
        ]
    }

    fn updated_at(&self, kind: RecordKind, record: &Value) -> Option<DateTime<Utc>> {
        match kind {
            RecordKind::Customer => instant(&record["customer"], "updated_at"),
            RecordKind::Sale => instant(&record["ticket"], "updated_at"),
            RecordKind::Coupon => instant(record, "updated_at"),
        }
    }

    fn map_customer(&self, record: &Value) -> Mapped<PosCustomer> {
        mapping::map_customer(record)
    }

    /// The stored payload is the inner `customer` object.
    fn map_stored_customer(&self, payload: &Value) -> Mapped<PosCustomer> {
        mapping::map_customer(&json!({ "customer": payload }))
    }

    fn map_sale(&self, record: &Value) -> Mapped<PosSale> {
        mapping::map_ticket(record)
    }

    fn map_coupon(&self, record: &Value) -> Mapped<PosCoupon> {
        crate::pos::map_discount(record)
    }
}
