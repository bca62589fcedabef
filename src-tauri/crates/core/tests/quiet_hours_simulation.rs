//! Quiet hours under a moving clock: 100,000 texts across area codes, address states, stores,
//! weekdays, holidays and both daylight-saving change days, each taking 300 ms at the gateway —
//! none handed over outside the recipient's window in any place they may be; then the real SMS job
//! on real SQLite and the sandbox's gateway, started minutes before 9 pm with a gateway that takes
//! 300 ms per text, checked the same way at every handoff.
//!
//! The windows are checked against `design/COMPLIANCE.md`'s table written out again here, not
//! against the code's own table.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use canopy_core::base::clock::Clock;
use canopy_core::consent::quiet_hours::{may_send_at, places_for, Place};
use canopy_core::consent::sms::opt_in;
use canopy_core::consent::sms::{
    GatewayFuture, HttpSmsGateway, IncomingSms, OutgoingSms, SmsGateway,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use support::World;

/// How long the gateway takes per text.
const GATEWAY_TIME: Duration = Duration::milliseconds(300);

/// COMPLIANCE.md's windows, as minutes after midnight on a weekday (federal where not listed).
fn window(state: Option<&str>, date: NaiveDate) -> Option<(u32, u32)> {
    let day = date.weekday();
    let holiday = [(2026, 11, 26), (2026, 12, 25), (2026, 7, 3), (2026, 9, 7)]
        .iter()
        .any(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d) == Some(date));
    let h = |hours: u32| hours * 60;
    let rule = match state {
        Some("FL" | "OK" | "MD" | "NJ" | "MA") => Some((h(8), h(20))),
        Some("MS") if day == Weekday::Sun => None,
        Some("MS") => Some((h(8), h(20))),
        Some("AL" | "LA") if day == Weekday::Sun || holiday => None,
        Some("AL" | "LA") => Some((h(8), h(20))),
        Some("CT" | "NV") => Some((h(9), h(20))),
        Some("KY") => Some((h(10), h(21))),
        Some("MI" | "MN" | "NM") => Some((h(9), h(21))),
        Some("TX") if day == Weekday::Sun => Some((h(12), h(21))),
        Some("TX") => Some((h(9), h(21))),
        Some("RI") if day == Weekday::Sun || holiday => None,
        Some("RI") if day == Weekday::Sat => Some((h(10), h(17))),
        Some("RI") => Some((h(9), h(18))),
        Some("PA") if holiday => None,
        Some("PA") if day == Weekday::Sun => Some((h(13) + 30, h(21))),
        _ => Some((h(8), h(21))),
    };
    rule.map(|(start, end)| (start.max(h(8)), end.min(h(21))))
}

/// Whether a text handed over at `at` reaches the gateway (300 ms later) inside every place's window.
fn inside_every_window(places: &[Place], at: DateTime<Utc>) -> bool {
    places.iter().all(|place| {
        let (start, end) = (
            at.with_timezone(&place.zone),
            (at + GATEWAY_TIME).with_timezone(&place.zone),
        );
        let minute = |t: chrono::DateTime<chrono_tz::Tz>| t.hour() * 60 + t.minute();
        window(place.state.as_deref(), start.date_naive()).is_some_and(|(open, close)| {
            start.date_naive() == end.date_naive() && minute(start) >= open && minute(end) < close
        })
    })
}

const AREA_CODES: &[&str] = &[
    "212", "305", "850", "512", "915", "206", "208", "907", "808", "702", "602", "617", "860",
    "504", "205", "601", "401", "215", "313", "502", "405", "410", "201", "505", "612", "270",
    "605",
];
const STATES: &[&str] = &[
    "WA", "FL", "TX", "RI", "PA", "AL", "AZ", "HI", "AK", "NY", "KY", "MS", "CT", "IN",
];
const STORES: &[(&str, &str)] = &[
    ("WA", "America/Los_Angeles"),
    ("NY", "America/New_York"),
    ("TX", "America/Chicago"),
    ("AZ", "America/Phoenix"),
];

