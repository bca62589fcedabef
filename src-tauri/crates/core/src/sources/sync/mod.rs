//! The sync engine: pulls POS records page by page into personas, purchases and the points ledger.
//!
//! Invariants (from the Airbyte/Singer model): a page's records and the stream's new cursor are
//! committed in one transaction, so a crash never advances the cursor past unsaved data; each run
//! re-reads a small overlap before the cursor; upserts are idempotent on (integration, credential,
//! POS id) and a record older than the stored one never overwrites it. Transient POS failures are
//! retried with backoff; a bad record is skipped with a row-level error; a refused credential stops
//! that credential and raises a notification.

mod apply;
mod closing;
mod coupons;
mod engine;
pub mod fingerprint;
pub mod history;
mod read_page;
mod registry;
mod runs;
mod sales;
mod save_batch;
pub mod scan_cursor;
mod tail_search;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

pub use apply::{apply_customer, RecordChange};
pub use engine::{save_page, CursorWrite, PageCounts};
pub use registry::{RunSlot, SyncRegistry};
pub use runs::close_interrupted;
pub use sales::apply_sale;

use crate::base::error::{Error, ErrorCode};
use crate::base::secret::Secret;
use crate::base::stored_name::stored_name;
pub use crate::config::page_context::PageContext;
use crate::integrations::credentials::Credential;
use crate::pos::retry::RetryPolicy;
use crate::pos::streams::Stream;
use crate::pos::Connector;
use crate::storage::db::Database;

stored_name! {
    /// What started a sync.
    pub enum Trigger {
        /// The user (Sync now, the CLI).
        Manual => "manual",
        /// The schedule.
        Schedule => "schedule",
    }
}

stored_name! {
    /// Where a stream's run stands.
    pub enum SyncState {
        /// Pages are still coming.
        Running => "running",
        /// Every page was read.
        Finished => "finished",
        /// It stopped on an error.
        Failed => "failed",
        /// The user stopped it.
        Cancelled => "cancelled",
    }
}

/// How far before the cursor each incremental run starts reading again, to catch late writes.
pub fn cursor_overlap() -> Duration {
    Duration::minutes(5)
}

/// What one run of one stream did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SyncSummary {
    /// The credential synced.
    pub credential_id: String,
    /// Its store name.
    pub store_name: String,
    /// The mappable key the stream read through.
    pub store_key: String,
    /// The store or location the stream covered.
    pub store_label: String,
    /// The stream; none when the credential failed before any stream ran.
    pub stream: Option<Stream>,
    /// Pages fetched.
    pub pages: u32,
    /// Records received.
    pub seen: u32,
    /// Records Canopy had never seen.
    pub new: u32,
    /// Records that changed since the last sync.
    pub changed: u32,
    /// Records skipped because they could not be read.
    pub rejected: u32,
    /// Requests tried again after a transient failure.
    pub retries: u32,
    /// Why the run stopped early, when it did.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
    /// Something that went wrong without failing the run (a refused patient list that is optional).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Where a stream's run stands, streamed to the UI after every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncProgress {
    /// The credential.
    pub credential_id: String,
    /// Its store name.
    pub store_name: String,
    /// The store or location the stream covers.
    pub store_label: String,
    /// The stream.
    pub stream: Stream,
    /// Records received so far.
    #[ts(type = "number")]
    pub done: u64,
    /// Records expected in all, where the POS says.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Where it stands.
    pub state: SyncState,
}

/// Receives progress reports.
pub type ProgressSink = Arc<dyn Fn(SyncProgress) + Send + Sync>;

/// What a running sync is told and tells: its cancel flag, where progress goes, and the pace
/// its credential's POS answered at (the time between two requests), carried from stream to stream.
#[derive(Clone)]
pub struct SyncControl {
    cancel: Arc<AtomicBool>,
    progress: ProgressSink,
    pace: Arc<std::sync::Mutex<Option<std::time::Duration>>>,
}

