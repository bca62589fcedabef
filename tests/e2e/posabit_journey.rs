//! The manager's POSaBIT journey through the real window: the first start, a refused key and an
//! accepted one, Test connection, the age gate and Connect, Sync now with its progress, the
//! unmapped-store notification, personas sourced from `posabit`, a second launch handing over to the
//! running window, and the store mapping that clears the notification and names each persona's
//! favorite store.

#![allow(
    clippy::cognitive_complexity,
    reason = "each journey is a script of steps through the real window, read top to bottom"
)]

use std::time::Duration;

use anyhow::Result;
use canopy_e2e::steps::{self, bell_shows, run_journey};
use canopy_e2e::{app_binary, within, Session};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn manager_connects_posabit_syncs_and_maps_its_store() -> Result<()> {
    run_journey(Duration::from_secs(300), |session| {
        Box::pin(journey(session))
    })
    .await
}

async fn journey(session: &Session) -> Result<()> {
    let venue = steps::posabit_venue();

    // The first start asks where the data comes from; the sandbox keeps its own database.
    session
        .text_appears("Where should Canopy get its data?")
        .await?;
    session.screenshot("00-first-start").await?;
    session.choose_sandbox().await?;
    let folder = session.data_folder();
    assert!(folder.join("sandbox.db").exists() && !folder.join("real.db").exists());
    session.text_appears("Sandbox").await?;
    session.screenshot("01-integrations").await?;
    within(
        session
            .element("[data-testid='tile-posabit']")
            .await?
            .click(),
    )
    .await?;
    session
        .text_appears("Do not touch any other settings in this integration card")
        .await?;

    // A wrong key is refused with the clear pos_auth_failed message, and nothing is added.
    session.fill("store_name", "Capitol Hill").await?;
    session.fill("key", "not-the-right-key").await?;
    session.click_button("Add Credential").await?;
    let page = session
        .text_appears("POSaBIT did not accept this key.")
        .await?;
    assert!(
        page.contains("No credentials yet"),
        "a refused key adds nothing"
    );
    assert!(
        !page.contains("not-the-right-key"),
        "the key is never echoed"
    );

    session.fill("key", &format!("  {}  ", venue.token)).await?;
    session.click_button("Add Credential").await?;
    session
        .text_appears("Spaces around the key were removed.")
        .await?;
    let table = session.text_of("[data-testid='credentials']").await?;
    assert!(table.contains("Capitol Hill"), "{table}");
    assert!(table.contains("Enhanced Customer Data Access"), "{table}");
    assert!(!table.contains(&venue.token), "the key is never shown");
    session.screenshot("02-credential-added").await?;
    // Test connection runs the pre-flight again and says nothing changed.
    session.click_button("Test connection").await?;
    session
        .text_appears("“Capitol Hill”: the connection works and nothing changed.")
        .await?;

    // Connect needs the age gate: until it is ticked the checklist says so and Connect is disabled.
    let card = session.text_appears("Before you can connect:").await?;
    assert!(
        card.contains("age gate compliant with my industry"),
        "{card}"
    );
    steps::tick_age_gate_and_connect(session, "POSaBIT").await?;
    let state = session.text_of("[data-testid='posabit-state']").await?;
    assert_eq!(state, "Connected");
    session.screenshot("03-posabit-connected").await?;

    session.click_button("Sync now").await?;
    let results = session.text_appears("records received:").await?;
    assert!(results.contains(" new, 0 changed."), "{results}");
    // A bar per stream, each full: the POS said how many records to expect.
    let customers = session.text_of("[data-testid='sync-progress']").await?;
    assert!(
        customers.contains("Capitol Hill · customers") && customers.contains("300 / 300 records"),
        "{customers}"
    );
    for stream in ["Capitol Hill · sales", "Capitol Hill · coupons"] {
        session.text_appears(stream).await?;
    }
    session.scroll_to(".sync-panel").await?;
    session.screenshot("03b-posabit-sync-progress").await?;

    // Data came from a key mapped to no store: the bell says so.
    let bell = bell_shows(session, 1).await?;
    within(bell.click()).await?;
    session
        .text_appears("Unmapped store: “Capitol Hill”")
        .await?;
    session.screenshot("04-unmapped-notification").await?;
    within(bell.click()).await?;

    session.click_button("Personas").await?;
    session.element("[data-testid='persona-row']").await?;
    let count = session.text_of("[data-testid='persona-count']").await?;
    assert!(count.ends_with(" personas"), "{count}");
    let sources = within(
        session
            .client
            .find_all(Locator::Css("[data-testid='sourced-from']")),
    )
    .await?;
    assert!(
        sources.len() >= 15,
        "the viewport is filled: {}",
        sources.len()
    );
    for cell in sources {
        assert_eq!(within(cell.text()).await?, "posabit");
    }
    let shot = session.screenshot("05-personas").await?;
    println!("screenshot: {}", shot.display());

    // A second launch hands over to the running window and exits: never a second database writer.
    let mut second = std::process::Command::new(app_binary()).spawn()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            anyhow::bail!("a second Canopy kept running beside the first");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    session.text_appears("posabit").await?;

    // Settings → Retail Stores: create the store, then map the credential to it.
    steps::map_to_new_store(session, &steps::POSABIT_MAPPING).await?;
    let stores = session.text_of("[data-testid='stores']").await?;
    assert!(stores.contains("Greenleaf Capitol Hill"), "{stores}");
    session.screenshot("07-retail-stores").await?;
    bell_shows(session, 0).await?; // mapping cleared it
    session.click_button("Personas").await?;
    // The table's cells clip their text with an ellipsis, which WebDriver's visible-text reading
    // skips; their text content is what the eye sees (the screenshot shows it).
    let store_cell = session
        .element("[data-testid='persona-row'] [data-testid='favorite-store']")
        .await?;
    let store = within(store_cell.prop("textContent"))
        .await?
        .unwrap_or_default();
    assert_eq!(
        store, "Greenleaf Capitol Hill",
        "the mapped store is each persona's favorite"
    );
    session
        .screenshot("08-personas-with-favorite-store")
        .await?;
    Ok(())
}
