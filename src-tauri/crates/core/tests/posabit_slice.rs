//! The POSaBIT slice end to end below the UI: sandbox over real HTTP, a real SQLite file.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::credentials;
use canopy_core::personas::query::PersonaQuery;
use canopy_core::personas::query::PersonaSource;
use canopy_core::pos::streams::Stream;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
use canopy_core::{Error, ErrorCode, Secret};
use support::{credential, world};

/// Everything a sync writes that must not move when nothing changed on the POS.
fn snapshot(world: &support::World) -> Vec<String> {
    world
        .db
        .read(|c| {
            let mut statement = c.prepare(
                "SELECT p.id, p.first_name, p.last_name, p.phone_e164, p.email, p.birth_date, p.loyalty_member,
                        p.marketing_opt_in, p.updated_at, s.pos_id, s.match_reason, s.pos_updated_at, s.payload
                 FROM personas p JOIN source_records s ON s.persona_id = p.id ORDER BY s.pos_id",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((0..13)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<rusqlite::Result<Vec<_>>>()?
                    .join("|"))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("snapshot")
}

#[tokio::test]
async fn sync_pulls_every_customer_into_posabit_personas_and_a_second_sync_changes_nothing() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(250, secrets.clone()).await;
    world
        .console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("credential added");
    world.connect_posabit().await;

    let first = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    let streams: Vec<&str> = first
        .iter()
        .filter_map(|s| s.stream)
        .map(Stream::as_str)
        .collect();
    assert_eq!(streams, ["customers", "sales", "coupons"]);
    let run = &first[0];
    assert_eq!(run.error, None);
    assert_eq!(
        (run.seen, run.new, run.changed, run.rejected),
        (250, 250, 0, 0)
    );
    assert_eq!(run.pages, 1, "one page of up to 500");
    assert_eq!(
        world.count("SELECT count(*) FROM source_records WHERE integration = 'posabit'"),
        250
    );
    // Family members share phones, so some records merged into one persona, each with its reason.
    let personas = world.count("SELECT count(*) FROM personas");
    let merged = world.count("SELECT count(*) FROM source_records WHERE match_reason <> 'new'");
    assert!(merged > 0, "the generator's shared phones merge");
    assert_eq!(personas + merged, 250);

    let page = world
        .console
        .personas(PersonaQuery {
            search: None,
            offset: 0,
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("personas");
    assert_eq!(page.total as i64, personas);
    assert!(page
        .rows
        .iter()
        .all(|p| p.sourced_from == [PersonaSource::Posabit]));

    let before = snapshot(&world);
    let second = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("second sync");
    assert_eq!(
        (second[0].new, second[0].changed, second[0].rejected),
        (0, 0, 0)
    );
    assert!(
        second[0].seen < 250,
        "the second run reads only the overlap after the cursor"
    );
    assert_eq!(snapshot(&world), before);
    assert_eq!(
        world.count(
            "SELECT count(*) FROM sync_runs WHERE stream = 'customers' AND finished_at IS NOT NULL AND error_code IS NULL"
        ),
        2
    );
}

#[tokio::test]
async fn personas_search_finds_by_phone_in_any_format_email_and_name_prefix() {
    let world = world(60, Arc::new(MemorySecretStore::default())).await;
    world
        .console
        .add_posabit_credential(credential("S", &world.venue_key(0)))
        .await
        .expect("added");
    world.connect_posabit().await;
    world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    let all = world
        .console
        .personas(PersonaQuery {
            search: None,
            offset: 0,
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("all");
    let target = all
        .rows
        .iter()
        .find(|p| p.phone.is_some() && p.email.is_some())
        .expect("a full record");
    let phone = target.phone.clone().expect("phone");
    let digits = &phone[2..];
    let formatted = format!("({}) {}-{}", &digits[0..3], &digits[3..6], &digits[6..]);
    for search in [
        formatted,
        format!("+1 {digits}"),
        target.email.clone().expect("email").to_uppercase(),
    ] {
        let found = world
            .console
            .personas(PersonaQuery {
                search: Some(search.clone()),
                offset: 0,
                limit: 50,
                ..Default::default()
            })
            .await
            .expect("search");
        assert!(found.rows.iter().any(|p| p.id == target.id), "{search}");
    }
    let prefix: String = target
        .last_name
        .clone()
        .expect("name")
        .chars()
        .take(3)
        .collect();
    let by_name = world
        .console
        .personas(PersonaQuery {
            search: Some(prefix.to_lowercase()),
            offset: 0,
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("by name");
    assert!(by_name.rows.iter().any(|p| p.id == target.id));
    assert!(by_name.total < all.total);
}

#[tokio::test]
async fn a_wrong_key_gives_pos_auth_failed_and_stores_nothing() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(10, secrets.clone()).await;
    let error = world
        .console
        .add_posabit_credential(credential("Capitol Hill", "not-a-real-key"))
        .await
        .expect_err("refused");
    assert_eq!(error.code, ErrorCode::PosAuthFailed);
    assert_eq!(error.message, "POSaBIT did not accept this key.");
    assert!(error
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("Copy the key again")));
    assert!(!error.message.contains("not-a-real-key"));
    assert_eq!(world.count("SELECT count(*) FROM credentials"), 0);
    assert!(secrets.is_empty());
}

#[tokio::test]
async fn a_key_revoked_after_adding_stops_the_sync_with_pos_auth_failed_and_records_it() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(10, secrets.clone()).await;
    let added = world
        .console
        .add_posabit_credential(credential("S", &world.venue_key(0)))
        .await
        .expect("added");
    world.connect_posabit().await;
    secrets
        .put(
            &credentials::secret_name(&added.credential.id),
            &Secret::new("revoked"),
        )
        .expect("replace");
    let summary = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("run recorded");
    assert_eq!(
        summary[0].error.as_ref().map(|e| e.code),
        Some(ErrorCode::PosAuthFailed)
    );
    assert_eq!(
        world.count("SELECT count(*) FROM sync_runs WHERE error_code = 'pos_auth_failed'"),
        1
    );
    assert_eq!(world.count("SELECT count(*) FROM personas"), 0);
}

#[tokio::test]
async fn a_key_without_enhanced_customer_data_is_added_with_the_gap_named_and_sync_says_what_to_fix(
) {
    let world = world(10, Arc::new(MemorySecretStore::default())).await;
    world
        .console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added");
    world.connect_posabit().await;
    let added = world
        .console
        .add_posabit_credential(credential("Spokane", &world.venue_key(2)))
        .await
        .expect("added");
    let missing: Vec<_> = added
        .credential
        .permissions
        .iter()
        .filter(|p| !p.granted)
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(missing, ["Enhanced Customer Data Access"]);
    let summary = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("run recorded");
    assert_eq!(
        (summary[0].error.clone(), summary[0].new),
        (None, 10),
        "the good credential still syncs"
    );
    let status = world
        .console
        .integration_status(Integration::Posabit)
        .await
        .expect("status");
    assert_eq!(
        status.state,
        canopy_core::integrations::connect_state::ConnectionState::NeedsAttention
    );
    let stopped: Vec<_> = summary.iter().filter(|s| s.error.is_some()).collect();
    assert_eq!(
        stopped.len(),
        1,
        "the refused credential stops after its first stream"
    );
    let error = stopped[0].error.clone().expect("stopped");
    assert_eq!(error.code, ErrorCode::PosPermissionMissing);
    assert!(error.message.contains("Enhanced Customer Data Access"));
    assert!(error.hint.is_some_and(|h| h.contains("account rep")));
}

#[tokio::test]
async fn keys_with_stray_spaces_are_trimmed_and_names_must_be_unique() {
    let world = world(10, Arc::new(MemorySecretStore::default())).await;
    let added = world
        .console
        .add_posabit_credential(credential(
            " Capitol Hill ",
            &format!("  {}\n", world.venue_key(0)),
        ))
        .await
        .expect("added");
    assert!(added.key_was_trimmed);
    assert_eq!(added.credential.store_name, "Capitol Hill");
    assert_eq!(
        added.credential.venue_name.as_deref(),
        Some("Greenleaf Capitol Hill")
    );
    let again = world
        .console
        .add_posabit_credential(credential("capitol hill", &world.venue_key(1)))
        .await
        .expect_err("duplicate");
    assert_eq!(again.code, ErrorCode::Conflict);
    assert_eq!(
        credentials::list(&world.db, Integration::Posabit)
            .expect("list")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_unreachable_pos_gives_pos_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let closed = listener.local_addr().expect("addr");
    drop(listener);
    let dir = tempfile::tempdir().expect("dir");
    let db = canopy_core::storage::db::Database::open(dir.path().join("c.db")).expect("db");
    let client = canopy_core::pos::posabit::PosabitClient::new(
        format!("http://{closed}/api"),
        Secret::new("i"),
    )
    .expect("client");
    let greenbits =
        canopy_core::pos::greenbits::GreenbitsClient::new(format!("http://{closed}/api"))
            .expect("client");
    let clients = canopy_core::console::PosClients {
        posabit: client,
        greenbits,
    };
    let console =
        canopy_core::console::Console::new(db, Arc::new(MemorySecretStore::default()), clients);
    let error = console
        .add_posabit_credential(credential("S", "k"))
        .await
        .expect_err("unreachable");
    assert_eq!(error.code, ErrorCode::PosUnreachable);
    assert!(error.hint.is_some());
    let login = canopy_core::integrations::greenbits_credentials::GreenbitsLoginInput {
        username: "manager".into(),
        password: Secret::new("pw"),
    };
    let error = console
        .greenbits_login(login)
        .await
        .expect_err("unreachable");
    assert_eq!(error.code, ErrorCode::PosUnreachable);
    assert_eq!(error.message, "Greenbits refused the connection.");
}

/// A keychain that refuses every write, as a locked one does.
struct LockedKeychain;

impl SecretStore for LockedKeychain {
    fn put(&self, _: &str, _: &Secret) -> canopy_core::Result<()> {
        Err(canopy_core::storage::keychain::keychain_unavailable(
            "locked",
        ))
    }
    fn get(&self, _: &str) -> canopy_core::Result<Option<Secret>> {
        Err(canopy_core::storage::keychain::keychain_unavailable(
            "locked",
        ))
    }
    fn delete(&self, _: &str) -> canopy_core::Result<()> {
        Err(canopy_core::storage::keychain::keychain_unavailable(
            "locked",
        ))
    }
}

#[tokio::test]
async fn a_locked_keychain_refuses_the_credential_and_leaves_no_row() {
    let world = world(10, Arc::new(LockedKeychain)).await;
    let error: Error = world
        .console
        .add_posabit_credential(credential("S", &world.venue_key(0)))
        .await
        .expect_err("refused");
    assert_eq!(error.code, ErrorCode::KeychainUnavailable);
    assert!(error.hint.is_some());
    assert_eq!(world.count("SELECT count(*) FROM credentials"), 0);
}

#[tokio::test]
async fn an_add_interrupted_between_the_two_writes_is_undone_at_start_up() {
    let secrets = Arc::new(MemorySecretStore::default());
    let world = world(10, secrets.clone()).await;
    // The state a crash after the keychain write but before the row became active leaves behind.
    world
        .db
        .write(|tx| {
            tx.execute(
                "INSERT INTO credentials (id, integration, store_name, status, created_at) VALUES ('half', 'posabit', 'S', 'pending', '2020-01-01T00:00:00+00:00'), ('in-flight', 'posabit', 'T', 'pending', '2999-01-01T00:00:00+00:00')",
                [],
            )?;
            Ok(())
        })
        .expect("row");
    secrets
        .put(&credentials::secret_name("half"), &Secret::new("k"))
        .expect("secret");
    assert!(
        credentials::list(&world.db, Integration::Posabit)
            .expect("list")
            .is_empty(),
        "a pending row is never shown"
    );
    assert_eq!(world.console.recover().expect("recover"), 1);
    assert_eq!(
        world.count("SELECT count(*) FROM credentials WHERE id = 'half'"),
        0
    );
    assert_eq!(
        world.count("SELECT count(*) FROM credentials WHERE id = 'in-flight'"),
        1,
        "an add begun during this run is left to finish"
    );
    assert!(secrets.is_empty());
}
