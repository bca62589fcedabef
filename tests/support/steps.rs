//! Steps several journeys share: connecting the sandbox's first POSaBIT venue, syncing, adding a
//! store and mapping a key to it, waiting on the bell, and the shoppers' values no screen may show
//! while presenting.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::json;

use crate::{within, Session};

/// The app's built-in sandbox uses the default configuration, so its first venue's key is known.
pub fn posabit_venue() -> canopy_sandbox::Venue {
    canopy_sandbox::SandboxConfig::default().venues.remove(0)
}

/// On the POSaBIT card: adds the sandbox's first venue as "Capitol Hill", ticks the age gate and
/// connects.
pub async fn connect_posabit(session: &Session) -> Result<()> {
    session.open_card("posabit").await?;
    session.fill("store_name", "Capitol Hill").await?;
    session.fill("key", &posabit_venue().token).await?;
    session.click_button("Add Credential").await?;
    session
        .text_appears("Credential “Capitol Hill” added and verified.")
        .await?;
    tick_age_gate_and_connect(session, "POSaBIT").await
}

/// On an open card with a verified credential: once the checklist counts the credential and the
/// card has stopped growing, ticks the age gate and presses Connect once the card has the ticked
/// age gate back from the backend.
pub async fn tick_age_gate_and_connect(session: &Session, pos: &str) -> Result<()> {
    within(session.client.wait().for_element(Locator::XPath(
        "//li[contains(@class, 'granted') and contains(., 'Add at least one credential')]",
    )))
    .await?;
    let age_gate = session.settled_element("input[name='age_gate']").await?;
    within(age_gate.click()).await?;
    let connect = within(session.client.wait().for_element(Locator::XPath(
        "//button[normalize-space(.)='Connect' and not(@disabled)]",
    )))
    .await?;
    within(connect.click()).await?;
    session
        .text_appears(&format!("{pos} is connected."))
        .await?;
    Ok(())
}

/// From the first start: the sandbox chosen, its first POSaBIT venue connected, synced and mapped
/// to the store "Greenleaf Capitol Hill" (what most journeys start from).
pub async fn posabit_synced_and_mapped(session: &Session) -> Result<()> {
    session.choose_sandbox().await?;
    connect_posabit(session).await?;
    sync_now(session).await?;
    map_to_new_store(session, &POSABIT_MAPPING).await
}

/// Presses *Sync now* on the open card and returns the page once its results show.
pub async fn sync_now(session: &Session) -> Result<String> {
    session.click_button("Sync now").await?;
    session.text_appears("records received:").await
}

/// Settings → Retail Stores → Add store, in Washington.
pub async fn add_store(session: &Session, name: &str, number: &str) -> Result<()> {
    session.click_button("Add store").await?;
    session.fill("name", name).await?;
    session.fill("store_number", number).await?;
    session.fill("state", "WA").await?;
    let form = session.element("form[aria-label='Add store']").await?;
    within(
        within(form.find(Locator::Css("button[type='submit']")))
            .await?
            .click(),
    )
    .await?;
    session
        .text_appears(&format!("Store “{name}” saved."))
        .await?;
    Ok(())
}

/// Which POS key a new store is mapped to: the `select` field's name and the option to pick.
pub struct Mapping<'a> {
    /// The store's name and number.
    pub store: (&'a str, &'a str),
    /// The mapping form's select (`posabit_key`, `greenbits_key`).
    pub select: &'a str,
    /// The option's label, e.g. "Capitol Hill (suggested)".
    pub option: &'a str,
    /// The screenshot taken with the option picked, before saving.
    pub screenshot: &'a str,
    /// What the stores table shows once saved, e.g. "POSaBIT: Capitol Hill".
    pub shown: &'a str,
}

/// Settings: adds a store and maps a POS key to it (Edit → pick the key → Save settings).
pub async fn map_to_new_store(session: &Session, mapping: &Mapping<'_>) -> Result<()> {
    session.click_button("Settings").await?;
    add_store(session, mapping.store.0, mapping.store.1).await?;
    session.click_button("Edit").await?;
    session
        .select_option(mapping.select, mapping.option)
        .await?;
    session.screenshot(mapping.screenshot).await?;
    session.click_button("Save settings").await?;
    session.text_appears(mapping.shown).await?;
    Ok(())
}

/// The sandbox's first POSaBIT venue mapped to a new store, "Greenleaf Capitol Hill".
pub const POSABIT_MAPPING: Mapping<'static> = Mapping {
    store: ("Greenleaf Capitol Hill", "12"),
    select: "posabit_key",
    option: "Capitol Hill (suggested)",
    screenshot: "06-store-mapping",
    shown: "POSaBIT: Capitol Hill",
};

/// Waits (the bell reloads on events and after each action) until the notifications bell shows
/// `count`, and returns it.
pub async fn bell_shows(session: &Session, count: usize) -> Result<Element> {
    let bell = session
        .element("[data-testid='notifications-bell']")
        .await?;
    let wanted = format!("Notifications: {count}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while within(bell.attr("aria-label")).await?.as_deref() != Some(wanted.as_str()) {
        ensure!(Instant::now() < deadline, "the bell never showed {count}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(bell)
}

/// The first persona's id, as the Personas list orders them.
pub async fn first_persona_id(session: &Session) -> Result<i64> {
    let answer = session
        .invoke("list_personas", json!({"query": {"offset": 0, "limit": 1}}))
        .await?;
    let first: serde_json::Value = serde_json::from_str(&answer)?;
    Ok(first["rows"][0]["id"].as_i64().unwrap_or_default())
}

/// Everything no screen or file may show: each persona's phone (as stored, as the UI formats it,
/// as digits) and e-mail, the birth date of persona `persona_id`, and `secrets`.
pub async fn unmasked_values(
    session: &Session,
    persona_id: i64,
    secrets: &[String],
) -> Result<Vec<String>> {
    let answer = session
        .invoke(
            "list_personas",
            json!({"query": {"offset": 0, "limit": 500}}),
        )
        .await?;
    let page: serde_json::Value = serde_json::from_str(&answer)?;
    let mut values: Vec<String> = secrets.to_vec();
    for row in page["rows"].as_array().into_iter().flatten() {
        if let Some(phone) = row["phone"].as_str() {
            let digits = phone.trim_start_matches("+1");
            values.push(phone.to_string());
            values.push(digits.to_string());
            values.push(format!(
                "({}) {}-{}",
                &digits[..3],
                &digits[3..6],
                &digits[6..]
            ));
        }
        if let Some(email) = row["email"].as_str() {
            values.push(email.to_string());
        }
    }
    let detail: serde_json::Value = serde_json::from_str(
        &session
            .invoke("get_persona", json!({"id": persona_id}))
            .await?,
    )?;
    if let Some(birth) = detail["birth_date"].as_str() {
        values.push(birth.to_string());
    }
    Ok(values)
}

/// Runs `journey` on a fresh app with its own data folder and stops the app whatever the outcome;
/// a journey that takes longer than `limit` fails.
pub async fn run_journey(
    limit: Duration,
    journey: impl for<'a> FnOnce(&'a Session) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>,
) -> Result<()> {
    let session = Session::start().await?;
    let outcome = tokio::time::timeout(limit, journey(&session))
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the journey took longer than {limit:?}")));
    session.stop().await?;
    outcome
}
