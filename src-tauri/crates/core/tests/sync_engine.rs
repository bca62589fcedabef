//! The sync engine against the sandbox over HTTP into a real SQLite file: purchases and points,
//! Greenbits people, patients and orders, matching across POS systems, progress, cancel, one run
//! per credential, history and health.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::{Arc, Mutex};

use canopy_core::base::pos_kind::Integration;
use canopy_core::pos::streams::Stream;
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::SyncState;
use canopy_core::sources::sync::Trigger;
use canopy_core::sources::sync::{SyncProgress, SyncSummary};
use canopy_core::stores::StoreInput;
use canopy_core::ErrorCode;
use support::{memory_world, World};

async fn posabit_world(customers: u64, sales: u64) -> World {
    let world = memory_world(17, customers, sales).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    world
}

async fn sync(world: &World, integration: Integration) -> Vec<SyncSummary> {
    world
        .console
        .sync(integration, None, Trigger::Manual, None)
        .await
        .expect("the sync runs")
}

#[tokio::test]
async fn sales_become_purchases_and_members_earn_points_once_employees_never() {
    let world = posabit_world(400, 1_000).await;
    let first = sync(&world, Integration::Posabit).await;
    assert!(first.iter().all(|s| s.error.is_none()), "{first:?}");
    let sales = &first[1];
    assert_eq!((sales.stream, sales.new), (Some(Stream::Sales), 1_000));
    assert_eq!(world.count("SELECT count(*) FROM purchases"), 1_000);
    // Walk-ins have no shopper; every other sale is on the persona of its customer.
    assert_eq!(
        world.count("SELECT count(*) FROM purchases WHERE persona_id IS NULL AND customer_pos_id IS NOT NULL"),
        0
    );
    assert!(world.count("SELECT count(*) FROM purchases WHERE customer_pos_id IS NULL") > 0);
    // Earned points: one entry per member sale, total / 100 at 1 point per dollar, no employees.
    assert!(world.count("SELECT count(*) FROM points_ledger WHERE kind = 'earn'") > 0);
    assert_eq!(
        world.count(
            "SELECT count(*) FROM points_ledger l JOIN purchases p ON p.pos_id = l.transaction_id
             JOIN source_records s ON s.pos_id = p.customer_pos_id AND s.credential_id = p.credential_id
             JOIN personas per ON per.id = l.persona_id
             WHERE l.kind = 'earn' AND (s.employee = 1 OR per.loyalty_member = 0 OR l.points <> p.total_cents / 100)"
        ),
        0
    );
    // A voided sale's earning is given back, whenever it was voided: it counts for nothing.
    assert_eq!(
        world.count(
            "SELECT count(*) FROM purchases p JOIN points_ledger e ON e.transaction_id = p.pos_id AND e.kind = 'earn'
             WHERE p.voided = 1 AND NOT EXISTS (SELECT 1 FROM points_ledger a WHERE a.transaction_id = p.pos_id
                                                AND a.source = e.source AND a.kind = 'adjust' AND a.points = -e.points)"
        ),
        0
    );
    assert!(
        world.count(
            "SELECT count(*) FROM purchases p JOIN source_records s ON s.pos_id = p.customer_pos_id
             JOIN personas per ON per.id = p.persona_id
             WHERE s.employee = 1 AND per.loyalty_member = 1"
        ) > 0,
        "the data has member employees who bought something"
    );
    assert_eq!(
        world.count(
            "SELECT count(*) FROM personas p WHERE points_balance <>
             (SELECT coalesce(sum(points), 0) FROM points_ledger l WHERE l.persona_id = p.id)"
        ),
        0,
        "each balance is the sum of its ledger"
    );
    assert_eq!(world.count("SELECT count(*) FROM pos_coupons"), 6);

    let before = fingerprint(&world.db).expect("fingerprint");
    let again = sync(&world, Integration::Posabit).await;
    assert!(
        again.iter().all(|s| s.new == 0 && s.changed == 0),
        "{again:?}"
    );
    assert_eq!(fingerprint(&world.db).expect("fingerprint"), before);
}

