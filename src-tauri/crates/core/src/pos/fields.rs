//! Reading the fields of one POS record strictly. Absent or `null` means "not given"; a value of the
//! wrong type, out of range, too long, or a stamp in the future is a [`RecordError`] naming the
//! field, so a hostile or broken record is rejected with its reason instead of being half-read, and
//! nothing a POS sends can overflow a total, a balance or the database.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Mapped, RecordError};

/// The longest text field kept, in bytes (names, phones, e-mails, dates and ids are far shorter).
pub const MAX_TEXT_BYTES: usize = 1_000;
/// The largest record kept, in bytes of JSON text (it is stored whole as provenance).
pub const MAX_RECORD_BYTES: usize = 256 * 1024;
/// The largest sale total or discount read, either sign, in cents: $1 billion.
pub const MAX_CENTS: i64 = 100_000_000_000;
/// The largest points balance read, either sign.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// How far in the future a stamp may be (clocks differ) before it is taken as wrong: a later one
/// would hold the stream's cursor past every real change.
pub const FUTURE_SLACK: chrono::Duration = chrono::Duration::days(1);

/// One record's fields, read with the record's POS id attached to every error.
pub struct Fields<'a> {
    record: &'a Value,
    pos_id: Option<String>,
}

impl<'a> Fields<'a> {
    /// The fields of `record`, whose POS id is `pos_id` when it had a readable one. A record larger
    /// than [`MAX_RECORD_BYTES`] is refused here, before any field is read.
    pub fn of(record: &'a Value, pos_id: Option<String>) -> Mapped<Self> {
        let fields = Fields { record, pos_id };
        if exceeds(record, MAX_RECORD_BYTES) {
            return Err(fields.error(
                "record",
                &format!("larger than {} KB", MAX_RECORD_BYTES / 1024),
            ));
        }
        Ok(fields)
    }

    /// The record's POS id.
    pub fn pos_id(&self) -> Option<&str> {
        self.pos_id.as_deref()
    }

    /// An error about `field` of this record.
    pub fn error(&self, field: &str, reason: &str) -> RecordError {
        RecordError::new(self.pos_id.clone(), field, reason)
    }

    fn given(&self, field: &str) -> Option<&'a Value> {
        self.record.get(field).filter(|v| !v.is_null())
    }

    /// A text field, trimmed; `None` when absent, null or blank.
    pub fn text(&self, field: &str) -> Mapped<Option<String>> {
        match self.given(field) {
            None => Ok(None),
            Some(Value::String(s)) if s.len() > MAX_TEXT_BYTES => {
                Err(self.error(field, &format!("longer than {MAX_TEXT_BYTES} characters")))
            }
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(other) => Err(self.error(field, &format!("not text but {}", kind(other)))),
        }
    }

    /// A true/false field; `None` when absent or null.
    pub fn flag(&self, field: &str) -> Mapped<Option<bool>> {
        match self.given(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => {
                Err(self.error(field, &format!("not true or false but {}", kind(other))))
            }
        }
    }

    /// A required amount in whole cents within ±[`MAX_CENTS`].
    pub fn cents(&self, field: &str) -> Mapped<i64> {
        self.bounded(field, MAX_CENTS, "a whole number of cents")?
            .ok_or_else(|| self.error(field, "missing or not a whole number of cents"))
    }

    /// A points balance within ±[`MAX_POINTS`]; `None` when absent or null.
    pub fn points(&self, field: &str) -> Mapped<Option<i64>> {
        self.bounded(field, MAX_POINTS, "a whole number of points")
    }

    fn bounded(&self, field: &str, limit: i64, what: &str) -> Mapped<Option<i64>> {
        match self.given(field) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (-limit..=limit).contains(&v) => Ok(Some(v)),
                _ if n.is_i64() || n.is_u64() => {
                    Err(self.error(field, &format!("out of range (at most {limit} either way)")))
                }
                _ => Err(self.error(field, &format!("not {what}"))),
            },
            Some(other) => Err(self.error(field, &format!("not {what} but {}", kind(other)))),
        }
    }

    /// A required ISO 8601 instant, no later than a day from now.
    pub fn instant(&self, field: &str) -> Mapped<DateTime<Utc>> {
        self.optional_instant(field)?
            .ok_or_else(|| self.error(field, "missing or not ISO 8601"))
    }

    /// An ISO 8601 instant no later than a day from now; `None` when absent or null.
    pub fn optional_instant(&self, field: &str) -> Mapped<Option<DateTime<Utc>>> {
        match self.given(field) {
            None => Ok(None),
            Some(value) => match instant_of(value) {
                Some(at) if at <= Utc::now() + FUTURE_SLACK => Ok(Some(at)),
                Some(_) => Err(self.error(field, "in the future")),
                None => Err(self.error(field, "not ISO 8601")),
            },
        }
    }

    /// A list field; empty when absent or null.
    pub fn list(&self, field: &str) -> Mapped<&'a [Value]> {
        match self.given(field) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.error(field, &format!("not a list but {}", kind(other)))),
        }
    }
}

