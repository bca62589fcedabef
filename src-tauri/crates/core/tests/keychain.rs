//! The OS keychain for real: these tests talk to a real Secret Service (gnome-keyring in a private
//! D-Bus session, started by `.ci/test`). They fail, not skip, when none answers.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::process::Command;
use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::credentials;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::{probe, KeychainStore, SecretStore};
use canopy_core::Secret;
use support::{credential, world};

/// A keychain service name of this test run, so runs never see each other's entries.
/// One keychain test at a time: gnome-keyring rewrites its collection on every change, and
/// concurrent writers from one process have been seen to miss each other's fresh items.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn service() -> String {
    format!("dev.canopy.test.{}", uuid_like())
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::SystemTime::now())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn store() -> KeychainStore {
    let store = KeychainStore::new(service());
    probe(&store).unwrap_or_else(|e| {
        panic!(
            "no Secret Service answered ({}): run the tests through .ci/test, which starts gnome-keyring in a private D-Bus session",
            e.message
        )
    });
    store
}

/// Reads an entry with `secret-tool`, outside this process: proof the value reached the daemon.
fn secret_tool_lookup(service: &str, name: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", name])
        .output()
        .expect("secret-tool runs");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).to_string())
}

#[test]
fn round_trip_is_visible_to_other_clients_of_the_secret_service() {
    let _serial = SERIAL.blocking_lock();
    let service = service();
    let store = KeychainStore::new(&service);
    probe(&store).expect("the private Secret Service answers");
    store
        .put("credential:abc", &Secret::new("venue-token-1"))
        .expect("put");
    assert_eq!(
        secret_tool_lookup(&service, "credential:abc").as_deref(),
        Some("venue-token-1")
    );
    // A second store object (and so a second keyring Entry) sees the same value: not a mock.
    let other = KeychainStore::new(&service);
    assert_eq!(
        other
            .get("credential:abc")
            .expect("get")
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("venue-token-1")
    );
    store
        .put("credential:abc", &Secret::new("venue-token-2"))
        .expect("replace");
    assert_eq!(
        other
            .get("credential:abc")
            .expect("get")
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("venue-token-2")
    );
    store.delete("credential:abc").expect("delete");
    assert_eq!(other.get("credential:abc").expect("get"), None);
    assert_eq!(secret_tool_lookup(&service, "credential:abc"), None);
    store
        .delete("credential:abc")
        .expect("deleting a missing entry is fine");
}

#[tokio::test]
async fn an_added_credential_keeps_its_key_in_the_keychain_and_nowhere_in_sqlite() {
    let _serial = SERIAL.lock().await;
    let store = Arc::new(store());
    let world = world(20, store.clone()).await;
    let key = world.venue_key(0);
    let added = world
        .console
        .add_posabit_credential(credential("Capitol Hill", &key))
        .await
        .expect("added");
    let stored = store
        .get(&credentials::secret_name(&added.credential.id))
        .expect("get")
        .expect("present");
    assert_eq!(stored.expose(), key);
    drop(world.sandbox);
    let bytes = std::fs::read(world.db.path()).expect("db file");
    let wal = std::fs::read(world.db.path().with_extension("db-wal")).unwrap_or_default();
    for haystack in [bytes, wal] {
        assert!(
            !haystack.windows(key.len()).any(|w| w == key.as_bytes()),
            "the key must never reach the database file"
        );
    }
    assert!(
        !serde_json::to_string(&added).expect("json").contains(&key),
        "nor the IPC answer"
    );
}

#[tokio::test]
async fn a_sync_reads_the_key_back_from_the_keychain() {
    let _serial = SERIAL.lock().await;
    let store = Arc::new(store());
    let world = world(30, store.clone()).await;
    world
        .console
        .add_posabit_credential(credential("S", &world.venue_key(1)))
        .await
        .expect("added");
    world.connect_posabit().await;
    let summary = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("sync");
    assert_eq!((summary[0].new, summary[0].error.clone()), (30, None));
}
