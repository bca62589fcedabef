//! Rewards and mirrored discounts through the real window: the manager creates a reward in
//! Loyalty → Rewards, the POSaBIT card shows it *Missing in POS* after a sync, the coupon is added
//! in the POS (the sandbox's admin API), Sync now shows it *Mirrored*, and a sale carrying it
//! deducts its points in the shopper's ledger.

#![allow(
    clippy::cognitive_complexity,
    reason = "the journey is a script of steps through the real window, read top to bottom"
)]

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use canopy_e2e::steps::{self, run_journey};
use canopy_e2e::{within, Session};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn a_reward_mirrored_in_posabit_is_redeemed_at_its_checkout() -> Result<()> {
    run_journey(Duration::from_secs(300), |session| {
        Box::pin(journey(session))
    })
    .await
}

/// The built-in sandbox's admin API, found from the POSaBIT address the app reports.
async fn admin_url(session: &Session) -> Result<String> {
    let status: Value = serde_json::from_str(&session.invoke("app_status", json!({})).await?)?;
    let posabit = status["posabit_url"].as_str().context("posabit_url")?;
    let origin: String = posabit.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    Ok(format!("{origin}/__admin"))
}

async fn post(url: &str, body: Value) -> Result<Value> {
    let response = reqwest::Client::new().post(url).json(&body).send().await?;
    ensure!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    Ok(response.json().await?)
}

async fn journey(session: &Session) -> Result<()> {
    let venue = steps::posabit_venue();
    session.choose_sandbox().await?;
    let admin = admin_url(session).await?;

    steps::connect_posabit(session).await?;

    // Loyalty → Rewards: create the reward first, as the seeds say.
    session.click_button("Loyalty").await?;
    session
        .text_appears("No rewards yet — create one, then mirror it in your POS.")
        .await?;
    session.click_button("New reward").await?;
    session.fill("name", "Spring Sale").await?;
    session.fill("points", "40").await?;
    session.fill("value", "5").await?;
    session.click_button("Save reward").await?;
    session.text_appears("Reward “Spring Sale” saved.").await?;
    session.text_appears("No connected POS").await?;
    session.screenshot("30-rewards").await?;

    // A sync reads POSaBIT's coupons: the reward is not among them.
    session.open_card("posabit").await?;
    steps::sync_now(session).await?;
    session.text_appears("0 of 1 rewards mirrored").await?;
    let card = session.text_appears("Missing in POS").await?;
    ensure!(
        card.contains("Mirror the discount in POSaBIT ensuring you use the same name"),
        "the card says what to do in the POS: {card}"
    );
    session
        .scroll_to("[data-testid='posabit-rewards-mirrored']")
        .await?;
    session.screenshot("31-posabit-reward-missing").await?;

    // The manager mirrors it in POSaBIT, then a member redeems it at the checkout.
    post(
        &format!("{admin}/coupons/{}", venue.id),
        json!({"name": "Spring Sale", "discount_type": "amount", "active": true}),
    )
    .await?;
    steps::sync_now(session).await?;
    session.text_appears("1 of 1 rewards mirrored").await?;
    session
        .scroll_to("[data-testid='posabit-rewards-mirrored']")
        .await?;
    session.screenshot("32-posabit-reward-mirrored").await?;

    let shopper = post(
        &format!("{admin}/customers/{}", venue.id),
        json!({
            "first_name": "Rita", "last_name": "Redeemer", "telephone": "2065550177",
            "email": "rita.redeemer@example.com", "date_of_birth": "1980-05-05",
            "loyalty_member": true, "marketing_opt_in": false, "marketing_opt_out": false,
            "customer_type": "recreational", "loyalty_points": 0
        }),
    )
    .await?;
    let now = chrono::Utc::now().to_rfc3339();
    post(
        &format!("{admin}/tickets/{}", venue.id),
        json!({
            "customer_id": shopper["id"], "subtotal": 10_000, "total": 9_500,
            "discounts": [{"name": "Spring Sale", "amount": 500}],
            "line_items": [{"name": "Blue Dream 3.5g", "price": 10_000, "quantity": 1}],
            "closed_at": now, "voided": false
        }),
    )
    .await?;
    steps::sync_now(session).await?;

    // The shopper's ledger: 95 earned on the sale, 40 spent on the reward.
    session.click_button("Personas").await?;
    session.open_persona("Redeemer").await?;
    let ledger = session.text_of("[data-testid='persona-ledger']").await?;
    ensure!(
        ledger.contains("Redeemed “Spring Sale”") && ledger.contains("-40"),
        "{ledger}"
    );
    ensure!(ledger.contains("+95") && ledger.contains("55"), "{ledger}");
    let redemptions = session
        .text_of("[data-testid='persona-redemptions']")
        .await?;
    ensure!(redemptions.contains("Spring Sale"), "{redemptions}");
    session
        .scroll_to("[data-testid='persona-redemptions']")
        .await?;
    session.screenshot("33-persona-redemption").await?;

    // The Rewards page counts it.
    session.close_persona().await?;
    session.click_button("Loyalty").await?;
    let row = session.text_appears("1 of 1 mirrored").await?;
    ensure!(row.contains("Spring Sale"), "{row}");
    session
        .wait_for_count("[data-testid='rewards'] tbody tr", 1)
        .await?;
    // Its Redemptions column (the last 30 days): the one sale.
    let redeemed = within(
        session
            .element("[data-testid='rewards'] tbody tr td:nth-child(6)")
            .await?
            .text(),
    )
    .await?;
    ensure!(redeemed == "1", "{redeemed}");
    session.screenshot("34-rewards-redeemed").await?;
    Ok(())
}
