//! The integration cards' additional settings, one test each for the difference it makes to a sync,
//! and the audit log every change writes.

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::config::integration_settings::Setting;
use canopy_core::integrations::connect_state::ConnectionState;
use canopy_core::integrations::posabit_credentials::NewPosabitCredential;
use canopy_core::integrations::setting_changes::SettingChange;
use canopy_core::pos::streams::Stream;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::audit_log::AuditArea;
use canopy_core::{ErrorCode, Secret};
use serde_json::json;
use support::{memory_world, World};

fn change(setting: Setting, on: bool, warning_acknowledged: bool) -> SettingChange {
    SettingChange {
        setting,
        on,
        date: None,
        warning_acknowledged,
    }
}

async fn posabit_world() -> World {
    let world = memory_world(31, 200, 50).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    world
}

async fn requests(world: &World) -> usize {
    let (_, log) = world.admin(reqwest::Method::GET, "/requests", None).await;
    log["requests"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_guarded_setting_needs_its_warning_acknowledged_and_every_change_is_audited() {
    let world = posabit_world().await;
    let console = &world.console;
    let refused = console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncPersonas, true, false),
        )
        .await
        .expect_err("needs the acknowledgement");
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(
        console
            .audit_log(None, Some(AuditArea::CardSetting))
            .await
            .expect("log")
            .is_empty(),
        "a refused change is not logged"
    );
    let wrong_pos = console
        .change_setting(
            Integration::Posabit,
            change(Setting::PatientListsOptional, true, false),
        )
        .await
        .expect_err("POSaBIT has no patient lists");
    assert!(wrong_pos.message.contains("has no"));

    let on = console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncPersonas, true, true),
        )
        .await
        .expect("on");
    assert!(on.sync_personas_since.is_some());
    console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncPersonas, true, true),
        )
        .await
        .expect("again");
    console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncToRelevantMarket, true, false),
        )
        .await
        .expect("unguarded");
    let log = console
        .audit_log(Some(Integration::Posabit), Some(AuditArea::CardSetting))
        .await
        .expect("log");
    assert_eq!(
        log.len(),
        2,
        "turning on what is on changes nothing and logs nothing"
    );
    assert_eq!(
        (
            log[1].subject.as_str(),
            log[1].old_value.as_str(),
            log[1].new_value.as_str(),
            log[1].warning_acknowledged
        ),
        ("sync_personas", "off", "on", true)
    );
    assert!(!log[1].os_user.is_empty());
    assert!(console
        .audit_log(Some(Integration::Greenbits), Some(AuditArea::CardSetting))
        .await
        .expect("log")
        .is_empty());
}

#[tokio::test]
async fn use_last_backup_makes_no_pos_call_until_it_is_turned_off() {
    let world = posabit_world().await;
    let console = &world.console;
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    let personas = world.count("SELECT count(*) FROM personas");
    console
        .change_setting(
            Integration::Posabit,
            change(Setting::UseLastBackup, true, true),
        )
        .await
        .expect("frozen");
    assert_eq!(
        console
            .integration_status(Integration::Posabit)
            .await
            .expect("status")
            .state,
        ConnectionState::Frozen
    );
    world
        .admin(reqwest::Method::DELETE, "/requests", None)
        .await;
    let refused = console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect_err("frozen");
    assert!(refused.message.contains("frozen"), "{}", refused.message);
    assert!(
        console.sync_connected(Trigger::Schedule).await.is_empty(),
        "the schedule skips a frozen integration"
    );
    assert_eq!(requests(&world).await, 0, "no POS call while frozen");
    assert_eq!(
        world.count("SELECT count(*) FROM personas"),
        personas,
        "the data stays"
    );

    console
        .change_setting(
            Integration::Posabit,
            change(Setting::UseLastBackup, false, false),
        )
        .await
        .expect("thawed");
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("syncs again");
    assert!(requests(&world).await > 0);
}

#[tokio::test]
async fn sync_to_relevant_market_keeps_only_the_credential_state() {
    let world = memory_world(31, 200, 0).await;
    let console = &world.console;
    console
        .add_posabit_credential(NewPosabitCredential {
            store_name: "Capitol Hill".into(),
            key: Secret::new(world.venue_key(0)),
            market: Some("WA".into()),
        })
        .await
        .expect("added");
    support::connect(console, Integration::Posabit).await;
    console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncToRelevantMarket, true, false),
        )
        .await
        .expect("on");
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    let kept = world.count("SELECT count(*) FROM source_records");
    let outside = world.count(
        "SELECT count(*) FROM source_records WHERE json_extract(payload, '$.state') <> 'WA'",
    );
    assert!(kept > 0 && kept < 200, "{kept} of 200 customers are in WA");
    assert_eq!(outside, 0);

    console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncToRelevantMarket, false, false),
        )
        .await
        .expect("off");
    world
        .db
        .write(|tx| Ok(tx.execute("DELETE FROM sync_cursors", [])?))
        .expect("from the start");
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    assert_eq!(
        world.count("SELECT count(*) FROM source_records"),
        200,
        "off: every state"
    );
}

