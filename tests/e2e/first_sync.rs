//! The first journey through the real window: add a POSaBIT credential, press Sync now, and see
//! personas sourced from `posabit`.

#![allow(
    clippy::cognitive_complexity,
    reason = "each journey is a script of steps through the real window, read top to bottom"
)]

use anyhow::{Context, Result};
use canopy_e2e::{app_binary, within, Session};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn add_a_credential_sync_and_see_posabit_personas() -> Result<()> {
    let session = Session::start().await?;
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(300), journey(&session))
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the journey took longer than five minutes")));
    session.stop().await?;
    outcome
}

async fn journey(session: &Session) -> Result<()> {
    // The app's built-in sandbox uses the default configuration, so its keys are known here.
    let venue = canopy_sandbox::SandboxConfig::default().venues.remove(0);

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
    let table = within(session.element("[data-testid='credentials']").await?.text()).await?;
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
    within(session.element("input[name='age_gate']").await?.click()).await?;
    session.click_button("Connect").await?;
    session.text_appears("POSaBIT is connected.").await?;
    let state = within(
        session
            .element("[data-testid='posabit-state']")
            .await?
            .text(),
    )
    .await?;
    assert_eq!(state, "Connected");
    session.screenshot("03-posabit-connected").await?;

    session.click_button("Sync now").await?;
    let results = session.text_appears("records received:").await?;
    assert!(results.contains(" new, 0 changed."), "{results}");
    // A bar per stream, each full: the POS said how many records to expect.
    let customers = within(
        session
            .element("[data-testid='sync-progress']")
            .await?
            .text(),
    )
    .await?;
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
    let count = within(
        session
            .element("[data-testid='persona-count']")
            .await?
            .text(),
    )
    .await?;
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
    session.click_button("Settings").await?;
    add_store(session, "Greenleaf Capitol Hill", "12").await?;
    session.click_button("Edit").await?;
    session
        .select_option("posabit_key", "Capitol Hill (suggested)")
        .await?;
    let select = session.element("select[name='posabit_key']").await?;
    let suggested = within(select.text()).await?;
    assert!(
        suggested.contains("Capitol Hill (suggested)"),
        "{suggested}"
    );
    session.screenshot("06-store-mapping").await?;
    session.click_button("Save settings").await?;
    let stores = session.text_appears("POSaBIT: Capitol Hill").await?;
    assert!(stores.contains("Greenleaf Capitol Hill"));
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
    persona_detail_and_split(session).await?;

    greenbits(session).await?;
    warning_dialog_and_audit_log(session).await?;
    date_settings(session).await?;
    consent_history(session).await?;
    signup_with_consent(session).await?;
    imported_personas(session).await?;
    sync_page(session).await?;
    session.click_button("Settings").await?;

    // API & Tracking: the UID shows, Canopy's own API key only when revealed.
    let masked = within(session.element("[data-testid='api-key']").await?.text()).await?;
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
    let mut secrets = vec![
        venue.token.clone(),
        manager.token.clone(),
        manager.password.clone(),
        api_key,
    ];
    secrets.push(manager.email.clone());
    support_bundle(session, &secrets).await?;
    presenter_mode(session, &secrets).await
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
    let first: serde_json::Value = serde_json::from_str(
        &session
            .invoke("list_personas", json!({"query": {"offset": 0, "limit": 1}}))
            .await?,
    )?;
    let persona_id = first["rows"][0]["id"].as_i64().unwrap_or_default();
    let values = unmasked_values(session, persona_id, secrets).await?;
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

/// Everything that must not show while presenting: each persona's phone (as stored, as the UI
/// formats it, as digits) and e-mail, the opened persona's birth date, and `secrets`.
async fn unmasked_values(
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

    session.click_button("Personas").await?;
    within(
        session
            .element("[data-testid='persona-row'] td")
            .await?
            .click(),
    )
    .await?;
    session
        .element("[data-testid='persona-detail'] .facts")
        .await?;
    let answer = session
        .invoke("list_personas", json!({"query": {"offset": 0, "limit": 1}}))
        .await?;
    let first: serde_json::Value = serde_json::from_str(&answer)?;
    let persona_id = first["rows"][0]["id"].as_i64().unwrap_or_default();
    let values = unmasked_values(session, persona_id, secrets).await?;
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
    session.click_button("✕").await?;

    for page in ["Integrations", "Sync", "Settings"] {
        session.click_button(page).await?;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
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

/// Waits (the bell reloads on events and toasts, and polls slowly) until the notifications bell shows `count`.
async fn bell_shows(session: &Session, count: usize) -> Result<fantoccini::elements::Element> {
    let bell = session
        .element("[data-testid='notifications-bell']")
        .await?;
    let wanted = format!("Notifications: {count}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while within(bell.attr("aria-label")).await?.as_deref() != Some(wanted.as_str()) {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the bell never showed {count}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Ok(bell)
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
    let preflight = within(
        session
            .element("[data-testid='greenbits-preflight']")
            .await?
            .text(),
    )
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
    let table = within(
        session
            .element("[data-testid='greenbits-credentials']")
            .await?
            .text(),
    )
    .await?;
    assert!(
        table.contains("Evergreen Ballard") && !table.contains("Evergreen Eugene"),
        "{table}"
    );
    within(session.element("input[name='age_gate']").await?.click()).await?;
    session.click_button("Connect").await?;
    session.text_appears("Greenbits is connected.").await?;
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

    session.click_button("Settings").await?;
    add_store(session, "Evergreen Ballard", "21").await?;
    session.click_button("Edit").await?;
    session
        .select_option("greenbits_key", "Evergreen Ballard (suggested)")
        .await?;
    session.screenshot("10-greenbits-store-mapping").await?;
    session.click_button("Save settings").await?;
    session.text_appears("Greenbits: Evergreen Ballard").await?;
    bell_shows(session, 0).await?; // mapping cleared it
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
    let history = within(
        session
            .element("[data-testid='persona-consent']")
            .await?
            .text(),
    )
    .await?;
    assert!(
        history.contains("SMS opted in") && history.contains("by the signup form"),
        "{history}"
    );
    session.click_button("✕").await?;
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
    let detail = within(
        session
            .element("[data-testid='persona-detail']")
            .await?
            .text(),
    )
    .await?;
    assert!(
        detail.contains("SMSOpted out"),
        "the profile's SMS consent: {detail}"
    );
    let history = within(
        session
            .element("[data-testid='persona-consent']")
            .await?
            .text(),
    )
    .await?;
    assert!(
        history.contains("SMS opted out") && history.contains("Opted out at the POS"),
        "{history}"
    );
    session.scroll_to("[data-testid='persona-consent']").await?;
    session.screenshot("20-persona-consent").await?;
    session.click_button("✕").await?;
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
    let chips = within(
        session
            .element("[data-testid='persona-row'] [data-testid='sourced-from']")
            .await?
            .text(),
    )
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
    session.click_button("✕").await?;
    session.fill("persona_search", "").await?;
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
        let text = within(session.element("[data-testid='audit-log']").await?.text()).await?;
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
    let title = within(session.element("#dialog-title").await?.text()).await?;
    assert!(title.ends_with("in the loyalty program?"), "{title}");
    let reach = number_in(&title)?;
    let table = within(session.element("table.dry-run").await?.text()).await?;
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
    let title = within(session.element("#dialog-title").await?.text()).await?;
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
        let toast = within(session.element(".toast").await?.text()).await?;
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

/// The Sync page: both integrations answer "is it active?", and the history lists every run.
async fn sync_page(session: &Session) -> Result<()> {
    session.click_button("Sync").await?;
    let health = within(
        session
            .element("[data-testid='health-posabit']")
            .await?
            .text(),
    )
    .await?;
    assert!(health.contains("Active: "), "{health}");
    assert!(health.contains("Greenleaf Capitol Hill"), "{health}");
    let greenbits = within(
        session
            .element("[data-testid='health-greenbits']")
            .await?
            .text(),
    )
    .await?;
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

/// Settings → Retail Stores → Add store, in Washington.
async fn add_store(session: &Session, name: &str, number: &str) -> Result<()> {
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
