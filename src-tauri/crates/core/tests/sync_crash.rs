//! Crash safety: a large sync killed with SIGKILL at random moments, restarted each time, ends with
//! the same fingerprint as an uninterrupted sync, an intact database, and no customer written to the
//! POS; pushes of local signups, each killed while pushes are under way, end with each shopper
//! created in the POS exactly once. Real process death, a real SQLite file, the sandbox over
//! loopback HTTP.
//!
//! Each test runs itself as the parent and, with `CANOPY_SYNC_CHILD` / `CANOPY_PUSH_CHILD` set, as
//! the child that syncs or pushes until it is killed.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_core::base::pos_kind::Integration;
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::MemorySecretStore;
use canopy_sandbox::SandboxConfig;
use support::{console_on, kill_moments, world_with};

const CHILD: &str = "CANOPY_SYNC_CHILD";
const TEST: &str = "a_sync_killed_at_random_points_resumes_to_the_same_database";

/// Syncs the parent's database from the parent's sandbox until killed.
async fn child(dir: PathBuf) {
    let console = support::child_console(&dir);
    let _ = console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await;
    // Finished before the kill: wait for it, so the parent always sees a SIGKILL.
    tokio::time::sleep(Duration::from_secs(120)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_at_random_points_resumes_to_the_same_database() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(PathBuf::from(dir)).await;
        return;
    }
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world_with(SandboxConfig::sized(5, 12_000, 30_000), secrets.clone()).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    let credential = world
        .console
        .credentials(Integration::Posabit)
        .await
        .expect("list")[0]
        .id
        .clone();

    let seed = std::process::id() as u64;
    let moments = kill_moments(seed, 4, 400, 2_500);
    println!("kill moments (seed {seed}): {moments:?}");
    let mut killed_mid_run = 0;
    for moment in moments {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", TEST, "--nocapture"])
            .env(CHILD, world.dir.path())
            .env("CANOPY_SYNC_CREDENTIAL", &credential)
            .env("CANOPY_SYNC_SECRET", world.venue_key(0))
            .env("CANOPY_SYNC_GREENBITS", world.sandbox.greenbits_base_url())
            .env("CANOPY_SYNC_POSABIT", world.sandbox.posabit_base_url())
            .env(
                "CANOPY_SYNC_INTEGRATOR",
                &world.sandbox.config().integrator_token,
            )
            .stdout(Stdio::null())
            .spawn()
            .expect("child runs");
        let started = Instant::now();
        tokio::time::sleep(moment).await;
        let unfinished = world.count("SELECT count(*) FROM sync_runs WHERE finished_at IS NULL");
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reaped");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "killed after {:?}",
            started.elapsed()
        );
        if unfinished > 0 {
            killed_mid_run += 1;
        }
    }
    assert!(
        killed_mid_run >= 2,
        "most kills landed mid-run ({killed_mid_run})"
    );
    let integrity: String = world
        .db
        .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .expect("integrity");
    assert_eq!(integrity, "ok");

    // A restarted console closes the runs the kills interrupted and completes from the cursors.
    let (restarted, _) = console_on(&world.sandbox, world.dir.path(), "canopy.db", secrets);
    assert_eq!(
        restarted.recover().expect("recover"),
        0,
        "no credential was half-added"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM sync_runs WHERE finished_at IS NULL"),
        0
    );
    assert!(world.count("SELECT count(*) FROM sync_runs WHERE error_code = 'interrupted'") >= 2);
    let finished = restarted
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("resumes");
    assert!(finished.iter().all(|s| s.error.is_none()), "{finished:?}");

    let (reference, reference_db) = console_on(
        &world.sandbox,
        world.dir.path(),
        "reference.db",
        Arc::new(MemorySecretStore::default()),
    );
    world
        .add_and_connect_posabit(&reference, "Capitol Hill", 0)
        .await;
    reference
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("reference");
    let expected = fingerprint(&reference_db).expect("reference");
    assert_eq!(expected.purchases, 30_000);
    assert_eq!(fingerprint(&world.db).expect("resumed"), expected);

    // A sync only reads: the POS received no customer from Canopy, so none twice.
    let (_, writes) = world
        .admin(reqwest::Method::GET, "/client-writes", None)
        .await;
    assert_eq!(
        writes["writes"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{writes}"
    );
}