/// A small deterministic generator, so the simulation is the same on every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn a_hundred_thousand_texts_under_a_moving_clock_leave_only_inside_every_window() {
    // Ordinary weekdays, Saturdays and Sundays, Thanksgiving, Independence Day observed, Labor
    // Day, and the two daylight-saving change days of 2026 (8 March, 1 November).
    let days = [
        (2026, 3, 8),
        (2026, 11, 1),
        (2026, 11, 26),
        (2026, 7, 3),
        (2026, 9, 7),
        (2026, 12, 2),
        (2026, 12, 5),
        (2026, 12, 6),
        (2026, 6, 17),
    ];
    let mut dice = Dice(7);
    let (mut handed, mut held, mut wrong) = (0u32, 0u32, Vec::new());
    for batch in 0..100 {
        let (y, m, d) = days[batch % days.len()];
        // Each batch starts a few minutes before some hour (every US zone turns its hour at the same
        // instant, so every window edge is crossed) and moves on as texts go.
        let hour = dice.below(24) as u32;
        let mut clock = Utc.with_ymd_and_hms(y, m, d, hour, 57, 0).unwrap()
            + Duration::seconds(dice.below(180) as i64);
        for _ in 0..1_000 {
            let phone = format!(
                "+1{}555{:04}",
                AREA_CODES[dice.below(AREA_CODES.len())],
                dice.below(10_000)
            );
            let states: Vec<String> = (0..dice.below(3))
                .map(|_| STATES[dice.below(STATES.len())].to_string())
                .collect();
            let store = (dice.below(4) > 0).then(|| STORES[dice.below(STORES.len())]);
            let places = places_for(&phone, &states, store);
            if may_send_at(&places, clock) {
                if !inside_every_window(&places, clock) {
                    wrong.push(format!("{phone} {states:?} {store:?} at {clock}"));
                }
                handed += 1;
                clock += GATEWAY_TIME;
            } else {
                held += 1;
                clock += Duration::milliseconds(20);
            }
        }
    }
    assert_eq!(handed + held, 100_000);
    assert!(
        wrong.is_empty(),
        "{} of {handed} outside a window, e.g. {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert!(
        handed > 10_000 && held > 10_000,
        "both kinds happen: {handed} handed over, {held} held"
    );
}

/// A clock the gateway moves on.
struct MovingClock(AtomicI64);

impl Clock for MovingClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0.load(Ordering::SeqCst)).expect("an instant")
    }
}

/// The sandbox's gateway, taking [`GATEWAY_TIME`] of the clock per text and noting each handoff.
struct SlowGateway {
    inner: HttpSmsGateway,
    clock: Arc<MovingClock>,
    handed: Mutex<Vec<(String, DateTime<Utc>)>>,
}

impl SmsGateway for SlowGateway {
    fn send<'a>(&'a self, message: OutgoingSms<'a>) -> GatewayFuture<'a, String> {
        self.handed
            .lock()
            .expect("handed")
            .push((message.to.to_string(), self.clock.now()));
        self.clock.0.fetch_add(
            GATEWAY_TIME.num_microseconds().expect("micros"),
            Ordering::SeqCst,
        );
        self.inner.send(message)
    }
    fn find<'a>(&'a self, key: &'a str) -> GatewayFuture<'a, Option<String>> {
        self.inner.find(key)
    }
    fn replies_after(&self, after: u64) -> GatewayFuture<'_, Vec<IncomingSms>> {
        self.inner.replies_after(after)
    }
}

#[tokio::test]
async fn the_sms_job_reads_the_clock_for_every_text_as_the_evening_closes() {
    let world = World::synced_posabit(31, 1_500, 3_000, "America/New_York").await;
    world.sms_opt_ins_on().await;
    // Wednesday 2 December 2026, 20:58 in New York (the store): Eastern phones close in minutes,
    // Florida's closed at 20:00, the West still open.
    let start = chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 12, 2, 20, 58, 0)
        .unwrap()
        .with_timezone(&Utc);
    let clock = Arc::new(MovingClock(AtomicI64::new(start.timestamp_micros())));
    let gateway = SlowGateway {
        inner: HttpSmsGateway::new(world.sandbox.sms_base_url()).expect("gateway"),
        clock: clock.clone(),
        handed: Mutex::new(Vec::new()),
    };
    let run = opt_in::run(&world.db, &gateway, clock.as_ref())
        .await
        .expect("the job ran");
    let handed = gateway.handed.lock().expect("handed").clone();
    assert!(run.requested > 0 && run.waiting_for_window > 0, "{run:?}");
    assert_eq!(handed.len() as u32, run.requested);
    let mut outside = Vec::new();
    for (phone, at) in &handed {
        let states: Vec<String> = world
            .db
            .read(|c| {
                let mut s = c.prepare("SELECT DISTINCT address_state FROM personas WHERE phone_e164 = ?1 AND address_state IS NOT NULL")?;
                let rows = s.query_map([phone], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .expect("states");
        let places = places_for(phone, &states, Some(("NY", "America/New_York")));
        if !inside_every_window(&places, *at) {
            outside.push(format!("{phone} {states:?} at {at}"));
        }
    }
    assert!(
        outside.is_empty(),
        "{} handed over outside a window: {:?}",
        outside.len(),
        &outside[..outside.len().min(5)]
    );
    let last = handed.iter().map(|(_, at)| *at).max().expect("some texts");
    assert!(
        last > start + Duration::seconds(30),
        "the clock moved on while texts went: the last left at {last}"
    );
    assert!(
        last < chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 12, 2, 21, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
        "nothing after 9 pm at the store"
    );
}
