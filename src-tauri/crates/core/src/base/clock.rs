//! Where Canopy reads the time, and instants as it stores them.

use chrono::{DateTime, SecondsFormat, Utc};

/// An instant as stored in the database: RFC 3339 with microseconds, UTC, so stored instants sort
/// as text in time order.
pub fn db_timestamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Where the time is read: the system's clock in the app, a hand-moved one in tests.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always reads the same instant.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
