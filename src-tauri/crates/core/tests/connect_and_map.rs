//! Connect and store mapping: the minimum settings, Disconnect keeping data, retail stores, one key
//! per store, suggestions, key rotation and removal. Sandbox over HTTP, a real SQLite file.

mod support;

use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::connect_state::ConnectionState;
use canopy_core::integrations::credentials;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
use canopy_core::stores::StoreInput;
use canopy_core::{ErrorCode, Secret};
use support::{credential, world};

fn store(name: &str, number: &str, state: &str) -> StoreInput {
    StoreInput {
        name: name.into(),
        store_number: number.into(),
        state: state.into(),
        timezone: "America/Los_Angeles".into(),
        address: Some("1500 E Pine St".into()),
        license: None,
    }
}

#[tokio::test]
async fn connect_needs_a_verified_credential_with_every_permission_and_the_age_gate() {
    let world = world(15, Arc::new(MemorySecretStore::default())).await;
    let console = &world.console;
    let refused = console
        .connect(Integration::Posabit)
        .await
        .expect_err("nothing set up");
    assert_eq!(refused.code, ErrorCode::Validation);
    let hint = refused.hint.expect("lists what is missing");
    assert!(
        hint.contains("credential") && hint.contains("age gate"),
        "{hint}"
    );

    console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added");
    let status = console
        .integration_status(Integration::Posabit)
        .await
        .expect("status");
    assert_eq!(
        status.checklist.iter().filter(|i| !i.done).count(),
        1,
        "only the age gate is left"
    );
    assert!(
        console
            .sync(Integration::Posabit, None, Trigger::Manual, None)
            .await
            .is_err(),
        "no sync before Connect"
    );

    console
        .set_age_gate(Integration::Posabit, true)
        .await
        .expect("ticked");
    let connected = console
        .connect(Integration::Posabit)
        .await
        .expect("connects");
    assert_eq!(connected.state, ConnectionState::Connected);
    assert!(connected.connected_at.is_some());
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("syncs");

    console
        .set_age_gate(Integration::Posabit, false)
        .await
        .expect("unticked");
    assert_eq!(
        console
            .integration_status(Integration::Posabit)
            .await
            .expect("status")
            .state,
        ConnectionState::NeedsAttention
    );

    let personas = world.count("SELECT count(*) FROM personas");
    let disconnected = console
        .disconnect(Integration::Posabit)
        .await
        .expect("disconnects");
    assert_eq!(disconnected.state, ConnectionState::NotConnected);
    assert_eq!(
        world.count("SELECT count(*) FROM personas"),
        personas,
        "Disconnect keeps the data"
    );
    assert_eq!(
        console
            .credentials(Integration::Posabit)
            .await
            .expect("list")
            .len(),
        1,
        "and the credentials"
    );
    let refused = console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect_err("no sync while disconnected");
    assert!(refused.message.contains("not connected"));
}

#[tokio::test]
async fn retail_stores_are_created_checked_edited_and_deleted() {
    let world = world(1, Arc::new(MemorySecretStore::default())).await;
    let console = &world.console;
    let capitol = console
        .create_store(store("Capitol Hill", "12", "wa"))
        .await
        .expect("created");
    assert_eq!(capitol.state, "WA");
    for (clash, message) in [
        (
            store("capitol hill", "13", "WA"),
            "A store named “capitol hill” already exists.",
        ),
        (
            store("Other", "12", "WA"),
            "Store ID number 12 is already used by another store.",
        ),
    ] {
        let error = console.create_store(clash).await.expect_err("clash");
        assert_eq!(
            (error.code, error.message.as_str()),
            (ErrorCode::Conflict, message)
        );
    }
    let renamed = console
        .update_store(capitol.id, store("Capitol Hill (Pike)", "12", "WA"))
        .await
        .expect("renamed");
    assert_eq!(renamed.name, "Capitol Hill (Pike)");
    assert_eq!(
        console
            .update_store(999, store("X", "99", "WA"))
            .await
            .expect_err("missing")
            .code,
        ErrorCode::NotFound
    );
    console.delete_store(capitol.id).await.expect("deleted");
    assert!(console.stores().await.expect("list").is_empty());
}

