//! Running one stream: fetch a page (paced, retried) and read it, save it with its cursor in the
//! same transaction (a few pages to one, see `save_batch`) while the next pages are fetched, report
//! progress, and move on — until the list ends, the credential is refused or the user cancels.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Transaction};
use serde_json::Value;

use super::apply::{apply_customer, RecordChange};
use super::read_page::{market, read_page, PageRecord, ReadPage};
use super::save_batch::{ReadyPage, SaveBatches, Saved};
use super::scan_cursor::{ScanCursor, ScanStart};
use super::tail_search::TailSearch;
use super::{
    coupons, runs, sales, PageContext, SyncContext, SyncProgress, SyncState, SyncSummary, Trigger,
};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::integrations::credentials::Credential;
use crate::pos::retry::{with_retries, Pacer};
use crate::pos::streams::{Paging, Position, RawPage, RecordKind, Stream, StreamPlan};
use crate::pos::{PosSchema, RecordError};
use crate::storage::db::Database;

/// How many records an offset scan re-reads at each page boundary, to survive records moving
/// while it pages.
pub const OFFSET_OVERLAP: u64 = 2;

/// How many times one run of a scan stream starts again from the last stamp it read after the
/// list moved under it.
const MAX_REANCHORS: u32 = 3;

/// What to write as the stream's cursor together with a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorWrite {
    /// The newest `updated_at` of the page's records (never moving back).
    Newest,
    /// A scan stream's cursor; with `trusted`, its high-water mark takes in the page's newest
    /// stamp (unless the page held an unreadable record).
    Scan {
        /// The cursor before this page.
        cursor: ScanCursor,
        /// Whether the list held still up to this page, so its stamps may move the mark.
        trusted: bool,
    },
    /// Nothing: the stream re-reads its whole list every run.
    Nothing,
}

/// Counts of one saved page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageCounts {
    /// Records never seen before.
    pub new: u32,
    /// Records that changed.
    pub changed: u32,
    /// Records skipped as unreadable.
    pub rejected: u32,
    /// The newest `updated_at` among the page's readable records.
    pub newest: Option<DateTime<Utc>>,
}

/// Saves one page of `plan`'s records, read by `schema`, and its cursor inside `tx` (the caller's
/// single transaction).
pub fn save_page(
    tx: &Transaction<'_>,
    schema: &dyn PosSchema,
    page: &PageContext,
    plan: &StreamPlan,
    records: &[Value],
    cursor: CursorWrite,
) -> Result<PageCounts> {
    let read = read_page(schema, plan, market(schema, page), records);
    save_read_page(tx, page, plan, &read, cursor)
}

/// Saves one page of records already read (see `read_page`) and its cursor inside `tx`.
pub fn save_read_page(
    tx: &Transaction<'_>,
    page: &PageContext,
    plan: &StreamPlan,
    read: &ReadPage,
    cursor: CursorWrite,
) -> Result<PageCounts> {
    let mut counts = PageCounts {
        newest: read.newest,
        ..PageCounts::default()
    };
    let mut touched = Vec::new();
    for record in &read.records {
        let (outcome, persona) = match record {
            PageRecord::Customer(customer) => {
                let (outcome, persona) = apply_customer(tx, page, customer)?;
                (outcome, Some(persona))
            }
            PageRecord::Sale(sale) => sales::apply_sale(tx, page, sale)?,
            PageRecord::Coupon(coupon) => (
                coupons::apply_coupon(tx, page, &plan.store_label, coupon)?,
                None,
            ),
            PageRecord::Unreadable(bad) => {
                counts.rejected += 1;
                reject(tx, page.run_id, bad)?;
                continue;
            }
        };
        match outcome {
            RecordChange::New => counts.new += 1,
            RecordChange::Changed => counts.changed += 1,
            RecordChange::Unchanged | RecordChange::Stale => {}
        }
        if let (RecordChange::New | RecordChange::Changed, Some(persona)) = (outcome, persona) {
            touched.push(persona);
        }
    }
    touched.sort_unstable();
    touched.dedup();
    crate::personas::pending::mark(tx, &touched)?;
    let keep_newest = cursor == CursorWrite::Newest;
    let value = match (cursor, counts.newest) {
        // A page with an unreadable record leaves the cursor where it was (see `pull`).
        (CursorWrite::Newest, _) if counts.rejected > 0 => None,
        (CursorWrite::Newest, Some(newest)) => Some(db_timestamp(newest)),
        (CursorWrite::Scan { cursor, trusted }, _) => {
            Some(scan_after_page(cursor, trusted, read).to_stored())
        }
        _ => None,
    };
    if let Some(value) = value {
        tx.prepare_cached(
            "INSERT INTO sync_cursors (credential_id, stream, cursor) VALUES (?1, ?2, ?3)
             ON CONFLICT (credential_id, stream) DO UPDATE
               SET cursor = CASE WHEN ?4 THEN max(cursor, excluded.cursor) ELSE excluded.cursor END",
        )?
        .execute(params![page.credential_id, plan.cursor_key, value, keep_newest])?;
    }
    Ok(counts)
}

