//! POSaBIT's JSON read into the neutral records: pure functions, one per record kind.

use serde_json::Value;

use crate::pos::{instant, record_id, text, Mapped, PosCoupon, PosCustomer, PosSale, RecordError};

/// Maps one `{"customer": {...}}` element to a [`PosCustomer`]; a pure function.
pub fn map_customer(element: &Value) -> Mapped<PosCustomer> {
    let record = &element["customer"];
    let fail = RecordError::new;
    if !record.is_object() {
        return Err(fail(
            None,
            "customer",
            "the element is not wrapped in {\"customer\": …}",
        ));
    }
    let pos_id = match &record["id"] {
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => return Err(fail(None, "id", "missing or not a positive integer")),
    };
    let updated_at = instant(record, "updated_at").ok_or_else(|| {
        fail(
            Some(pos_id.clone()),
            "updated_at",
            "missing or not ISO 8601",
        )
    })?;
    Ok(PosCustomer {
        first_name: text(record, "first_name"),
        last_name: text(record, "last_name"),
        phone_raw: text(record, "telephone"),
        email_raw: text(record, "email"),
        birth_date: text(record, "date_of_birth"),
        loyalty_member: record["loyalty_member"].as_bool().unwrap_or(false),
        marketing_opt_in: Some(record["marketing_opt_in"].as_bool().unwrap_or(false)),
        marketing_opt_out: record["marketing_opt_out"].as_bool().unwrap_or(false),
        consent_signed: record["consent_signature"].as_bool().unwrap_or(false),
        employee: record["customer_type"].as_str() == Some("employee"),
        points: record["loyalty_points"].as_i64(),
        state: text(record, "state"),
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

/// Maps one `{"ticket": {...}}` element to a [`PosSale`]; a pure function.
pub fn map_ticket(element: &Value) -> Mapped<PosSale> {
    let record = &element["ticket"];
    if !record.is_object() {
        return Err(RecordError::new(
            None,
            "ticket",
            "the element is not wrapped in {\"ticket\": …}",
        ));
    }
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let fail = |field: &str, reason: &str| RecordError::new(Some(pos_id.clone()), field, reason);
    let updated_at = instant(record, "updated_at")
        .ok_or_else(|| fail("updated_at", "missing or not ISO 8601"))?;
    let purchased_at = instant(record, "closed_at").unwrap_or(updated_at);
    let total_cents = record["total"]
        .as_i64()
        .ok_or_else(|| fail("total", "missing or not a whole number of cents"))?;
    Ok(PosSale {
        customer_pos_id: match &record["customer_id"] {
            Value::Null => None,
            other => record_id(&serde_json::json!({ "id": other })),
        },
        total_cents,
        discounts: record["discounts"].clone(),
        voided: record["voided"].as_bool().unwrap_or(false),
        purchased_at,
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

/// Maps one V2 coupon to a [`PosCoupon`]; a pure function.
pub fn map_coupon(record: &Value) -> Mapped<PosCoupon> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let name = text(record, "name")
        .ok_or_else(|| RecordError::new(Some(pos_id.clone()), "name", "missing"))?;
    Ok(PosCoupon {
        active: record["active"].as_bool().unwrap_or(true),
        payload: record.clone(),
        name,
        pos_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_a_recorded_customer() {
        let element = json!({"customer": {
            "id": 10000001, "first_name": "Zoë", "last_name": " García ", "telephone": "5552312222",
            "email": "  AVA@EXAMPLE.COM ", "date_of_birth": "1990-02-03", "loyalty_member": true,
            "marketing_opt_in": false, "updated_at": "2024-01-01T00:01:00+00:00"
        }});
        let customer = map_customer(&element).unwrap();
        assert_eq!(customer.pos_id, "10000001");
        assert_eq!(customer.last_name.as_deref(), Some("García"));
        assert_eq!(customer.email_raw.as_deref(), Some("AVA@EXAMPLE.COM"));
        assert!(customer.loyalty_member);
        assert_eq!(
            customer.updated_at.to_rfc3339(),
            "2024-01-01T00:01:00+00:00"
        );
    }

    #[test]
    fn malformed_records_name_the_field() {
        let no_id = map_customer(
            &json!({"customer": {"first_name": "A", "updated_at": "2024-01-01T00:00:00Z"}}),
        )
        .unwrap_err();
        assert_eq!((no_id.pos_id, no_id.field.as_str()), (None, "id"));
        let bad_stamp =
            map_customer(&json!({"customer": {"id": 5, "updated_at": "yesterday"}})).unwrap_err();
        assert_eq!(
            (bad_stamp.pos_id.as_deref(), bad_stamp.field.as_str()),
            (Some("5"), "updated_at")
        );
        let unwrapped = map_customer(&json!({"id": 5})).unwrap_err();
        assert_eq!(unwrapped.field, "customer");
    }

    #[test]
    fn maps_a_recorded_ticket_and_names_a_bad_total() {
        let element = json!({"ticket": {
            "id": 200000000001u64, "customer_id": 20000000005u64, "subtotal": 4400, "total": 3960,
            "discounts": [{"name": "10% Off Everything", "amount": 440}], "line_items": [],
            "closed_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:05:00Z", "voided": false
        }});
        let sale = map_ticket(&element).unwrap();
        assert_eq!(sale.pos_id, "200000000001");
        assert_eq!(sale.customer_pos_id.as_deref(), Some("20000000005"));
        assert_eq!(sale.total_cents, 3960);
        assert_eq!(sale.purchased_at.to_rfc3339(), "2026-11-01T10:00:00+00:00");
        let walk_in = map_ticket(
            &json!({"ticket": {"id": 7, "customer_id": null, "total": 100,
            "updated_at": "2026-11-01T10:05:00Z"}}),
        )
        .unwrap();
        assert_eq!(walk_in.customer_pos_id, None);
        let bad = map_ticket(
            &json!({"ticket": {"id": 7, "total": "lots", "updated_at": "2026-11-01T10:05:00Z"}}),
        )
        .unwrap_err();
        assert_eq!(
            (bad.pos_id.as_deref(), bad.field.as_str()),
            (Some("7"), "total")
        );
    }
}
