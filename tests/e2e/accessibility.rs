//! Accessibility in the real window: axe-core (from the UI's packages) runs inside the WebKit
//! window on every page, card, form and an open dialog, and fails on any serious or critical
//! violation; then a journey done with the keyboard alone (Tab, Enter, Escape) opens and closes
//! a dialog, focus going back to its opener.

#![allow(
    clippy::cognitive_complexity,
    reason = "the journey is a script of steps through the real window, read top to bottom"
)]

use std::path::PathBuf;

use anyhow::{ensure, Context, Result};
use canopy_e2e::{within, Session};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn every_page_and_dialog_passes_axe_and_works_from_the_keyboard() -> Result<()> {
    let session = Session::start().await?;
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(300), journey(&session))
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the journey took longer than five minutes")));
    session.stop().await?;
    outcome
}

/// axe-core's browser build, from the UI's installed packages.
fn axe_source() -> Result<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("{} (npm ci in ui/ installs it)", path.display()))
}

/// Runs axe-core on the window as it is now; fails naming every serious or critical violation.
async fn audit(session: &Session, place: &str) -> Result<()> {
    // WebDriver's scripts run outside the page's content security policy.
    within(
        session
            .client
            .execute(&format!("{}\nreturn true;", axe_source()?), vec![]),
    )
    .await?;
    let script = "const done = arguments[0]; \
        window.axe.run(document, { resultTypes: ['violations'] }).then((r) => done(JSON.stringify( \
          r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') \
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help, \
                           nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))), \
          (e) => done(JSON.stringify([{ id: 'axe-failed', help: String(e) }])));";
    let answer = within(session.client.execute_async(script, vec![])).await?;
    let violations: Value = serde_json::from_str(answer.as_str().unwrap_or("[]"))?;
    let found = violations.as_array().map_or(0, Vec::len);
    ensure!(
        found == 0,
        "{place}: {found} serious or critical accessibility violations: {violations:#}"
    );
    println!("{place}: no serious or critical violation");
    Ok(())
}

/// Presses `key` (a WebDriver key code) as a keyboard does: a key down and up on the window, to
/// whatever has the focus.
async fn press(session: &Session, key: char) -> Result<()> {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    within(session.client.perform_actions(keys)).await?;
    Ok(())
}

/// The accessible text of the focused element.
async fn focused_text(session: &Session) -> Result<String> {
    let focused = within(session.client.active_element()).await?;
    within(focused.text()).await
}

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';

async fn journey(session: &Session) -> Result<()> {
    session
        .text_appears("Where should Canopy get its data?")
        .await?;
    audit(session, "first start").await?;
    session.choose_sandbox().await?;
    audit(session, "Integrations").await?;
    session.open_card("posabit").await?;
    session.text_appears("Add Credential").await?;
    audit(session, "the POSaBIT card").await?;
    within(
        session
            .element("details.sandbox-keys summary")
            .await?
            .click(),
    )
    .await?;
    session.click_button("Add this store").await?;
    session.text_appears("Verified").await?;
    canopy_e2e::steps::tick_age_gate_and_connect(session, "POSaBIT").await?;
    session.click_button("Sync now").await?;
    session.text_appears("records received:").await?;
    audit(session, "the POSaBIT card after a sync").await?;
    session.click_button("Disconnect").await?;
    session
        .text_appears("Syncs from POSaBIT stop until you connect again")
        .await?;
    audit(session, "the Disconnect dialog").await?;
    session.click_button("Cancel").await?;
    session.click_button("← All integrations").await?;
    session.open_card("greenbits").await?;
    session.text_appears("Greenbits").await?;
    audit(session, "the Greenbits card").await?;

    session.click_button("Personas").await?;
    session.element("[data-testid='persona-row']").await?;
    audit(session, "Personas").await?;
    session.open_first_persona().await?;
    audit(session, "a persona's detail").await?;
    session.close_persona().await?;

    session.click_button("Loyalty").await?;
    session.click_button("New reward").await?;
    audit(session, "the reward form").await?;
    session.fill("name", "Spring Sale").await?;
    session.click_button("Save reward").await?;
    session.text_appears("Reward “Spring Sale” saved.").await?;
    audit(session, "Rewards").await?;
    session.click_button("Sync").await?;
    session.element("[data-testid='sync-history']").await?;
    audit(session, "Sync").await?;
    session.click_button("Settings").await?;
    session.text_appears("Retail Stores").await?;
    audit(session, "Settings").await?;

    // The keyboard alone: from the Loyalty page, Tab to Retire, open its dialog with Enter, find
    // focus inside it, close it with Escape and find focus back on Retire.
    session.click_button("Loyalty").await?;
    session.text_appears("Spring Sale").await?;
    let mut reached = false;
    for _ in 0..40 {
        press(session, TAB).await?;
        if focused_text(session).await? == "Retire" {
            reached = true;
            break;
        }
    }
    ensure!(reached, "Tab never reached the Retire button");
    press(session, ENTER).await?;
    session
        .text_appears("It is no longer offered or checked in the POS")
        .await?;
    ensure!(
        focused_text(session).await? == "Cancel",
        "the dialog did not take the focus"
    );
    // Tab stays inside the dialog: Cancel, Retire “Spring Sale”, back to Cancel.
    press(session, TAB).await?;
    ensure!(
        focused_text(session).await? == "Retire “Spring Sale”",
        "Tab left the dialog"
    );
    press(session, TAB).await?;
    ensure!(
        focused_text(session).await? == "Cancel",
        "Tab left the dialog"
    );
    press(session, ESCAPE).await?;
    session.wait_for_count(".dialog", 0).await?;
    ensure!(
        focused_text(session).await? == "Retire",
        "focus did not return to the opener"
    );
    Ok(())
}
