//! POSaBIT's JSON read into the neutral records: pure functions, one per record kind.

use serde_json::Value;

use crate::pos::fields::Fields;
use crate::pos::{record_id, Mapped, PosCustomer, PosSale, RecordError};

/// Maps one `{"customer": {...}}` element to a [`PosCustomer`]; a pure function.
pub fn map_customer(element: &Value) -> Mapped<PosCustomer> {
    let record = &element["customer"];
    if !record.is_object() {
        return Err(RecordError::new(
            None,
            "customer",
            "the element is not wrapped in {\"customer\": …}",
        ));
    }
    let pos_id = match &record["id"] {
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => {
            return Err(RecordError::new(
                None,
                "id",
                "missing or not a positive integer",
            ))
        }
    };
    let f = Fields::of(record, Some(pos_id.clone()))?;
    Ok(PosCustomer {
        updated_at: f.instant("updated_at")?,
        first_name: f.text("first_name")?,
        last_name: f.text("last_name")?,
        phone_raw: f.text("telephone")?,
        email_raw: f.text("email")?,
        birth_date: f.text("date_of_birth")?,
        loyalty_member: f.flag("loyalty_member")?.unwrap_or(false),
        marketing_opt_in: Some(f.flag("marketing_opt_in")?.unwrap_or(false)),
        marketing_opt_out: f.flag("marketing_opt_out")?.unwrap_or(false),
        consent_signed: f.flag("consent_signature")?.unwrap_or(false),
        // Any other type (or one POSaBIT adds later) is a shopper who earns.
        employee: f.text("customer_type")?.as_deref() == Some("employee"),
        points: f.points("loyalty_points")?,
        state: f.text("state")?,
        payload: record.to_string(),
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
    let f = Fields::of(record, Some(pos_id.clone()))?;
    let updated_at = f.instant("updated_at")?;
    let customer_pos_id = match &record["customer_id"] {
        Value::Null => None,
        other => Some(
            record_id(&serde_json::json!({ "id": other }))
                .ok_or_else(|| f.error("customer_id", "not an id"))?,
        ),
    };
    Ok(PosSale {
        purchased_at: f.optional_instant("closed_at")?.unwrap_or(updated_at),
        total_cents: f.cents("total")?,
        discounts: Value::Array(f.list("discounts")?.to_vec()).to_string(),
        voided: f.flag("voided")?.unwrap_or(false),
        customer_pos_id,
        updated_at,
        payload: record.to_string(),
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
