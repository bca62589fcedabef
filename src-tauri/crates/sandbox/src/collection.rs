//! A list of POS records: the generated ones, computed on demand by index, plus the changes made at
//! run time (by clients, the admin API or a fault). Paging never materialises earlier pages.
//!
//! Records are ordered by `updated_at`. Generated records span the fixed history; a record changed at
//! run time is hidden from the generated range and re-appended with a fresh, strictly increasing
//! stamp, exactly as a POS moves an updated record to the end of an `updated_at` ordering.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::generator::{stamp, Timeline};

/// Makes generated record `index`.
pub type Maker = Arc<dyn Fn(u64) -> Value + Send + Sync>;
/// Finds the generated index of a record id, when the id is one the generator makes.
pub type IndexOf = Arc<dyn Fn(&str) -> Option<u64> + Send + Sync>;

/// Which records a list call selects by time.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeRange {
    /// Only records updated strictly after this.
    pub after: Option<DateTime<Utc>>,
    /// Only records updated at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Only records updated strictly before this.
    pub until: Option<DateTime<Utc>>,
}

impl TimeRange {
    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.after.is_none_or(|t| at > t)
            && self.from.is_none_or(|t| at >= t)
            && self.until.is_none_or(|t| at < t)
    }
}

/// One page of a list and how many records the filters select in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Records selected over all pages.
    pub total: u64,
    /// This page's records, oldest update first.
    pub records: Vec<Value>,
}

/// A generated-plus-changed list of records.
pub struct Collection {
    len: u64,
    timeline: Timeline,
    make: Maker,
    index_of: IndexOf,
    hidden: BTreeSet<u64>,
    changed: Vec<Value>,
    last_stamp: DateTime<Utc>,
}

