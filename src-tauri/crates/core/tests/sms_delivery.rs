//! Texts through the sandbox's SMS gateway over real HTTP, as the audit needs them: sent exactly
//! once (a lost answer is looked up, never sent again), a refused number given up without holding
//! up the others, one job at a time across processes, a stop's confirmation within five minutes or
//! never, HELP answered, START rejoining, a stop from an unknown number kept, unclear replies held
//! for support, and the signup form's consent with its evidence.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::time::Duration;

use canopy_core::base::clock::FixedClock;
use canopy_core::consent::sms::opt_in::{self, JobLock};
use canopy_core::consent::sms::HttpSmsGateway;
use canopy_core::sources::signups::{SignupInput, CONSENT_WORDING};
use canopy_core::ErrorCode;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use support::World;

/// Noon in New York, where the store is (a Monday).
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap()
}

async fn world() -> World {
    World::synced_posabit(71, 120, 240, "America/New_York").await
}

/// The sandbox's gateway, with a short limit so a lost answer is found out quickly.
fn gateway(world: &World) -> HttpSmsGateway {
    HttpSmsGateway::new(world.sandbox.sms_base_url())
        .and_then(|g| g.with_timeout(Duration::from_millis(500)))
        .expect("gateway")
}

async fn texts_sent(world: &World) -> Vec<Value> {
    let (_, answer) = world
        .admin(reqwest::Method::GET, "/sms/messages", None)
        .await;
    answer["messages"].as_array().cloned().unwrap_or_default()
}

async fn reply(world: &World, phone: &str, body: &str, received_at: Option<DateTime<Utc>>) {
    let (status, _) = world
        .admin(
            reqwest::Method::POST,
            "/sms/replies",
            Some(json!({ "from": phone, "body": body, "received_at": received_at.map(|at| at.to_rfc3339()) })),
        )
        .await;
    assert_eq!(status, 201);
}

async fn run_at(world: &World, at: DateTime<Utc>) -> opt_in::SmsRun {
    opt_in::run(&world.db, &gateway(world), &FixedClock(at))
        .await
        .expect("the SMS job ran")
}

fn a_requested_phone(world: &World) -> String {
    world.text(
        "SELECT phone_e164 FROM personas p WHERE sms_consent = 'requested'
           AND (SELECT count(*) FROM personas q WHERE q.phone_e164 = p.phone_e164) = 1
         ORDER BY id LIMIT 1",
    )
}

#[tokio::test]
async fn a_text_whose_answer_was_lost_is_looked_up_and_never_sent_twice() {
    let world = world().await;
    world.sms_opt_ins_on().await;
    world
        .admin(
            reqwest::Method::POST,
            "/sms/hang",
            Some(json!({ "texts": 1 })),
        )
        .await;
    let first = run_at(&world, noon()).await;
    assert_eq!(
        world.count("SELECT count(*) FROM sms_messages WHERE status = 'unknown'"),
        1,
        "the text whose answer never came: {first:?}"
    );
    let delivered = texts_sent(&world).await.len() as u32;
    assert_eq!(
        delivered,
        first.requested + 1,
        "the gateway has it though Canopy never heard back"
    );
    let second = run_at(&world, noon()).await;
    assert_eq!(
        (second.requested, second.error),
        (1, None),
        "found at the gateway by its key"
    );
    let texts = texts_sent(&world).await;
    assert_eq!(texts.len() as u32, delivered, "nothing was sent again");
    assert_eq!(
        world.count("SELECT count(*) FROM sms_messages WHERE status != 'sent'"),
        0
    );
}

#[tokio::test]
async fn a_number_the_gateway_refuses_is_given_up_after_three_tries_and_holds_up_no_one() {
    let world = world().await;
    world.sms_opt_ins_on().await;
    let refused = world.text(
        "SELECT pe.phone_e164 FROM personas pe JOIN purchases p ON p.persona_id = pe.id
         WHERE pe.phone_e164 IS NOT NULL AND pe.sms_consent = 'none' ORDER BY pe.id LIMIT 1",
    );
    world
        .admin(
            reqwest::Method::POST,
            "/sms/refuse",
            Some(json!({ "phone": refused })),
        )
        .await;
    let first = run_at(&world, noon()).await;
    assert!(first.requested > 20 && first.failed == 1, "{first:?}");
    let error = first.error.expect("the refusal is reported");
    assert!(
        !error.message.contains(&refused[2..]),
        "no phone in the error: {}",
        error.message
    );
    let second = run_at(&world, noon()).await;
    let third = run_at(&world, noon()).await;
    assert_eq!((second.failed, third.given_up), (1, 1));
    assert_eq!(
        run_at(&world, noon()).await.failed,
        0,
        "given up: not tried a fourth time"
    );
    assert_eq!(
        world.text(&format!(
            "SELECT status FROM sms_messages WHERE phone_e164 = '{refused}'"
        )),
        "given_up"
    );
}

