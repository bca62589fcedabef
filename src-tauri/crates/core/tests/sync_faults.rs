//! Every sandbox fault, one test each: a sync that meets it ends — at once, or after the user fixes
//! what the message names — in the same database as a fault-free sync of the same POS data.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::SyncSummary;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::MemorySecretStore;
use canopy_core::ErrorCode;
use serde_json::{json, Value};
use support::{console_on, memory_world, World};

const CUSTOMERS: &str = "/api/v3/venue/customers";
const TICKETS: &str = "/api/v3/venue/tickets";

/// A sandbox of 1,200 customers and 1,500 sales per store (several pages each) and a reference
/// database synced from it before any fault is switched on.
struct Bench {
    world: World,
    reference: canopy_core::console::Console,
    reference_db: canopy_core::storage::db::Database,
}

async fn bench() -> Bench {
    let world = memory_world(41, 1_200, 1_500).await;
    let (reference, reference_db) = console_on(
        &world.sandbox,
        world.dir.path(),
        "reference.db",
        Arc::new(MemorySecretStore::default()),
    );
    world
        .add_and_connect_posabit(&reference, "Capitol Hill", 0)
        .await;
    sync(&reference).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    Bench {
        world,
        reference,
        reference_db,
    }
}

async fn sync(console: &canopy_core::console::Console) -> Vec<SyncSummary> {
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("the sync runs")
}

fn retries(summaries: &[SyncSummary]) -> u32 {
    summaries.iter().map(|s| s.retries).sum()
}

fn errors(summaries: &[SyncSummary]) -> Vec<ErrorCode> {
    summaries
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| e.code))
        .collect()
}

impl Bench {
    async fn fault(&self, fault: Value, endpoint: &str, trigger: Value) {
        let token = self.world.venue_key(0);
        self.world
            .fault(json!({"fault": fault, "endpoint": endpoint, "credential": token, "trigger": trigger}))
            .await;
    }

    /// The faulty database ends like the reference (synced again, to see what changed meanwhile).
    async fn assert_same_as_reference(&self) {
        sync(&self.reference).await;
        let expected = fingerprint(&self.reference_db).expect("reference");
        assert!(expected.personas > 0 && expected.purchases > 0 && expected.ledger_entries > 0);
        assert_eq!(fingerprint(&self.world.db).expect("synced"), expected);
    }
}

#[tokio::test]
async fn rate_limit_waits_as_long_as_retry_after_says_and_loses_nothing() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "rate_limit", "retry_after_secs": 1}),
            TICKETS,
            json!({"nth": 2}),
        )
        .await;
    let started = std::time::Instant::now();
    let run = sync(&bench.world.console).await;
    assert_eq!(errors(&run), []);
    assert_eq!(retries(&run), 1);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After honoured"
    );
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_with_backoff() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "server_error", "status": 503}),
            CUSTOMERS,
            json!({"nth": 2, "count": 3}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!((errors(&run), retries(&run)), (vec![], 3));
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn slow_answers_only_slow_the_sync() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "slow", "delay_ms": 300}),
            CUSTOMERS,
            json!({}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!((errors(&run), retries(&run)), (vec![], 0));
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "reset_mid_body"}),
            TICKETS,
            json!({"nth": 2}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!((errors(&run), retries(&run)), (vec![], 1));
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn truncated_json_is_retried() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "truncated_json"}),
            CUSTOMERS,
            json!({"nth": 1}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!((errors(&run), retries(&run)), (vec![], 1));
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn malformed_json_is_retried() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "malformed_json"}),
            TICKETS,
            json!({"nth": 3}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!((errors(&run), retries(&run)), (vec![], 1));
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn a_bad_record_is_skipped_with_its_reason_and_read_again_next_run() {
    let bench = bench().await;
    bench
        .fault(json!({"type": "bad_record"}), CUSTOMERS, json!({"nth": 1}))
        .await;
    let first = sync(&bench.world.console).await;
    assert_eq!(errors(&first), []);
    assert_eq!(first[0].rejected, 1, "one record skipped, the run went on");
    assert!(first[0].seen >= 1_200, "every page was read");
    assert_eq!(
        bench
            .world
            .count("SELECT count(*) FROM sync_record_errors WHERE field IN ('id', 'updated_at')"),
        1
    );
    // History shows the run with the problem, and what it skipped.
    let problems = bench
        .world
        .console
        .sync_history(50, true)
        .await
        .expect("history");
    assert_eq!(
        problems.len(),
        1,
        "only the run that skipped a record: {problems:?}"
    );
    assert_eq!((problems[0].rejected, problems[0].error_code), (1, None));
    let skipped = bench
        .world
        .console
        .rejected_records(problems[0].id)
        .await
        .expect("rejected records");
    assert_eq!(skipped.len(), 1);
    assert!(["id", "updated_at"].contains(&skipped[0].field.as_str()));
    assert!(!skipped[0].reason.is_empty());
    let second = sync(&bench.world.console).await;
    assert_eq!(second[0].rejected, 0);
    assert_eq!(second[0].new, 1, "the skipped record arrives");
    bench.assert_same_as_reference().await;
}

/// Sets the writer's limit on the database's size, in pages (a full disk, for SQLite).
fn limit_pages(db: &canopy_core::storage::db::Database, pages: i64) {
    db.write(|tx| {
        let set: i64 = tx.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })?;
        Ok(set)
    })
    .expect("limit set");
}