#[tokio::test]
async fn keys_map_to_one_store_each_with_suggestions_and_removal_unmaps() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(5, secrets.clone()).await;
    let console = &world.console;
    let capitol = console
        .create_store(store("Greenleaf Capitol Hill", "12", "WA"))
        .await
        .expect("store");
    let pearl = console
        .create_store(store("Pearl", "14", "OR"))
        .await
        .expect("store");
    let a = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("a")
        .credential;
    let b = console
        .add_posabit_credential(credential("Downtown Portland", &world.venue_key(1)))
        .await
        .expect("b")
        .credential;

    let keys = console.mappable_keys().await.expect("keys");
    let suggested: Vec<_> = keys
        .iter()
        .map(|k| (k.label.as_str(), k.suggested_store_id))
        .collect();
    assert_eq!(
        suggested,
        [
            ("Capitol Hill", Some(capitol.id)),
            ("Downtown Portland", Some(pearl.id))
        ],
        "by name, then by state"
    );

    console
        .save_mapping(capitol.id, Integration::Posabit, Some(a.id.clone()))
        .await
        .expect("mapped");
    let taken = console
        .save_mapping(pearl.id, Integration::Posabit, Some(a.id.clone()))
        .await
        .expect_err("taken");
    assert_eq!(taken.code, ErrorCode::Conflict);
    assert!(taken.message.contains("Greenleaf Capitol Hill"));
    console
        .save_mapping(pearl.id, Integration::Posabit, Some(b.id.clone()))
        .await
        .expect("mapped");
    console
        .save_mapping(capitol.id, Integration::Posabit, Some(b.id.clone()))
        .await
        .expect_err("b is Pearl's");
    let keys = console.mappable_keys().await.expect("keys");
    assert_eq!(
        keys.iter().map(|k| k.store_id).collect::<Vec<_>>(),
        [Some(capitol.id), Some(pearl.id)]
    );
    assert!(
        keys.iter().all(|k| k.suggested_store_id.is_none()),
        "mapped keys need no suggestion"
    );

    console
        .save_mapping(capitol.id, Integration::Posabit, None)
        .await
        .expect("cleared");
    console.remove_credential(&b.id).await.expect("removed");
    assert!(
        secrets
            .get(&credentials::secret_name(&b.id))
            .expect("read")
            .is_none(),
        "the key left the keychain"
    );
    let keys = console.mappable_keys().await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].store_id, None);
    assert_eq!(world.count("SELECT count(*) FROM store_mappings"), 0);
    assert_eq!(
        world.count("SELECT count(*) FROM credentials"),
        2,
        "the removed credential's row stays for provenance"
    );
    console
        .add_posabit_credential(credential("Downtown Portland", &world.venue_key(1)))
        .await
        .expect("the name is free again");
}