const PUSH_CHILD: &str = "CANOPY_PUSH_CHILD";
const PUSH_TEST: &str = "pushes_killed_at_random_points_create_each_shopper_once";
const SIGNUPS: usize = 300;

/// Spawns this test binary as the child of `test`, pointed at the parent's world.
fn spawn_child(
    world: &support::World,
    test: &str,
    role: &str,
    credential: &str,
) -> std::process::Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--nocapture"])
        .env(role, world.dir.path())
        .env("CANOPY_SYNC_CREDENTIAL", credential)
        .env("CANOPY_SYNC_SECRET", world.venue_key(0))
        .env("CANOPY_SYNC_GREENBITS", world.sandbox.greenbits_base_url())
        .env("CANOPY_SYNC_POSABIT", world.sandbox.posabit_base_url())
        .env(
            "CANOPY_SYNC_INTEGRATOR",
            &world.sandbox.config().integrator_token,
        )
        .stdout(Stdio::null())
        .spawn()
        .expect("child runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_killed_at_random_points_create_each_shopper_once() {
    if let Some(dir) = std::env::var_os(PUSH_CHILD) {
        let console = support::child_console(&PathBuf::from(dir));
        let _ = console.push_signups(Integration::Posabit).await;
        tokio::time::sleep(Duration::from_secs(120)).await;
        return;
    }
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world_with(SandboxConfig::sized(9, 50, 10), secrets.clone()).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    support::sync_personas_on(&world.console, Integration::Posabit).await;
    for i in 0..SIGNUPS {
        world
            .console
            .sign_up(canopy_core::sources::signups::SignupInput {
                first_name: format!("Shopper{i}"),
                phone: Some(format!("20655{:05}", 10_000 + i)),
                email: Some(format!("shopper{i}@example.com")),
                ..Default::default()
            })
            .await
            .expect("signed up");
    }
    let credential = world
        .console
        .credentials(Integration::Posabit)
        .await
        .expect("list")[0]
        .id
        .clone();
    // Each child is killed once it has pushed a random number more shoppers, so every kill lands
    // while pushes are under way: some done in that child's life, some still pending after it.
    let seed = std::process::id() as u64 ^ 0x5eed;
    let steps: Vec<i64> = kill_moments(seed, 4, 400, 2_500)
        .into_iter()
        .map(|m| 10 + (m.as_millis() as i64) % 50)
        .collect();
    println!("kills after these many more pushes (seed {seed}): {steps:?}");
    let done = "SELECT count(*) FROM outbox WHERE status = 'done'";
    for step in steps {
        let before = world.count(done);
        let mut child = spawn_child(&world, PUSH_TEST, PUSH_CHILD, &credential);
        let deadline = Instant::now() + Duration::from_secs(60);
        while world.count(done) < before + step {
            assert!(
                Instant::now() < deadline,
                "the child pushed {step} shoppers"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let (after, pending) = (
            world.count(done),
            world.count("SELECT count(*) FROM outbox WHERE status = 'pending'"),
        );
        assert!(
            after >= before + step && pending > 0,
            "the kill landed while pushing: {before} done before, {after} after, {pending} pending"
        );
    }
    let interrupted = world.count("SELECT count(*) FROM outbox WHERE status = 'pending'");
    println!("{interrupted} pushes still pending after the kills");
    let (restarted, _) = console_on(&world.sandbox, world.dir.path(), "canopy.db", secrets);
    restarted
        .push_signups(Integration::Posabit)
        .await
        .expect("pushed");
    assert_eq!(
        world.count("SELECT count(*) FROM outbox WHERE status = 'done'"),
        SIGNUPS as i64
    );
    println!(
        "{} pushes found their shopper already created (a kill landed between the POS's create and Canopy's bookkeeping)",
        world.count("SELECT count(*) FROM outbox WHERE outcome = 'matched'")
    );

    let (_, writes) = world
        .admin(reqwest::Method::GET, "/client-writes", None)
        .await;
    let phones: Vec<String> = writes["writes"]
        .as_array()
        .expect("writes")
        .iter()
        .map(|w| {
            w["record"]["telephone"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let unique: std::collections::BTreeSet<&String> = phones.iter().collect();
    assert_eq!(
        phones.len(),
        SIGNUPS,
        "each shopper created once, none twice"
    );
    assert_eq!(unique.len(), SIGNUPS);
}
