//! Saving a stream's pages a few at a time. A page read from the POS is saved at once when the
//! writer is free; while it is busy saving, pages gather (up to [`COMMIT_RECORDS`] records) and go
//! in the next transaction together, each page with its cursor in order, while the next pages are
//! fetched. One commit for a few pages writes each hot database page to the log once rather than
//! once a page, which is most of what a commit costs; a crash loses only pages not yet committed,
//! which the next run reads again from the cursor committed with the last saved page.

use tokio::task::JoinHandle;

use super::engine::{save_read_page, CursorWrite, PageCounts};
use super::read_page::ReadPage;
use super::PageContext;
use crate::base::error::Result;
use crate::pos::streams::StreamPlan;
use crate::storage::db::Database;

/// Records gathered pages reach before they wait for the writer rather than for more pages.
pub const COMMIT_RECORDS: usize = 2_000;

/// A page read and waiting to be saved.
pub struct ReadyPage {
    /// Its context (stamped when it was read).
    pub page: PageContext,
    /// Its records.
    pub read: ReadPage,
    /// The cursor to write with it.
    pub cursor: CursorWrite,
    /// How far through the stream the sync is once it is saved, and of how many records the POS
    /// said the stream had when the page was read (for progress).
    pub done: u64,
    /// See `done`.
    pub total: Option<u64>,
}

/// What one saved transaction did.
#[derive(Debug, Default)]
pub struct Saved {
    /// Its pages' counts, added up.
    pub counts: PageCounts,
    /// The stream's progress after its last page, of `total`.
    pub done: u64,
    /// See `done`.
    pub total: Option<u64>,
}

/// The pages gathered for the next transaction and the transaction being saved.
pub struct SaveBatches {
    db: Database,
    plan: StreamPlan,
    gathered: Vec<ReadyPage>,
    saving: Option<JoinHandle<Result<Saved>>>,
}

impl SaveBatches {
    /// Batches for `plan`'s pages, saved into `db`.
    pub fn new(db: &Database, plan: &StreamPlan) -> Self {
        SaveBatches {
            db: db.clone(),
            plan: plan.clone(),
            gathered: Vec::new(),
            saving: None,
        }
    }

    /// Adds a read page to the next transaction.
    pub fn push(&mut self, page: ReadyPage) {
        self.gathered.push(page);
    }

    /// Collects the transaction being saved if it is done, and sends the gathered pages when the
    /// writer is free (or, once they hold [`COMMIT_RECORDS`] records, waits for it); returns what
    /// a finished transaction did.
    pub async fn step(&mut self) -> Result<Option<Saved>> {
        let free = self.saving.as_ref().is_none_or(JoinHandle::is_finished);
        let gathered: usize = self
            .gathered
            .iter()
            .map(|page| page.read.records.len())
            .sum();
        if free || gathered >= COMMIT_RECORDS {
            self.send().await
        } else {
            Ok(None)
        }
    }

    /// Waits for the transaction being saved, then starts saving the gathered pages (if any);
    /// returns what the finished transaction did.
    async fn send(&mut self) -> Result<Option<Saved>> {
        let finished = self.wait().await?;
        if !self.gathered.is_empty() {
            let pages = std::mem::take(&mut self.gathered);
            let (db, plan) = (self.db.clone(), self.plan.clone());
            self.saving = Some(tokio::task::spawn_blocking(move || {
                db.write(|tx| save_pages(tx, &plan, &pages))
            }));
        }
        Ok(finished)
    }

    /// Saves every gathered page and waits until all are saved; returns what the transactions
    /// did.
    pub async fn flush(&mut self) -> Result<Vec<Saved>> {
        let mut saved: Vec<Saved> = self.send().await?.into_iter().collect();
        saved.extend(self.wait().await?);
        Ok(saved)
    }

    /// Waits for the transaction being saved, if any. When it failed, the pages gathered since
    /// are dropped: saved after it, their cursor would pass records that were never saved.
    async fn wait(&mut self) -> Result<Option<Saved>> {
        let Some(saving) = self.saving.take() else {
            return Ok(None);
        };
        let saved = saving.await.map_err(Into::into).and_then(|saved| saved);
        if saved.is_err() {
            self.gathered.clear();
        }
        saved.map(Some)
    }
}

