//! With no Secret Service on the bus, the keychain fails with `keychain_unavailable` and a hint,
//! never a silent in-memory fallback. (Its own test binary: it changes the process environment.)

use canopy_core::storage::keychain::{probe, KeychainStore, SecretStore};
use canopy_core::{ErrorCode, Secret};

#[test]
fn no_secret_service_is_keychain_unavailable_with_a_hint() {
    let dir = tempfile::tempdir().expect("dir");
    // A session bus address where nothing listens, and no display to autolaunch one from.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-bus", dir.path().display()),
    );
    std::env::remove_var("DISPLAY");
    let store = KeychainStore::new("dev.canopy.test.unavailable");
    let error = probe(&store).expect_err("no keychain");
    assert_eq!(error.code, ErrorCode::KeychainUnavailable);
    assert!(error.hint.as_deref().is_some_and(|h| h.contains("Unlock")));
    let put = store
        .put("x", &Secret::new("s"))
        .expect_err("no plaintext fallback");
    assert_eq!(put.code, ErrorCode::KeychainUnavailable);
    assert!(store.get("x").is_err());
}
