//! Dark mode through the real window: under a dark GTK theme the page reports
//! `prefers-color-scheme: dark`, every main page draws on the dark palette with light text, and a
//! screenshot of each lands in the e2e output.

use anyhow::{ensure, Result};
use canopy_e2e::{within, Session};

#[tokio::test(flavor = "multi_thread")]
async fn every_main_page_follows_a_dark_os_theme() -> Result<()> {
    let session = Session::start_in_theme("Adwaita:dark").await?;
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(180), journey(&session))
        .await
        .unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "the journey took longer than three minutes"
            ))
        });
    session.stop().await?;
    outcome
}

/// The relative luminance (0 black … 1 white) of a computed, opaque `rgb(r, g, b)` colour.
fn luminance(css: &str) -> Result<f64> {
    ensure!(
        !css.starts_with("rgba(") || css.ends_with(", 1)"),
        "a see-through colour: {css}"
    );
    let channels: Vec<f64> = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|c| c.trim().parse::<f64>().map(|v| v / 255.0))
        .collect::<Result<_, _>>()?;
    ensure!(channels.len() == 3, "not a colour: {css}");
    Ok(0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2])
}

/// The computed colour `property` of the first element matching `css`.
async fn colour(session: &Session, css: &str, property: &str) -> Result<String> {
    let script = "const [css, property] = arguments; \
        return getComputedStyle(document.querySelector(css))[property];";
    let value = within(
        session
            .client
            .execute(script, vec![css.into(), property.into()]),
    )
    .await?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

async fn journey(session: &Session) -> Result<()> {
    session.choose_sandbox().await?;
    let dark = within(session.client.execute(
        "return matchMedia('(prefers-color-scheme: dark)').matches;",
        vec![],
    ))
    .await?;
    ensure!(
        dark == serde_json::Value::Bool(true),
        "the window did not see the dark theme"
    );
    for (page, shot) in [
        ("Integrations", "dark-integrations"),
        ("Personas", "dark-personas"),
        ("Loyalty", "dark-loyalty"),
        ("Sync", "dark-sync"),
        ("Settings", "dark-settings"),
    ] {
        session.click_button(page).await?;
        session.text_appears(page).await?;
        let background = luminance(&colour(session, ".main", "backgroundColor").await?).or(
            luminance(&colour(session, "body", "backgroundColor").await?),
        )?;
        let text = luminance(&colour(session, "h1", "color").await?)?;
        ensure!(
            background < 0.15 && text > 0.7,
            "{page}: background {background:.2}, text {text:.2}"
        );
        session.screenshot(shot).await?;
    }
    // The integration card's controls, bare buttons and inputs included, stay legible.
    session.open_card("posabit").await?;
    let field = luminance(&colour(session, "input[name='store_name']", "backgroundColor").await?)?;
    let typed = luminance(&colour(session, "input[name='store_name']", "color").await?)?;
    ensure!(
        field < 0.2 && typed > 0.7,
        "inputs: background {field:.2}, text {typed:.2}"
    );
    session.screenshot("dark-posabit-card").await?;
    Ok(())
}
