//! A full disk (fault campaign, part 2) during a CSV import and during the SMS job, on a real
//! SQLite file whose writer may not grow past a page limit (`PRAGMA max_page_count`, SQLite's full
//! disk). Each attempt with too little room fails with the disk-full error and leaves an intact
//! database; once there is room the work completes, nothing twice, and the database ends as an
//! undisturbed run leaves it. (A full disk during a sync is in `sync_faults`.)

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::clock::FixedClock;
use canopy_core::consent::sms::opt_in;
use canopy_core::consent::sms::HttpSmsGateway;
use canopy_core::sources::import::import_csv;
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::storage::db::Database;
use canopy_core::{Error, ErrorCode};
use chrono::{TimeZone, Utc};
use support::World;

/// Sets the writer's limit on the database's size, in pages.
fn limit_pages(db: &Database, pages: i64) {
    db.write(|tx| {
        let set: i64 = tx.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })?;
        Ok(set)
    })
    .expect("limit set");
}

fn pages(db: &Database) -> i64 {
    db.read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
        .expect("page count")
}

fn assert_intact(db: &Database) {
    let integrity: String = db
        .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .expect("integrity check");
    assert_eq!(integrity, "ok");
}

fn assert_disk_full(error: &Error) {
    assert_eq!(error.code, ErrorCode::DiskFull, "{error:?}");
    assert!(error.message.contains("disk is full"), "{}", error.message);
    assert!(
        error
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("Free some space")),
        "{error:?}"
    );
}

/// Tries `attempt` with room for `step` more pages, then twice as many each time, until it
/// succeeds; every failure must be the disk-full error on an intact database. Returns what
/// `progress` said after each failed attempt.
async fn with_growing_room<T, F>(
    db: &Database,
    step: i64,
    mut attempt: impl FnMut() -> F,
    progress: impl Fn() -> i64,
) -> Vec<i64>
where
    F: std::future::Future<Output = canopy_core::base::error::Result<T>>,
{
    let start = pages(db);
    let mut failures = Vec::new();
    loop {
        limit_pages(db, start + (step << failures.len()));
        match attempt().await {
            Ok(_) => {
                limit_pages(db, 1_073_741_823);
                return failures;
            }
            Err(error) => {
                assert_disk_full(&error);
                assert_intact(db);
                failures.push(progress());
                assert!(
                    failures.len() < 24,
                    "the work never found room: {failures:?}"
                );
            }
        }
    }
}

/// A shopper file: some opt in to e-mail, some opt out, some share a phone with an earlier line.
fn shopper_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("shoppers.csv");
    let mut text = String::from("first_name,last_name,phone,email,email_opt_in,opted_out\n");
    for i in 0..3_000u32 {
        let phone = 2_065_550_000 + (i % 2_500);
        let opt_in = if i % 3 == 0 { "yes" } else { "no" };
        let opt_out = if i % 11 == 0 { "yes" } else { "no" };
        text.push_str(&format!(
            "Shopper{i},Family{},{phone},shopper{i}@example.com,{opt_in},{opt_out}\n",
            i % 40
        ));
    }
    std::fs::write(&path, text).expect("file");
    path
}

#[tokio::test]
async fn a_full_disk_during_a_csv_import_fails_clearly_and_importing_again_completes_it() {
    let dir = tempfile::tempdir().expect("dir");
    let file = shopper_file(dir.path());
    let db = Database::open(dir.path().join("canopy.db")).expect("db");
    let personas = || {
        db.read(|c| Ok(c.query_row("SELECT count(*) FROM personas", [], |r| r.get(0))?))
            .expect("count")
    };
    let stopped = with_growing_room(
        &db,
        4,
        || async { import_csv(&db, &file, |_| {}) },
        personas,
    )
    .await;
    println!("personas saved when the disk filled: {stopped:?}");
    assert!(
        stopped.len() >= 3 && stopped.iter().any(|saved| *saved > 0),
        "the disk filled part-way through several imports: {stopped:?}"
    );

    let reference = Database::open(dir.path().join("reference.db")).expect("db");
    let clean = import_csv(&reference, &file, |_| {}).expect("undisturbed import");
    assert_eq!(clean.rejected, 0);
    let expected = fingerprint(&reference).expect("reference");
    assert!(
        expected.personas > 2_000 && expected.consent_rows > 1_000,
        "{expected:?}"
    );
    assert_eq!(fingerprint(&db).expect("imported"), expected);
}

#[tokio::test]
async fn a_full_disk_during_the_sms_job_fails_clearly_and_the_next_run_sends_each_text_once() {
    let noon = Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap();
    let world = World::synced_posabit(71, 120, 240, "America/New_York").await;
    world.sms_opt_ins_on().await;
    let gateway = HttpSmsGateway::new(world.sandbox.sms_base_url()).expect("gateway");
    let clock = FixedClock(noon);
    let sent = || world.count("SELECT count(*) FROM sms_messages WHERE status = 'sent'");
    let stopped = with_growing_room(
        &world.db,
        1,
        || opt_in::run(&world.db, &gateway, &clock),
        sent,
    )
    .await;
    println!("texts sent when the disk filled: {stopped:?}");
    assert!(
        stopped.iter().any(|texts| *texts > 0),
        "the disk filled part-way through the texts: {stopped:?}"
    );

    let (_, sent) = world
        .admin(reqwest::Method::GET, "/sms/messages", None)
        .await;
    let mut phones: Vec<String> = sent["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["phone"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(!phones.is_empty());
    let texts = phones.len();
    phones.sort();
    phones.dedup();
    assert_eq!(phones.len(), texts, "no phone was texted twice");
    assert_eq!(
        world.count("SELECT count(*) FROM sms_messages WHERE status = 'sent'"),
        texts as i64
    );

    let reference = World::synced_posabit(71, 120, 240, "America/New_York").await;
    reference.sms_opt_ins_on().await;
    let reference_gateway = HttpSmsGateway::new(reference.sandbox.sms_base_url()).expect("gateway");
    opt_in::run(&reference.db, &reference_gateway, &FixedClock(noon))
        .await
        .expect("undisturbed run");
    let expected = fingerprint(&reference.db).expect("reference");
    assert!(expected.outgoing_rows > 0);
    assert_eq!(
        fingerprint(&world.db).expect("after the full disk"),
        expected
    );
}
