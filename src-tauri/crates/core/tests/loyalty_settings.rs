//! The date settings, points import, mirrored points and points expiry, each against a real
//! sandbox and a real SQLite file: what a sync does before and after the setting.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::config::integration_settings::{IntegrationSettings, Setting};
use canopy_core::config::loyalty::{Expiration, LoyaltySettings};
use canopy_core::integrations::setting_changes::SettingChange;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::audit_log::AuditArea;
use canopy_core::Error;
use chrono::{Duration, Utc};
use support::{memory_world, World};

async fn set(
    world: &World,
    integration: Integration,
    setting: Setting,
    date: Option<&str>,
    acknowledged: bool,
) -> Result<IntegrationSettings, Error> {
    world
        .console
        .change_setting(
            integration,
            SettingChange {
                setting,
                on: date.is_some(),
                date: date.map(str::to_string),
                warning_acknowledged: acknowledged,
            },
        )
        .await
}

async fn loyalty(world: &World, change: impl FnOnce(&mut LoyaltySettings)) {
    let mut settings = world.console.loyalty_settings().await.expect("read");
    change(&mut settings);
    world
        .console
        .save_loyalty_settings(settings)
        .await
        .expect("saved");
}

/// The day of the median purchase: about half the sales are on or after it.
fn median_purchase_day(world: &World) -> String {
    world.text(
        "SELECT substr(purchased_at, 1, 10) FROM purchases ORDER BY purchased_at
         LIMIT 1 OFFSET (SELECT count(*) / 2 FROM purchases)",
    )
}

#[tokio::test]
async fn enrolling_by_date_makes_buyers_since_then_members_who_earn_from_that_date() {
    let world = World::synced_posabit(41, 300, 900, "America/New_York").await;
    let date = median_purchase_day(&world);
    let reached = format!(
        "SELECT count(DISTINCT pe.id) FROM personas pe JOIN purchases p ON p.persona_id = pe.id
         WHERE pe.loyalty_member = 0 AND p.voided = 0 AND p.purchased_at >= '{date}'"
    );
    let expected = world.count(&reached);
    assert!(
        expected > 10,
        "the data has non-members buying after {date}"
    );
    let non_member_points =
        "SELECT count(*) FROM points_ledger l JOIN personas p ON p.id = l.persona_id WHERE p.loyalty_member = 0";
    assert_eq!(
        world.count(non_member_points),
        0,
        "non-members earn nothing"
    );

    let dry = world
        .console
        .dry_run(Integration::Posabit, Setting::EnrollAfter, date.clone())
        .await
        .expect("dry run");
    assert_eq!(dry.total, expected);
    assert_eq!(dry.stores.len(), 1);
    assert_eq!(
        (dry.stores[0].store.as_str(), dry.stores[0].personas),
        ("Capitol Hill", expected)
    );
    let members_before = world.count("SELECT count(*) FROM personas WHERE loyalty_member = 1");
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE member_via IS NOT NULL"),
        0,
        "the dry run changes nothing"
    );

    set(
        &world,
        Integration::Posabit,
        Setting::EnrollAfter,
        Some(&date),
        false,
    )
    .await
    .expect("saved");
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE loyalty_member = 1"),
        members_before + expected
    );
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE member_via = 'enrollment:posabit'"),
        expected
    );
    let enrolled_earnings = format!(
        "SELECT count(*) FROM points_ledger l JOIN purchases p ON p.pos_id = l.transaction_id
         JOIN personas pe ON pe.id = l.persona_id
         WHERE pe.member_via = 'enrollment:posabit' AND l.kind = 'earn' AND p.purchased_at {{}} '{date}'"
    );
    assert_eq!(
        world.count(&enrolled_earnings.replace("{}", "<")),
        0,
        "sales before the date earn nothing"
    );
    let earning_sales = format!(
        "SELECT count(*) FROM purchases p JOIN personas pe ON pe.id = p.persona_id
         JOIN source_records s ON s.pos_id = p.customer_pos_id AND s.credential_id = p.credential_id
         WHERE pe.member_via = 'enrollment:posabit' AND p.voided = 0 AND p.purchased_at >= '{date}'
           AND s.employee = 0 AND p.total_cents >= 100"
    );
    assert_eq!(
        world.count(&enrolled_earnings.replace("{}", ">=")),
        world.count(&earning_sales),
        "every sale on or after the date earned"
    );
    let ledger = world.count("SELECT count(*) FROM points_ledger");
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count("SELECT count(*) FROM points_ledger"),
        ledger,
        "once only"
    );

    // A new sale of a non-member arrives after the setting: it earns and its shopper joins.
    let shopper = world.text(
        "SELECT s.pos_id FROM source_records s JOIN personas p ON p.id = s.persona_id
         WHERE p.loyalty_member = 0 AND s.employee = 0 ORDER BY s.id LIMIT 1",
    );
    let venue = world.sandbox.config().venues[0].id;
    let now = Utc::now().to_rfc3339();
    let (status, _) = world
        .admin(
            reqwest::Method::POST,
            &format!("/tickets/{venue}"),
            Some(serde_json::json!({
                "customer_id": shopper.parse::<u64>().expect("id"), "subtotal": 5000, "total": 5000,
                "discounts": [], "line_items": [], "closed_at": now, "updated_at": now, "voided": false
            })),
        )
        .await;
    assert_eq!(status, 201);
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count(&format!(
            "SELECT p.loyalty_member FROM personas p JOIN source_records s ON s.persona_id = p.id WHERE s.pos_id = '{shopper}'"
        )),
        1
    );
    assert_eq!(
        world.count("SELECT count(*) FROM points_ledger"),
        ledger + 1
    );
}

