//! A credential add killed (SIGKILL) between the keychain write and the row becoming active leaves
//! neither half behind once Canopy starts again. Real process death, a real SQLite file, a real
//! Secret Service (run through .ci/test).
//!
//! The test runs itself twice: as the parent, and (with `CANOPY_KILL_CHILD` set) as the child
//! that adds the credential and is killed the moment the secret is written.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::{credentials, posabit_credentials};
use canopy_core::storage::keychain::{probe, KeychainStore, SecretStore};
use canopy_core::{Result, Secret};
use support::{credential, world};

const CHILD: &str = "CANOPY_KILL_CHILD";
const SERVICE: &str = "CANOPY_KILL_SERVICE";

/// The real keychain, except that the process is killed as soon as a write has landed.
struct DiesAfterWrite(KeychainStore);

impl SecretStore for DiesAfterWrite {
    fn put(&self, name: &str, secret: &Secret) -> Result<()> {
        self.0.put(name, secret)?;
        let _ = Command::new("kill")
            .args(["-9", &std::process::id().to_string()])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(30));
        unreachable!("SIGKILL did not arrive");
    }
    fn get(&self, name: &str) -> Result<Option<Secret>> {
        self.0.get(name)
    }
    fn delete(&self, name: &str) -> Result<()> {
        self.0.delete(name)
    }
}

/// Adds a credential into the parent's database folder and dies when the secret is written.
async fn child(db_dir: PathBuf, service: String) {
    let world = world(5, Arc::new(KeychainStore::new(&service))).await;
    let db = canopy_core::storage::db::Database::open(db_dir.join("canopy.db")).expect("db");
    let client = canopy_core::pos::posabit::PosabitClient::new(
        world.sandbox.posabit_base_url(),
        Secret::new(world.sandbox.config().integrator_token.clone()),
    )
    .expect("client");
    let secrets = DiesAfterWrite(KeychainStore::new(service));
    let _ = posabit_credentials::add_posabit(
        &db,
        &secrets,
        &client,
        credential("Capitol Hill", &world.venue_key(0)),
    )
    .await;
    unreachable!("the child should have been killed");
}

#[tokio::test]
async fn an_add_killed_between_the_two_writes_leaves_nothing_half_saved() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(PathBuf::from(dir), std::env::var(SERVICE).expect("service")).await;
    }
    let service = format!("dev.canopy.test.kill.{}", std::process::id());
    let keychain = KeychainStore::new(&service);
    probe(&keychain).expect("no Secret Service answered: run the tests through .ci/test");
    let dir = tempfile::tempdir().expect("dir");
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "an_add_killed_between_the_two_writes_leaves_nothing_half_saved",
            "--nocapture",
        ])
        .env(CHILD, dir.path())
        .env(SERVICE, &service)
        .status()
        .expect("child runs");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "the child died of SIGKILL: {status}"
    );

    // What the crash left: a pending row and its secret.
    let db = canopy_core::storage::db::Database::open(dir.path().join("canopy.db")).expect("db");
    let pending: Vec<String> = db
        .read(|c| {
            let mut s = c.prepare("SELECT id FROM credentials WHERE status = 'pending'")?;
            let ids = s.query_map([], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })
        .expect("rows");
    assert_eq!(pending.len(), 1, "the crash happened between the writes");
    let name = credentials::secret_name(&pending[0]);
    assert!(
        keychain.get(&name).expect("read").is_some(),
        "the secret had landed"
    );
    assert!(
        credentials::list(&db, Integration::Posabit)
            .expect("list")
            .is_empty(),
        "a pending row is never shown"
    );

    // Start-up recovery removes both halves.
    assert_eq!(
        credentials::remove_unfinished(&db, &keychain, &chrono::Utc::now().to_rfc3339())
            .expect("recover"),
        1
    );
    assert_eq!(
        db.read(
            |c| Ok(c.query_row("SELECT count(*) FROM credentials", [], |r| r
                .get::<_, i64>(0))?)
        )
        .expect("count"),
        0
    );
    assert_eq!(keychain.get(&name).expect("read"), None);
}
