//! Finding where the tail of a list sorted by `updated_at` ascending starts: the first record
//! updated after the cursor's mark, found with one-record probes — first stepping back from the
//! end in doubling strides (a few changes cost a few probes), then halving the last stride. A
//! probe that shows no stamp counts as changed, and a search that runs out of probes starts
//! early: the search may read too much, never too little.

use chrono::{DateTime, Utc};

/// The most probes one search makes (a list of 2^40 records needs about 80).
pub const MAX_PROBES: u32 = 96;

/// The first stride back from the end: a page, so a handful of changes costs one probe.
const FIRST_STRIDE: u64 = 500;

/// A search in progress for the first record of a `total`-record list updated after `after`.
#[derive(Debug, Clone)]
pub struct TailSearch {
    after: DateTime<Utc>,
    total: u64,
    /// Every record before this index is known to be at or before `after`.
    known_old: u64,
    /// This record and every one after it is known (or taken) to be after `after`.
    known_new: u64,
    stride: u64,
    probes: u32,
}

impl TailSearch {
    /// A search over a list of `total` records for those updated after `after`.
    pub fn new(total: u64, after: DateTime<Utc>) -> Self {
        TailSearch {
            after,
            total,
            known_old: 0,
            known_new: total,
            stride: FIRST_STRIDE,
            probes: 0,
        }
    }

    /// The offset to probe next, or none once the search is done.
    pub fn next_probe(&self) -> Option<u64> {
        if self.known_old >= self.known_new || self.probes >= MAX_PROBES {
            return None;
        }
        if self.known_old == 0 && self.known_new == self.total {
            // Nothing probed yet: the last record says whether anything changed at all.
            return Some(self.total - 1);
        }
        if self.stride > 0 {
            // Still stepping back from the end.
            return Some(
                self.known_new
                    .saturating_sub(self.stride)
                    .max(self.known_old),
            );
        }
        Some(self.known_old + (self.known_new - self.known_old) / 2)
    }

    /// What the probe at `offset` showed: the record's stamp, if it had a readable one.
    pub fn observe(&mut self, offset: u64, stamp: Option<DateTime<Utc>>) {
        self.probes += 1;
        let changed = stamp.is_none_or(|stamp| stamp > self.after);
        if changed {
            self.known_new = self.known_new.min(offset);
            if offset <= self.known_old {
                self.stride = 0;
            } else if self.probes > 1 {
                // Each stride that still lands on a change doubles (the first probe, of the last
                // record, only says that something changed).
                self.stride = self.stride.saturating_mul(2);
            }
        } else {
            self.known_old = self.known_old.max(offset + 1);
            // The stride found an unchanged record: halve the gap from here on.
            self.stride = 0;
        }
    }

    /// Where the tail starts: the first record known (or taken) to be updated after the mark.
    pub fn start(&self) -> u64 {
        if self.known_old >= self.known_new {
            self.known_new
        } else {
            // Out of probes: start where nothing is known, so no change is skipped.
            self.known_old
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    /// Runs a search over `stamps` (seconds after an epoch) for records after second `after`,
    /// returning where the tail starts and how many probes it took.
    fn search(stamps: &[Option<i64>], after: i64) -> (u64, u32) {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let mut search = TailSearch::new(stamps.len() as u64, epoch + Duration::seconds(after));
        let mut probes = 0;
        while let Some(offset) = search.next_probe() {
            probes += 1;
            let stamp = stamps[usize::try_from(offset).unwrap_or(usize::MAX)]
                .map(|s| epoch + Duration::seconds(s));
            search.observe(offset, stamp);
        }
        (search.start(), probes)
    }

    fn sorted(len: i64) -> Vec<Option<i64>> {
        (0..len).map(Some).collect()
    }

    #[test]
    fn nothing_changed_costs_one_probe() {
        assert_eq!(search(&sorted(1_000_000), 2_000_000), (1_000_000, 1));
        assert_eq!(search(&[], 5), (0, 0));
    }

    #[test]
    fn finds_the_first_changed_record_wherever_it_is() {
        let list = sorted(1_000_000);
        for first_changed in [0, 1, 499, 500, 999_000, 999_499, 999_999, 123_457] {
            let (start, probes) = search(&list, first_changed - 1);
            assert_eq!(start, u64::try_from(first_changed).unwrap_or(0));
            assert!(probes <= 45, "{probes} probes for {first_changed}");
        }
    }

    #[test]
    fn a_thousand_changes_at_the_end_take_a_few_probes() {
        let (start, probes) = search(&sorted(1_000_000), 998_999);
        assert_eq!(start, 999_000);
        assert!(probes <= 14, "{probes}");
    }

    #[test]
    fn ties_and_missing_stamps_never_skip_a_change() {
        // Records with the mark's own stamp are not after it.
        let mut list: Vec<Option<i64>> = (0..10_000).map(|i| Some(i / 100)).collect();
        let (start, _) = search(&list, 49);
        assert_eq!(start, 5_000);
        // A probed record without a stamp counts as changed: a last record without one is read
        // even when every stamp is old.
        list[9_999] = None;
        let (start, _) = search(&list, 1_000);
        assert_eq!(start, 9_999);
    }

    #[test]
    fn an_unsorted_list_that_exhausts_the_probes_starts_early() {
        let mut search = TailSearch::new(1 << 60, DateTime::<Utc>::UNIX_EPOCH);
        let mut probes = 0;
        while let Some(offset) = search.next_probe() {
            probes += 1;
            // A hostile list: every other answer claims old, then new, around the same spot.
            let old = probes % 2 == 0;
            search.observe(offset, old.then_some(DateTime::<Utc>::UNIX_EPOCH));
        }
        assert!(probes <= MAX_PROBES);
        assert!(search.start() <= 1 << 60);
    }
}