#[tokio::test]
async fn a_full_disk_stops_the_sync_with_a_clear_error_and_after_space_returns_nothing_is_lost() {
    let bench = bench().await;
    let db = &bench.world.db;
    let used: i64 = db
        .read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
        .expect("page count");
    // Room for about a page of customers, not for the whole sync.
    limit_pages(db, used + 30);
    let outcome = bench
        .world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await;
    let full = match &outcome {
        Ok(summaries) => summaries.iter().find_map(|s| s.error.clone()),
        Err(error) => Some(error.clone()),
    }
    .expect("the full disk stops the sync");
    assert_eq!(full.code, ErrorCode::DiskFull, "{full:?}");
    assert!(
        full.message.contains("disk is full")
            && full.hint.is_some_and(|h| h.contains("Free some space"))
    );
    let integrity: String = db
        .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .expect("integrity check");
    assert_eq!(integrity, "ok");

    limit_pages(db, 1_073_741_823);
    let resumed = sync(&bench.world.console).await;
    assert_eq!(errors(&resumed), []);
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn records_repeated_across_pages_are_applied_once() {
    let bench = bench().await;
    bench
        .fault(json!({"type": "duplicate_records"}), CUSTOMERS, json!({}))
        .await;
    bench
        .fault(json!({"type": "duplicate_records"}), TICKETS, json!({}))
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!(errors(&run), []);
    assert_eq!(run[0].new, 1_200);
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn records_changing_while_the_sync_pages_are_not_missed() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "change_while_paging"}),
            CUSTOMERS,
            json!({"nth": 2}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!(errors(&run), []);
    assert_eq!(
        run[0].new, 1_201,
        "the customer inserted mid-run arrives in the same run"
    );
    assert!(run[0].changed >= 1, "and the one changed mid-run too");
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn a_revoked_key_stops_the_credential_with_a_notification_until_fixed() {
    let bench = bench().await;
    bench
        .fault(json!({"type": "revoke_token"}), TICKETS, json!({"nth": 2}))
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!(errors(&run), [ErrorCode::PosAuthFailed]);
    assert_eq!(
        run.len(),
        2,
        "coupons are not tried once the key is refused"
    );
    let notifications = bench
        .world
        .console
        .notifications()
        .await
        .expect("notifications");
    assert!(notifications
        .iter()
        .any(|n| n.title.contains("POSaBIT sync stopped")));
    let (status, _) = bench
        .world
        .admin(reqwest::Method::POST, "/reset", None)
        .await;
    assert_eq!(status, 204);
    let fixed = sync(&bench.world.console).await;
    assert_eq!(errors(&fixed), []);
    let notifications = bench
        .world
        .console
        .notifications()
        .await
        .expect("notifications");
    assert!(
        !notifications
            .iter()
            .any(|n| n.title.contains("sync stopped")),
        "cleared once it works"
    );
    bench.assert_same_as_reference().await;
}

#[tokio::test]
async fn a_removed_permission_names_it_and_the_sync_recovers_once_granted() {
    let bench = bench().await;
    bench
        .fault(
            json!({"type": "remove_permission", "permission": "enhanced_customer_data"}),
            CUSTOMERS,
            json!({"nth": 2}),
        )
        .await;
    let run = sync(&bench.world.console).await;
    assert_eq!(errors(&run), [ErrorCode::PosPermissionMissing]);
    let message = run[0].error.clone().expect("stopped").message;
    assert!(
        message.contains("Enhanced Customer Data Access"),
        "{message}"
    );
    bench
        .world
        .admin(reqwest::Method::POST, "/reset", None)
        .await;
    let fixed = sync(&bench.world.console).await;
    assert_eq!(errors(&fixed), []);
    bench.assert_same_as_reference().await;
}
