//! Real mode through the real window: on first start the user picks *Connect my POS* and enters
//! the POS's addresses and tokens; the sandbox binary, started as a separate process on its own
//! port, stands in for the vendor. A sync fills real mode's own database; switching to the
//! sandbox and back shows each mode only its own shoppers, and no sandbox shopper reaches real
//! mode's database or its SMS gateway.

#![allow(
    clippy::cognitive_complexity,
    reason = "the journey is a script of steps through the real window, read top to bottom"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{ensure, Context, Result};
use canopy_e2e::steps;
use canopy_e2e::{target_dir, within, Session};
use serde_json::json;

/// The vendor: `canopy-cli sandbox serve` in its own process, with its own seed and gateway token.
struct Vendor {
    process: Child,
    posabit_url: String,
    integrator_token: String,
    venue_key: String,
    greenbits_url: String,
    sms_url: String,
    admin_url: String,
}

const GATEWAY_TOKEN: &str = "vendor-gateway-token";

impl Vendor {
    fn start() -> Result<Self> {
        let binary = target_dir().join("debug/canopy-cli");
        let mut process = Command::new(&binary)
            .args(["sandbox", "serve", "--seed", "777", "--customers", "60"])
            .args([
                "--sales",
                "120",
                "--stores",
                "2",
                "--sms-token",
                GATEWAY_TOKEN,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("{} starts", binary.display()))?;
        let stdout = process.stdout.take().context("stdout")?;
        let mut said = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            let done = line.starts_with("Serving ");
            said.push(line);
            if done {
                break;
            }
        }
        let after = |label: &str| {
            said.iter()
                .find_map(|line| line.strip_prefix(label))
                .map(|rest| rest.trim().to_string())
                .with_context(|| format!("the sandbox printed no {label:?}: {said:?}"))
        };
        let venue_key = said
            .iter()
            .find(|line| line.trim_start().starts_with("venue "))
            .and_then(|line| line.split(" key ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .context("a venue key")?
            .to_string();
        Ok(Vendor {
            posabit_url: after("POSaBIT base URL:")?,
            integrator_token: after("Integrator token:")?,
            greenbits_url: after("Greenbits base URL:")?,
            sms_url: after("SMS gateway URL:")?,
            admin_url: after("Admin API:")?,
            venue_key,
            process,
        })
    }
}

impl Drop for Vendor {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn real_mode_reaches_the_vendor_and_keeps_its_data_apart_from_the_sandbox() -> Result<()> {
    let vendor = Vendor::start()?;
    let session = Session::start().await?;
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(300),
        journey(&session, &vendor),
    )
    .await
    .unwrap_or_else(|_| Err(anyhow::anyhow!("the journey took longer than five minutes")));
    session.stop().await?;
    outcome
}

/// The personas the console shows now: how many, and the e-mail and phone of the first one with
/// both.
async fn personas(session: &Session) -> Result<(u64, String, String)> {
    let answer = session
        .invoke(
            "list_personas",
            json!({"query": {"offset": 0, "limit": 50}}),
        )
        .await?;
    let page: serde_json::Value = serde_json::from_str(&answer)?;
    let total = page["total"].as_u64().context("a persona page")?;
    let rows = page["rows"].as_array().cloned().unwrap_or_default();
    let reachable = rows
        .iter()
        .find(|row| row["email"].is_string() && row["phone"].is_string());
    let text = |field: &str| {
        reachable
            .and_then(|row| row[field].as_str())
            .unwrap_or_default()
            .to_string()
    };
    Ok((total, text("email"), text("phone")))
}

/// Adds the POSaBIT credential through the card, ticks the age gate, connects and syncs.
async fn connect_and_sync(session: &Session, store: &str, key: &str) -> Result<()> {
    session.open_card("posabit").await?;
    session.fill("store_name", store).await?;
    session.fill("key", key).await?;
    session.click_button("Add Credential").await?;
    let table = session.text_of("[data-testid='credentials']").await?;
    ensure!(table.contains(store), "{table}");
    steps::tick_age_gate_and_connect(session, "POSaBIT").await?;
    session.click_button("Sync now").await?;
    session.text_appears("records received:").await?;
    Ok(())
}

/// Sync → History → *Only runs with problems*: the run that skipped a record, and what it skipped.
async fn problem_run(session: &Session) -> Result<()> {
    session.click_button("Sync").await?;
    within(
        session
            .element("input[name='only_problems']")
            .await?
            .click(),
    )
    .await?;
    within(
        session
            .element("button[aria-label^='What went wrong in Vendor Store']")
            .await?
            .click(),
    )
    .await?;
    let detail = session.element("[data-testid='run-detail'] table").await?;
    let text = within(detail.text()).await?;
    ensure!(
        text.contains("POS id") && (text.contains("updated_at") || text.contains("id")),
        "{text}"
    );
    session.scroll_to("[data-testid='run-detail']").await?;
    session.screenshot("real-04-run-with-problems").await?;
    Ok(())
}

/// Settings → Data source → *Connect my POS…*, keeping the saved tokens.
async fn switch_to_real(session: &Session) -> Result<()> {
    session.click_button("Settings").await?;
    session.click_button("Connect my POS…").await?;
    session
        .text_appears("Saved in the keychain — leave blank to keep it.")
        .await?;
    session
        .choose_and_wait_for_reload(".real-pos-form button[type='submit']")
        .await?;
    wait_for_badge(session, "Your POS").await
}

async fn wait_for_badge(session: &Session, label: &str) -> Result<()> {
    let css = if label == "Sandbox" {
        ".badge-sandbox"
    } else {
        ".badge-real"
    };
    let badge = session.text_of(css).await?;
    ensure!(badge == label, "the header shows {badge:?}");
    Ok(())
}

async fn journey(session: &Session, vendor: &Vendor) -> Result<()> {
    let folder = session.data_folder();
    session
        .text_appears("Where should Canopy get its data?")
        .await?;
    within(
        session
            .element("[data-testid='choose-real']")
            .await?
            .click(),
    )
    .await?;
    session
        .set_value("posabit_url", &vendor.posabit_url)
        .await?;
    session
        .fill("posabit_token", &vendor.integrator_token)
        .await?;
    session
        .set_value("greenbits_url", &vendor.greenbits_url)
        .await?;
    session.fill("sms_url", &vendor.sms_url).await?;
    session.fill("sms_token", GATEWAY_TOKEN).await?;
    session
        .screenshot("real-01-first-start-connect-my-pos")
        .await?;
    session
        .choose_and_wait_for_reload(".real-pos-form button[type='submit']")
        .await?;
    wait_for_badge(session, "Your POS").await?;
    ensure!(
        folder.join("real.db").exists(),
        "real mode has its own file"
    );
    ensure!(
        !folder.join("sandbox.db").exists(),
        "real mode never opens the sandbox's database"
    );
    let kept = std::fs::read_to_string(folder.join("console-mode.json"))?;
    ensure!(
        kept.contains(&vendor.posabit_url) && !kept.contains(&vendor.integrator_token),
        "addresses are kept in the folder, tokens only in the keychain: {kept}"
    );

    // The vendor sends one record Canopy cannot read: the run skips it and says so.
    let fault = json!({"fault": {"type": "bad_record"}, "endpoint": "/api/v3/venue/customers",
                       "credential": vendor.venue_key, "trigger": {"nth": 1}});
    let client = reqwest::Client::new();
    let accepted = client
        .post(format!("{}/faults", vendor.admin_url))
        .json(&fault)
        .send()
        .await?;
    ensure!(
        accepted.status().as_u16() == 201,
        "fault refused: {}",
        accepted.status()
    );
    connect_and_sync(session, "Vendor Store", &vendor.venue_key).await?;
    problem_run(session).await?;
    let (real_total, real_email, _) = personas(session).await?;
    ensure!(real_total > 0, "the vendor's shoppers arrived");
    session.screenshot("real-02-synced-from-the-vendor").await?;

    // The sandbox: its own database and its own generated shoppers.
    session.click_button("Settings").await?;
    session.click_button("Switch to the sandbox").await?;
    session
        .choose_and_wait_for_reload(".dialog button.danger")
        .await?;
    wait_for_badge(session, "Sandbox").await?;
    let (empty, _, _) = personas(session).await?;
    ensure!(
        empty == 0,
        "the sandbox starts empty, not with real data ({empty})"
    );
    let sandbox_key = canopy_sandbox::SandboxConfig::default()
        .venues
        .remove(0)
        .token;
    connect_and_sync(session, "Capitol Hill", &sandbox_key).await?;
    let (_, sandbox_email, sandbox_phone) = personas(session).await?;
    ensure!(
        !sandbox_email.is_empty() && sandbox_email != real_email,
        "two worlds: {sandbox_email:?} and {real_email:?}"
    );

    switch_to_real(session).await?;
    session.click_button("Settings").await?;
    session
        .text_appears("Edit POS addresses and tokens")
        .await?;
    session.screenshot("real-03-settings-data-source").await?;
    let (back, _, _) = personas(session).await?;
    ensure!(
        back == real_total,
        "real mode shows its own {real_total} shoppers again, not {back}"
    );
    let search = session
        .invoke(
            "list_personas",
            json!({"query": {"offset": 0, "limit": 1, "search": sandbox_email}}),
        )
        .await?;
    ensure!(
        search.contains("\"total\":0"),
        "a sandbox shopper is not found in real mode: {search}"
    );
    let holding: Vec<String> = session
        .data_files_containing(&sandbox_email)?
        .iter()
        .filter_map(|path| path.file_name()?.to_str().map(str::to_string))
        .collect();
    ensure!(
        holding.iter().all(|name| name.starts_with("sandbox.db")),
        "only the sandbox's files hold its shopper: {holding:?}"
    );
    ensure!(!holding.is_empty(), "the sandbox's file holds its shopper");

    // The vendor's gateway was never sent a sandbox shopper's phone.
    let sent = reqwest::get(format!("{}/sms/messages", vendor.admin_url))
        .await?
        .error_for_status()?
        .text()
        .await?;
    ensure!(sent.contains("\"messages\""), "{sent}");
    ensure!(
        !sent.contains(&sandbox_phone),
        "the vendor's gateway got a sandbox shopper's phone"
    );
    Ok(())
}