/// A scan cursor after a saved page: its mark takes in the page's newest stamp when the list held
/// still and every record was readable.
fn scan_after_page(cursor: ScanCursor, trusted: bool, read: &ReadPage) -> ScanCursor {
    if trusted && read.rejected() == 0 {
        cursor.advanced(read.newest)
    } else {
        cursor
    }
}

fn reject(tx: &Transaction<'_>, run_id: i64, bad: &RecordError) -> Result<()> {
    tracing::warn!(run_id, pos_id = ?bad.pos_id, field = %bad.field, "skipped a record: {}", bad.reason);
    tx.prepare_cached(
        "INSERT INTO sync_record_errors (run_id, pos_id, field, reason) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run_id, bad.pos_id, bad.field, bad.reason])?;
    Ok(())
}

/// Runs one stream of `credential` and records the run; the summary carries any error.
pub(super) async fn run_stream(
    context: &SyncContext<'_>,
    credential: &Credential,
    secret: &Secret,
    plan: &StreamPlan,
    trigger: Trigger,
    settings: &Result<RunSettings>,
) -> SyncSummary {
    let mut summary = SyncSummary {
        credential_id: credential.id.clone(),
        store_name: credential.store_name.clone(),
        store_key: plan.store_key.clone(),
        store_label: plan.store_label.clone(),
        stream: Some(plan.stream),
        ..SyncSummary::default()
    };
    let mut total = None;
    match runs::start(context.db, credential, plan, trigger).await {
        Ok(run_id) => {
            let pulled = match settings {
                Ok(settings) => {
                    let page = PageContext {
                        store_key: plan.store_key.clone(),
                        run_id,
                        ..settings.page.clone()
                    };
                    pull(
                        context,
                        credential,
                        secret,
                        plan,
                        page,
                        &mut summary,
                        &mut total,
                    )
                    .await
                }
                Err(error) => Err(error.clone()),
            };
            let optional = plan.stream == Stream::Patients
                && settings.as_ref().is_ok_and(|s| s.patient_lists_optional);
            if let Err(error) = pulled {
                record_stop(&mut summary, error, optional, credential, plan);
            }
            if let Err(error) = runs::finish(context.db, run_id, &summary, total).await {
                summary.error.get_or_insert(error);
            }
        }
        Err(error) => summary.error = Some(error),
    }
    context
        .control
        .report(last_progress(&summary, plan.stream, total));
    tracing::info!(
        credential = %credential.id, stream = %plan.stream, store = %plan.store_key, pages = summary.pages,
        seen = summary.seen, new = summary.new, changed = summary.changed, rejected = summary.rejected,
        retries = summary.retries, "stream sync finished"
    );
    summary
}

/// Why a stream stopped, on its summary: a refused patient list the card makes optional is a
/// warning (the sync goes on), anything else the stream's error.
fn record_stop(
    summary: &mut SyncSummary,
    error: crate::base::error::Error,
    optional: bool,
    credential: &Credential,
    plan: &StreamPlan,
) {
    if optional && error.code == crate::base::error::ErrorCode::PosPermissionMissing {
        let warning = format!(
            "{} Pulling patient lists is optional, so the sync went on.",
            error.message
        );
        tracing::warn!(credential = %credential.id, stream = %plan.stream, "{warning}");
        summary.warning = Some(warning);
    } else {
        tracing::warn!(credential = %credential.id, stream = %plan.stream, code = ?error.code, "sync stopped: {}", error.message);
        summary.error = Some(error);
    }
}

/// The report a stream ends with: its state from its error, and every record done once it
/// finished.
fn last_progress(summary: &SyncSummary, stream: Stream, total: Option<u64>) -> SyncProgress {
    let state = match &summary.error {
        None => SyncState::Finished,
        Some(e) if e.code == crate::base::error::ErrorCode::Cancelled => SyncState::Cancelled,
        Some(_) => SyncState::Failed,
    };
    let seen = u64::from(summary.seen);
    let done = match (state, total) {
        (SyncState::Finished, Some(total)) => total,
        (_, Some(total)) => total.min(seen),
        (_, None) => seen,
    };
    progress(summary, stream, done, total, state)
}

fn progress(
    summary: &SyncSummary,
    stream: Stream,
    done: u64,
    total: Option<u64>,
    state: SyncState,
) -> SyncProgress {
    SyncProgress {
        credential_id: summary.credential_id.clone(),
        store_name: summary.store_name.clone(),
        store_label: summary.store_label.clone(),
        stream,
        done,
        total,
        state,
    }
}

/// What a credential's settings make of its sync; read once per credential, used by every stream.
#[derive(Debug, Clone)]
pub(super) struct RunSettings {
    /// Every page's context but its store key and run.
    pub(super) page: PageContext,
    /// The integration's card settings.
    pub(super) integration: crate::config::integration_settings::IntegrationSettings,
    patient_lists_optional: bool,
}

/// Reads the loyalty and integration settings a credential's sync applies.
pub(super) async fn run_settings(db: &Database, credential: &Credential) -> Result<RunSettings> {
    let (db, credential) = (db.clone(), credential.clone());
    tokio::task::spawn_blocking(move || {
        let settings =
            db.read(|c| crate::config::integration_settings::get(c, credential.integration))?;
        let loyalty = crate::config::loyalty::settings(&db)?;
        Ok(RunSettings {
            page: PageContext {
                integration: credential.integration,
                credential_id: credential.id.clone(),
                store_key: String::new(),
                run_id: 0,
                now: db_timestamp(Utc::now()),
                points_per_dollar: loyalty.points_per_dollar,
                accrual_start: loyalty.accrual_start,
                profile_changes_since: settings
                    .sync_personas_since
                    .as_deref()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| start_of_day(t.with_timezone(&Utc))),
                market: credential
                    .market
                    .filter(|_| settings.sync_to_relevant_market),
                enroll_after: settings.enroll_after.clone(),
                mirror_points: settings.mirror_points,
            },
            patient_lists_optional: settings.patient_lists_optional,
            integration: settings,
        })
    })
    .await?
}