/// Saves `pages` in order inside `tx`, each with its cursor.
fn save_pages(
    tx: &rusqlite::Transaction<'_>,
    plan: &StreamPlan,
    pages: &[ReadyPage],
) -> Result<Saved> {
    let mut saved = Saved::default();
    for ready in pages {
        let counts = save_read_page(tx, &ready.page, plan, &ready.read, ready.cursor.clone())?;
        saved.counts.new += counts.new;
        saved.counts.changed += counts.changed;
        saved.counts.rejected += counts.rejected;
        saved.counts.newest = saved.counts.newest.max(counts.newest);
        saved.done = ready.done;
        saved.total = ready.total;
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::base::pos_kind::Integration;
    use crate::pos::streams::{Paging, RecordKind, Stream};
    use crate::pos::PosCustomer;
    use crate::sources::sync::read_page::PageRecord;

    fn plan() -> StreamPlan {
        StreamPlan {
            stream: Stream::Customers,
            cursor_key: "customers".into(),
            store_key: "c".into(),
            store_label: "C".into(),
            location: None,
            kind: RecordKind::Customer,
            paging: Paging::Incremental,
        }
    }

    /// A database with the credential `c` (a page of credential `gone` cannot be saved).
    fn world() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("batches.db")).expect("db");
        db.write(|tx| {
            tx.execute_batch(
                "INSERT INTO credentials (id, integration, store_name, status, created_at)
                   VALUES ('c', 'posabit', 'C', 'active', '2026-01-01T00:00:00Z')",
            )?;
            Ok(())
        })
        .expect("credential");
        (dir, db)
    }

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap()
    }

    /// A page of one new shopper `pos_id` of `credential`, stamped at `minute`.
    fn page(credential: &str, pos_id: &str, minute: u32) -> ReadyPage {
        let customer = PosCustomer {
            pos_id: pos_id.into(),
            first_name: Some("Ada".into()),
            last_name: None,
            phone_raw: None,
            email_raw: None,
            birth_date: None,
            loyalty_member: false,
            marketing_opt_in: None,
            marketing_opt_out: false,
            consent_signed: false,
            employee: false,
            points: None,
            state: None,
            updated_at: at(minute),
            payload: format!("{{\"id\":\"{pos_id}\"}}"),
        };
        ReadyPage {
            page: PageContext::with_defaults(
                Integration::Posabit,
                credential,
                "2026-01-02T00:00:00Z",
            ),
            read: ReadPage {
                records: vec![PageRecord::Customer(customer)],
                newest: Some(at(minute)),
            },
            cursor: CursorWrite::Newest,
            done: u64::from(minute),
            total: Some(10),
        }
    }

    fn saved_ids(db: &Database) -> Vec<String> {
        db.read(|c| {
            let mut ids = c.prepare("SELECT pos_id FROM source_records ORDER BY pos_id")?;
            let ids = ids.query_map([], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })
        .expect("ids")
    }

    fn cursor(db: &Database) -> Option<String> {
        db.read(|c| Ok(c.query_row("SELECT max(cursor) FROM sync_cursors", [], |r| r.get(0))?))
            .expect("cursor")
    }

    #[tokio::test]
    async fn pages_read_while_the_writer_is_busy_go_in_its_next_transaction_with_the_last_cursor() {
        let (_dir, db) = world();
        let mut batches = SaveBatches::new(&db, &plan());
        batches.push(page("c", "1", 1));
        assert!(
            batches.step().await.expect("sent").is_none(),
            "nothing finished yet"
        );
        batches.push(page("c", "2", 2));
        batches.push(page("c", "3", 3));
        let saved = batches.flush().await.expect("saved");
        let shape: Vec<(u32, u64)> = saved.iter().map(|s| (s.counts.new, s.done)).collect();
        assert_eq!(shape, [(1, 1), (2, 3)]);
        assert_eq!(saved_ids(&db), ["1", "2", "3"]);
        assert_eq!(cursor(&db).as_deref(), Some("2026-01-01T00:03:00.000000Z"));
    }

    #[tokio::test]
    async fn after_a_failed_save_the_pages_gathered_behind_it_are_never_saved() {
        let (_dir, db) = world();
        let mut batches = SaveBatches::new(&db, &plan());
        batches.push(page("gone", "1", 1));
        batches.step().await.expect("sent");
        batches.push(page("c", "2", 2));
        let failed = batches.flush().await;
        assert!(failed.is_err(), "{:?}", failed.map(|s| s.len()));
        assert_eq!(saved_ids(&db), Vec::<String>::new());
        assert_eq!(cursor(&db), None, "no cursor passes the failed page");

        // The batches go on working for what is read next.
        batches.push(page("c", "3", 3));
        assert_eq!(batches.flush().await.expect("saved").len(), 1);
        assert_eq!(saved_ids(&db), ["3"]);
    }
}
