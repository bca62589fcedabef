//! Support staff's personas journey through the real window, on a connected, synced and mapped
//! POSaBIT: a family merged on a shared phone and split apart, a POS opt-out in the consent
//! history, a signup with consent, a CSV import with a bad line named, and a support bundle that
//! lists its files and holds no secret and no persona's phone, e-mail or birth date.

#![allow(
    clippy::cognitive_complexity,
    reason = "each journey is a script of steps through the real window, read top to bottom"
)]

use std::time::Duration;

use anyhow::{Context, Result};
use canopy_e2e::steps::{self, run_journey};
use canopy_e2e::{within, Session};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn support_staff_personas_journey() -> Result<()> {
    run_journey(Duration::from_secs(300), |session| {
        Box::pin(journey(session))
    })
    .await
}

async fn journey(session: &Session) -> Result<()> {
    steps::posabit_synced_and_mapped(session).await?;
    session.click_button("Personas").await?;
    persona_detail_and_split(session).await?;
    consent_history(session).await?;
    signup_with_consent(session).await?;
    imported_personas(session).await?;
    support_bundle(session, &[steps::posabit_venue().token]).await
}

/// Settings → Support: the bundle lists its files before saving, and the saved zip holds no
/// secret and no persona's phone, e-mail or birth date.
async fn support_bundle(session: &Session, secrets: &[String]) -> Result<()> {
    session.click_button("Settings").await?;
    session.click_button("Create support bundle").await?;
    session.text_appears("rejected_records.json").await?;
    session.scroll_to(".bundle-files").await?;
    session.screenshot("23-support-bundle").await?;
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("support.zip");
    let answer = session
        .invoke("save_support_bundle", json!({ "path": path }))
        .await?;
    anyhow::ensure!(
        answer.contains("pos_shapes.json"),
        "saving answered {answer}"
    );
    let persona_id = steps::first_persona_id(session).await?;
    let values = steps::unmasked_values(session, persona_id, secrets).await?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path)?)?;
    for index in 0..archive.len() {
        let mut file = archive.by_index(index)?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text)?;
        for value in &values {
            anyhow::ensure!(
                !text.contains(value.as_str()),
                "the support bundle's {:?} holds {value}",
                file.name()
            );
        }
    }
    session.click_button("Cancel").await?;
    Ok(())
}

/// A shopper who opted out at the POS shows it in the SMS column and in the consent history.
/// A signup with consent shows the wording the shopper signs, and the persona's consent history
/// records it from the signup form.
async fn signup_with_consent(session: &Session) -> Result<()> {
    session.click_button("Add signup").await?;
    session.fill("signup_first", "Robin").await?;
    session.fill("signup_phone", "(206) 555-0142").await?;
    session.set_value("signup_birth", "1990-04-20").await?;
    session
        .element("input[name='signup_consent']:not([disabled])")
        .await?
        .click()
        .await?;
    session
        .text_appears("Consent is not a condition of purchase")
        .await?;
    session.fill("signup_signature", "Robin R").await?;
    session.screenshot("21-signup-consent").await?;
    session.click_button("Save signup").await?;
    session.element("[data-testid='persona-consent']").await?;
    let history = session.text_of("[data-testid='persona-consent']").await?;
    assert!(
        history.contains("SMS opted in") && history.contains("by the signup form"),
        "{history}"
    );
    session.close_persona().await?;
    Ok(())
}