#[tokio::test]
async fn a_refused_patient_list_is_a_warning_when_pulling_it_is_optional() {
    let world = memory_world(31, 40, 30).await;
    let console = &world.console;
    world.add_and_connect_greenbits(None, true).await;
    let token = world.sandbox.config().greenbits_users[0].token.clone();
    world
        .fault(json!({"fault": {"type": "remove_permission", "permission": "view_patients"}, "credential": token, "endpoint": "/api/v2/people"}))
        .await;

    let strict = console
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("runs");
    let failed = strict
        .iter()
        .find(|s| s.stream == Some(Stream::Patients))
        .and_then(|s| s.error.clone())
        .expect("refused");
    assert_eq!(failed.code, ErrorCode::PosPermissionMissing);
    assert!(
        !strict.iter().any(|s| s.stream == Some(Stream::Sales)),
        "a required patient list stops the credential"
    );

    console
        .change_setting(
            Integration::Greenbits,
            change(Setting::PatientListsOptional, true, false),
        )
        .await
        .expect("optional");
    let lenient = console
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .expect("runs");
    let patients = lenient
        .iter()
        .find(|s| s.stream == Some(Stream::Patients))
        .expect("patients");
    assert!(patients.error.is_none());
    assert!(patients
        .warning
        .as_deref()
        .is_some_and(|w| w.contains("optional")));
    assert!(
        lenient
            .iter()
            .any(|s| s.stream == Some(Stream::Sales) && s.error.is_none()),
        "the sync went on"
    );
    let notes = console.notifications().await.expect("notifications");
    assert!(
        !notes.iter().any(|n| n.title.contains("sync stopped")),
        "no failure raised"
    );
    // The warning is kept with its run, apart from errors: the run succeeded.
    let history = console.sync_history(20, true).await.expect("history");
    let warned = history
        .iter()
        .find(|r| r.stream == Stream::Patients && r.warning.is_some())
        .expect("the patients run with its warning");
    assert_eq!(
        (warned.error_code, warned.error_message.as_deref()),
        (None, None)
    );
}

#[tokio::test]
async fn a_closing_pass_that_fails_is_a_warning_kept_on_its_run() {
    let world = posabit_world().await;
    world
        .console
        .change_setting(
            Integration::Posabit,
            SettingChange {
                date: Some("2024-01-01".into()),
                ..change(Setting::EnrollAfter, true, false)
            },
        )
        .await
        .expect("enrolment by date on");
    // The enrolment pass fails when it records that it ran: a fault inside the real database.
    world
        .db
        .write(|tx| {
            tx.execute_batch(
                "CREATE TRIGGER enrolment_fails BEFORE INSERT ON sync_cursors WHEN NEW.stream = 'enrollment'
                 BEGIN SELECT RAISE(ABORT, 'enrolment refused by the test'); END;",
            )?;
            Ok(())
        })
        .expect("trigger");
    let summaries = world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    let warning = summaries
        .last()
        .and_then(|s| s.warning.clone())
        .expect("the last stream carries the warning");
    assert!(warning.contains("could not be applied"), "{warning}");
    let history = world.console.sync_history(20, true).await.expect("history");
    let stored = history
        .first()
        .and_then(|run| run.warning.clone())
        .expect("the warning is stored on the newest run");
    assert_eq!(stored, warning);
}

#[tokio::test]
async fn sync_to_relevant_market_sends_a_signup_only_to_the_credential_of_its_store_state() {
    use canopy_core::sources::signups::SignupInput;
    use canopy_core::stores::StoreInput;
    let world = memory_world(31, 20, 0).await;
    let console = &world.console;
    let mut credentials = Vec::new();
    for (index, (name, market)) in [("Capitol Hill", "WA"), ("Pearl", "OR")].iter().enumerate() {
        let added = console
            .add_posabit_credential(NewPosabitCredential {
                store_name: (*name).into(),
                key: Secret::new(world.venue_key(index)),
                market: Some((*market).into()),
            })
            .await
            .expect("added");
        credentials.push(added.credential.id);
    }
    support::connect(console, Integration::Posabit).await;
    support::sync_personas_on(console, Integration::Posabit).await;
    let mut stores = Vec::new();
    for (name, number, state) in [("Pearl", "14", "OR"), ("Boise", "20", "ID")] {
        let store = console
            .create_store(StoreInput {
                name: name.into(),
                store_number: number.into(),
                state: state.into(),
                timezone: "America/Los_Angeles".into(),
                address: None,
                license: None,
            })
            .await
            .expect("store");
        stores.push(store.id);
    }
    console
        .save_mapping(
            stores[0],
            Integration::Posabit,
            Some(credentials[1].clone()),
        )
        .await
        .expect("mapped");
    let signup = |n: u32, store_id: Option<i64>| SignupInput {
        first_name: format!("Shopper {n}"),
        phone: Some(format!("(206) 555-01{n:02}")),
        store_id,
        ..SignupInput::default()
    };
    let pushed_to = |n: u32| {
        world.count(&format!(
            "SELECT count(*) FROM outbox o JOIN personas p ON p.id = o.persona_id
             WHERE p.first_name = 'Shopper {n}' AND o.credential_id = '{}'",
            credentials[1]
        ))
    };

    // Off: the signup goes to the credential mapped to its store.
    assert_eq!(
        console
            .sign_up(signup(1, Some(stores[0])))
            .await
            .expect("signed up")
            .queued_pushes,
        1
    );
    assert_eq!(pushed_to(1), 1);

    console
        .change_setting(
            Integration::Posabit,
            change(Setting::SyncToRelevantMarket, true, false),
        )
        .await
        .expect("on");
    assert_eq!(
        console
            .sign_up(signup(2, Some(stores[0])))
            .await
            .expect("signed up")
            .queued_pushes,
        1
    );
    assert_eq!(pushed_to(2), 1, "Oregon signup, Oregon credential");
    for (n, store) in [(3, Some(stores[1])), (4, None)] {
        let queued = console
            .sign_up(signup(n, store))
            .await
            .expect("signed up")
            .queued_pushes;
        assert_eq!(
            queued, 0,
            "no credential serves the signup's state ({store:?})"
        );
    }
    assert_eq!(
        world.count("SELECT favorite_store_id FROM personas WHERE first_name = 'Shopper 3'"),
        stores[1],
        "the store of signup is the favorite until the shopper buys"
    );
}
