//! One audit log for every change that touches data or consent, through the console against the
//! sandbox: credentials added, edited, given a new key and removed; the age gate; Connect and
//! Disconnect; retail stores and their mappings; loyalty settings; card settings. Each entry
//! names its area, its integration where there is one, the user and the change — never a key —
//! and the log exports to CSV.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::config::integration_settings::Setting;
use canopy_core::integrations::setting_changes::SettingChange;
use canopy_core::storage::audit_log::AuditArea;
use canopy_core::Secret;
use support::memory_world;

#[tokio::test(flavor = "multi_thread")]
async fn every_change_to_data_or_consent_is_in_the_audit_log() {
    let world = memory_world(3, 20, 40).await;
    let console = &world.console;
    world
        .add_and_connect_posabit(console, "Capitol Hill", 0)
        .await;
    world
        .map_to_new_store(Integration::Posabit, "America/Los_Angeles")
        .await;
    let credential = console
        .credentials(Integration::Posabit)
        .await
        .expect("credentials")
        .remove(0);
    console
        .edit_posabit_credential(&credential.id, "Capitol Hill East", Some("WA".into()))
        .await
        .expect("renamed");
    console
        .rotate_posabit_key(&credential.id, Secret::new(world.venue_key(0)))
        .await
        .expect("same venue, new key");
    console
        .change_setting(
            Integration::Posabit,
            SettingChange {
                setting: Setting::SyncToRelevantMarket,
                on: true,
                date: None,
                warning_acknowledged: false,
            },
        )
        .await
        .expect("setting");
    let mut loyalty = console.loyalty_settings().await.expect("loyalty");
    loyalty.points_per_dollar = 3;
    console
        .save_loyalty_settings(loyalty.clone())
        .await
        .expect("saved");
    console
        .save_loyalty_settings(loyalty)
        .await
        .expect("saved again, unchanged");
    console.disconnect(Integration::Posabit).await.expect("off");
    console
        .remove_credential(&credential.id)
        .await
        .expect("removed");

    let mut log = console.audit_log(None, None).await.expect("log");
    log.reverse();
    let seen: Vec<(AuditArea, &str, &str)> = log
        .iter()
        .map(|e| (e.area, e.old_value.as_str(), e.new_value.as_str()))
        .collect();
    let expected_in_order = [
        (AuditArea::Credential, "", "added"),
        (AuditArea::AgeGate, "not ticked", "ticked"),
        (AuditArea::Connection, "not connected", "connected"),
        (AuditArea::RetailStore, "", "#12 WA · America/Los_Angeles"),
        (AuditArea::StoreMapping, "no key", "Capitol Hill"),
        (
            AuditArea::Credential,
            "Capitol Hill (no market)",
            "Capitol Hill East (WA)",
        ),
        (AuditArea::Credential, "key", "new key"),
        (AuditArea::CardSetting, "off", "on"),
        (AuditArea::Connection, "connected", "disconnected"),
        (AuditArea::Credential, "active", "removed"),
    ];
    let mut rest = seen.iter();
    for wanted in &expected_in_order {
        assert!(
            rest.any(|entry| entry == wanted),
            "{wanted:?} missing or out of order in {seen:?}"
        );
    }
    let loyalty_entries: Vec<_> = log
        .iter()
        .filter(|e| e.area == AuditArea::LoyaltySettings)
        .collect();
    assert_eq!(loyalty_entries.len(), 1, "an unchanged save logs nothing");
    assert!(loyalty_entries[0]
        .new_value
        .starts_with("3 points per dollar"));
    assert!(log.iter().all(|e| !e.os_user.is_empty()));
    assert!(log
        .iter()
        .filter(|e| matches!(e.area, AuditArea::RetailStore | AuditArea::LoyaltySettings))
        .all(|e| e.integration.is_none()));
    let key = world.venue_key(0);
    assert!(
        log.iter()
            .all(|e| !e.old_value.contains(&key) && !e.new_value.contains(&key)),
        "no key in the log"
    );
    let credentials_only = console
        .audit_log(Some(Integration::Posabit), Some(AuditArea::Credential))
        .await
        .expect("filtered");
    assert_eq!(credentials_only.len(), 4);

    let csv = world.dir.path().join("audit.csv");
    let written = console
        .export_audit_log(csv.clone())
        .await
        .expect("exported");
    assert_eq!(written, log.len());
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with(
        "changed_at,area,integration,subject,old_value,new_value,os_user,warning_acknowledged\n"
    ));
    assert_eq!(text.lines().count(), log.len() + 1);
    assert!(text.contains(",credential,posabit,Capitol Hill East,active,removed,"));
}