#[tokio::test]
async fn one_sms_job_runs_at_a_time_in_this_process_and_across_processes() {
    let world = world().await;
    let held = JobLock::acquire(world.db.path()).expect("the lock");
    let refused = opt_in::run(&world.db, &gateway(&world), &FixedClock(noon()))
        .await
        .expect_err("a second run is refused");
    assert_eq!(refused.code, ErrorCode::Conflict);
    let mut lock_file = world.db.path().as_os_str().to_owned();
    lock_file.push(".sms.lock");
    let other_process = |()| {
        std::process::Command::new("flock")
            .args(["--nonblock", "--exclusive"])
            .arg(&lock_file)
            .arg("true")
            .status()
            .expect("flock runs")
            .success()
    };
    assert!(
        !other_process(()),
        "another process cannot take the lock while it is held"
    );
    drop(held);
    assert!(other_process(()), "released when the run ends");
    run_at(&world, noon()).await;
}

#[tokio::test]
async fn a_stops_confirmation_leaves_within_five_minutes_or_never() {
    let world = world().await;
    world.sms_opt_ins_on().await;
    run_at(&world, noon()).await;
    let (late, prompt) = (
        a_requested_phone(&world),
        world.text(
            "SELECT phone_e164 FROM personas p WHERE sms_consent = 'requested'
           AND (SELECT count(*) FROM personas q WHERE q.phone_e164 = p.phone_e164) = 1
         ORDER BY id DESC LIMIT 1",
        ),
    );
    reply(
        &world,
        &late,
        "STOP",
        Some(noon() - chrono::Duration::minutes(6)),
    )
    .await;
    reply(
        &world,
        &prompt,
        "stop please",
        Some(noon() - chrono::Duration::minutes(1)),
    )
    .await;
    let before = texts_sent(&world).await.len();
    let run = run_at(&world, noon()).await;
    assert_eq!(
        (run.opted_out, run.expired, run.answered),
        (2, 1, 1),
        "{run:?}"
    );
    let answers: Vec<Value> = texts_sent(&world).await[before..].to_vec();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["phone"], prompt.as_str());
    assert!(answers[0]["body"]
        .as_str()
        .is_some_and(|b| b.contains("unsubscribed") && !b.contains("deals")));
    let later = run_at(&world, noon() + chrono::Duration::hours(1)).await;
    assert_eq!(later.answered, 0, "never after its five minutes");
}

#[tokio::test]
async fn help_is_answered_and_start_rejoins_a_shopper_who_stopped() {
    let world = world().await;
    world.sms_opt_ins_on().await;
    run_at(&world, noon()).await;
    let phone = a_requested_phone(&world);
    reply(&world, &phone, "HELP", None).await;
    run_at(&world, noon()).await;
    reply(&world, &phone, "STOP", None).await;
    run_at(&world, noon()).await;
    reply(&world, &phone, "help", None).await;
    reply(&world, &phone, "UNSTOP", None).await;
    run_at(&world, noon()).await;
    let to_phone: Vec<String> = texts_sent(&world)
        .await
        .iter()
        .filter(|t| t["phone"] == phone.as_str())
        .map(|t| t["body"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        to_phone.len(),
        4,
        "request, HELP answer, stop confirmation, rejoin: {to_phone:?}"
    );
    assert!(
        to_phone[1].contains("Capitol Hill Rewards")
            && to_phone[1].contains("Msg & data rates may apply")
            && to_phone[1].contains("STOP")
    );
    assert!(to_phone[2].contains("unsubscribed"));
    assert!(
        to_phone[3].contains("back in"),
        "the HELP sent while stopped got no answer: {to_phone:?}"
    );
    assert_eq!(
        world.text(&format!(
            "SELECT sms_consent FROM personas WHERE phone_e164 = '{phone}'"
        )),
        "opted_in"
    );
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM consent_events e JOIN personas p ON p.id = e.persona_id
             WHERE p.phone_e164 = '{phone}' AND e.event = 'resubscribed' AND e.evidence LIKE '%UNSTOP%'"
        )),
        1
    );
}

