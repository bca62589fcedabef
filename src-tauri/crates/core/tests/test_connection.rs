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