async fn consent_history(session: &Session) -> Result<()> {
    let config = canopy_sandbox::SandboxConfig::default();
    let opted_out = (0..config.customers_per_venue)
        .map(|i| {
            canopy_sandbox::generator::posabit_customer(
                config.seed,
                0,
                i,
                config.customers_per_venue,
            )
        })
        .find(|c| c["marketing_opt_out"] == json!(true) && c["email"].is_string())
        .context("the sandbox has a shopper who opted out")?;
    session.click_button("Personas").await?;
    session
        .open_persona(opted_out["email"].as_str().unwrap_or_default())
        .await?;
    // The consent list appears once the detail has loaded.
    session.element("[data-testid='persona-consent']").await?;
    let detail = session.text_of("[data-testid='persona-detail']").await?;
    assert!(
        detail.contains("SMSOpted out"),
        "the profile's SMS consent: {detail}"
    );
    let history = session.text_of("[data-testid='persona-consent']").await?;
    assert!(
        history.contains("SMS opted out") && history.contains("Opted out at the POS"),
        "{history}"
    );
    session.scroll_to("[data-testid='persona-consent']").await?;
    session.screenshot("20-persona-consent").await?;
    session.close_persona().await?;
    session.fill("persona_search", "").await?;
    Ok(())
}

/// A CSV file imported (through the command the Import CSV button calls after its file dialog):
/// its shoppers show as `import`-sourced personas, a bad line is named.
async fn imported_personas(session: &Session) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("spring-event.csv");
    std::fs::write(
        &path,
        "first_name,last_name,phone,email,email_opt_in\n\
         Imogen,Importer,(206) 555-0177,imogen@example.com,yes\n\
         Ivo,Importer,,ivo@example.com,no\n\
         Broken,Line,12345,,\n",
    )?;
    let script = "const [path, done] = arguments; \
        const channel = '__CHANNEL__:' + window.__TAURI_INTERNALS__.transformCallback(() => {}); \
        window.__TAURI_INTERNALS__.invoke('import_personas', { path, onProgress: channel }) \
          .then((v) => done(JSON.stringify(v)), (e) => done(JSON.stringify(e)));";
    let answer = within(
        session
            .client
            .execute_async(script, vec![path.display().to_string().into()]),
    )
    .await?;
    let summary: serde_json::Value = serde_json::from_str(answer.as_str().unwrap_or("null"))?;
    assert_eq!(
        (&summary["created"], &summary["rejected"]),
        (&json!(2), &json!(1)),
        "{summary}"
    );
    assert_eq!(summary["errors"][0]["line"], json!(4));

    session.click_button("Personas").await?;
    session.fill("persona_search", "Importer").await?;
    session
        .wait_for_count("[data-testid='persona-row']", 2)
        .await?;
    let chips = session
        .text_of("[data-testid='persona-row'] [data-testid='sourced-from']")
        .await?;
    assert_eq!(chips.trim(), "import");
    session.screenshot("21-imported-personas").await?;
    session.fill("persona_search", "").await?;
    Ok(())
}

/// A family sharing one phone was merged on it: the detail says why, and a split undoes it.
async fn persona_detail_and_split(session: &Session) -> Result<()> {
    let config = canopy_sandbox::SandboxConfig::default();
    let family =
        canopy_sandbox::generator::posabit_customer(config.seed, 0, 22, config.customers_per_venue);
    let phone = family["telephone"].as_str().unwrap_or_default().to_string();
    session.open_persona(&phone).await?;
    let detail = session.text_appears("Merged: same phone").await?;
    assert!(detail.contains("Source records"), "{detail}");
    session.screenshot("08b-persona-detail").await?;
    let sources = session
        .count_elements("[data-testid='persona-sources'] tbody tr")
        .await?;
    assert_eq!(sources, 2, "the two family members' records");
    // The second record joined on the shared phone: split it off.
    within(
        session
            .element("[data-testid='persona-sources'] tbody tr:nth-child(2) button")
            .await?
            .click(),
    )
    .await?;
    session
        .text_appears("Its sales and the points they earned move with it")
        .await?;
    let confirm = session
        .element("[role='alertdialog'] button.danger")
        .await?;
    within(confirm.click()).await?;
    session.text_appears("is now a persona of its own").await?;
    // The drawer opens the new persona: one record, the one split off.
    session
        .wait_for_count("[data-testid='persona-sources'] tbody tr", 1)
        .await?;
    session.screenshot("08c-persona-split").await?;
    session.close_persona().await?;
    session.fill("persona_search", "").await?;
    Ok(())
}