#[tokio::test]
async fn a_sale_voided_after_it_earned_is_reversed_once() {
    let world = posabit_world(50, 200).await;
    sync(&world, Integration::Posabit).await;
    let (ticket, persona, points): (String, i64, i64) = world
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT transaction_id, persona_id, points FROM points_ledger WHERE kind = 'earn' ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .expect("an earned sale");
    let balance = |w: &World| {
        w.count(&format!(
            "SELECT points_balance FROM personas WHERE id = {persona}"
        ))
    };
    let before = balance(&world);
    let venue = world.sandbox.config().venues[0].id;
    let (status, _) = world
        .admin(
            reqwest::Method::PUT,
            &format!("/tickets/{venue}/{ticket}"),
            Some(serde_json::json!({"voided": true})),
        )
        .await;
    assert_eq!(status, 200);
    let run = sync(&world, Integration::Posabit).await;
    assert_eq!(run[1].changed, 1);
    assert_eq!(balance(&world), before - points);
    sync(&world, Integration::Posabit).await;
    assert_eq!(balance(&world), before - points, "reversed once only");
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM points_ledger WHERE transaction_id = '{ticket}'"
        )),
        2
    );
}

#[tokio::test]
async fn greenbits_people_patients_and_orders_merge_with_posabit_shoppers_and_unmapped_locations_are_flagged(
) {
    let world = posabit_world(200, 300).await;
    sync(&world, Integration::Posabit).await;
    let locations = world.add_and_connect_greenbits(None, true).await;

    let run = sync(&world, Integration::Greenbits).await;
    assert!(run.iter().all(|s| s.error.is_none()), "{run:?}");
    let streams: Vec<&str> = run
        .iter()
        .filter_map(|s| s.stream)
        .map(Stream::as_str)
        .collect();
    assert_eq!(
        streams.iter().filter(|s| **s == "customers").count(),
        locations.len()
    );
    assert!(streams.contains(&"patients") && streams.contains(&"sales"));
    assert!(world.count("SELECT count(*) FROM source_records WHERE integration = 'greenbits' AND payload LIKE '%\"patient\":true%'") > 0);
    assert!(world.count("SELECT count(*) FROM purchases WHERE integration = 'greenbits' AND persona_id IS NOT NULL") > 0);
    // Every fifth Greenbits customer is a POSaBIT shopper: merged on phone or e-mail, with the reason.
    let cross = world.count(
        "SELECT count(DISTINCT g.persona_id) FROM source_records g JOIN source_records p
           ON p.persona_id = g.persona_id AND p.integration = 'posabit'
         WHERE g.integration = 'greenbits' AND g.match_reason IN ('phone', 'email')",
    );
    assert!(cross >= 20, "{cross} personas sourced from both");

    // Data from unmapped locations raised a notification per location; mapping one clears it.
    let unmapped = world.console.notifications().await.expect("notifications");
    let flagged: Vec<_> = unmapped
        .iter()
        .filter(|n| {
            n.kind == canopy_core::integrations::notifications::NotificationKind::UnmappedStore
        })
        .collect();
    assert_eq!(
        flagged.len(),
        1 + locations.len(),
        "the POSaBIT store and each location"
    );
    let store = world
        .console
        .create_store(StoreInput {
            name: "Evergreen Downtown".into(),
            store_number: "7".into(),
            state: "WA".into(),
            timezone: "America/Los_Angeles".into(),
            address: None,
            license: None,
        })
        .await
        .expect("store");
    let key = world
        .console
        .mappable_keys()
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.integration == Integration::Greenbits)
        .expect("a location key");
    world
        .console
        .save_mapping(store.id, Integration::Greenbits, Some(key.key_id.clone()))
        .await
        .expect("mapped");
    let left = world.console.notifications().await.expect("notifications");
    assert!(!left.iter().any(|n| n.subject == key.key_id));
    // The mapping gives the location's shoppers a favorite store.
    assert!(
        world.count(&format!(
            "SELECT count(*) FROM personas WHERE favorite_store_id = {}",
            store.id
        )) > 0
    );

    // A second scan finds nothing new: changes are found by comparing with what is stored.
    let again = sync(&world, Integration::Greenbits).await;
    assert!(
        again
            .iter()
            .all(|s| s.new == 0 && s.changed == 0 && s.error.is_none()),
        "{again:?}"
    );
}

