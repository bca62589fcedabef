//! Greenbits credentials against the sandbox: log in, pre-flight, pick locations, the token in the
//! keychain and the password nowhere; each location a mappable key.

mod support;

use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::connect_state::ConnectionState;
use canopy_core::integrations::credentials;
use canopy_core::integrations::greenbits_credentials::{
    GreenbitsLoginInput, NewGreenbitsCredential,
};
use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
use canopy_core::stores::StoreInput;
use canopy_core::{ErrorCode, Secret};
use support::world;

fn login(username: &str, password: &str) -> GreenbitsLoginInput {
    GreenbitsLoginInput {
        username: username.into(),
        password: Secret::new(password),
    }
}

fn choose(login_id: &str, locations: &[u64]) -> NewGreenbitsCredential {
    NewGreenbitsCredential {
        login_id: login_id.into(),
        associated_email: " Manager@Evergreen.Example ".into(),
        location_ids: locations.to_vec(),
        medical_patients: true,
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_greenbits_words() {
    let world = world(5, Arc::new(MemorySecretStore::default())).await;
    let error = world
        .console
        .greenbits_login(login("manager", "wrong"))
        .await
        .expect_err("refused");
    assert_eq!(error.code, ErrorCode::PosAuthFailed);
    assert_eq!(
        error.message,
        "Greenbits did not accept this username and password."
    );
    assert!(!error.message.contains("wrong"));
    let empty = world
        .console
        .greenbits_login(login(" ", "x"))
        .await
        .expect_err("empty");
    assert_eq!(empty.code, ErrorCode::Validation);
}

#[tokio::test]
async fn logging_in_shows_the_preflight_and_locations_and_saving_keeps_only_the_token() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(5, secrets.clone()).await;
    let (username, password) = world.greenbits_user(0);
    let found = world
        .console
        .greenbits_login(login(&username, &password))
        .await
        .expect("logged in");
    assert!(found.permissions.iter().all(|p| p.granted));
    assert_eq!(
        found
            .permissions
            .iter()
            .map(|p| p.label.as_str())
            .collect::<Vec<_>>(),
        ["View Customer", "Update Customer", "Enable Backoffice"]
    );
    assert_eq!(
        found.locations.iter().map(|l| l.id).collect::<Vec<_>>(),
        [5001, 5002]
    );
    assert!(
        !serde_json::to_string(&found)
            .expect("json")
            .contains("sbx_gb_"),
        "the token stays in the backend"
    );

    let none = world
        .console
        .add_greenbits_credential(choose(&found.login_id, &[]))
        .await
        .expect_err("no location");
    assert_eq!(none.message, "Pick at least one location.");
    let added = world
        .console
        .add_greenbits_credential(choose(&found.login_id, &[5002]))
        .await
        .expect("added")
        .credential;
    assert_eq!(
        (added.username.as_deref(), added.associated_email.as_deref()),
        (Some("manager"), Some("manager@evergreen.example"))
    );
    assert_eq!(
        added.locations.iter().map(|l| l.id).collect::<Vec<_>>(),
        [5002]
    );
    assert!(added.medical_patients);
    let token = world.sandbox.config().greenbits_users[0].token.clone();
    assert_eq!(
        secrets
            .get(&credentials::secret_name(&added.id))
            .expect("read")
            .map(|s| s.expose().to_string()),
        Some(token.clone())
    );
    let again = world
        .console
        .add_greenbits_credential(choose(&found.login_id, &[5001]))
        .await
        .expect_err("used up");
    assert_eq!(again.code, ErrorCode::NotFound);

    let db = std::fs::read(world.db.path()).expect("db");
    let wal = std::fs::read(world.db.path().with_extension("db-wal")).unwrap_or_default();
    for secret in [password.as_bytes(), token.as_bytes()] {
        for file in [&db, &wal] {
            assert!(
                !file.windows(secret.len()).any(|w| w == secret),
                "no password or token in SQLite"
            );
        }
    }
}

#[tokio::test]
async fn a_user_without_the_permissions_is_told_which_and_cannot_connect() {
    let world = world(5, Arc::new(MemorySecretStore::default())).await;
    let (username, password) = world.greenbits_user(1);
    let found = world
        .console
        .greenbits_login(login(&username, &password))
        .await
        .expect("logged in");
    let missing: Vec<_> = found
        .permissions
        .iter()
        .filter(|p| !p.granted)
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(missing, ["Update Customer", "Enable Backoffice"]);
    assert!(found.permissions[1]
        .remedy
        .as_deref()
        .is_some_and(|r| r.contains("Greenbits")));
    assert_eq!(found.locations.len(), 1, "the clerk reaches one location");
    world
        .console
        .add_greenbits_credential(choose(&found.login_id, &[5001]))
        .await
        .expect("added");
    world
        .console
        .set_age_gate(Integration::Greenbits, true)
        .await
        .expect("ticked");
    let refused = world
        .console
        .connect(Integration::Greenbits)
        .await
        .expect_err("permissions missing");
    assert!(refused
        .hint
        .expect("what is missing")
        .contains("permission"));
}

#[tokio::test]
async fn each_greenbits_location_is_a_key_that_maps_to_one_store_and_connect_works() {
    let world = world(5, Arc::new(MemorySecretStore::default())).await;
    let console = &world.console;
    let (username, password) = world.greenbits_user(0);
    let found = console
        .greenbits_login(login(&username, &password))
        .await
        .expect("logged in");
    let added = console
        .add_greenbits_credential(choose(&found.login_id, &[5001, 5002]))
        .await
        .expect("added")
        .credential;
    let store = |name: &str, number: &str, state: &str| StoreInput {
        name: name.into(),
        store_number: number.into(),
        state: state.into(),
        timezone: "America/Los_Angeles".into(),
        address: None,
        license: None,
    };
    let ballard = console
        .create_store(store("Evergreen Ballard", "21", "WA"))
        .await
        .expect("store");
    let keys = console.mappable_keys().await.expect("keys");
    assert_eq!(
        keys.iter().map(|k| k.label.as_str()).collect::<Vec<_>>(),
        ["Evergreen Ballard", "Evergreen Eugene"]
    );
    assert_eq!(keys[0].suggested_store_id, Some(ballard.id));
    console
        .save_mapping(
            ballard.id,
            Integration::Greenbits,
            Some(keys[0].key_id.clone()),
        )
        .await
        .expect("mapped");
    let wrong_kind = console
        .save_mapping(
            ballard.id,
            Integration::Posabit,
            Some(keys[1].key_id.clone()),
        )
        .await
        .expect_err("not a POSaBIT key");
    assert_eq!(wrong_kind.code, ErrorCode::NotFound);
    let bogus = console
        .save_mapping(
            ballard.id,
            Integration::Greenbits,
            Some(format!("{}:9999", added.id)),
        )
        .await
        .expect_err("no such location");
    assert_eq!(bogus.code, ErrorCode::NotFound);

    console
        .set_age_gate(Integration::Greenbits, true)
        .await
        .expect("ticked");
    assert_eq!(
        console
            .connect(Integration::Greenbits)
            .await
            .expect("connects")
            .state,
        ConnectionState::Connected
    );
    console.remove_credential(&added.id).await.expect("removed");
    assert_eq!(
        world.count("SELECT count(*) FROM store_mappings"),
        0,
        "its location keys are unmapped"
    );
}
