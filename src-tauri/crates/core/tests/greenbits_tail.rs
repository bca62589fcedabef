//! Greenbits' lists are read by their tail: after the first (whole) scan, a sync finds where the
//! records changed since the last one start — with one-record probes of the list, sorted by
//! `updated_at` — and reads from there, over the sandbox on loopback into a real SQLite file. A
//! sync with nothing changed reads a handful of records; changes and new records arrive; a
//! deleted record does not hide a change; a list that moves between two pages is read again from
//! the last stamp (nothing stepped over), and one that keeps moving leaves the mark for the next
//! run; a whole-list scan can be asked for.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::pos::streams::Stream;
use std::sync::Arc;

use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::{SyncSummary, Trigger};
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::MemorySecretStore;
use reqwest::Method;
use serde_json::{json, Value};

use support::{console_on, memory_world, World};

/// People and orders per location: several pages of each.
const PEOPLE: u64 = 1_300;
const ORDERS: u64 = 1_100;

async fn greenbits_world() -> (World, u64) {
    let world = memory_world(7, PEOPLE, ORDERS).await;
    let locations = world.add_and_connect_greenbits(Some(1), false).await;
    (world, locations[0])
}

async fn sync(world: &World) -> Vec<SyncSummary> {
    let summaries = world
        .console
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    summaries
}

fn stream(summaries: &[SyncSummary], stream: Stream) -> &SyncSummary {
    summaries
        .iter()
        .find(|s| s.stream == Some(stream))
        .expect("the stream ran")
}

