//! Greenbits' lists: one log-in reaches several locations, each with its people (and, when
//! synced, patients) and orders, read whole by offset, and its discounts.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{mapping, CAPABILITIES};
use crate::pos::connector::PosSchema;
use crate::pos::store_keys::location_key;
use crate::pos::streams::{Paging, RecordKind, Stream, StreamPlan, StreamScope};
use crate::pos::{instant, Capabilities, Mapped, PosCoupon, PosCustomer, PosSale};

/// Greenbits' schema.
pub struct GreenbitsSchema;

impl PosSchema for GreenbitsSchema {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// For each location: its people, its patients when synced, its orders, then its discounts (read
    /// whole every run, for the rewards' mirror check).
    fn streams(&self, scope: &StreamScope<'_>) -> Vec<StreamPlan> {
        let mut plans = Vec::new();
        for location in scope.locations {
            let mut lists = vec![(Stream::Customers, RecordKind::Customer)];
            if scope.medical_patients {
                lists.push((Stream::Patients, RecordKind::Customer));
            }
            lists.push((Stream::Sales, RecordKind::Sale));
            lists.push((Stream::Coupons, RecordKind::Coupon));
            for (stream, kind) in lists {
                plans.push(StreamPlan {
                    stream,
                    cursor_key: format!("{stream}@{}", location.id),
                    store_key: location_key(scope.credential_id, location.id),
                    store_label: location.name.clone(),
                    location: Some(location.id),
                    kind,
                    paging: match kind {
                        RecordKind::Coupon => Paging::Full,
                        _ => Paging::OffsetScan,
                    },
                });
            }
        }
        plans
    }

    fn updated_at(&self, _kind: RecordKind, record: &Value) -> Option<DateTime<Utc>> {
        instant(record, "updated_at")
    }

    fn map_customer(&self, record: &Value) -> Mapped<PosCustomer> {
        mapping::map_person(record)
    }

    fn map_stored_customer(&self, payload: &Value) -> Mapped<PosCustomer> {
        mapping::map_person(payload)
    }

    fn map_sale(&self, record: &Value) -> Mapped<PosSale> {
        mapping::map_order(record)
    }

    fn map_coupon(&self, record: &Value) -> Mapped<PosCoupon> {
        crate::pos::map_discount(record)
    }
}
