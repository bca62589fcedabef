//! The onboarding specialist's journey through the real window, on a connected, synced and mapped
//! POSaBIT: Sync Personas behind its warning (cancel, then confirm with "I understand") and its
//! audit entry, the "purchased after" dates with their dry runs, SMS requests sent through the
//! sandbox's gateway and the removal warning; then presenter mode on every page, card, a persona's
//! detail and the notifications, none showing a phone, an e-mail, a birth date or the key.

#![allow(
    clippy::cognitive_complexity,
    reason = "each journey is a script of steps through the real window, read top to bottom"
)]

use std::time::Duration;

use anyhow::{Context, Result};
use canopy_e2e::steps::{self, run_journey};
use canopy_e2e::{within, Session};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn onboarding_specialist_guarded_settings_and_presenter_mode() -> Result<()> {
    run_journey(Duration::from_secs(300), |session| {
        Box::pin(journey(session))
    })
    .await
}

async fn journey(session: &Session) -> Result<()> {
    steps::posabit_synced_and_mapped(session).await?;
    warning_dialog_and_audit_log(session).await?;
    date_settings(session).await?;
    presenter_mode(session, &[steps::posabit_venue().token]).await
}

/// Fails when the page's text (all of it, clipped cells included) shows any of `values`.
async fn assert_masked(session: &Session, place: &str, values: &[String]) -> Result<()> {
    let text = session.page_text().await?;
    for value in values {
        anyhow::ensure!(
            !text.contains(value.as_str()),
            "{place} shows {value} in presenter mode"
        );
    }
    Ok(())
}

/// Presenter mode on: every page, the cards, a persona's detail and the notifications are walked,
/// and none shows a phone, an e-mail, a birth date or a secret.
async fn presenter_mode(session: &Session, secrets: &[String]) -> Result<()> {
    session.click_button("Presenter mode").await?;
    session.text_appears("Presenter mode on").await?;
    assert_eq!(
        session.invoke("presenter_mode", json!({})).await?,
        "true",
        "remembered by the backend"
    );

    session.open_first_persona().await?;
    let persona_id = steps::first_persona_id(session).await?;
    let values = steps::unmasked_values(session, persona_id, secrets).await?;
    assert!(
        values.len() > 500,
        "the test data has phones and e-mails to look for"
    );
    session.text_appears("(•••) •••-••••").await?;
    assert_masked(
        session,
        "the Personas table and a persona's detail",
        &values,
    )
    .await?;
    session.screenshot("14-presenter-personas").await?;
    session.close_persona().await?;

    for page in ["Integrations", "Sync", "Settings"] {
        session.open_page(page).await?;
        assert_masked(session, page, &values).await?;
    }
    session.click_button("Integrations").await?;
    for tile in ["tile-posabit", "tile-greenbits"] {
        within(
            session
                .element(&format!("[data-testid='{tile}']"))
                .await?
                .click(),
        )
        .await?;
        session.text_appears("Loyalty").await?;
        assert_masked(session, tile, &values).await?;
        session.click_button("← All integrations").await?;
    }
    let bell = session
        .element("[data-testid='notifications-bell']")
        .await?;
    within(bell.click()).await?;
    assert_masked(session, "the notifications", &values).await?;
    within(bell.click()).await?;
    Ok(())
}