impl SyncControl {
    /// A control with a cancel flag and a progress sink.
    pub fn new(cancel: Arc<AtomicBool>, progress: ProgressSink) -> Self {
        SyncControl {
            cancel,
            progress,
            pace: Arc::default(),
        }
    }

    /// The same, starting at the pace `learned` by an earlier run of the credential.
    pub fn with_pace(self, learned: Option<std::time::Duration>) -> Self {
        *self
            .pace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = learned;
        self
    }

    /// The pace the credential's POS last answered at, if a request was made.
    pub fn pace(&self) -> Option<std::time::Duration> {
        *self
            .pace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember_pace(&self, gap: std::time::Duration) {
        *self
            .pace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(gap);
    }

    /// Whether the user asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn report(&self, progress: SyncProgress) {
        (self.progress)(progress);
    }
}

/// What a credential's sync needs besides the credential.
pub struct SyncContext<'a> {
    /// The database.
    pub db: &'a Database,
    /// The credential's POS.
    pub connector: Arc<dyn Connector>,
    /// Retries and pacing.
    pub policy: RetryPolicy,
    /// Cancel flag and progress.
    pub control: SyncControl,
}

/// Syncs every stream of `credential` in order and returns one summary per stream. A refused
/// credential or a cancel stops the remaining streams; a stream that ran out of retries does not.
pub async fn sync_credential(
    context: &SyncContext<'_>,
    credential: &Credential,
    secret: &Secret,
    trigger: Trigger,
) -> Vec<SyncSummary> {
    let mut summaries = Vec::new();
    let settings = engine::run_settings(context.db, credential).await;
    for plan in context
        .connector
        .schema()
        .streams(&credential.stream_scope())
    {
        let summary =
            engine::run_stream(context, credential, secret, &plan, trigger, &settings).await;
        let stop = summary
            .error
            .as_ref()
            .is_some_and(Error::stops_the_credential);
        summaries.push(summary);
        if stop {
            break;
        }
    }
    match (&settings, context.control.cancelled()) {
        (Ok(settings), false) => close(context.db, credential, settings, &mut summaries).await,
        // A cancelled run (or one whose settings could not be read) skips the closing passes, but
        // what its pages touched is settled.
        _ => {
            let settled = context
                .db
                .write_async(|tx| crate::personas::pending::settle(tx, Utc::now()))
                .await;
            if let Err(error) = settled {
                tracing::warn!(credential = %credential.id, "could not settle the touched personas: {}", error.message);
            }
        }
    }
    if let Err(error) = runs::notify_credential(context.db, credential, &summaries).await {
        tracing::warn!(credential = %credential.id, "could not update notifications: {}", error.message);
    }
    summaries
}

/// Runs the credential's closing passes after its streams; a failure is a warning on the last
/// stream's summary (the data synced, the next sync tries again).
async fn close(
    db: &Database,
    credential: &Credential,
    settings: &engine::RunSettings,
    summaries: &mut [SyncSummary],
) {
    match closing::close_credential(db, settings).await {
        Ok(closing) => tracing::info!(credential = %credential.id, ?closing, "closing passes done"),
        Err(error) => keep_closing_warning(db, credential, &error, summaries).await,
    }
}

/// Tells of a failed closing pass on the last stream's summary and on its stored run.
async fn keep_closing_warning(
    db: &Database,
    credential: &Credential,
    error: &Error,
    summaries: &mut [SyncSummary],
) {
    tracing::warn!(credential = %credential.id, "closing passes failed: {}", error.message);
    let warning = format!(
        "The data synced, but enrolment, the points import or mirrored points could not be applied: {} The next sync tries again.",
        error.message
    );
    if let Err(stored) = runs::add_warning(db, &credential.id, &warning).await {
        tracing::warn!(credential = %credential.id, "could not store the warning on the run: {}", stored.message);
    }
    if let Some(last) = summaries.last_mut() {
        last.warning.get_or_insert(warning);
    }
}

/// The error a cancelled run records.
pub fn cancelled() -> Error {
    Error::new(ErrorCode::Cancelled, "The sync was cancelled.").with_hint(
        "Everything up to the last finished page is saved; Sync now picks up from there.",
    )
}