#[tokio::test]
async fn a_date_setting_needs_a_valid_date_and_the_audit_log_keeps_old_and_new_dates() {
    let world = World::synced_posabit(43, 50, 50, "America/New_York").await;
    for bad in [None, Some("11/30/2026")] {
        let error = world
            .console
            .change_setting(
                Integration::Posabit,
                SettingChange {
                    setting: Setting::EnrollAfter,
                    on: true,
                    date: bad.map(str::to_string),
                    warning_acknowledged: false,
                },
            )
            .await
            .expect_err("refused");
        assert!(error.message.contains("date"), "{bad:?}: {}", error.message);
    }
    set(
        &world,
        Integration::Posabit,
        Setting::EnrollAfter,
        Some("2026-01-01"),
        false,
    )
    .await
    .expect("saved");
    set(
        &world,
        Integration::Posabit,
        Setting::EnrollAfter,
        Some("2026-02-01"),
        false,
    )
    .await
    .expect("moved");
    let log = world
        .console
        .audit_log(Some(Integration::Posabit), Some(AuditArea::CardSetting))
        .await
        .expect("log");
    let changes: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.old_value.as_str(), e.new_value.as_str()))
        .collect();
    assert_eq!(
        changes,
        [("2026-01-01", "2026-02-01"), ("off", "2026-01-01")]
    );
}

