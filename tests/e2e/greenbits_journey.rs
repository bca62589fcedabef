//! The manager's Greenbits journey through the real window, beside a connected and mapped
//! POSaBIT: a refused password and an accepted one, the pre-flight's permissions, picking a
//! location, Connect, editing the credential's locations, Sync now, the unmapped-location
//! notification and its mapping; then the Sync page's health and history for both POS, API &
//! Tracking, and no secret in the data folder or in any answer the UI can get.

#![allow(
    clippy::cognitive_complexity,
    reason = "each journey is a script of steps through the real window, read top to bottom"
)]

use std::time::Duration;

use anyhow::Result;
use canopy_e2e::steps::{self, bell_shows, run_journey};
use canopy_e2e::{within, Session};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn manager_connects_greenbits_beside_posabit() -> Result<()> {
    run_journey(Duration::from_secs(300), |session| {
        Box::pin(journey(session))
    })
    .await
}

async fn journey(session: &Session) -> Result<()> {
    let venue = steps::posabit_venue();
    steps::posabit_synced_and_mapped(session).await?;
    greenbits(session).await?;
    sync_page(session).await?;
    session.click_button("Settings").await?;

    // API & Tracking: the UID shows, Canopy's own API key only when revealed.
    let masked = session.text_of("[data-testid='api-key']").await?;
    assert!(masked.starts_with("••••"), "{masked}");
    session.click_button("Reveal").await?;
    let key_cell = session.element("[data-testid='api-key']").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let api_key = loop {
        let text = within(key_cell.text()).await?;
        if text.starts_with("cnpy_key_") {
            break text;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the API key was never revealed: {text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(api_key.len() > 20, "{api_key}");
    session.text_appears("Evergreen Ballard: 21").await?;
    session.screenshot("11-api-tracking").await?;

    // No secret left the keychain (the Greenbits password was never kept at all): not in the
    // database, its WAL or the logs, nor in any answer the UI can get from the backend.
    let manager = canopy_sandbox::SandboxConfig::default()
        .greenbits_users
        .remove(0);
    for secret in [&venue.token, &manager.token, &manager.password, &api_key] {
        assert_eq!(
            session.data_files_containing(secret)?,
            Vec::<std::path::PathBuf>::new(),
            "{secret} leaked"
        );
    }
    for (command, args) in [
        ("app_status", json!({})),
        ("list_credentials", json!({"integration": "posabit"})),
        ("list_credentials", json!({"integration": "greenbits"})),
        ("integration_status", json!({"integration": "greenbits"})),
        ("integration_status", json!({"integration": "posabit"})),
        (
            "list_personas",
            json!({"query": {"search": null, "offset": 0, "limit": 500}}),
        ),
        ("list_stores", json!({})),
        ("list_mappable_keys", json!({})),
        ("api_tracking", json!({})),
        ("list_notifications", json!({})),
        ("sync_history", json!({"limit": 200})),
        ("sync_health", json!({})),
    ] {
        let answer = session.invoke(command, args).await?;
        assert!(
            answer.starts_with('[')
                || (answer.starts_with('{') && !answer.starts_with("{\"code\"")),
            "{command} answered: {answer}"
        );
        for secret in [&venue.token, &manager.token, &manager.password] {
            assert!(
                !answer.contains(secret.as_str()),
                "{command} leaked a secret"
            );
        }
    }
    Ok(())
}

/// The Greenbits card: log in (the password is used once), pick a location, connect, map it.
async fn greenbits(session: &Session) -> Result<()> {
    let manager = canopy_sandbox::SandboxConfig::default()
        .greenbits_users
        .remove(0);
    session.click_button("Integrations").await?;
    within(
        session
            .element("[data-testid='tile-greenbits']")
            .await?
            .click(),
    )
    .await?;
    session.fill("gb_username", &manager.username).await?;
    session.fill("gb_password", "not-the-password").await?;
    session.fill("gb_email", &manager.email).await?;
    session.click_button("Log in").await?;
    session
        .text_appears("Greenbits did not accept this username and password.")
        .await?;
    session.fill("gb_password", &manager.password).await?;
    session.click_button("Log in").await?;
    let preflight = session
        .text_of("[data-testid='greenbits-preflight']")
        .await?;
    for permission in ["View Customer", "Update Customer", "Enable Backoffice"] {
        assert!(preflight.contains(permission), "{preflight}");
    }
    within(
        session
            .element("input[name='location_5002']")
            .await?
            .click(),
    )
    .await?;
    session.click_button("Add Credential").await?;
    session
        .text_appears("Canopy keeps its token, not the password.")
        .await?;
    let table = session
        .text_of("[data-testid='greenbits-credentials']")
        .await?;
    assert!(
        table.contains("Evergreen Ballard") && !table.contains("Evergreen Eugene"),
        "{table}"
    );
    steps::tick_age_gate_and_connect(session, "Greenbits").await?;
    session.screenshot("09-greenbits-card").await?;
    // Editing the credential offers the locations its token reaches, the synced ones ticked.
    session.click_button("Edit").await?;
    session
        .element("[data-testid='greenbits-edit'] input[name^='location_']")
        .await?;
    session.screenshot("09a-greenbits-edit-locations").await?;
    session.click_button("Cancel").await?;
    session.click_button("Sync now").await?;
    let results = session.text_appears("records received:").await?;
    assert!(!results.contains("sync stopped"), "{results}");
    for stream in ["Evergreen Ballard · customers", "Evergreen Ballard · sales"] {
        session.text_appears(stream).await?;
    }
    session.scroll_to(".sync-panel").await?;
    session.screenshot("09b-greenbits-sync-progress").await?;
    bell_shows(session, 1).await?; // the location is not mapped yet

    let mapping = steps::Mapping {
        store: ("Evergreen Ballard", "21"),
        select: "greenbits_key",
        option: "Evergreen Ballard (suggested)",
        screenshot: "10-greenbits-store-mapping",
        shown: "Greenbits: Evergreen Ballard",
    };
    steps::map_to_new_store(session, &mapping).await?;
    bell_shows(session, 0).await?; // mapping cleared it
    Ok(())
}

/// The Sync page: both integrations answer "is it active?", and the history lists every run.
async fn sync_page(session: &Session) -> Result<()> {
    session.click_button("Sync").await?;
    let health = session.text_of("[data-testid='health-posabit']").await?;
    assert!(health.contains("Active: "), "{health}");
    assert!(health.contains("Greenleaf Capitol Hill"), "{health}");
    let greenbits = session.text_of("[data-testid='health-greenbits']").await?;
    assert!(greenbits.contains("Active: "), "{greenbits}");
    session.screenshot("12-sync-health").await?;
    session.scroll_to("[data-testid='sync-history']").await?;
    let rows = session
        .count_elements("[data-testid='sync-history'] tbody tr")
        .await?;
    assert_eq!(rows, 6, "three POSaBIT streams and three Greenbits streams");
    session.screenshot("13-sync-history").await?;
    Ok(())
}
