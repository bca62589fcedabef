//! The shape of a POS answer with every value masked: its keys and the type of each value, so
//! support can see what a POS sent without seeing a shopper.

use serde_json::{json, Map, Value};

use crate::base::identity::mask_contacts;

/// `value` with every value replaced by its type (`"string"`, `"number"`, `"bool"`, `null`), an
/// array by its length and the shape of its first item, and keys that look like a phone or an
/// e-mail masked too.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => json!({
            "array_of": items.len(),
            "item": items.first().map_or(Value::Null, shape),
        }),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (mask_contacts(key), shape(value)))
                .collect::<Map<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_keeps_keys_and_types_and_no_value() {
        let answer = json!({
            "first_name": "Avery",
            "telephone": "+12065550100",
            "points": 120,
            "active": true,
            "deleted_at": null,
            "tags": [{"name": "vip"}, {"name": "new"}],
            "+12065550101": "keyed by a phone",
        });
        let shown = shape(&answer);
        let text = shown.to_string();
        for value in ["Avery", "2065550100", "120", "vip", "2065550101"] {
            assert!(!text.contains(value), "{value} in {text}");
        }
        assert_eq!(shown["first_name"], "string");
        assert_eq!(shown["points"], "number");
        assert_eq!(shown["active"], "bool");
        assert_eq!(shown["deleted_at"], Value::Null);
        assert_eq!(shown["tags"]["array_of"], 2);
        assert_eq!(shown["tags"]["item"]["name"], "string");
    }
}
