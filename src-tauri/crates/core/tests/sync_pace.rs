//! The pace follows the POS: against the sandbox's real rate limit (`rate_limit_above`: 429 with
//! `Retry-After` past a number of requests a second), a POSaBIT sync that starts faster than the
//! limit slows down after the first refusals, quickens again while answers are clean, loses no
//! record and is refused only a few times; the ceiling the user sets per POS is kept. A POS whose
//! answers say what is left of its window (`RateLimit-Remaining`, `RateLimit-Reset`) is never
//! refused at all.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use canopy_core::base::pos_kind::Integration;
use canopy_core::console::Console;
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::pos::retry::RetryPolicy;
use canopy_core::pos::PosClients;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::MemorySecretStore;
use canopy_core::Secret;
use reqwest::Method;
use serde_json::json;

use support::{fast_retries, memory_world, World};

/// A console that paces like the real one, starting at 10 requests a second.
fn paced_console(world: &World) -> Console {
    Console::new(
        world.db.clone(),
        Arc::new(MemorySecretStore::default()),
        PosClients {
            posabit: PosabitClient::new(
                world.sandbox.posabit_base_url(),
                Secret::new(world.sandbox.config().integrator_token.clone()),
            )
            .expect("client"),
            greenbits: GreenbitsClient::new(world.sandbox.greenbits_base_url()).expect("client"),
        },
    )
    .with_retry_policy(RetryPolicy {
        min_request_gap: Duration::from_millis(100),
        fastest_request_gap: Duration::from_millis(100),
        ..fast_retries()
    })
}

/// Syncs POSaBIT on `console` against a POS that answers four requests a second per credential
/// (`headers`: and says what is left of each second), checks nothing was lost, and returns how
/// many requests were refused out of how many.
async fn sync_under_the_limit(world: &World, console: &Console, headers: bool) -> (usize, usize) {
    world
        .fault(json!({"fault": {"type": "rate_limit_above", "per_second": 4, "headers": headers}}))
        .await;
    world.admin(Method::DELETE, "/requests", None).await;
    let summaries = console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    assert_eq!(
        world.count("SELECT count(*) FROM source_records WHERE integration = 'posabit'"),
        5_000
    );
    assert_eq!(
        world.count("SELECT count(*) FROM purchases WHERE integration = 'posabit'"),
        15_000
    );
    let (_, log) = world.admin(Method::GET, "/requests", None).await;
    let requests = log["requests"].as_array().cloned().unwrap_or_default();
    let refused = requests.iter().filter(|r| r["status"] == 429).count();
    (refused, requests.len())
}

#[tokio::test]
async fn a_sync_faster_than_the_pos_allows_slows_down_and_loses_nothing() {
    let world = memory_world(11, 5_000, 15_000).await;
    let console = paced_console(&world);
    assert_eq!(
        console
            .set_pace_ceiling(Integration::Posabit, 50)
            .await
            .expect("ceiling set"),
        50
    );
    assert!(console
        .set_pace_ceiling(Integration::Posabit, 0)
        .await
        .is_err());
    world
        .add_and_connect_posabit(&console, "Capitol Hill", 0)
        .await;
    let (refused, requests) = sync_under_the_limit(&world, &console, false).await;
    // Ten a second at first is more than four: refused at least once, then slower; after that
    // only a few more refusals (each a one-second wait), never one in every few requests.
    assert!(
        refused >= 1,
        "the limit was never reached: {requests} requests"
    );
    assert!(
        refused * 10 <= requests,
        "{refused} of {requests} requests refused"
    );
}

#[tokio::test]
async fn a_pos_that_says_what_is_left_of_its_window_is_never_run_into() {
    let world = memory_world(12, 5_000, 15_000).await;
    let console = paced_console(&world);
    world
        .add_and_connect_posabit(&console, "Capitol Hill", 0)
        .await;
    let (refused, requests) = sync_under_the_limit(&world, &console, true).await;
    // Ten a second would pass the four allowed; the answers' `RateLimit-Remaining: 0` holds each
    // next request until the window's reset instead.
    assert_eq!(refused, 0, "{refused} of {requests} requests refused");
}