#[tokio::test]
async fn progress_is_streamed_as_pages_are_saved_and_a_cancel_stops_at_a_page_boundary() {
    let world = posabit_world(8_000, 500).await;
    let reports: Arc<Mutex<Vec<SyncProgress>>> = Arc::default();
    let (sink_reports, console) = (reports.clone(), world.console.clone());
    let cancelling = console.clone();
    let sink: canopy_core::sources::sync::ProgressSink = Arc::new(move |p: SyncProgress| {
        let first_page = p.state == SyncState::Running && p.done == 500;
        sink_reports.lock().expect("reports").push(p);
        if first_page {
            let cancelling = cancelling.clone();
            tokio::spawn(async move { cancelling.cancel_sync(Some(Integration::Posabit)).await });
        }
    });
    let run = console
        .sync(Integration::Posabit, None, Trigger::Manual, Some(sink))
        .await
        .expect("runs");
    assert_eq!(
        run.len(),
        1,
        "a cancel stops the credential's remaining streams"
    );
    assert_eq!(
        run[0].error.as_ref().map(|e| e.code),
        Some(ErrorCode::Cancelled)
    );
    assert!(
        run[0].pages < 16,
        "stopped before the end: {} pages",
        run[0].pages
    );
    let reports = reports.lock().expect("reports").clone();
    assert_eq!(
        reports[0].total,
        Some(8_000),
        "the POS's total is passed on"
    );
    assert_eq!(reports.last().map(|r| r.state.as_str()), Some("cancelled"));
    assert!(reports.windows(2).all(|w| w[0].done <= w[1].done));

    // The next run picks up where the cancel left off and completes.
    let resumed = sync(&world, Integration::Posabit).await;
    assert!(resumed.iter().all(|s| s.error.is_none()));
    assert!(
        resumed[0].seen < 8_000,
        "the saved pages are not read again"
    );
    assert_eq!(world.count("SELECT count(*) FROM source_records"), 8_000);
    let history = world
        .console
        .sync_history(50, false)
        .await
        .expect("history");
    assert_eq!(history.len(), 4);
    assert_eq!(
        history.last().and_then(|r| r.error_code),
        Some(ErrorCode::Cancelled)
    );
    assert!(history.iter().all(|r| r.duration_ms.is_some()));
}

#[tokio::test]
async fn a_credential_syncs_once_at_a_time() {
    let world = posabit_world(3_000, 10).await;
    let (a, b) = (world.console.clone(), world.console.clone());
    let id = world
        .console
        .credentials(Integration::Posabit)
        .await
        .expect("credentials")[0]
        .id
        .clone();
    let (first, second) = tokio::join!(
        a.sync(Integration::Posabit, Some(&id), Trigger::Manual, None),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            b.sync(Integration::Posabit, Some(&id), Trigger::Manual, None)
                .await
        }
    );
    assert!(first.is_ok());
    let refused = second.expect_err("refused while running");
    assert_eq!(refused.code, ErrorCode::Conflict);
    assert!(refused.message.contains("Capitol Hill"));
}

#[tokio::test]
async fn health_answers_is_the_integration_active_per_store() {
    let world = posabit_world(120, 60).await;
    let before = world.console.sync_health().await.expect("health");
    assert!(!before[0].active);
    assert!(before[0].verdict.starts_with("Not active yet"));
    sync(&world, Integration::Posabit).await;
    let after = world.console.sync_health().await.expect("health");
    let posabit = &after[0];
    assert!(posabit.active, "{}", posabit.verdict);
    assert!(posabit.personas > 0 && posabit.personas <= 120);
    let store = &posabit.stores[0];
    assert_eq!(
        (store.label.as_str(), store.purchases),
        ("Capitol Hill", 60)
    );
    assert!(store.last_success_at.is_some() && store.current_as_of.is_some());
    assert_eq!(store.mapped_store, None);
}

#[tokio::test]
async fn loyalty_settings_set_the_points_per_dollar_and_the_day_points_start() {
    let world = posabit_world(300, 900).await;
    let start = "2025-01-01";
    world
        .console
        .save_loyalty_settings(canopy_core::config::loyalty::LoyaltySettings {
            points_per_dollar: 2,
            accrual_start: Some(start.into()),
            ..world.console.loyalty_settings().await.expect("loyalty")
        })
        .await
        .expect("saved");
    sync(&world, Integration::Posabit).await;
    assert!(world.count("SELECT count(*) FROM points_ledger") > 0);
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM points_ledger l JOIN purchases p ON p.pos_id = l.transaction_id
             WHERE l.kind = 'earn' AND (p.purchased_at < '{start}' OR l.points <> p.total_cents * 2 / 100)"
        )),
        0,
        "only sales from the start date earn, at 2 points per dollar"
    );
    assert!(
        world.count(&format!("SELECT count(*) FROM purchases WHERE purchased_at < '{start}' AND persona_id IS NOT NULL")) > 0,
        "earlier sales exist and earned nothing"
    );
}