/// The requests the sandbox answered on `path` since the log was last cleared.
async fn requests_to(world: &World, path: &str) -> Vec<Value> {
    let (_, log) = world.admin(Method::GET, "/requests", None).await;
    log["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["path"] == path)
        .collect()
}

/// A second database on the same sandbox, connected and synced: the reference a run is compared
/// with (profile changes after a persona's first sync are kept out unless "Sync Personas" is on,
/// so it must see the same history).
async fn reference(world: &World, name: &str) -> (canopy_core::console::Console, Database) {
    let (console, db) = console_on(
        &world.sandbox,
        world.dir.path(),
        name,
        Arc::new(MemorySecretStore::default()),
    );
    world
        .add_and_connect_greenbits_on(&console, Some(1), false)
        .await;
    let reference = (console, db);
    synced_whole(&reference).await;
    reference
}

/// Syncs the reference reading every list whole.
async fn synced_whole(reference: &(canopy_core::console::Console, Database)) {
    reference
        .0
        .read_whole_lists_next_sync(Integration::Greenbits)
        .await
        .expect("asked");
    let summaries = reference
        .0
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
}

#[tokio::test]
async fn after_the_first_scan_a_sync_reads_only_the_tail_of_each_list() {
    let (world, location) = greenbits_world().await;
    let first = sync(&world).await;
    let whole = reference(&world, "reference.db").await;
    assert_eq!(u64::from(stream(&first, Stream::Customers).new), PEOPLE);
    assert_eq!(u64::from(stream(&first, Stream::Sales).new), ORDERS);

    // Nothing changed: each list costs a probe for its length and a few to find the records
    // stamped within the overlap of its newest, which are read again.
    world.admin(Method::DELETE, "/requests", None).await;
    let quiet = sync(&world).await;
    for list in [Stream::Customers, Stream::Sales] {
        let summary = stream(&quiet, list);
        // The records stamped within the overlap (five minutes) of the newest, and two more.
        assert!(summary.seen <= 5, "{list}: {summary:?}");
        assert_eq!((summary.new, summary.changed), (0, 0), "{list}");
    }
    let people = requests_to(&world, "/api/v2/people").await;
    assert!(people.len() <= 24, "{} requests: {people:?}", people.len());

    // Three people change at the POS (they move to the end of the list) and one joins.
    for id in world.people_ids(location, 3).await {
        let (status, _) = world
            .admin(
                Method::PUT,
                &format!("/people/{location}/{id}"),
                Some(json!({"first_name": "Changed"})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (status, _) = world
        .admin(
            Method::POST,
            &format!("/people/{location}"),
            Some(json!({"first_name": "Newcomer", "last_name": "Tail", "phone": "2065550188"})),
        )
        .await;
    assert_eq!(status, 201);
    world.admin(Method::DELETE, "/requests", None).await;
    let changed = sync(&world).await;
    let customers = stream(&changed, Stream::Customers);
    assert_eq!((customers.new, customers.changed), (1, 3), "{customers:?}");
    assert!(customers.seen <= 9, "only the tail is read: {customers:?}");
    let probes = requests_to(&world, "/api/v2/people").await.len();
    assert!(
        probes <= 20,
        "{probes} requests for four changes in {PEOPLE}"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM source_records WHERE json_extract(payload, '$.first_name') = 'Changed'"),
        3
    );
    synced_whole(&whole).await;
    assert_eq!(
        fingerprint(&world.db).expect("fingerprint"),
        fingerprint(&whole.1).expect("fingerprint"),
        "the tail reads reach what reading every list whole does"
    );
}

#[tokio::test]
async fn a_deleted_record_does_not_hide_a_change_behind_it() {
    let (world, location) = greenbits_world().await;
    sync(&world).await;
    let ids = world.people_ids(location, 2).await;
    let (status, _) = world
        .admin(
            Method::DELETE,
            &format!("/people/{location}/{}", ids[0]),
            None,
        )
        .await;
    assert_eq!(status, 204);
    world
        .admin(
            Method::PUT,
            &format!("/people/{location}/{}", ids[1]),
            Some(json!({"last_name": "Moved"})),
        )
        .await;
    let run = sync(&world).await;
    assert_eq!(stream(&run, Stream::Customers).changed, 1, "{run:?}");
    // Canopy keeps what it once read: the deleted shopper's record stays, its persona too.
    assert_eq!(
        world.count("SELECT count(*) FROM source_records WHERE integration = 'greenbits'"),
        i64::try_from(PEOPLE).unwrap_or(0)
    );
}

#[tokio::test]
async fn a_list_that_keeps_moving_leaves_the_mark_for_the_next_run() {
    let (world, location) = greenbits_world().await;
    sync(&world).await;
    let reference = reference(&world, "reference.db").await;
    world.change_the_oldest(location, 600).await;
    // While the tail is read, a batch job edits the fifty oldest people before every request:
    // they move to the end, so between two pages the records not yet read move up fifty places —
    // more than the overlap. The run starts again from its last stamp a few times, then reads on.
    world
        .fault(
            json!({"fault": {"type": "move_to_end", "records": 50}, "endpoint": "/api/v2/people"}),
        )
        .await;
    sync(&world).await;
    world.admin(Method::DELETE, "/faults", None).await;
    // The list never held still, so the run's mark stayed where it last did, behind the newest
    // record it read. (Every change here is seconds old, so the next run's five-minute
    // overlap would read the stepped-over records again anyway: the mark is what shows the run
    // did not trust the list.)
    let behind = world.count(
        "SELECT (SELECT julianday(json_extract(cursor, '$.after')) FROM sync_cursors
                 WHERE stream LIKE 'customers@%')
              < (SELECT julianday(max(pos_updated_at)) FROM source_records
                 WHERE integration = 'greenbits')",
    );
    assert_eq!(behind, 1, "the mark stayed behind the newest record read");
    // The next run reads again from the mark and reaches what reading every list whole does.
    sync(&world).await;
    synced_whole(&reference).await;
    assert_eq!(
        fingerprint(&world.db).expect("fingerprint"),
        fingerprint(&reference.1).expect("fingerprint")
    );
}

#[tokio::test]
async fn a_list_that_moves_between_two_pages_is_read_again_from_the_last_stamp() {
    let (world, location) = greenbits_world().await;
    sync(&world).await;
    let reference = reference(&world, "reference.db").await;
    world.change_the_oldest(location, 600).await;
    // The reference reads the same tail first (its mark is the same): its requests show which
    // people request of the run is the second page.
    world.admin(Method::DELETE, "/requests", None).await;
    let summaries = reference
        .0
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    let people = requests_to(&world, "/api/v2/people").await;
    let second_page = people
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("limit=500"))
        })
        .nth(1)
        .map(|(index, _)| index + 1)
        .expect("the tail spans two pages");
    // Just before the run's second page is answered, fifty of the oldest people are edited: the
    // records not yet read move up fifty places, more than the overlap.
    world
        .fault(json!({
            "fault": {"type": "move_to_end", "records": 50},
            "endpoint": "/api/v2/people",
            "trigger": {"nth": second_page, "count": 1},
        }))
        .await;
    sync(&world).await;
    world.admin(Method::DELETE, "/faults", None).await;
    // The run noticed, read again from the last stamp of its first page, and missed nothing:
    // it holds what reading every list whole does, and its mark reached the newest record.
    synced_whole(&reference).await;
    assert_eq!(
        fingerprint(&world.db).expect("fingerprint"),
        fingerprint(&reference.1).expect("fingerprint")
    );
    let caught_up = world.count(
        "SELECT (SELECT julianday(json_extract(cursor, '$.after')) FROM sync_cursors
                 WHERE stream LIKE 'customers@%')
              = (SELECT julianday(max(pos_updated_at)) FROM source_records
                 WHERE integration = 'greenbits')",
    );
    assert_eq!(caught_up, 1, "the mark reached the newest record");
}

#[tokio::test]
async fn a_whole_list_scan_can_be_asked_for_and_happens_once() {
    let (world, _) = greenbits_world().await;
    sync(&world).await;
    let asked = world
        .console
        .read_whole_lists_next_sync(Integration::Greenbits)
        .await
        .expect("asked");
    assert_eq!(asked, 2, "people and orders of the one location");
    let whole = sync(&world).await;
    // The whole list, each page boundary read twice (the overlap).
    assert!(
        u64::from(stream(&whole, Stream::Customers).seen) >= PEOPLE,
        "{whole:?}"
    );
    let after = sync(&world).await;
    assert!(stream(&after, Stream::Customers).seen <= 5, "{after:?}");
}