/// Midnight (UTC) of the day `instant` falls on: a setting enabled "from the day" covers that day.
fn start_of_day(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(instant, |midnight| midnight.and_utc())
}

/// Fetches one page with retries and the credential's pace, counting the retries.
async fn fetch_page(
    context: &SyncContext<'_>,
    secret: &Secret,
    plan: &StreamPlan,
    position: &Position,
    pacer: &mut Pacer,
    retries: &mut u32,
) -> Result<RawPage> {
    let (fetched, tried) = with_retries(&context.policy, pacer, || {
        context.connector.fetch_page(secret, plan, position)
    })
    .await;
    *retries += tried;
    if let Ok(page) = &fetched {
        pacer.heed(page.budget);
    }
    fetched
}

/// Fetches one page (see `fetch_page`) and reads its records (see `read_page`), so the reading
/// happens beside the save of the page before rather than in the writer.
async fn fetch_and_read(
    context: &SyncContext<'_>,
    secret: &Secret,
    plan: &StreamPlan,
    market: Option<&str>,
    position: &Position,
    pacer: &mut Pacer,
    retries: &mut u32,
) -> Result<(RawPage, ReadPage)> {
    let page = fetch_page(context, secret, plan, position, pacer, retries).await?;
    let read = read_page(context.connector.schema(), plan, market, &page.records);
    Ok((page, read))
}