/// The Settings page's audit log, scrolled into view, as text.
async fn audit_log_text(session: &Session) -> Result<String> {
    session.element("[data-testid='audit-log']").await?;
    session.select_option("audit_area", "Card setting").await?;
    session.scroll_to("[data-testid='audit-log']").await?;
    // The filter applies when its query answers: the age gate's entry (ticked earlier) goes.
    let deadline = std::time::Instant::now() + canopy_e2e::PATIENCE;
    loop {
        let text = session.text_of("[data-testid='audit-log']").await?;
        if !text.contains("Age gate") {
            return Ok(text);
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the area filter never applied: {text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Whether the checkbox matching `css` is ticked.
async fn is_checked(session: &Session, css: &str) -> Result<bool> {
    let input = session.element(css).await?;
    Ok(within(input.prop("checked")).await?.as_deref() == Some("true"))
}

/// Sync Personas sits behind its warning: cancel leaves it off; confirming (with "I understand")
/// turns it on and writes the audit entry the Settings page lists.
async fn warning_dialog_and_audit_log(session: &Session) -> Result<()> {
    session.open_card("posabit").await?;
    let toggle = "input[name='setting_sync_personas']";
    session.element(toggle).await?;
    session.scroll_to(toggle).await?;
    within(session.element(toggle).await?.click()).await?;
    session
        .text_appears("Syncing begins from the day it is enabled; existing records will not be retroactively synced.")
        .await?;
    session.screenshot("15-warning-dialog").await?;
    session.click_button("Cancel").await?;

    assert!(
        !is_checked(session, toggle).await?,
        "cancel leaves the setting off"
    );
    within(session.element(toggle).await?.click()).await?;
    within(session.element("input[name='understand']").await?.click()).await?;
    session
        .click_button("Turn on Sync Personas / Sync Contacts")
        .await?;
    session
        .text_appears("Sync Personas / Sync Contacts: on.")
        .await?;
    assert!(is_checked(session, toggle).await?, "confirming turns it on");

    session.click_button("Settings").await?;
    let log = audit_log_text(session).await?;
    assert!(
        log.contains("Sync Personas / Sync Contacts")
            && log.contains("off → on")
            && log.contains("Yes"),
        "{log}"
    );
    assert_eq!(
        session
            .count_elements("[data-testid='audit-log'] tbody tr")
            .await?,
        1,
        "the cancel wrote nothing"
    );
    session.scroll_to("[data-testid='audit-log']").await?;
    session.screenshot("16-audit-log").await?;
    Ok(())
}

/// The number in a dialog title such as "Enroll 12 personas in the loyalty program?".
fn number_in(title: &str) -> Result<u64> {
    let digits: String = title
        .split_whitespace()
        .find(|word| word.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .context("a number in the title")?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    Ok(digits.parse()?)
}

/// The "purchased after *date*" settings on the POSaBIT card: enrolment shows its dry run per store
/// before it is saved; the SMS opt-in date too, its requests go out through the sandbox's SMS
/// gateway on "Send now", and removing it warns first (cancelled here); the audit log has both.
async fn date_settings(session: &Session) -> Result<()> {
    session.open_card("posabit").await?;
    session
        .set_value("setting_enroll_after", "2020-01-01")
        .await?;
    session
        .scroll_to("input[name='setting_enroll_after']")
        .await?;
    session.click_button("Preview and save").await?;
    let title = session.text_of("#dialog-title").await?;
    assert!(title.ends_with("in the loyalty program?"), "{title}");
    let reach = number_in(&title)?;
    let table = session.text_of("table.dry-run").await?;
    assert!(table.contains("Capitol Hill"), "per store: {table}");
    session.screenshot("17-enroll-dry-run").await?;
    session.click_button("Save and enroll").await?;
    session
        .text_appears("Enroll Personas in loyalty program who purchased after 2020-01-01: saved.")
        .await?;
    session.text_appears("On since 2020-01-01").await?;

    session
        .set_value("setting_sms_opt_in_after", "2020-01-01")
        .await?;
    within(
        within(session.client.find(Locator::XPath(
            "//input[@name='setting_sms_opt_in_after']/following-sibling::button[1]",
        )))
        .await?
        .click(),
    )
    .await?;
    let title = session.text_of("#dialog-title").await?;
    assert!(title.starts_with("Send SMS opt-in requests to"), "{title}");
    let asked = number_in(&title)?;
    session
        .text_appears("can cause loyalty Personas to be lost")
        .await?;
    session.click_button("Save and send requests").await?;
    session
        .element("[data-testid='sms-requests-posabit']")
        .await?;
    session.click_button("Send now").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let sentence = loop {
        let toast = session.text_of(".toast").await?;
        if toast.contains(" opt-in request") {
            break toast;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "Send now never reported: {toast}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let counted: u64 = sentence
        .split(';')
        .filter(|part| part.contains("sent") || part.contains("wait"))
        .filter_map(|part| number_in(part).ok())
        .sum();
    assert_eq!(
        counted, asked,
        "every persona asked is sent or waits: {sentence}"
    );
    session
        .scroll_to("[data-testid='sms-requests-posabit']")
        .await?;
    session.screenshot("18-sms-requests").await?;

    within(
        session
            .element("[data-testid='sms-requests-posabit']")
            .await?
            .find(Locator::XPath("../div/button[text()='Remove']")),
    )
    .await?
    .click()
    .await?;
    session
        .text_appears("We do not recommend changing this after it is set.")
        .await?;
    session.screenshot("19-sms-removal-warning").await?;
    session.click_button("Cancel").await?;
    assert!(reach > 0, "the enrolment dry run reached personas");

    session.click_button("Settings").await?;
    session.element("#loyalty-heading").await?;
    session.scroll_to("#loyalty-heading").await?;
    session.text_appears("Points expiration").await?;
    session.screenshot("22-loyalty-settings").await?;
    let log = audit_log_text(session).await?;
    assert!(
        log.contains("Enroll Personas in loyalty program who purchased after")
            && log.contains("off → 2020-01-01")
            && log.contains("Send SMS double opt-ins to Personas who purchased after"),
        "{log}"
    );
    Ok(())
}
