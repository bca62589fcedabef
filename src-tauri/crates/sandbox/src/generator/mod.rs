//! Deterministic data generator.
//!
//! Every record is a pure function of `(seed, store index, record index)`, so page N of any list is
//! computed directly, without materialising pages 1..N-1, and the same seed always serves the same
//! data. Records of one collection are spread evenly over a fixed history (see [`Timeline`]) in index
//! order, which makes "updated after T" an arithmetic question.

mod greenbits;
mod identity;
mod posabit;

use chrono::{DateTime, Duration, TimeZone, Utc};

pub use greenbits::{
    discount_id, discount_index, greenbits_discount, greenbits_order, greenbits_person, order_id,
    order_index, patient_id, patient_index, person_id, person_index, PersonList,
};
pub use identity::{Identity, Kind};
pub use posabit::{
    coupon_name, posabit_coupon, posabit_customer, posabit_customer_id, posabit_customer_index,
    posabit_ticket, posabit_ticket_id, COUPON_NAMES,
};

/// A SplitMix64 step: the generator's only source of randomness.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stream of pseudo-random numbers for one record.
pub(crate) struct Dice(u64);

impl Dice {
    /// The dice of record `index` of `stream` (a collection tag) in store `store`.
    pub(crate) fn new(seed: u64, stream: u64, store: usize, index: u64) -> Self {
        Dice(mix(seed ^ mix(stream ^ mix(store as u64 ^ mix(index)))))
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }
    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True `percent` times out of a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// When generated history starts.
pub fn history_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// When generated history ends: every generated record was last updated before it, so records
/// changed through the admin API or by a fault (stamped "now") always sort after them.
pub fn history_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The `updated_at` stamps of a collection of `len` records, spread evenly over the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    len: u64,
    step_ms: i64,
}

impl Timeline {
    /// The timeline of a collection of `len` records.
    pub fn new(len: u64) -> Self {
        let span = (history_end() - history_start()).num_milliseconds();
        Timeline {
            len,
            step_ms: (span / len.max(1) as i64).max(1),
        }
    }

    /// The `updated_at` of record `index`.
    pub fn at(&self, index: u64) -> DateTime<Utc> {
        history_start() + Duration::milliseconds(index as i64 * self.step_ms)
    }

    /// The index of the first record updated strictly after `instant` (`len` when none is).
    pub fn first_after(&self, instant: DateTime<Utc>) -> u64 {
        let elapsed = (instant - history_start()).num_milliseconds();
        if elapsed < 0 {
            return 0;
        }
        ((elapsed / self.step_ms) as u64 + 1).min(self.len)
    }
}

/// Formats an instant the way both POS APIs do: RFC 3339 with milliseconds and an offset.
pub fn stamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_orders_records_and_inverts_exactly() {
        for len in [1_u64, 7, 300, 2_000_000] {
            let timeline = Timeline::new(len);
            for index in [0, len / 2, len - 1] {
                let at = timeline.at(index);
                assert!(at < history_end());
                assert_eq!(timeline.first_after(at), (index + 1).min(len));
                assert_eq!(timeline.first_after(at - Duration::milliseconds(1)), index);
            }
            assert_eq!(timeline.first_after(history_start() - Duration::days(3)), 0);
            assert_eq!(timeline.first_after(history_end()), len);
        }
    }

    #[test]
    fn dice_are_deterministic_per_record() {
        assert_eq!(Dice::new(1, 2, 3, 4).next(), Dice::new(1, 2, 3, 4).next());
        assert_ne!(Dice::new(1, 2, 3, 4).next(), Dice::new(1, 2, 3, 5).next());
    }
}