#[tokio::test]
async fn points_imported_on_a_past_date_import_once_and_never_again() {
    let world = World::synced_posabit(47, 200, 100, "America/New_York").await;
    let pos_total =
        world.count("SELECT coalesce(sum(pos_points), 0) FROM source_records WHERE employee = 0");
    assert!(pos_total > 0, "the POS holds balances");
    assert_eq!(
        world.count("SELECT count(*) FROM points_ledger WHERE kind = 'import'"),
        0
    );
    let yesterday = (Utc::now() - Duration::days(1)).date_naive().to_string();
    set(
        &world,
        Integration::Posabit,
        Setting::PointsImportedOn,
        Some(&yesterday),
        false,
    )
    .await
    .expect("saved");
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE kind = 'import'"),
        pos_total
    );
    let settings = world
        .console
        .settings(Integration::Posabit)
        .await
        .expect("read");
    assert!(
        settings.points_import_done_at.is_some(),
        "the import closed"
    );

    // The POS balance moves afterwards: it is never imported again, and the date cannot change.
    let record = world.text("SELECT pos_id FROM source_records WHERE employee = 0 AND pos_points IS NOT NULL ORDER BY id LIMIT 1",
    );
    let venue = world.sandbox.config().venues[0].id;
    let (status, _) = world
        .admin(
            reqwest::Method::PUT,
            &format!("/customers/{venue}/{record}"),
            Some(serde_json::json!({ "loyalty_points": 99_999 })),
        )
        .await;
    assert_eq!(status, 200);
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE kind = 'import'"),
        pos_total
    );
    let refused = set(
        &world,
        Integration::Posabit,
        Setting::PointsImportedOn,
        Some("2026-12-31"),
        false,
    )
    .await
    .expect_err("one-time");
    assert!(
        refused.message.contains("one-time import"),
        "{}",
        refused.message
    );
}

#[tokio::test]
async fn points_imported_on_a_future_date_follow_the_pos_until_then() {
    let world = World::synced_posabit(53, 150, 50, "America/New_York").await;
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
    set(
        &world,
        Integration::Posabit,
        Setting::PointsImportedOn,
        Some(&tomorrow),
        false,
    )
    .await
    .expect("saved");
    world.sync_ok(Integration::Posabit).await;
    let imported =
        world.count("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE kind = 'import'");
    let record = world.text("SELECT pos_id FROM source_records WHERE employee = 0 AND pos_points IS NOT NULL ORDER BY id LIMIT 1",
    );
    let before = world.count(&format!(
        "SELECT pos_points FROM source_records WHERE pos_id = '{record}'"
    ));
    let venue = world.sandbox.config().venues[0].id;
    world
        .admin(
            reqwest::Method::PUT,
            &format!("/customers/{venue}/{record}"),
            Some(serde_json::json!({ "loyalty_points": before + 25 })),
        )
        .await;
    world.sync_ok(Integration::Posabit).await;
    assert_eq!(
        world.count("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE kind = 'import'"),
        imported + 25,
        "the difference is imported as a new entry"
    );
    assert!(world
        .console
        .settings(Integration::Posabit)
        .await
        .expect("read")
        .points_import_done_at
        .is_none());
}

/// A Greenbits world (one location, mapped) synced once.
async fn synced_greenbits(seed: u64) -> World {
    let world = memory_world(seed, 150, 300).await;
    world.add_and_connect_greenbits(Some(1), false).await;
    world
        .map_to_new_store(Integration::Greenbits, "America/Los_Angeles")
        .await;
    world.sync_ok(Integration::Greenbits).await;
    world
}

/// Personas whose balance differs from the sum of their Greenbits POS balances.
const OFF_MIRROR: &str = "SELECT count(*) FROM personas p WHERE p.id IN (SELECT persona_id FROM source_records WHERE pos_points IS NOT NULL)
     AND p.points_balance != (SELECT sum(pos_points) FROM source_records s WHERE s.persona_id = p.id AND s.pos_points IS NOT NULL)";

