//! Test connection against the sandbox over real HTTP: a credential's pre-flight run again through
//! its connector, saying what changed since the last check and keeping the new answer; a refused
//! key says so and changes nothing.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::ErrorCode;
use serde_json::json;
use support::World;

fn only_credential(world: &World, integration: Integration) -> String {
    world.text(&format!(
        "SELECT id FROM credentials WHERE integration = '{}'",
        integration.as_str()
    ))
}

#[tokio::test]
async fn a_posabit_test_says_which_permissions_changed_and_keeps_the_new_answer() {
    let world = support::memory_world(3, 20, 40).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    let id = only_credential(&world, Integration::Posabit);
    let unchanged = world.console.test_connection(&id).await.expect("tested");
    assert!(unchanged.changes.is_empty(), "{:?}", unchanged.changes);
    // As if the key had been checked when it carried only the menu feed.
    world
        .db
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE credentials SET permissions = '[\"menu_feed\"]', venue_name = 'Old name'",
                [],
            )?)
        })
        .expect("older answer");
    let tested = world.console.test_connection(&id).await.expect("tested");
    assert_eq!(
        tested
            .changes
            .iter()
            .filter(|c| c.ends_with("is now granted."))
            .count(),
        3,
        "{:?}",
        tested.changes
    );
    assert!(
        tested.changes.iter().any(|c| c.contains("was “Old name”")),
        "{:?}",
        tested.changes
    );
    assert!(tested.credential.permissions.iter().all(|p| p.granted));
    assert!(
        world
            .console
            .test_connection(&id)
            .await
            .expect("tested")
            .changes
            .is_empty(),
        "the new answer is kept"
    );
}

#[tokio::test]
async fn a_greenbits_test_names_the_locations_reached_and_lost() {
    let world = support::memory_world(3, 20, 40).await;
    world.add_and_connect_greenbits(Some(1), false).await;
    let id = only_credential(&world, Integration::Greenbits);
    world
        .db
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE credentials SET locations = json_insert(locations, '$[#]', json('{\"id\": 999, \"name\": \"Closed Store\", \"state\": null}'))",
                [],
            )?)
        })
        .expect("a location the login lost");
    let tested = world.console.test_connection(&id).await.expect("tested");
    assert!(
        tested
            .changes
            .iter()
            .any(|c| c == "The login no longer reaches “Closed Store”: its data stops syncing."),
        "{:?}",
        tested.changes
    );
    assert!(
        tested
            .changes
            .iter()
            .any(|c| c.starts_with("The login now also reaches")),
        "the user's other locations: {:?}",
        tested.changes
    );
}

#[tokio::test]
async fn a_refused_key_is_said_and_changes_nothing() {
    let world = support::memory_world(3, 20, 40).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    let id = only_credential(&world, Integration::Posabit);
    let verified = world.text("SELECT verified_at FROM credentials");
    world
        .fault(json!({ "fault": {"type": "revoke_token"}, "endpoint": "/api/v3/info" }))
        .await;
    let refused = world
        .console
        .test_connection(&id)
        .await
        .expect_err("refused");
    assert_eq!(refused.code, ErrorCode::PosAuthFailed);
    assert_eq!(world.text("SELECT verified_at FROM credentials"), verified);
}

#[tokio::test]
async fn a_greenbits_credentials_locations_and_medical_flag_are_edited_from_what_it_reaches() {
    use canopy_core::integrations::greenbits_credentials::GreenbitsCredentialEdit;
    let world = support::memory_world(3, 20, 40).await;
    world.add_and_connect_greenbits(Some(1), false).await;
    let id = only_credential(&world, Integration::Greenbits);
    let reachable = world
        .console
        .greenbits_reachable_locations(&id)
        .await
        .expect("reachable");
    assert!(reachable.len() >= 2, "{reachable:?}");
    let all: Vec<u64> = reachable.iter().map(|l| l.id).collect();
    let edited = world
        .console
        .edit_greenbits_credential(GreenbitsCredentialEdit {
            credential_id: id.clone(),
            location_ids: all.clone(),
            medical_patients: true,
        })
        .await
        .expect("edited");
    assert_eq!(
        (edited.locations.len(), edited.medical_patients),
        (all.len(), true)
    );
    world.sync_ok(Integration::Greenbits).await;
    assert_eq!(
        world.count(
            "SELECT count(DISTINCT store_key) FROM sync_runs WHERE integration = 'greenbits'"
        ),
        all.len() as i64,
        "every location picked is synced"
    );
    // Map a location, then take it off: its mapping goes, its data stays attributed.
    world
        .map_to_new_store(Integration::Greenbits, "America/Los_Angeles")
        .await;
    let mapped_before = world.count("SELECT count(*) FROM store_mappings");
    let mapped: u64 = world
        .text("SELECT substr(key_id, instr(key_id, ':') + 1) FROM store_mappings WHERE integration = 'greenbits'")
        .parse()
        .expect("a location id");
    let rest: Vec<u64> = all.iter().copied().filter(|l| *l != mapped).collect();
    world
        .console
        .edit_greenbits_credential(GreenbitsCredentialEdit {
            credential_id: id.clone(),
            location_ids: rest,
            medical_patients: false,
        })
        .await
        .expect("edited");
    assert_eq!(
        world.count("SELECT count(*) FROM store_mappings"),
        mapped_before - 1
    );
    for (ids, message) in [
        (vec![], "Pick at least one location."),
        (
            vec![424_242],
            "A picked location is not one this login reaches now.",
        ),
    ] {
        let refused = world
            .console
            .edit_greenbits_credential(GreenbitsCredentialEdit {
                credential_id: id.clone(),
                location_ids: ids,
                medical_patients: false,
            })
            .await
            .expect_err(message);
        assert_eq!(refused.message, message);
    }
}

#[tokio::test]
async fn a_greenbits_credential_whose_token_is_refused_logs_in_again_with_the_password() {
    use canopy_core::integrations::credentials::secret_name;
    use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
    use canopy_core::Secret;
    use std::sync::Arc;
    let secrets = Arc::new(MemorySecretStore::default());
    let world = support::world(20, secrets.clone()).await;
    world.add_and_connect_greenbits(Some(1), false).await;
    let id = only_credential(&world, Integration::Greenbits);
    let entry = secret_name(&id);
    secrets
        .put(&entry, &Secret::new("refused-token"))
        .expect("swap");
    let refused = world
        .console
        .test_connection(&id)
        .await
        .expect_err("refused");
    assert_eq!(refused.code, ErrorCode::PosAuthFailed);
    let (_, password) = world.greenbits_user(0);
    let wrong = world
        .console
        .log_in_greenbits_again(&id, Secret::new("not-the-password"))
        .await
        .expect_err("a wrong password");
    assert_eq!(wrong.code, ErrorCode::PosAuthFailed);
    assert_eq!(
        secrets
            .get(&entry)
            .expect("get")
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("refused-token"),
        "nothing replaced"
    );
    world
        .console
        .log_in_greenbits_again(&id, Secret::new(password.clone()))
        .await
        .expect("logged in again");
    let token = secrets.get(&entry).expect("get").expect("a token");
    assert_ne!(token.expose(), "refused-token");
    world
        .console
        .test_connection(&id)
        .await
        .expect("the new token is accepted");
    // Neither the password nor either token is anywhere in the database files.
    for file in ["canopy.db", "canopy.db-wal"] {
        let bytes = std::fs::read(world.db.path().with_file_name(file)).unwrap_or_default();
        for secret in [password.as_str(), token.expose()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret in {file}"
            );
        }
    }
}
