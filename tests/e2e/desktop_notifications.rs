//! Desktop notifications through a real notification server — dunst, on the test's screen and
//! D-Bus session: a sync that leaves a store unmapped shows one, and clicking it opens the window
//! on the page with the fix.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use canopy_e2e::Session;
use serde_json::json;

/// The notification server, stopped with the test.
struct Dunst(Child);

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What dunst has shown so far (its history, as JSON text).
fn history() -> Result<String> {
    let output = Command::new("dunstctl")
        .arg("history")
        .output()
        .context("dunstctl runs (dunst)")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// How many notifications dunst shows now.
fn displayed() -> Result<u32> {
    let output = Command::new("dunstctl")
        .args(["count", "displayed"])
        .output()
        .context("dunstctl runs (dunst)")?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_that_unmaps_a_store_notifies_the_desktop_and_the_click_opens_the_fix() -> Result<()>
{
    let dunst = Dunst(
        Command::new("dunst")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("dunst starts (.ci/setup installs it)")?,
    );
    let session = Session::start().await?;
    let outcome = tokio::time::timeout(Duration::from_secs(240), journey(&session))
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the journey took longer than four minutes")));
    session.stop().await?;
    drop(dunst);
    outcome
}

async fn journey(session: &Session) -> Result<()> {
    session.choose_sandbox().await?;
    let venue = canopy_sandbox::SandboxConfig::default().venues.remove(0);
    for (command, args) in [
        (
            "add_sandbox_credential",
            json!({"venueId": venue.id, "storeName": "Capitol Hill"}),
        ),
        (
            "set_age_gate",
            json!({"integration": "posabit", "attested": true}),
        ),
        ("connect_integration", json!({"integration": "posabit"})),
    ] {
        let answer = session.invoke(command, args).await?;
        if answer.contains("\"code\"") {
            bail!("{command}: {answer}");
        }
    }
    // The page read the card before these calls (the UI caches per page): open it afresh.
    session.click_button("Sync").await?;
    session.open_card("posabit").await?;
    session.click_button("Sync now").await?;
    session.text_appears("records received:").await?;

    let deadline = Instant::now() + Duration::from_secs(30);
    while displayed()? == 0 {
        if Instant::now() > deadline {
            bail!("no desktop notification; dunst's history: {}", history()?);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    session.screenshot("desktop-notification").await?;

    // The click: dunst invokes the notification's default action.
    let clicked = Command::new("dunstctl").args(["action", "0"]).status()?;
    if !clicked.success() {
        bail!("dunstctl action failed");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let current = session.text_of(".nav-item[aria-current='page']").await?;
        if current == "Settings" {
            break;
        }
        if Instant::now() > deadline {
            bail!("the click left the window on {current:?}, not on Settings (Retail Stores)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    session.text_appears("Retail Stores").await?;

    // What it said: the store, and where to map it.
    Command::new("dunstctl").arg("close-all").status()?;
    let said = history()?;
    if !said.contains("Unmapped store: “Capitol Hill”") || !said.contains("Retail Stores") {
        bail!("the notification said: {said}");
    }
    a_mode_that_cannot_open_leaves_the_one_in_use(session).await
}

/// Switching to a mode whose database cannot open says why and leaves the sandbox in use.
async fn a_mode_that_cannot_open_leaves_the_one_in_use(session: &Session) -> Result<()> {
    let folder = session.data_folder();
    std::fs::write(folder.join("real.db"), vec![7u8; 4096])?;
    let answer = session
        .invoke("choose_mode", json!({"mode": "real", "real": null}))
        .await?;
    if !answer.contains("is damaged or is not Canopy's") {
        bail!("choosing a mode that cannot open answered {answer}");
    }
    let status = session.invoke("app_status", json!({})).await?;
    let kept = std::fs::read_to_string(folder.join("console-mode.json"))?;
    if !status.contains("\"mode\":\"sandbox\"") || !kept.contains("\"sandbox\"") {
        bail!("the sandbox should still be in use: {status} / {kept}");
    }
    let personas = session
        .invoke("list_personas", json!({"query": {"offset": 0, "limit": 1}}))
        .await?;
    if personas.contains("\"code\"") {
        bail!("the sandbox's console answers again: {personas}");
    }
    Ok(())
}
