//! Crash safety of Greenbits' reads: a sync killed with SIGKILL at random moments during the first
//! whole-list scan, and again during the tail read after the POS changed, restarted each time,
//! ends with the same fingerprint as a second database that synced the same two times without a
//! kill. Real process death, a real SQLite file, the sandbox over loopback HTTP.
//!
//! The test runs itself as the parent and, with `CANOPY_GREENBITS_CHILD` set, as the child that
//! syncs until it is killed.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_core::base::pos_kind::Integration;
use canopy_core::console::Console;
use canopy_core::integrations::credentials::secret_name;
use canopy_core::sources::sync::fingerprint::{fingerprint, Fingerprint};
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
use canopy_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::json;
use support::{console_on, kill_moments, world_with, World};

const CHILD: &str = "CANOPY_GREENBITS_CHILD";
const TEST: &str =
    "a_greenbits_sync_killed_in_its_scan_and_its_tail_read_resumes_to_the_same_database";
/// People and orders at the location: a first scan of some forty pages.
const PEOPLE: u64 = 6_000;
const ORDERS: u64 = 12_000;
/// People changed and orders added before the tail read (the admin API lists a thousand).
const CHANGES: usize = 1_000;

async fn sync(console: &Console) {
    let summaries = console
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
}

/// Starts the child, waits until its run is under way, kills it `moment` later; returns whether
/// the kill landed while the run was unfinished.
async fn kill_a_child(world: &World, credential: &str, token: &str, moment: Duration) -> bool {
    let unfinished = "SELECT count(*) FROM sync_runs WHERE finished_at IS NULL";
    let before = world.count(unfinished);
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", TEST, "--nocapture"])
        .env(CHILD, world.dir.path())
        .env("CANOPY_SYNC_CREDENTIAL", credential)
        .env("CANOPY_SYNC_SECRET", token)
        .env(
            "CANOPY_SYNC_INTEGRATOR",
            &world.sandbox.config().integrator_token,
        )
        .env("CANOPY_SYNC_POSABIT", world.sandbox.posabit_base_url())
        .env("CANOPY_SYNC_GREENBITS", world.sandbox.greenbits_base_url())
        .stdout(Stdio::null())
        .spawn()
        .expect("child runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while world.count(unfinished) <= before {
        assert!(Instant::now() < deadline, "the child never started its run");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(moment).await;
    let landed = world.count(unfinished) > before;
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reaped");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9));
    landed
}

/// Kills children at `moments` with every POS answer slowed down (so a run lasts long enough to be
/// killed in), then lets a restarted console finish the sync.
async fn killed_then_finished(
    world: &World,
    secrets: &Arc<MemorySecretStore>,
    credential: &str,
    moments: Vec<Duration>,
) -> usize {
    let token = secrets
        .get(&secret_name(credential))
        .expect("keychain")
        .expect("the Greenbits token")
        .expose()
        .to_string();
    world
        .fault(json!({"fault": {"type": "slow", "delay_ms": 60}}))
        .await;
    let mut landed = 0;
    for moment in moments {
        landed += usize::from(kill_a_child(world, credential, &token, moment).await);
    }
    world.admin(Method::DELETE, "/faults", None).await;
    let integrity: String = world
        .db
        .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .expect("integrity");
    assert_eq!(integrity, "ok");
    let (restarted, _) = console_on(
        &world.sandbox,
        world.dir.path(),
        "canopy.db",
        secrets.clone(),
    );
    restarted.recover().expect("recover");
    sync(&restarted).await;
    landed
}

/// Each stream's scan mark (the stamp the next tail read starts from).
fn marks(db: &Database) -> BTreeMap<String, String> {
    db.read(|c| {
        let mut statement =
            c.prepare("SELECT stream, json_extract(cursor, '$.after') FROM sync_cursors")?;
        let marks = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(marks)
    })
    .expect("marks")
}

/// The resumed database holds the reference's data, row for row, and no stream's mark is past the
/// reference's (a mark ahead would step over records; one behind only reads some again).
fn same_data_and_no_mark_ahead(resumed: &Database, reference: &Database, when: &str) {
    let data = |db: &Database| Fingerprint {
        cursors_digest: 0,
        ..fingerprint(db).expect("fingerprint")
    };
    assert_eq!(data(resumed), data(reference), "{when}");
    let (resumed, reference) = (marks(resumed), marks(reference));
    assert_eq!(
        resumed.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (stream, mark) in &resumed {
        assert!(
            mark <= &reference[stream],
            "{when}: {stream} is marked {mark}, past the reference's {}",
            reference[stream]
        );
    }
}

/// The POS changes: the oldest `CHANGES` people are edited (so they move to the list's end) and
/// as many orders are added.
async fn change_the_pos(world: &World, location: u64) {
    world.change_the_oldest(location, CHANGES).await;
    let (_, orders) = world
        .admin(Method::GET, &format!("/orders/{location}"), None)
        .await;
    let mut order = orders["orders"][0].clone();
    order.as_object_mut().expect("an order").remove("id");
    for _ in 0..CHANGES {
        let (status, _) = world
            .admin(
                Method::POST,
                &format!("/orders/{location}"),
                Some(order.clone()),
            )
            .await;
        assert_eq!(status, 201, "order added");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_greenbits_sync_killed_in_its_scan_and_its_tail_read_resumes_to_the_same_database() {
    if let Some(dir) = std::env::var_os(CHILD) {
        let _ = support::child_console(&PathBuf::from(dir))
            .sync(Integration::Greenbits, None, Trigger::Manual, None)
            .await;
        // Finished before the kill: wait for it, so the parent always sees a SIGKILL.
        tokio::time::sleep(Duration::from_secs(120)).await;
        return;
    }
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world_with(SandboxConfig::sized(11, PEOPLE, ORDERS), secrets.clone()).await;
    let location = world.add_and_connect_greenbits(Some(1), false).await[0];
    let credential = world
        .console
        .credentials(Integration::Greenbits)
        .await
        .expect("list")[0]
        .id
        .clone();
    let (reference, reference_db) = console_on(
        &world.sandbox,
        world.dir.path(),
        "reference.db",
        Arc::new(MemorySecretStore::default()),
    );
    world
        .add_and_connect_greenbits_on(&reference, Some(1), false)
        .await;

    let seed = std::process::id() as u64;
    println!("kill seed {seed}");
    sync(&reference).await;
    let scan_kills = killed_then_finished(
        &world,
        &secrets,
        &credential,
        kill_moments(seed, 3, 0, 1_500),
    )
    .await;
    assert!(
        scan_kills >= 2,
        "kills landed in the whole scan ({scan_kills})"
    );
    same_data_and_no_mark_ahead(&world.db, &reference_db, "after the first scan");

    change_the_pos(&world, location).await;
    sync(&reference).await;
    let tail_kills = killed_then_finished(
        &world,
        &secrets,
        &credential,
        kill_moments(seed ^ 0x7a11, 2, 0, 400),
    )
    .await;
    println!("{scan_kills} kills landed in the whole scan, {tail_kills} in the tail read");
    assert!(
        tail_kills >= 1,
        "a kill landed in the tail read ({tail_kills})"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM purchases"),
        (ORDERS as usize + CHANGES) as i64
    );
    assert_eq!(
        world.count("SELECT count(*) FROM source_records WHERE json_extract(payload, '$.first_name') = 'Early'"),
        CHANGES as i64,
        "every change arrived"
    );
    same_data_and_no_mark_ahead(&world.db, &reference_db, "after the tail read");
}
