//! The integration cards' additional settings, one test each for the difference it makes to a sync,
//! and the audit log every change writes.

mod support;

use std::sync::Arc;

use canopy_core::connection::ConnectionState;
use canopy_core::credentials::{Integration, NewPosabitCredential};
use canopy_core::secrets::MemorySecretStore;
use canopy_core::settings::{Setting, SettingChange};
use canopy_core::{ErrorCode, Secret};
use canopy_sandbox::SandboxConfig;
use serde_json::json;
use support::{world_with, World};

fn change(setting: Setting, on: bool, warning_acknowledged: bool) -> SettingChange {
    SettingChange {
        setting,
        on,
        date: None,
        warning_acknowledged,
    }
}

async fn posabit_world() -> World {
    let world = world_with(
        SandboxConfig::sized(31, 200, 50),
        Arc::new(MemorySecretStore::default()),
    )
    .await;
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
        console.audit_log(None).await.expect("log").is_empty(),
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
        .audit_log(Some(Integration::Posabit))
        .await
        .expect("log");
    assert_eq!(
        log.len(),
        2,
        "turning on what is on changes nothing and logs nothing"
    );
    assert_eq!(
        (
            log[1].setting.as_str(),
            log[1].old_value.as_str(),
            log[1].new_value.as_str(),
            log[1].warning_acknowledged
        ),
        ("sync_personas", "off", "on", true)
    );
    assert!(!log[1].os_user.is_empty());
    assert!(console
        .audit_log(Some(Integration::Greenbits))
        .await
        .expect("log")
        .is_empty());
}

#[tokio::test]
async fn use_last_backup_makes_no_pos_call_until_it_is_turned_off() {
    let world = posabit_world().await;
    let console = &world.console;
    console
        .sync(Integration::Posabit, None, "manual", None)
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
        .sync(Integration::Posabit, None, "manual", None)
        .await
        .expect_err("frozen");
    assert!(refused.message.contains("frozen"), "{}", refused.message);
    assert!(
        console.scheduled_sync().await.is_empty(),
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
        .sync(Integration::Posabit, None, "manual", None)
        .await
        .expect("syncs again");
    assert!(requests(&world).await > 0);
}

#[tokio::test]
async fn sync_to_relevant_market_keeps_only_the_credential_state() {
    let world = world_with(
        SandboxConfig::sized(31, 200, 0),
        Arc::new(MemorySecretStore::default()),
    )
    .await;
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
        .sync(Integration::Posabit, None, "manual", None)
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
        .sync(Integration::Posabit, None, "manual", None)
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
    let world = world_with(
        SandboxConfig::sized(31, 40, 30),
        Arc::new(MemorySecretStore::default()),
    )
    .await;
    let console = &world.console;
    world.add_and_connect_greenbits(None, true).await;
    let token = world.sandbox.config().greenbits_users[0].token.clone();
    world
        .fault(json!({"fault": {"type": "remove_permission", "permission": "view_patients"}, "credential": token, "endpoint": "/api/v2/people"}))
        .await;

    let strict = console
        .sync(Integration::Greenbits, None, "manual", None)
        .await
        .expect("runs");
    let failed = strict
        .iter()
        .find(|s| s.stream == "patients")
        .and_then(|s| s.error.clone())
        .expect("refused");
    assert_eq!(failed.code, ErrorCode::PosPermissionMissing);
    assert!(
        !strict.iter().any(|s| s.stream == "sales"),
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
        .sync(Integration::Greenbits, None, "manual", None)
        .await
        .expect("runs");
    let patients = lenient
        .iter()
        .find(|s| s.stream == "patients")
        .expect("patients");
    assert!(patients.error.is_none());
    assert!(patients
        .warning
        .as_deref()
        .is_some_and(|w| w.contains("optional")));
    assert!(
        lenient
            .iter()
            .any(|s| s.stream == "sales" && s.error.is_none()),
        "the sync went on"
    );
    let notes = console.notifications().await.expect("notifications");
    assert!(
        !notes.iter().any(|n| n.title.contains("sync stopped")),
        "no failure raised"
    );
}