/// The newest `updated_at` among a raw page's records (unreadable stamps are skipped): where the
/// next incremental page starts.
fn newest_stamp(
    schema: &dyn PosSchema,
    plan: &StreamPlan,
    records: &[Value],
) -> Option<DateTime<Utc>> {
    records
        .iter()
        .filter_map(|record| schema.updated_at(plan.kind, record))
        .max()
}

/// The first page of a run, from the stored cursor.
fn first_position(plan: &StreamPlan, cursor: Option<String>) -> Position {
    match plan.paging {
        Paging::Incremental => Position::Page {
            after: cursor
                .and_then(|c| DateTime::parse_from_rfc3339(&c).ok())
                .map(|c| db_timestamp(c.with_timezone(&Utc) - super::cursor_overlap())),
            page: 1,
        },
        // Where a scan starts takes probes of the list (see `scan_position`).
        Paging::OffsetScan => Position::Offset(0),
        Paging::Full => Position::Page {
            after: None,
            page: 1,
        },
    }
}

/// The page after `position`, given what it held. Incremental streams restart from the newest
/// stamp seen (keyset paging), so records that move while the run pages are not skipped.
fn next_position(position: &Position, received: u64, newest: Option<DateTime<Utc>>) -> Position {
    match position {
        Position::Page { after, page } => {
            match newest.map(|n| db_timestamp(n - Duration::microseconds(1))) {
                Some(bound) if after.as_deref().is_none_or(|a| bound.as_str() > a) => {
                    Position::Page {
                        after: Some(bound),
                        page: 1,
                    }
                }
                _ => Position::Page {
                    after: after.clone(),
                    page: page + 1,
                },
            }
        }
        Position::Offset(offset) | Position::Probe(offset) => {
            Position::Offset(if received > OFFSET_OVERLAP {
                offset + received - OFFSET_OVERLAP
            } else {
                offset + received
            })
        }
    }
}

/// Where a scan stream's run starts, from its cursor: a stopped whole-list scan goes on, a due
/// (or wanted) one starts at the first record, and otherwise the run reads the tail — the records
/// updated since the cursor's mark, found with one-record probes, less the usual overlap.
/// Returns the position and whether it resumes a stopped scan.
async fn scan_position(
    context: &SyncContext<'_>,
    secret: &Secret,
    plan: &StreamPlan,
    scan: &mut ScanCursor,
    pacer: &mut Pacer,
    retries: &mut u32,
) -> Result<(Position, bool)> {
    match scan.start(Utc::now(), false) {
        ScanStart::Resume(offset) => Ok((Position::Offset(offset), true)),
        ScanStart::Full => {
            scan.full = true;
            Ok((Position::Offset(0), false))
        }
        ScanStart::Tail(after) => {
            scan.full = false;
            let start = first_updated_after(context, secret, plan, after, pacer, retries).await?;
            Ok((Position::Offset(start), false))
        }
    }
}

