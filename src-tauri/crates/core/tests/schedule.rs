//! The background schedule in the core: jobs due from their stored last runs (not from uptime), a
//! sync that fell due while Canopy was closed running right after start, and the loop itself on
//! a paused clock.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use canopy_core::base::clock::Clock;
use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::scheduler::{Job, Scheduler, TICK};
use canopy_core::console::{Console, PosClients};
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::MemorySecretStore;
use canopy_core::Secret;
use support::memory_world;

/// A clock that moves only when the test says.
struct HandClock(Mutex<DateTime<Utc>>);

impl HandClock {
    fn at(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(HandClock(Mutex::new(start)))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

impl Clock for HandClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

/// A clock that follows tokio's (paused) time from a fixed instant.
struct TokioClock {
    start: DateTime<Utc>,
    started: tokio::time::Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = Duration::from_std(self.started.elapsed()).expect("elapsed");
        self.start + elapsed
    }
}

fn start() -> DateTime<Utc> {
    "2026-11-02T09:00:00Z".parse().expect("instant")
}

fn scheduled_runs(db: &Database) -> i64 {
    db.read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM sync_runs WHERE trigger = 'schedule'",
            [],
            |r| r.get(0),
        )?)
    })
    .expect("count")
}

#[tokio::test]
async fn jobs_run_when_their_stored_last_run_is_an_interval_old_even_across_a_restart() {
    let world = memory_world(5, 30, 60).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    world.console.set_sync_interval(15).await.expect("interval");
    let clock = HandClock::at(start());
    let scheduler = Scheduler::new(world.console.clone(), clock.clone());

    // Nothing has run yet: every job is due at once.
    assert_eq!(
        scheduler.due(clock.now()).await.expect("due"),
        Job::ALL.to_vec()
    );
    let events = scheduler.tick().await;
    assert!(
        matches!(&events[..], [ConsoleEvent::SyncFinished { failed: false, trigger, .. }] if *trigger == Trigger::Schedule),
        "{events:?}"
    );
    let after_first = scheduled_runs(&world.db);
    assert!(after_first > 0, "the scheduled sync ran its streams");
    for job in Job::ALL {
        assert_eq!(
            scheduler.last_run(job).await.expect("last run"),
            Some(start()),
            "{job:?}"
        );
    }

    // Five minutes on: only the SMS job is due; the sync waits for its interval.
    clock.advance(Duration::minutes(5));
    assert_eq!(
        scheduler.due(clock.now()).await.expect("due"),
        [Job::SmsOptIns]
    );
    assert!(scheduler.tick().await.is_empty());
    assert_eq!(scheduled_runs(&world.db), after_first);

    // Canopy closes and opens 40 minutes later: the overdue sync and expiry run on the first
    // tick of the new schedule, not after another interval of uptime.
    clock.advance(Duration::minutes(35));
    let restarted = Scheduler::new(world.console.clone(), clock.clone());
    assert_eq!(
        restarted.due(clock.now()).await.expect("due"),
        [Job::Sync, Job::SmsOptIns]
    );
    assert_eq!(restarted.tick().await.len(), 1);
    assert!(scheduled_runs(&world.db) > after_first);
    clock.advance(Duration::minutes(20));
    assert!(restarted
        .due(clock.now())
        .await
        .expect("due")
        .contains(&Job::PointsExpiry));

    // Paused syncs (the tray's Pause syncing) skip their turn; the other jobs keep theirs.
    let paused = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let pausable =
        Scheduler::new(world.console.clone(), clock.clone()).with_syncs_paused_by(paused.clone());
    clock.advance(Duration::hours(2));
    let while_paused = pausable.due(clock.now()).await.expect("due");
    assert!(
        !while_paused.contains(&Job::Sync) && while_paused.contains(&Job::SmsOptIns),
        "{while_paused:?}"
    );
    let before_pause = scheduled_runs(&world.db);
    assert!(pausable.tick().await.is_empty());
    assert_eq!(
        scheduled_runs(&world.db),
        before_pause,
        "no sync while paused"
    );
    paused.store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(pausable
        .due(clock.now())
        .await
        .expect("due")
        .contains(&Job::Sync));

    // Off means off.
    world.console.set_sync_interval(0).await.expect("off");
    clock.advance(Duration::days(1));
    assert!(!restarted
        .due(clock.now())
        .await
        .expect("due")
        .contains(&Job::Sync));
}

#[tokio::test(start_paused = true)]
async fn the_loop_ticks_on_a_paused_clock() {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(dir.path().join("canopy.db")).expect("db");
    // No POS is connected and no SMS gateway is set: the loop runs the sync (nothing to do) and
    // the expiry, which need no network.
    let clients = PosClients {
        posabit: PosabitClient::new("http://127.0.0.1:9", Secret::new("unused")).expect("client"),
        greenbits: GreenbitsClient::new("http://127.0.0.1:9").expect("client"),
    };
    let console = Console::new(db, Arc::new(MemorySecretStore::default()), clients);
    let clock = Arc::new(TokioClock {
        start: start(),
        started: tokio::time::Instant::now(),
    });
    let reader = Scheduler::new(console.clone(), clock.clone());
    let looping = tokio::spawn(Scheduler::new(console, clock).run_forever(|_| {}));

    let expiry_at = |minutes: i64| Some(start() + Duration::minutes(minutes));
    let mut waited = 0;
    while reader.last_run(Job::PointsExpiry).await.expect("read") != expiry_at(0) {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        waited += 1;
        assert!(waited < 1_000, "the first tick never ran");
    }
    // An hour and a tick later (in paused time) the expiry has run again, once.
    tokio::time::sleep(std::time::Duration::from_secs(3_600) + TICK).await;
    let again = reader.last_run(Job::PointsExpiry).await.expect("read");
    assert!(
        again >= expiry_at(60) && again <= expiry_at(61),
        "expiry last ran at {again:?}"
    );
    assert_eq!(
        reader.last_run(Job::SmsOptIns).await.expect("read"),
        None,
        "no gateway, no SMS job"
    );
    looping.abort();
}

#[tokio::test]
async fn a_background_job_that_changed_shoppers_tells_the_ui_and_one_that_did_not_stays_quiet() {
    use chrono::TimeZone;

    let world = support::World::synced_posabit(71, 200, 400, "America/New_York").await;
    let date = world.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
    world
        .set_sms_opt_ins_after(Some(&date), true)
        .await
        .expect("SMS opt-ins on");
    // 10 pm in New York: every request waits for the store's window, nothing changes.
    let night = Utc
        .with_ymd_and_hms(2026, 12, 1, 3, 0, 0)
        .single()
        .expect("a time");
    let clock = HandClock::at(night);
    let scheduler = Scheduler::new(world.console.clone(), clock.clone());
    let first = scheduler.tick().await;
    assert!(!first.contains(&ConsoleEvent::ShoppersChanged), "{first:?}");
    // Noon the next day: the requests go out, and the UI is told.
    clock.advance(Duration::hours(14));
    let events = scheduler.tick().await;
    assert!(
        events.contains(&ConsoleEvent::ShoppersChanged),
        "{events:?}"
    );
    assert!(world.count("SELECT count(*) FROM sms_messages") > 0);
}
