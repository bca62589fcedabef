//! The cursor of an offset-paged list sorted by `updated_at` ascending (Greenbits' people,
//! patients and orders): where a stopped scan resumes, the newest stamp read while the list held
//! still (everything changed since sits after it), and when the whole list was last read.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::storage::db::Database;

/// How often a run reads the whole list rather than its tail: for what the tail cannot show
/// (records whose stamp did not move, a run that stopped trusting the order).
pub fn full_scan_every() -> Duration {
    Duration::days(7)
}

/// A scan stream's cursor, stored as JSON in `sync_cursors` (a bare number is an older cursor:
/// the offset a stopped full scan resumes at).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCursor {
    /// The offset a stopped scan resumes at; none once the scan reached the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<u64>,
    /// Whether the scan under way (or stopped) reads the whole list rather than its tail.
    #[serde(default)]
    pub full: bool,
    /// The newest `updated_at` read while the list held still, as ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// When the last whole-list scan finished, as ISO 8601; none until one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_scan_at: Option<String>,
}

/// Where a run of a scan stream begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanStart {
    /// A stopped scan goes on from its offset.
    Resume(u64),
    /// The whole list, from its first record.
    Full,
    /// The tail: the records updated after this instant (already moved back by the overlap).
    Tail(DateTime<Utc>),
}

impl ScanCursor {
    /// Reads a stored cursor; anything unreadable starts afresh with a full scan.
    pub fn parse(stored: Option<&str>) -> Self {
        let Some(stored) = stored else {
            return ScanCursor::default();
        };
        if let Ok(offset) = stored.parse::<u64>() {
            return ScanCursor {
                resume: Some(offset).filter(|o| *o > 0),
                full: true,
                ..ScanCursor::default()
            };
        }
        serde_json::from_str(stored).unwrap_or_default()
    }

    /// The cursor as stored.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Where a run that starts `now` begins; `full_wanted` asks for a whole-list scan.
    pub fn start(&self, now: DateTime<Utc>, full_wanted: bool) -> ScanStart {
        if let Some(offset) = self.resume {
            return ScanStart::Resume(offset);
        }
        let stamp = |text: &Option<String>| {
            text.as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let full_due = stamp(&self.full_scan_at).is_none_or(|at| now - at >= full_scan_every());
        match stamp(&self.after) {
            Some(after) if !full_due && !full_wanted => {
                ScanStart::Tail(after - super::cursor_overlap())
            }
            _ => ScanStart::Full,
        }
    }

    /// This cursor with `newest` taken into the high-water mark (it never moves back).
    pub fn advanced(mut self, newest: Option<DateTime<Utc>>) -> Self {
        if let Some(newest) = newest.map(db_timestamp) {
            if self
                .after
                .as_deref()
                .is_none_or(|after| newest.as_str() > after)
            {
                self.after = Some(newest);
            }
        }
        self
    }
}

/// Makes the next run of every scan stream of the credentials `credential_ids` read its whole
/// list (the cursor forgets its last full scan; a scan under way goes on); returns how many
/// streams will.
pub fn ask_for_full_scans(db: &Database, credential_ids: &[String]) -> Result<usize> {
    db.write(|tx| {
        let mut asked = 0;
        let mut read =
            tx.prepare("SELECT stream, cursor FROM sync_cursors WHERE credential_id = ?1")?;
        let mut write = tx.prepare(
            "UPDATE sync_cursors SET cursor = ?3 WHERE credential_id = ?1 AND stream = ?2",
        )?;
        for id in credential_ids {
            let cursors: Vec<(String, String)> = read
                .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (stream, stored) in cursors {
                // Only scan cursors are JSON objects (stamps and closing passes are not).
                if !stored.starts_with('{') {
                    continue;
                }
                let mut cursor = ScanCursor::parse(Some(&stored));
                cursor.full_scan_at = None;
                write.execute(rusqlite::params![id, stream, cursor.to_stored()])?;
                asked += 1;
            }
        }
        Ok(asked)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn an_older_bare_offset_resumes_its_full_scan_and_nothing_starts_with_one() {
        assert_eq!(
            ScanCursor::parse(Some("1500")).start(Utc::now(), false),
            ScanStart::Resume(1500)
        );
        assert_eq!(
            ScanCursor::parse(Some("0")).start(Utc::now(), false),
            ScanStart::Full
        );
        assert_eq!(
            ScanCursor::parse(None).start(Utc::now(), false),
            ScanStart::Full
        );
        assert_eq!(
            ScanCursor::parse(Some("{not json")).start(Utc::now(), false),
            ScanStart::Full
        );
    }

    #[test]
    fn a_finished_scan_reads_the_tail_until_a_full_scan_is_due_or_asked_for() {
        let cursor = ScanCursor {
            after: Some("2026-12-01T10:00:00.000000Z".into()),
            full_scan_at: Some("2026-12-01T09:00:00.000000Z".into()),
            ..ScanCursor::default()
        };
        let soon = at("2026-12-02T00:00:00Z");
        assert_eq!(
            cursor.start(soon, false),
            ScanStart::Tail(at("2026-12-01T10:00:00Z") - crate::sources::sync::cursor_overlap())
        );
        assert_eq!(cursor.start(soon, true), ScanStart::Full);
        assert_eq!(
            cursor.start(at("2026-12-08T09:00:00Z"), false),
            ScanStart::Full
        );
        let round_trip = ScanCursor::parse(Some(&cursor.to_stored()));
        assert_eq!(round_trip, cursor);
    }

    #[test]
    fn the_high_water_mark_never_moves_back() {
        let cursor = ScanCursor::default().advanced(Some(at("2026-12-01T10:00:00Z")));
        let later = cursor.clone().advanced(Some(at("2026-11-01T10:00:00Z")));
        assert_eq!(later, cursor);
        assert_eq!(later.clone().advanced(None), later);
    }
}
