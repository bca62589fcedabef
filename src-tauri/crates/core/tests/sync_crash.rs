//! Crash safety: a large sync killed with SIGKILL at random moments, restarted each time, ends with
//! the same fingerprint as an uninterrupted sync, an intact database, and no customer written to the
//! POS. Real process death, a real SQLite file, the sandbox over loopback HTTP.
//!
//! The test runs itself as the parent and, with `CANOPY_SYNC_CHILD` set, as the child that syncs
//! until it is killed.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_core::credentials::{secret_name, Integration};
use canopy_core::secrets::{MemorySecretStore, SecretStore};
use canopy_core::sync::fingerprint::fingerprint;
use canopy_core::Secret;
use canopy_sandbox::SandboxConfig;
use support::{console_on, world_with};

const CHILD: &str = "CANOPY_SYNC_CHILD";
const TEST: &str = "a_sync_killed_at_random_points_resumes_to_the_same_database";

/// Syncs the parent's database from the parent's sandbox until killed.
async fn child(dir: PathBuf) {
    let var = |name: &str| std::env::var(name).expect(name);
    let secrets = MemorySecretStore::default();
    secrets
        .put(
            &secret_name(&var("CANOPY_SYNC_CREDENTIAL")),
            &Secret::new(var("CANOPY_SYNC_KEY")),
        )
        .expect("secret");
    let db = canopy_core::db::Database::open(dir.join("canopy.db")).expect("db");
    let clients = canopy_core::pos::PosClients {
        posabit: canopy_core::pos::posabit::PosabitClient::new(
            var("CANOPY_SYNC_POSABIT"),
            Secret::new(var("CANOPY_SYNC_INTEGRATOR")),
        )
        .expect("client"),
        greenbits: canopy_core::pos::greenbits::GreenbitsClient::new(var("CANOPY_SYNC_POSABIT"))
            .expect("client"),
    };
    let console = canopy_core::app::Console::new(db, Arc::new(secrets), clients)
        .with_retry_policy(support::fast_retries());
    let _ = console
        .sync(Integration::Posabit, None, "manual", None)
        .await;
    // Finished before the kill: wait for it, so the parent always sees a SIGKILL.
    tokio::time::sleep(Duration::from_secs(120)).await;
}

/// A small deterministic generator of kill moments.
fn kill_moments(seed: u64, count: usize) -> Vec<Duration> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Duration::from_millis(400 + (state >> 33) % 2_500)
        })
        .collect()
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
    let moments = kill_moments(seed, 4);
    println!("kill moments (seed {seed}): {moments:?}");
    let mut killed_mid_run = 0;
    for moment in moments {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", TEST, "--nocapture"])
            .env(CHILD, world.dir.path())
            .env("CANOPY_SYNC_CREDENTIAL", &credential)
            .env("CANOPY_SYNC_KEY", world.venue_key(0))
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
        .sync(Integration::Posabit, None, "manual", None)
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
        .sync(Integration::Posabit, None, "manual", None)
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