/// Reads a JSON value as an ISO 8601 instant.
pub(crate) fn instant_of(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// What kind of JSON value `value` is, for an error text (never the value itself).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Whether `value` written as JSON would take more than `limit` bytes; stops counting as soon as
/// it does, so a huge record costs no more than the limit to check.
fn exceeds(value: &Value, limit: usize) -> bool {
    fn walk(value: &Value, budget: &mut usize) -> bool {
        let cost = match value {
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                *budget = budget.saturating_sub(items.len() + 1);
                return items.iter().any(|item| walk(item, budget)) || *budget == 0;
            }
            Value::Object(map) => {
                *budget = budget.saturating_sub(map.len() + 1);
                return map.iter().any(|(key, item)| {
                    *budget = budget.saturating_sub(key.len() + 3);
                    walk(item, budget)
                }) || *budget == 0;
            }
            _ => 8,
        };
        *budget = budget.saturating_sub(cost);
        *budget == 0
    }
    let mut budget = limit;
    walk(value, &mut budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(record: &Value) -> Fields<'_> {
        Fields::of(record, Some("7".into())).unwrap()
    }

    #[test]
    fn absent_and_null_are_not_given_and_wrong_types_name_the_field() {
        let record = json!({"name": null, "flag": "yes", "total": "lots", "first": 12});
        let f = fields(&record);
        assert_eq!(f.text("name"), Ok(None));
        assert_eq!(f.text("missing"), Ok(None));
        assert_eq!(f.flag("flag").unwrap_err().field, "flag");
        let first = f.text("first").unwrap_err();
        assert_eq!(
            (first.pos_id.as_deref(), first.reason.as_str()),
            (Some("7"), "not text but a number")
        );
        assert_eq!(f.cents("total").unwrap_err().field, "total");
    }

    #[test]
    fn integer_extremes_are_out_of_range() {
        for extreme in [
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1e300),
        ] {
            let record = json!({ "total": extreme, "points": extreme });
            let f = fields(&record);
            assert!(f.cents("total").is_err(), "{extreme}");
            assert!(f.points("points").is_err(), "{extreme}");
        }
        let record = json!({"total": -MAX_CENTS, "points": MAX_POINTS});
        assert_eq!(fields(&record).cents("total"), Ok(-MAX_CENTS));
        assert_eq!(fields(&record).points("points"), Ok(Some(MAX_POINTS)));
    }

    #[test]
    fn long_texts_large_records_and_future_stamps_are_refused() {
        let record = json!({"name": "x".repeat(MAX_TEXT_BYTES + 1)});
        assert!(fields(&record).text("name").is_err());
        let huge = json!({"notes": ["y".repeat(MAX_RECORD_BYTES)]});
        assert_eq!(
            Fields::of(&huge, None).err().map(|e| e.field),
            Some("record".into())
        );
        let nested = json!({"a": [[[[{"b": "z".repeat(1000)}]]]]});
        assert!(Fields::of(&nested, None).is_ok());
        let record = json!({"at": "9999-12-31T23:59:59Z", "now": Utc::now().to_rfc3339()});
        assert_eq!(
            fields(&record).instant("at").unwrap_err().reason,
            "in the future"
        );
        assert!(fields(&record).instant("now").is_ok());
    }
}