/// The offset to read a `updated_at`-sorted list from to see every record updated after `after`:
/// found with one-record probes (see `tail_search`), less the usual overlap.
async fn first_updated_after(
    context: &SyncContext<'_>,
    secret: &Secret,
    plan: &StreamPlan,
    after: DateTime<Utc>,
    pacer: &mut Pacer,
    retries: &mut u32,
) -> Result<u64> {
    let first = fetch_page(context, secret, plan, &Position::Probe(0), pacer, retries).await?;
    let mut search = TailSearch::new(first.remaining.unwrap_or(0), after);
    while let Some(offset) = search.next_probe() {
        if context.control.cancelled() {
            return Err(super::cancelled());
        }
        let probe = fetch_page(
            context,
            secret,
            plan,
            &Position::Probe(offset),
            pacer,
            retries,
        )
        .await?;
        let stamp = probe
            .records
            .first()
            .and_then(|record| context.connector.schema().updated_at(plan.kind, record));
        search.observe(offset, stamp);
    }
    Ok(search.start().saturating_sub(OFFSET_OVERLAP))
}

/// A scan's cursor to save with a page: a whole-list scan that goes on resumes at `next`, one
/// that reached the end records when (`started`); a tail scan never resumes by offset (its next
/// run finds the tail again from the mark, which only moves with saved pages).
fn scan_cursor_after(scan: &ScanCursor, next: &Position, more: bool, started: &str) -> ScanCursor {
    let mut cursor = scan.clone();
    cursor.resume = match next {
        Position::Offset(offset) if more && scan.full => Some(*offset),
        _ => None,
    };
    if !more && scan.full {
        cursor.full = false;
        cursor.full_scan_at = Some(started.to_string());
    }
    cursor
}

/// A scan's check that each page starts with the records the page before ended with (the
/// overlap). A page that does not was read after records moved up the list, and some may have
/// been stepped over: the next page starts again from the newest stamp read before it, a few
/// times a run (each new anchor costs probes while more records may move) and no more.
struct Continuity {
    /// The last records of the page before.
    overlap: Vec<Value>,
    /// The newest stamp read while the list held still.
    last_stamp: Option<DateTime<Utc>>,
    reanchors_left: u32,
}

/// What the continuity check made of a page.
#[derive(Debug, Default)]
struct PageCheck {
    /// The page did not start where the page before ended.
    moved: bool,
    /// The next page starts again from `anchor` (the list moved, and anchors are left).
    reanchor: bool,
    /// The newest stamp read before this page while the list held still.
    anchor: Option<DateTime<Utc>>,
}

impl Continuity {
    fn new() -> Self {
        Continuity {
            overlap: Vec::new(),
            last_stamp: None,
            reanchors_left: MAX_REANCHORS,
        }
    }

    /// Checks a scan page whose newest stamp is `newest`, and remembers how it ends.
    fn check(&mut self, records: &[Value], newest: Option<DateTime<Utc>>) -> PageCheck {
        let anchor = self.last_stamp.take();
        let moved = !held_still(&self.overlap, records);
        let reanchor = moved && self.reanchors_left > 0;
        self.reanchors_left -= u32::from(reanchor);
        if moved {
            self.overlap.clear();
            self.last_stamp = anchor;
        } else {
            let keep = records.len().min(OFFSET_OVERLAP as usize);
            self.overlap = records[records.len() - keep..].to_vec();
            self.last_stamp = newest.or(anchor);
        }
        PageCheck {
            moved,
            reanchor,
            anchor,
        }
    }
}

/// Whether an offset page starts with the records the page before ended with (the overlap): if
/// not, records moved while the scan paged, and some may have been stepped over.
fn held_still(overlap: &[Value], records: &[Value]) -> bool {
    overlap.is_empty()
        || records
            .get(..overlap.len())
            .is_some_and(|start| start == overlap)
}

/// The first and last record of the page before, to notice a POS that sends the same page again
/// and again (the list would never end).
#[derive(Default)]
struct PageEnds(Option<(usize, Value, Value)>);