#[tokio::test]
async fn mirrored_points_follow_the_pos_balance_and_are_refused_under_fifo() {
    let world = synced_greenbits(59).await;
    assert!(
        world.count(OFF_MIRROR) > 0,
        "local earning differs from the POS"
    );

    loyalty(&world, |l| l.expiration = Expiration::Fifo).await;
    let refused = set(
        &world,
        Integration::Greenbits,
        Setting::MirrorPoints,
        Some("on"),
        true,
    )
    .await;
    // (MirrorPoints is not a date setting: `Some` only means "on" here.)
    let refused = refused.expect_err("FIFO refuses mirroring");
    assert!(
        refused
            .message
            .contains("not supported by First In, First Out"),
        "{}",
        refused.message
    );
    loyalty(&world, |l| l.expiration = Expiration::Legacy).await;
    let unacknowledged = set(
        &world,
        Integration::Greenbits,
        Setting::MirrorPoints,
        Some("on"),
        false,
    )
    .await;
    assert!(
        unacknowledged.is_err(),
        "mirroring needs its warning acknowledged"
    );
    set(
        &world,
        Integration::Greenbits,
        Setting::MirrorPoints,
        Some("on"),
        true,
    )
    .await
    .expect("on");

    world.sync_ok(Integration::Greenbits).await;
    assert_eq!(world.count(OFF_MIRROR), 0, "every balance equals the POS's");
    assert!(world.count("SELECT count(*) FROM points_ledger WHERE kind = 'mirror'") > 0);
    let earned = world.count("SELECT count(*) FROM points_ledger WHERE kind = 'earn'");

    // The POS changes one balance: the next sync writes the difference.
    let (company, person) = {
        let key = world.text("SELECT store_key FROM source_records LIMIT 1");
        let company = key.rsplit(':').next().expect("location").to_string();
        let person = world.text(
            "SELECT pos_id FROM source_records WHERE pos_points IS NOT NULL ORDER BY id LIMIT 1",
        );
        (company, person)
    };
    world
        .admin(
            reqwest::Method::PUT,
            &format!("/people/{company}/{person}"),
            Some(serde_json::json!({ "loyalty_points": 1234 })),
        )
        .await;
    world.sync_ok(Integration::Greenbits).await;
    assert_eq!(world.count(OFF_MIRROR), 0);
    assert_eq!(
        world.count(&format!(
            "SELECT p.points_balance FROM personas p JOIN source_records s ON s.persona_id = p.id WHERE s.pos_id = '{person}'"
        )),
        1234
    );
    assert_eq!(
        world.count("SELECT count(*) FROM points_ledger WHERE kind = 'earn'"),
        earned,
        "mirrored sales earn nothing locally"
    );

    // Frozen: no sync, the last mirrored balance stays.
    set(
        &world,
        Integration::Greenbits,
        Setting::UseLastBackup,
        Some("on"),
        true,
    )
    .await
    .expect("frozen");
    world
        .admin(
            reqwest::Method::PUT,
            &format!("/people/{company}/{person}"),
            Some(serde_json::json!({ "loyalty_points": 5 })),
        )
        .await;
    assert!(world
        .console
        .sync(Integration::Greenbits, None, Trigger::Manual, None)
        .await
        .is_err());
    assert_eq!(
        world.count(&format!(
            "SELECT p.points_balance FROM personas p JOIN source_records s ON s.persona_id = p.id WHERE s.pos_id = '{person}'"
        )),
        1234
    );
    let fifo = world
        .console
        .save_loyalty_settings(LoyaltySettings {
            expiration: Expiration::Fifo,
            ..world.console.loyalty_settings().await.expect("read")
        })
        .await
        .expect_err("FIFO refused while mirroring");
    assert!(fifo.message.contains("FIFO"));
}

#[tokio::test]
async fn legacy_expiry_takes_whole_idle_balances_once() {
    let world = World::synced_posabit(61, 200, 600, "America/New_York").await;
    let holders = world.count("SELECT count(*) FROM personas WHERE points_balance > 0");
    let total = world.count("SELECT sum(points_balance) FROM personas WHERE points_balance > 0");
    assert!(holders > 0);
    loyalty(&world, |l| {
        l.expiration = Expiration::Legacy;
        l.expiration_days = 30;
    })
    .await;
    let last_sale = world.text("SELECT max(last_purchase_at) FROM personas");
    let before_anyone_idles = chrono::DateTime::parse_from_rfc3339(&last_sale)
        .expect("stamp")
        .with_timezone(&Utc);
    let run = world
        .console
        .expire_points(before_anyone_idles)
        .await
        .expect("runs");
    assert!(run.personas < holders, "recent buyers keep their points");
    let far = Utc::now() + Duration::days(10_000);
    let run = world.console.expire_points(far).await.expect("runs");
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE points_balance > 0"),
        0
    );
    assert_eq!(
        world.count("SELECT -sum(points) FROM points_ledger WHERE kind = 'expire'"),
        total
    );
    assert!(run.points > 0);
    let again = world.console.expire_points(far).await.expect("runs");
    assert_eq!((again.personas, again.points), (0, 0), "expired once");
}

