//! Instants as Canopy stores them.

use chrono::{DateTime, SecondsFormat, Utc};

/// An instant as stored in the database: RFC 3339 with microseconds, UTC, so stored instants sort
/// as text in time order.
pub fn db_timestamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Micros, true)
}
