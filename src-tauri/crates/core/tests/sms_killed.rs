//! The SMS job killed (SIGKILL) at random points, with a gateway that sometimes accepts a text and
//! then never answers: over every restart, each phone gets at most one request from the setting,
//! each stop at most one confirmation, and no confirmation leaves after its five minutes. Real
//! process death, a real SQLite file, the sandbox's gateway over real HTTP.
//!
//! The test runs itself as the parent, and (with `CANOPY_SMS_CHILD` set) as the child that runs
//! the job until it is killed.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::collections::HashMap;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use canopy_core::base::clock::{Clock, FixedClock};
use canopy_core::consent::sms::opt_in;
use canopy_core::consent::sms::HttpSmsGateway;
use canopy_core::storage::db::Database;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use support::World;

const CHILD: &str = "CANOPY_SMS_CHILD";
const GATEWAY: &str = "CANOPY_SMS_GATEWAY";
const CLOCK: &str = "CANOPY_SMS_CLOCK";

/// Noon in New York, where the store is (a Monday).
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap()
}

/// A clock that starts at an instant and moves with real time.
struct RunningClock {
    base: DateTime<Utc>,
    started: Instant,
}

impl Clock for RunningClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + chrono::Duration::from_std(self.started.elapsed()).expect("elapsed")
    }
}

/// The child: the SMS job on the parent's database, over and over, until it is killed.
async fn child(db: &str, gateway: &str, base: &str) -> ! {
    let db = Database::open(db).expect("db");
    let gateway = HttpSmsGateway::new(gateway)
        .and_then(|g| g.with_timeout(Duration::from_millis(300)))
        .expect("gateway");
    let clock = RunningClock {
        base: DateTime::parse_from_rfc3339(base)
            .expect("clock")
            .with_timezone(&Utc),
        started: Instant::now(),
    };
    loop {
        let _ = opt_in::run(&db, &gateway, &clock).await;
    }
}

fn spawn(world: &World, base: DateTime<Utc>) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "the_sms_job_killed_anywhere_sends_each_text_at_most_once",
            "--nocapture",
        ])
        .env(CHILD, world.db.path())
        .env(GATEWAY, world.sandbox.sms_base_url())
        .env(CLOCK, base.to_rfc3339())
        .spawn()
        .expect("child starts")
}

async fn texts(world: &World) -> Vec<Value> {
    let (_, answer) = world
        .admin(reqwest::Method::GET, "/sms/messages", None)
        .await;
    answer["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sms_job_killed_anywhere_sends_each_text_at_most_once() {
    if let (Some(db), Some(gateway), Some(base)) = (
        std::env::var_os(CHILD),
        std::env::var_os(GATEWAY),
        std::env::var_os(CLOCK),
    ) {
        child(
            &db.to_string_lossy(),
            &gateway.to_string_lossy(),
            &base.to_string_lossy(),
        )
        .await;
    }
    let world = World::synced_posabit(41, 150, 300, "America/New_York").await;
    world.sms_opt_ins_on().await;
    // Twelve shoppers the setting reaches say stop two minutes before noon; the rest get requests.
    let stoppers: Vec<String> = world
        .db
        .read(|c| {
            let mut s = c.prepare(
                "SELECT DISTINCT pe.phone_e164 FROM personas pe JOIN purchases p ON p.persona_id = pe.id
                 WHERE pe.phone_e164 IS NOT NULL AND pe.sms_consent = 'none' ORDER BY pe.phone_e164 LIMIT 12",
            )?;
            let rows = s.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .expect("phones");
    for phone in &stoppers {
        world
            .admin(
                reqwest::Method::POST,
                "/sms/replies",
                Some(json!({ "from": phone, "body": "STOP", "received_at": (noon() - chrono::Duration::minutes(2)).to_rfc3339() })),
            )
            .await;
    }
    // Kill the job at points spread over its work: after 0 to 3 more texts reach the gateway,
    // some of them accepted and never answered (or when five seconds pass).
    let mut seen = texts(&world).await.len();
    for round in 0..10usize {
        world
            .admin(
                reqwest::Method::POST,
                "/sms/hang",
                Some(json!({ "texts": round % 3 })),
            )
            .await;
        let mut job = spawn(
            &world,
            noon() + chrono::Duration::seconds(round as i64 * 20),
        );
        let target = seen + round % 4;
        let deadline = Instant::now() + Duration::from_secs(5);
        while texts(&world).await.len() < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        job.kill().expect("SIGKILL");
        job.wait().expect("reaped");
        seen = texts(&world).await.len();
    }
    assert!(seen >= 10, "the killed jobs handed over {seen} texts");
    // Then the job runs to the end, the last time well after the stops' five minutes.
    let gateway = HttpSmsGateway::new(world.sandbox.sms_base_url()).expect("gateway");
    opt_in::run(
        &world.db,
        &gateway,
        &FixedClock(noon() + chrono::Duration::minutes(4)),
    )
    .await
    .expect("finishes");
    opt_in::run(
        &world.db,
        &gateway,
        &FixedClock(noon() + chrono::Duration::minutes(30)),
    )
    .await
    .expect("finishes");

    let sent = texts(&world).await;
    let mut requests: HashMap<String, u32> = HashMap::new();
    let mut confirmations: HashMap<String, u32> = HashMap::new();
    for text in &sent {
        let (phone, body) = (
            text["phone"].as_str().unwrap_or_default().to_string(),
            text["body"].as_str().unwrap_or_default(),
        );
        if body.contains("reply YES") {
            *requests.entry(phone).or_default() += 1;
        } else if body.contains("unsubscribed") {
            *confirmations.entry(phone).or_default() += 1;
        }
    }
    assert!(requests.len() > 20, "{} phones asked", requests.len());
    assert!(
        requests.values().all(|n| *n == 1),
        "a phone asked twice: {requests:?}"
    );
    assert!(
        confirmations.values().all(|n| *n == 1),
        "a stop confirmed twice: {confirmations:?}"
    );
    assert!(confirmations.keys().all(|p| stoppers.contains(p)));
    assert_eq!(
        world.count(
            "SELECT count(*) FROM sms_messages WHERE kind = 'opt_out_confirmation' AND status = 'sent' AND sent_at > expires_at"
        ),
        0,
        "no confirmation after its five minutes"
    );
    assert_eq!(
        world.count(
            "SELECT count(*) FROM sms_messages WHERE status IN ('queued', 'sending', 'unknown')"
        ),
        0,
        "every text ended sent, expired or refused"
    );
    for phone in &stoppers {
        assert_eq!(
            world.text(&format!(
                "SELECT sms_consent FROM personas WHERE phone_e164 = '{phone}' LIMIT 1"
            )),
            "opted_out"
        );
    }
}
