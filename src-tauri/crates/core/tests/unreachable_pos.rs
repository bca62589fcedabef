//! An unreachable POS — the connection refused, or no answer in time — gets a clear message, and
//! nothing is half-saved: no credential without its key, no data lost, the run in the history.

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
use canopy_core::pos::PosClients;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::keychain::{MemorySecretStore, SecretStore};
use canopy_core::{ErrorCode, Secret};
use serde_json::json;
use support::{credential, fast_retries, world, World};

/// A console on `world`'s database whose POSaBIT calls go to `url` and give up after `timeout`.
fn console_to(
    world: &World,
    url: &str,
    timeout: Duration,
    secrets: Arc<dyn SecretStore>,
) -> Console {
    let posabit = PosabitClient::new(
        url,
        Secret::new(world.sandbox.config().integrator_token.clone()),
    )
    .and_then(|c| c.with_timeout(timeout))
    .expect("client");
    let greenbits = GreenbitsClient::new(world.sandbox.greenbits_base_url()).expect("client");
    let retry = canopy_core::pos::retry::RetryPolicy {
        attempts: 2,
        ..fast_retries()
    };
    Console::new(world.db.clone(), secrets, PosClients { posabit, greenbits })
        .with_retry_policy(retry)
}

fn nothing_saved(world: &World, secrets: &MemorySecretStore) {
    assert_eq!(world.count("SELECT count(*) FROM credentials"), 0);
    assert!(secrets.is_empty(), "no key was kept");
}

#[tokio::test]
async fn a_refused_connection_says_so_and_saves_nothing() {
    let world = world(5, Arc::new(MemorySecretStore::default())).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("address")
    };
    let secrets = Arc::new(MemorySecretStore::default());
    let console = console_to(
        &world,
        &format!("http://{closed}/api"),
        Duration::from_secs(5),
        secrets.clone(),
    );
    let error = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect_err("unreachable");
    assert_eq!(error.code, ErrorCode::PosUnreachable);
    assert_eq!(error.message, "POSaBIT refused the connection.");
    assert!(error
        .hint
        .is_some_and(|h| h.contains("internet connection")));
    nothing_saved(&world, &secrets);
}

#[tokio::test]
async fn a_pos_that_does_not_answer_in_time_is_reported_and_the_data_kept() {
    let world = world(40, Arc::new(MemorySecretStore::default())).await;
    let secrets = Arc::new(MemorySecretStore::default());
    let console = console_to(
        &world,
        &world.sandbox.posabit_base_url(),
        Duration::from_millis(300),
        secrets.clone(),
    );

    world
        .fault(json!({"fault": {"type": "slow", "delay_ms": 1500}, "endpoint": "/api/v3/info", "trigger": {"nth": 1}}))
        .await;
    let error = console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect_err("timed out");
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::PosUnreachable, "POSaBIT did not answer in time.")
    );
    nothing_saved(&world, &secrets);

    console
        .add_posabit_credential(credential("Capitol Hill", &world.venue_key(0)))
        .await
        .expect("added once POSaBIT answers");
    support::connect(&console, Integration::Posabit).await;
    console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    let personas = world.count("SELECT count(*) FROM personas");

    world
        .fault(json!({"fault": {"type": "slow", "delay_ms": 1500}, "endpoint": "/api/v3/venue/customers"}))
        .await;
    let run = console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("the run is recorded");
    let stopped = run[0].error.clone().expect("stopped");
    assert_eq!(
        (stopped.code, stopped.message.as_str()),
        (ErrorCode::PosUnreachable, "POSaBIT did not answer in time.")
    );
    assert_eq!(run[0].retries, 1, "tried again once before giving up");
    assert_eq!(
        world.count("SELECT count(*) FROM personas"),
        personas,
        "nothing lost"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM sync_runs WHERE error_code = 'pos_unreachable' AND stream = 'customers'"),
        1
    );
}