fn updated_at(record: &Value) -> DateTime<Utc> {
    record["updated_at"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn id_text(record: &Value) -> String {
    match &record["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Collection {
    /// A collection of `len` generated records.
    pub fn new(len: u64, make: Maker, index_of: IndexOf) -> Self {
        Collection {
            len,
            timeline: Timeline::new(len),
            make,
            index_of,
            hidden: BTreeSet::new(),
            changed: Vec::new(),
            last_stamp: DateTime::<Utc>::MIN_UTC,
        }
    }

    /// Records currently in the list.
    pub fn count(&self) -> u64 {
        self.len - self.hidden.len() as u64 + self.changed.len() as u64
    }

    fn generated_range(&self, range: &TimeRange) -> (u64, u64) {
        let mut low = 0;
        let mut high = self.len;
        if let Some(after) = range.after {
            low = low.max(self.timeline.first_after(after));
        }
        if let Some(from) = range.from {
            low = low.max(self.timeline.first_after(from - Duration::milliseconds(1)));
        }
        if let Some(until) = range.until {
            high = high.min(self.timeline.first_after(until - Duration::milliseconds(1)));
        }
        (low.min(high), high)
    }

    /// The `k`th (from 0) generated index at or after `low` that is not hidden.
    fn nth_visible(&self, low: u64, k: u64) -> u64 {
        let mut index = low + k;
        loop {
            let hidden = self.hidden.range(low..=index).count() as u64;
            let target = low + k + hidden;
            if target == index {
                return index;
            }
            index = target;
        }
    }

    /// A page of the records in `range`, skipping `offset`, at most `limit`.
    pub fn page(&self, range: &TimeRange, offset: u64, limit: u64) -> Page {
        let (low, high) = self.generated_range(range);
        let generated = (high - low) - self.hidden.range(low..high).count() as u64;
        let changed: Vec<&Value> = self
            .changed
            .iter()
            .filter(|r| range.contains(updated_at(r)))
            .collect();
        let mut records = Vec::new();
        if offset < generated {
            let mut index = self.nth_visible(low, offset);
            while index < high && (records.len() as u64) < limit {
                if !self.hidden.contains(&index) {
                    records.push((self.make)(index));
                }
                index += 1;
            }
        }
        let skip_changed = offset.saturating_sub(generated) as usize;
        let room = limit as usize - records.len();
        records.extend(
            changed
                .iter()
                .skip(skip_changed)
                .take(room)
                .map(|r| (*r).clone()),
        );
        Page {
            total: generated + changed.len() as u64,
            records,
        }
    }

    /// A page of the records in `range` that `keep` accepts. Scans every record: for lookups and
    /// filtered lists, not for the bulk pulls a sync makes.
    pub fn scan(
        &self,
        range: &TimeRange,
        keep: &dyn Fn(&Value) -> bool,
        offset: u64,
        limit: u64,
    ) -> Page {
        let (low, high) = self.generated_range(range);
        let generated = (low..high)
            .filter(|i| !self.hidden.contains(i))
            .map(|i| (self.make)(i));
        let changed = self
            .changed
            .iter()
            .filter(|r| range.contains(updated_at(r)))
            .cloned();
        let mut total = 0;
        let mut records = Vec::new();
        for record in generated.chain(changed).filter(|r| keep(r)) {
            if total >= offset && (records.len() as u64) < limit {
                records.push(record);
            }
            total += 1;
        }
        Page { total, records }
    }

    /// The record with `id`, if it is in the list.
    pub fn get(&self, id: &str) -> Option<Value> {
        if let Some(record) = self.changed.iter().find(|r| id_text(r) == id) {
            return Some(record.clone());
        }
        let index = (self.index_of)(id).filter(|i| *i < self.len && !self.hidden.contains(i))?;
        Some((self.make)(index))
    }

    fn next_stamp(&mut self) -> DateTime<Utc> {
        let now = Utc::now().max(self.last_stamp + Duration::milliseconds(1));
        self.last_stamp = now;
        now
    }

    /// Stores `record` (replacing any record with its id) as updated now; returns it as stored.
    pub fn put(&mut self, mut record: Value) -> Value {
        let id = id_text(&record);
        self.remove(&id);
        record["updated_at"] = Value::String(stamp(self.next_stamp()));
        self.changed.push(record.clone());
        record
    }

    /// Removes the record with `id`; returns whether there was one.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.changed.len();
        self.changed.retain(|r| id_text(r) != id);
        if self.changed.len() != before {
            return true;
        }
        match (self.index_of)(id).filter(|i| *i < self.len) {
            Some(index) => self.hidden.insert(index),
            None => false,
        }
    }

    /// Marks the record with `id` as updated now (as a POS clerk editing it would).
    pub fn touch(&mut self, id: &str) -> Option<Value> {
        let record = self.get(id)?;
        Some(self.put(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn collection(len: u64) -> Collection {
        let timeline = Timeline::new(len);
        Collection::new(
            len,
            Arc::new(move |i| json!({ "id": i + 1, "updated_at": stamp(timeline.at(i)) })),
            Arc::new(|id| id.parse::<u64>().ok().and_then(|n| n.checked_sub(1))),
        )
    }

    fn ids(page: &Page) -> Vec<u64> {
        page.records
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect()
    }

    fn all_pages(c: &Collection, range: &TimeRange, per_page: u64) -> Vec<u64> {
        let total = c.page(range, 0, per_page).total;
        (0..total.div_ceil(per_page))
            .flat_map(|p| ids(&c.page(range, p * per_page, per_page)))
            .collect()
    }

    #[test]
    fn pages_cover_every_record_once_after_changes_and_deletes() {
        let mut c = collection(50);
        c.touch("3");
        c.touch("10");
        c.remove("20");
        c.put(json!({ "id": 999 }));
        c.touch("3");
        let listed = all_pages(&c, &TimeRange::default(), 7);
        let mut expected: Vec<u64> = (1..=50).filter(|i| ![3, 10, 20].contains(i)).collect();
        expected.extend([10, 999, 3]);
        assert_eq!(listed, expected);
        assert_eq!(c.count(), 50);
        assert_eq!(c.get("20"), None);
        assert!(c.get("10").is_some());
    }

    #[test]
    fn updated_after_selects_the_tail_including_changes() {
        let mut c = collection(30);
        let cut = c.get("10").map(|r| updated_at(&r)).unwrap();
        c.touch("2");
        let range = TimeRange {
            after: Some(cut),
            ..TimeRange::default()
        };
        let listed = all_pages(&c, &range, 4);
        let mut expected: Vec<u64> = (11..=30).collect();
        expected.push(2);
        assert_eq!(listed, expected);
    }

    #[test]
    fn scan_filters_and_pages() {
        let c = collection(40);
        let page = c.scan(
            &TimeRange::default(),
            &|r| r["id"].as_u64().unwrap() % 10 == 0,
            1,
            2,
        );
        assert_eq!((page.total, ids(&page)), (4, vec![20, 30]));
    }
}
