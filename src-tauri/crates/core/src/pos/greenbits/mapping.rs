//! Greenbits' JSON read into the neutral records: pure functions, one per record kind.

use serde_json::Value;

use crate::pos::fields::Fields;
use crate::pos::{record_id, Mapped, PosCustomer, PosSale, RecordError};

/// Maps one Greenbits person (customer or patient) to a [`PosCustomer`]; a pure function.
pub fn map_person(record: &Value) -> Mapped<PosCustomer> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let f = Fields::of(record, Some(pos_id.clone()))?;
    Ok(PosCustomer {
        updated_at: f.instant("updated_at")?,
        first_name: f.text("first_name")?,
        last_name: f.text("last_name")?,
        phone_raw: f.text("phone")?,
        email_raw: f.text("email")?,
        birth_date: f.text("birth_date")?,
        loyalty_member: f.text("loyalty_id")?.is_some(),
        marketing_opt_in: None,
        marketing_opt_out: false,
        consent_signed: false,
        // Any other group (or one Greenbits adds later) is a shopper who earns.
        employee: f.text("customer_group")?.as_deref() == Some("Employee"),
        points: f.points("loyalty_points")?,
        state: f.text("state")?,
        payload: record.to_string(),
        pos_id,
    })
}

/// Maps one Greenbits order to a [`PosSale`]; a pure function.
pub fn map_order(record: &Value) -> Mapped<PosSale> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let f = Fields::of(record, Some(pos_id.clone()))?;
    let updated_at = f.instant("updated_at")?;
    let mut discounts = Vec::new();
    for item in f.list("line_items")? {
        match &item["discounts"] {
            Value::Null => {}
            Value::Array(lines) => discounts.extend(lines.iter().cloned()),
            _ => return Err(f.error("line_items", "an item's discounts are not a list")),
        }
    }
    Ok(PosSale {
        customer_pos_id: f.text("person_id")?,
        total_cents: f.cents("total")?,
        discounts: Value::Array(discounts).to_string(),
        voided: f.flag("voided")?.unwrap_or(false),
        purchased_at: f.optional_instant("completed_at")?.unwrap_or(updated_at),
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
    fn maps_a_recorded_person_with_its_loyalty_card_and_group() {
        let person = map_person(&json!({
            "id": "00000004-0000-4000-8000-000000000003", "company_id": 5001, "first_name": "Ana",
            "last_name": null, "email": "ana@example.com", "phone": "(206) 555-0100", "birth_date": "1990-01-01",
            "loyalty_id": "GB0000000001", "customer_group": "Employee", "loyalty_points": 40,
            "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert!(person.loyalty_member && person.employee);
        assert_eq!((person.points, person.marketing_opt_in), (Some(40), None));
        assert_eq!(person.phone_raw.as_deref(), Some("(206) 555-0100"));
    }

    #[test]
    fn an_order_gathers_its_line_item_discounts() {
        let order = map_order(&json!({
            "id": "00000005-0000-4000-8000-000000000001", "person_id": "p-1", "total": 7200,
            "line_items": [{"name": "A", "discounts": [{"name": "10% Off Everything", "amount": 380}]},
                           {"name": "B", "discounts": []}],
            "completed_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:10:00Z"
        }))
        .unwrap();
        assert_eq!(
            order.discounts,
            json!([{"name": "10% Off Everything", "amount": 380}]).to_string()
        );
        assert_eq!(order.customer_pos_id.as_deref(), Some("p-1"));
        let bad = map_order(&json!({"id": "x", "total": 1})).unwrap_err();
        assert_eq!(bad.field, "updated_at");
    }
}