#[tokio::test]
async fn a_stop_from_a_number_canopy_does_not_know_blocks_it_for_good() {
    let world = world().await;
    reply(&world, "(206) 555-9999", "Stop texting me", None).await;
    reply(&world, "12345", "STOP", None).await;
    run_at(&world, noon()).await;
    assert_eq!(
        world.count("SELECT count(*) FROM suppressions WHERE channel = 'sms' AND address IN ('+12065559999', '12345') AND reason = 'opt_out'"),
        2
    );
    assert_eq!(
        texts_sent(&world).await.len(),
        1,
        "the known-format number got its confirmation"
    );
    world
        .console
        .sign_up(SignupInput {
            first_name: "Later".into(),
            phone: Some("206-555-9999".into()),
            ..SignupInput::default()
        })
        .await
        .expect("signed up");
    assert_eq!(
        world.text("SELECT sms_consent FROM personas WHERE phone_e164 = '+12065559999'"),
        "opted_out",
        "the persona made later inherits the stop"
    );
    reply(&world, "+12065559999", "HELP", None).await;
    run_at(&world, noon()).await;
    assert_eq!(
        texts_sent(&world).await.len(),
        1,
        "nothing more to a number that stopped"
    );
}

#[tokio::test]
async fn a_reply_that_may_mean_stop_holds_the_phone_until_support_decides() {
    let world = world().await;
    world.sms_opt_ins_on().await;
    run_at(&world, noon()).await;
    let (phone, other) = (
        a_requested_phone(&world),
        world.text(
            "SELECT phone_e164 FROM personas p WHERE sms_consent = 'requested'
           AND (SELECT count(*) FROM personas q WHERE q.phone_e164 = p.phone_e164) = 1
         ORDER BY id DESC LIMIT 1",
        ),
    );
    let persona_of = |phone: &str| {
        world.count(&format!(
            "SELECT id FROM personas WHERE phone_e164 = '{phone}'"
        ))
    };
    reply(&world, &phone, "When does the sale end?", None).await;
    reply(
        &world,
        &other,
        "Can I cancel my order from yesterday?",
        None,
    )
    .await;
    let run = run_at(&world, noon()).await;
    assert_eq!(run.held_for_review, 2);
    let detail = world
        .console
        .persona(persona_of(&phone))
        .await
        .expect("detail");
    assert!(detail.held_for_review);
    reply(&world, &phone, "yes", None).await;
    let before = texts_sent(&world).await.len();
    run_at(&world, noon()).await;
    assert_eq!(
        texts_sent(&world).await.len(),
        before,
        "no confirmation while held"
    );
    world
        .console
        .resolve_held_reply(persona_of(&phone), false)
        .await
        .expect("not a stop");
    world
        .console
        .resolve_held_reply(persona_of(&other), true)
        .await
        .expect("a stop");
    assert!(
        !world
            .console
            .persona(persona_of(&phone))
            .await
            .expect("detail")
            .held_for_review
    );
    assert_eq!(
        world.text(&format!(
            "SELECT sms_consent FROM personas WHERE phone_e164 = '{other}'"
        )),
        "opted_out"
    );
    let refused = world
        .console
        .resolve_held_reply(persona_of(&phone), true)
        .await
        .expect_err("nothing held");
    assert_eq!(refused.code, ErrorCode::Validation);
}