#[tokio::test]
async fn legacy_expiry_waits_for_the_personas_a_running_sync_touched() {
    let world = World::synced_posabit(62, 100, 300, "America/New_York").await;
    loyalty(&world, |l| {
        l.expiration = Expiration::Legacy;
        l.expiration_days = 30;
    })
    .await;
    // A sync's page touched this holder; its last purchase is settled only when the sync ends.
    let touched = world.count("SELECT min(id) FROM personas WHERE points_balance > 0");
    world
        .db
        .write(|tx| {
            canopy_core::personas::pending::mark(tx, &[touched])?;
            Ok(())
        })
        .expect("marked");
    let far = Utc::now() + Duration::days(10_000);
    world.console.expire_points(far).await.expect("runs");
    let left = format!("SELECT points_balance FROM personas WHERE id = {touched}");
    assert!(world.count(&left) > 0, "not expired while unsettled");
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE points_balance > 0"),
        1
    );
    world
        .db
        .write(|tx| canopy_core::personas::pending::settle(tx, Utc::now()))
        .expect("settled");
    world.console.expire_points(far).await.expect("runs");
    assert_eq!(world.count(&left), 0, "expired once settled");
}

#[tokio::test]
async fn fifo_expiry_stamps_each_lot_and_expires_the_oldest_points_first() {
    let world = World::synced_posabit(67, 200, 600, "America/New_York").await;
    loyalty(&world, |l| {
        l.expiration = Expiration::Fifo;
        l.expiration_days = 90;
    })
    .await;
    let first_sale = world.text("SELECT min(purchased_at) FROM purchases");
    let early = chrono::DateTime::parse_from_rfc3339(&first_sale)
        .expect("stamp")
        .with_timezone(&Utc);
    let run = world.console.expire_points(early).await.expect("runs");
    assert_eq!(
        (run.personas, run.points),
        (0, 0),
        "nothing is 90 days old yet"
    );
    assert_eq!(
        world
            .count("SELECT count(*) FROM points_ledger WHERE kind = 'earn' AND expires_at IS NULL"),
        0,
        "every earn entry carries its expiry"
    );
    assert_eq!(
        world.count(
            "SELECT count(*) FROM points_ledger l JOIN purchases p ON p.pos_id = l.transaction_id
             WHERE l.kind = 'earn' AND julianday(l.expires_at) - julianday(p.purchased_at) NOT BETWEEN 89.999 AND 90.001"
        ),
        0,
        "each expires 90 days after its purchase"
    );
    // Half-way through the sales: exactly the lots past their day lose what is left of them.
    let middle = world.text(
        "SELECT expires_at FROM points_ledger WHERE kind = 'earn' ORDER BY expires_at
         LIMIT 1 OFFSET (SELECT count(*) / 2 FROM points_ledger WHERE kind = 'earn')",
    );
    let middle = chrono::DateTime::parse_from_rfc3339(&middle)
        .expect("stamp")
        .with_timezone(&Utc);
    world.console.expire_points(middle).await.expect("runs");
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM points_ledger e JOIN points_ledger lot ON e.transaction_id = 'fifo:' || lot.id
             WHERE e.kind = 'expire' AND lot.expires_at > '{}'",
            middle.format("%Y-%m-%dT%H:%M:%S%.3fZ")
        )),
        0,
        "no lot expires before its day"
    );
    assert!(world.count("SELECT count(*) FROM points_ledger WHERE kind = 'expire'") > 0);
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE points_balance < 0"),
        0,
        "never more than the balance"
    );
    world
        .console
        .expire_points(Utc::now() + Duration::days(10_000))
        .await
        .expect("runs");
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE points_balance != 0"),
        0
    );
}