impl PageEnds {
    /// Fails when `records` is the previous page over again; otherwise remembers its ends.
    fn check_moved_on(&mut self, records: &[Value], stream: Stream) -> Result<()> {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Ok(());
        };
        if let Some((len, before_first, before_last)) = &self.0 {
            if *len == records.len() && before_first == first && before_last == last {
                return Err(crate::base::error::Error::new(
                    crate::base::error::ErrorCode::PosUnreachable,
                    format!("The POS sent the same page of {stream} twice in a row, so the sync stopped rather than loop."),
                )
                .with_hint("Everything before it is saved. If it happens again, tell the POS's support the time it happened."));
            }
        }
        self.0 = Some((records.len(), first.clone(), last.clone()));
        Ok(())
    }
}

/// Adds what a saved transaction did to the run's summary and reports the stream's progress.
fn account(context: &SyncContext<'_>, plan: &StreamPlan, summary: &mut SyncSummary, saved: Saved) {
    summary.new += saved.counts.new;
    summary.changed += saved.counts.changed;
    summary.rejected += saved.counts.rejected;
    context.control.report(progress(
        summary,
        plan.stream,
        saved.done,
        saved.total,
        SyncState::Running,
    ));
}

/// Pulls every page of `plan`; each page is saved with `template` stamped with the page's time.
async fn pull(
    context: &SyncContext<'_>,
    credential: &Credential,
    secret: &Secret,
    plan: &StreamPlan,
    template: PageContext,
    summary: &mut SyncSummary,
    total: &mut Option<u64>,
) -> Result<()> {
    let cursor =
        crate::storage::cursors::read_cursor(context.db, &credential.id, &plan.cursor_key).await?;
    let started = crate::base::clock::db_timestamp(Utc::now());
    // The pace goes on from the credential's last stream (or its last run).
    let mut pacer = Pacer::starting_at(
        &context.policy,
        context
            .control
            .pace()
            .unwrap_or(context.policy.min_request_gap),
    );
    let mut retries = 0;
    if context.control.cancelled() {
        return Err(super::cancelled());
    }
    let mut scan =
        (plan.paging == Paging::OffsetScan).then(|| ScanCursor::parse(cursor.as_deref()));
    let (mut position, resumed) = match scan.as_mut() {
        Some(scan) => scan_position(context, secret, plan, scan, &mut pacer, &mut retries).await?,
        None => (first_position(plan, cursor), false),
    };
    // Once a page held an unreadable record, the cursor stays where it was for the rest of the
    // run, so the next run reads that record again (it may be fixed by then). A scan's mark stays
    // too when it resumes a stopped whole-list scan (the list may have moved meanwhile): the next
    // run's tail then reads again from there.
    let mut pinned = resumed;
    let mut continuity = Continuity::new();
    let market = market(context.connector.schema(), &template);
    let mut fetched = fetch_and_read(
        context,
        secret,
        plan,
        market,
        &position,
        &mut pacer,
        &mut retries,
    )
    .await;
    let mut previous = PageEnds::default();
    let mut batches = SaveBatches::new(context.db, plan);
    // Pages are saved a few to a transaction while the next are fetched (see `save_batch`);
    // whatever stops the run, the pages read before it are saved. `Ok(true)`: a cancel stopped it
    // before the list ended.
    let cancelled: Result<bool> = async {
        loop {
            summary.retries = retries;
            context.control.remember_pace(pacer.gap());
            let (page_records, read) = fetched?;
            previous.check_moved_on(&page_records.records, plan.stream)?;
            let page_newest = newest_stamp(context.connector.schema(), plan, &page_records.records);
            let check = if plan.paging == Paging::OffsetScan {
                continuity.check(&page_records.records, page_newest)
            } else {
                PageCheck::default()
            };
            // Its stamps do not move the mark; past the last anchor, neither do the rest of the
            // run's.
            pinned |= check.moved && !check.reanchor;
            let received = page_records.records.len() as u64;
            let done_before = u64::from(summary.seen);
            summary.pages += 1;
            summary.seen = summary.seen.saturating_add(received as u32);
            if let Some(remaining) = page_records.remaining {
                *total = Some(match position {
                    Position::Offset(offset) | Position::Probe(offset) => {
                        offset.saturating_add(remaining)
                    }
                    Position::Page { .. } => done_before.saturating_add(remaining),
                });
            }
            let next = match (check.reanchor, check.anchor) {
                (true, Some(anchor)) => Position::Offset(
                    first_updated_after(
                        context,
                        secret,
                        plan,
                        anchor - Duration::microseconds(1),
                        &mut pacer,
                        &mut retries,
                    )
                    .await?,
                ),
                _ => next_position(&position, received, page_newest),
            };
            // A moved page is read again from its anchor, whatever it said about the list's end.
            let more = page_records.more || check.reanchor;
            let cursor = match (plan.paging, scan.as_ref()) {
                (Paging::Incremental, _) if pinned => CursorWrite::Nothing,
                (Paging::Incremental, _) => CursorWrite::Newest,
                (Paging::OffsetScan, Some(scan)) => CursorWrite::Scan {
                    cursor: scan_cursor_after(scan, &next, more, &started),
                    trusted: !pinned && !check.moved,
                },
                (Paging::OffsetScan | Paging::Full, _) => CursorWrite::Nothing,
            };
            if let CursorWrite::Scan { cursor, trusted } = &cursor {
                scan = Some(scan_after_page(cursor.clone(), *trusted, &read));
            }
            pinned |= read.rejected() > 0;
            let done = match position {
                Position::Offset(offset) | Position::Probe(offset) => {
                    offset.saturating_add(received)
                }
                Position::Page { .. } => done_before + received,
            };
            batches.push(ReadyPage {
                page: PageContext {
                    now: db_timestamp(Utc::now()),
                    ..template.clone()
                },
                read,
                cursor,
                done,
                total: *total,
            });
            // A cancel stops before fetching.
            let going_on = more && !context.control.cancelled();
            if !going_on {
                return Ok(more);
            }
            if let Some(saved) = batches.step().await? {
                account(context, plan, summary, saved);
            }
            fetched = fetch_and_read(
                context,
                secret,
                plan,
                market,
                &next,
                &mut pacer,
                &mut retries,
            )
            .await;
            position = next;
        }
    }
    .await;
    for saved in batches.flush().await? {
        account(context, plan, summary, saved);
    }
    if cancelled? {
        return Err(super::cancelled());
    }
    summary.retries = retries;
    if plan.paging == Paging::Full && plan.kind == RecordKind::Coupon {
        let (db, credential_id, store_key) = (
            context.db.clone(),
            credential.id.clone(),
            plan.store_key.clone(),
        );
        db.write_async(move |tx| coupons::forget_unseen(tx, &credential_id, &store_key, &started))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn incremental_paging_restarts_from_the_newest_stamp_and_steps_over_a_page_of_ties() {
        let first = Position::Page {
            after: None,
            page: 1,
        };
        let next = next_position(&first, 500, Some(at("2026-01-01T00:00:00Z")));
        assert_eq!(
            next,
            Position::Page {
                after: Some("2025-12-31T23:59:59.999999Z".into()),
                page: 1
            }
        );
        let tied = next_position(&next, 500, Some(at("2026-01-01T00:00:00Z")));
        assert_eq!(
            tied,
            Position::Page {
                after: Some("2025-12-31T23:59:59.999999Z".into()),
                page: 2
            }
        );
        let unreadable = next_position(&tied, 500, None);
        assert_eq!(
            unreadable,
            Position::Page {
                after: Some("2025-12-31T23:59:59.999999Z".into()),
                page: 3
            }
        );
    }

    #[test]
    fn offset_scans_overlap_at_each_page_boundary() {
        assert_eq!(
            next_position(&Position::Offset(0), 500, None),
            Position::Offset(498)
        );
        assert_eq!(
            next_position(&Position::Offset(498), 1, None),
            Position::Offset(499)
        );
    }
}