#[tokio::test]
async fn the_signup_form_keeps_its_wording_with_the_signature_and_refuses_minors() {
    let world = world().await;
    let signup = |birth: Option<&str>, version: Option<&str>| SignupInput {
        first_name: "Robin".into(),
        phone: Some("(206) 555-0142".into()),
        email: Some("robin@example.com".into()),
        birth_date: birth.map(str::to_string),
        consent: true,
        signature: Some("Robin R".into()),
        consent_version: version.map(str::to_string),
        ..SignupInput::default()
    };
    let under_21 = (Utc::now() - chrono::Duration::days(365 * 20))
        .format("%Y-%m-%d")
        .to_string();
    for (input, message) in [
        (
            signup(Some(&under_21), Some(CONSENT_WORDING.version)),
            "Shoppers must be 21 or older to join.",
        ),
        (
            signup(None, Some(CONSENT_WORDING.version)),
            "Marketing consent needs the shopper's birth date, showing they are 21 or older.",
        ),
        (
            signup(Some("1990-04-20"), Some("1999-01-01")),
            "The consent wording changed since the form was opened.",
        ),
    ] {
        let error = world.console.sign_up(input).await.expect_err(message);
        assert_eq!(error.message, message);
    }
    assert_eq!(
        world.count("SELECT count(*) FROM personas WHERE phone_e164 = '+12065550142'"),
        0,
        "nothing kept"
    );
    let id = world
        .console
        .sign_up(signup(Some("04/20/1990"), Some(CONSENT_WORDING.version)))
        .await
        .expect("signed up")
        .persona_id;
    assert_eq!(
        world.text("SELECT consent_version || ' | ' || consent_text FROM local_signups WHERE phone_e164 = '+12065550142'"),
        format!("{} | {}", CONSENT_WORDING.version, CONSENT_WORDING.text)
    );
    let consent = world.console.persona(id).await.expect("detail").consent;
    assert_eq!(consent.len(), 2, "one event per channel: {consent:?}");
    for event in &consent {
        let evidence: Value =
            serde_json::from_str(event.evidence.as_deref().expect("evidence")).expect("json");
        assert_eq!(
            (
                evidence["form_wording_version"].as_str(),
                evidence["signature"].as_str()
            ),
            (Some(CONSENT_WORDING.version), Some("Robin R"))
        );
    }
    assert_eq!(
        world.text(&format!("SELECT birth_date FROM personas WHERE id = {id}")),
        "1990-04-20"
    );
}

#[tokio::test]
async fn a_pos_opt_in_counts_for_texts_only_with_the_signed_customer_consent() {
    let world = world().await;
    let with_evidence = world.count(
        "SELECT count(*) FROM consent_events WHERE channel = 'sms' AND event = 'opted_in' AND source = 'posabit'
           AND evidence LIKE '%\"consent_signature\":true%' AND evidence LIKE '%\"marketing_opt_in\":true%' AND evidence LIKE '%\"credential\":%'",
    );
    let opted_in = world.count(
        "SELECT count(*) FROM consent_events WHERE channel = 'sms' AND event = 'opted_in' AND source = 'posabit'",
    );
    assert!(
        with_evidence > 0 && with_evidence == opted_in,
        "{with_evidence} of {opted_in}"
    );
    assert_eq!(
        world.count(
            "SELECT count(*) FROM personas p WHERE sms_consent = 'opted_in' AND NOT EXISTS
               (SELECT 1 FROM consent_events e WHERE e.persona_id = p.id AND e.channel = 'sms' AND e.event IN ('opted_in', 'confirmed', 'resubscribed'))"
        ),
        0,
        "no SMS opt-in without its evidence"
    );
}

#[tokio::test]
async fn a_florida_phone_gets_at_most_three_texts_in_a_day() {
    let world = world().await;
    world
        .console
        .sign_up(SignupInput {
            first_name: "Sunny".into(),
            phone: Some("(305) 555-0100".into()),
            ..SignupInput::default()
        })
        .await
        .expect("signed up");
    let mut waiting = 0;
    for minute in 0..4 {
        reply(&world, "+13055550100", "HELP", None).await;
        waiting = run_at(&world, noon() + chrono::Duration::minutes(minute))
            .await
            .waiting_for_cap;
    }
    let answered = |texts: &[Value]| {
        texts
            .iter()
            .filter(|t| t["phone"] == "+13055550100")
            .count()
    };
    assert_eq!(
        (answered(&texts_sent(&world).await), waiting),
        (3, 1),
        "Florida: 3 texts per 24 hours"
    );
    run_at(&world, noon() + chrono::Duration::hours(25)).await;
    assert_eq!(
        answered(&texts_sent(&world).await),
        4,
        "the fourth leaves the next day"
    );
}