#[tokio::test]
async fn rotating_a_key_checks_it_opens_the_same_venue_and_keeps_the_old_one_on_failure() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(5, secrets.clone()).await;
    let console = &world.console;
    let added = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added")
        .credential;
    let name = credentials::secret_name(&added.id);

    let wrong = console
        .rotate_posabit_key(&added.id, Secret::new("nope"))
        .await
        .expect_err("refused");
    assert_eq!(wrong.code, ErrorCode::PosAuthFailed);
    let other = console
        .rotate_posabit_key(&added.id, Secret::new(world.venue_key(1)))
        .await
        .expect_err("other venue");
    assert_eq!(other.code, ErrorCode::Conflict);
    assert_eq!(
        secrets
            .get(&name)
            .expect("read")
            .map(|s| s.expose().to_string()),
        Some(world.venue_key(0))
    );

    let rotated = console
        .rotate_posabit_key(&added.id, Secret::new(format!(" {} ", world.venue_key(0))))
        .await
        .expect("rotated");
    assert!(rotated.key_was_trimmed);
    assert_eq!(
        secrets
            .get(&name)
            .expect("read")
            .map(|s| s.expose().to_string()),
        Some(world.venue_key(0))
    );
    assert_eq!(
        console
            .remove_credential("missing")
            .await
            .expect_err("gone")
            .code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn data_from_an_unmapped_key_raises_a_notification_that_mapping_clears_and_gives_personas_their_store(
) {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(12, secrets.clone()).await;
    let console = &world.console;
    let added = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added")
        .credential;
    world.connect_posabit().await;
    assert!(console.notifications().await.expect("list").is_empty());

    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    let raised = console.notifications().await.expect("list");
    assert_eq!(raised.len(), 1);
    assert_eq!(
        raised[0].kind,
        canopy_core::integrations::notifications::NotificationKind::UnmappedStore
    );
    assert_eq!(raised[0].subject, added.id);
    assert!(raised[0].body.contains("Retail Stores"));
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("again");
    assert_eq!(
        console.notifications().await.expect("list").len(),
        1,
        "raised once, not per run"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE favorite_store_id IS NOT NULL"),
        0
    );

    let capitol = console
        .create_store(store("Capitol Hill", "12", "WA"))
        .await
        .expect("store");
    console
        .save_mapping(capitol.id, Integration::Posabit, Some(added.id.clone()))
        .await
        .expect("mapped");
    assert!(
        console.notifications().await.expect("list").is_empty(),
        "mapping clears it"
    );
    let personas = world.count("SELECT count(*) FROM personas");
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM personas WHERE favorite_store_id = {}",
            capitol.id
        )),
        personas
    );
    let page = console
        .personas(canopy_core::personas::query::PersonaQuery {
            search: None,
            offset: 0,
            limit: 5,
            ..Default::default()
        })
        .await
        .expect("page");
    assert!(page
        .rows
        .iter()
        .all(|p| p.favorite_store.as_deref() == Some("Capitol Hill")));

    console.delete_store(capitol.id).await.expect("deleted");
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE favorite_store_id IS NOT NULL"),
        0
    );
}

#[tokio::test]
async fn a_sync_stopped_by_a_revoked_key_raises_a_notification_and_a_good_run_clears_it() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(5, secrets.clone()).await;
    let console = &world.console;
    let added = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added")
        .credential;
    world.connect_posabit().await;
    let name = credentials::secret_name(&added.id);
    secrets.put(&name, &Secret::new("revoked")).expect("swap");
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("recorded");
    let raised = console.notifications().await.expect("list");
    let failed: Vec<_> = raised
        .iter()
        .filter(|n| {
            n.kind == canopy_core::integrations::notifications::NotificationKind::SyncFailed
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].body.contains("did not accept"));
    assert!(!failed[0].body.contains("revoked"), "never the key");
    secrets
        .put(&name, &Secret::new(world.venue_key(0)))
        .expect("restore");
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    assert!(console
        .notifications()
        .await
        .expect("list")
        .iter()
        .all(|n| n.kind != canopy_core::integrations::notifications::NotificationKind::SyncFailed));
}

#[tokio::test]
async fn a_credential_can_be_renamed_and_given_a_market_but_not_a_taken_name() {
    let world = world(3, Arc::new(MemorySecretStore::default())).await;
    let console = &world.console;
    let a = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("a")
        .credential;
    console
        .add_posabit_credential(credential("Pearl", &world.venue_key(1)))
        .await
        .expect("b");
    let edited = console
        .edit_posabit_credential(&a.id, " Pike Street ", Some("wa".into()))
        .await
        .expect("edited");
    assert_eq!(
        (edited.store_name.as_str(), edited.market.as_deref()),
        ("Pike Street", Some("WA"))
    );
    assert_eq!(
        console
            .edit_posabit_credential(&a.id, "pearl", None)
            .await
            .expect_err("taken")
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(
        console
            .edit_posabit_credential(&a.id, "", None)
            .await
            .expect_err("empty")
            .code,
        ErrorCode::Validation
    );
    assert_eq!(
        console
            .edit_posabit_credential(&a.id, "Pike", Some("Atlantis".into()))
            .await
            .expect_err("market")
            .code,
        ErrorCode::Validation
    );
}
