//! SMS double opt-in end to end: the setting's dry run, requests through the sandbox's SMS gateway
//! inside the store's 8 am – 9 pm window, shoppers' replies, the consent rules, and the removal
//! warning's effect on members who joined only through it.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::clock::FixedClock;
use canopy_core::base::pos_kind::Integration;
use canopy_core::config::integration_settings::Setting;
use canopy_core::consent::{ConsentChannel, ConsentEventKind, ConsentSource};
use canopy_core::integrations::setting_changes::SettingChange;
use canopy_core::sources::signups::SignupInput;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::audit_log::AuditArea;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use support::World;

/// Noon in New York, where the store is.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap()
}

/// 10 pm in New York: outside the window.
fn night() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
}

async fn world() -> World {
    World::synced_posabit(71, 200, 400, "America/New_York").await
}

async fn texts_sent(world: &World) -> Vec<Value> {
    let (_, answer) = world
        .admin(reqwest::Method::GET, "/sms/messages", None)
        .await;
    answer["messages"].as_array().cloned().unwrap_or_default()
}

async fn reply(world: &World, phone: &str, body: &str) {
    let (status, _) = world
        .admin(
            reqwest::Method::POST,
            "/sms/replies",
            Some(json!({ "from": phone, "body": body })),
        )
        .await;
    assert_eq!(status, 201);
}

fn consent_of(world: &World, phone: &str) -> String {
    world.text(&format!(
        "SELECT sms_consent FROM personas WHERE phone_e164 = '{phone}' ORDER BY id LIMIT 1"
    ))
}

/// Phones of requested personas that are (`true`) or are not loyalty members.
fn requested_phones(world: &World, member: bool) -> Vec<String> {
    world
        .db
        .read(|c| {
            let mut statement = c.prepare(
                "SELECT p.phone_e164 FROM personas p
                 WHERE p.sms_consent = 'requested' AND p.loyalty_member = ?1
                   AND (SELECT count(*) FROM personas q WHERE q.phone_e164 = p.phone_e164) = 1
                 ORDER BY p.id",
            )?;
            let rows = statement.query_map([member], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .expect("phones")
}

#[tokio::test]
async fn requests_go_once_inside_the_store_window_and_replies_follow_the_consent_rules() {
    let world = world().await;
    let date = world.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
    let reached = |what: &str| {
        world.count(&format!(
            "SELECT count(DISTINCT {what}) FROM personas pe JOIN purchases p ON p.persona_id = pe.id
             WHERE pe.phone_e164 IS NOT NULL AND pe.sms_consent = 'none' AND p.voided = 0 AND p.purchased_at >= '{date}'"
        ))
    };
    let (expected, personas) = (reached("pe.phone_e164"), reached("pe.id"));
    assert!(expected > 20, "shoppers with phones bought since {date}");
    assert!(
        world.count("SELECT count(*) FROM personas WHERE sms_consent = 'opted_out'") > 0,
        "POS opt-outs arrive opted out"
    );
    let dry = world
        .console
        .dry_run(Integration::Posabit, Setting::SmsOptInAfter, date.clone())
        .await
        .expect("dry run");
    assert_eq!(
        (dry.total, dry.stores[0].store.as_str()),
        (expected, "Capitol Hill")
    );

    world
        .set_sms_opt_ins_after(Some(&date), false)
        .await
        .expect("on");
    let waiting = world
        .console
        .run_sms_opt_ins(&FixedClock(night()))
        .await
        .expect("runs");
    assert_eq!(
        (waiting.requested, waiting.waiting_for_window),
        (0, expected as u32)
    );
    assert!(
        texts_sent(&world).await.is_empty(),
        "nothing at 10 pm store time"
    );

    let sent = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(sent.requested, expected as u32);
    let texts = texts_sent(&world).await;
    assert_eq!(texts.len() as i64, expected);
    assert!(texts.iter().all(|t| t["body"]
        .as_str()
        .is_some_and(|b| b.contains("reply YES") && b.starts_with("Capitol Hill Rewards: "))));
    let again = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(again.requested, 0, "one request per persona per setting");
    assert_eq!(texts_sent(&world).await.len() as i64, expected);
    assert_eq!(
        world.count("SELECT count(*) FROM consent_events WHERE event = 'requested' AND source = 'sms_opt_in:posabit'"),
        personas,
        "every persona with an asked phone is requested"
    );

    let members = requested_phones(&world, true);
    let joiner = requested_phones(&world, false)[0].clone();
    let (stopper, changed_mind) = (members[0].clone(), members[1].clone());
    reply(&world, &joiner, " yes ").await;
    reply(&world, &stopper, "STOP").await;
    reply(&world, &changed_mind, "Y").await;
    reply(&world, &changed_mind, "unsubscribe").await;
    reply(&world, "+12065550000", "YES").await;
    let replies = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(
        (replies.replies, replies.confirmed, replies.opted_out),
        (5, 2, 2)
    );
    assert_eq!(consent_of(&world, &joiner), "opted_in");
    assert_eq!(consent_of(&world, &stopper), "opted_out");
    assert_eq!(consent_of(&world, &changed_mind), "opted_out");
    assert_eq!(
        world.text(&format!(
            "SELECT member_via FROM personas WHERE phone_e164 = '{joiner}'"
        )),
        "sms_opt_in:posabit",
        "confirming joined the programme"
    );
    let answers: Vec<(String, String)> = texts_sent(&world).await[expected as usize..]
        .iter()
        .map(|t| {
            (
                t["phone"].as_str().unwrap_or_default().to_string(),
                t["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // The shopper who said Y and then stop in the same batch gets only the stop's confirmation.
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(answers
        .iter()
        .any(|(p, b)| p == &joiner && b.contains("you're in")));
    assert!(answers
        .iter()
        .any(|(p, b)| p == &stopper && b.contains("unsubscribed")));
    let to_changed_mind: Vec<_> = answers.iter().filter(|(p, _)| p == &changed_mind).collect();
    assert!(
        to_changed_mind.len() == 1 && to_changed_mind[0].1.contains("unsubscribed"),
        "{to_changed_mind:?}"
    );
    let status = world
        .console
        .sms_status(Integration::Posabit)
        .await
        .expect("status");
    assert_eq!(
        (
            status.sent,
            status.awaiting_reply,
            status.opted_in,
            status.opted_out,
            status.failed
        ),
        (expected, expected - 3, 1, 2, 0)
    );

    // An opt-out wins over a later YES and a sync; only the shopper's own act — here a newly
    // signed consent on the signup form — lifts it, recorded as such.
    reply(&world, &stopper, "YES").await;
    world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    world
        .console
        .sync(Integration::Posabit, None, Trigger::Manual, None)
        .await
        .expect("synced");
    world
        .console
        .sign_up(SignupInput {
            first_name: "Stop".into(),
            last_name: None,
            phone: Some(stopper.clone()),
            email: None,
            birth_date: Some("1990-01-01".into()),
            consent: true,
            signature: Some("S. Top".into()),
            consent_version: Some(
                canopy_core::sources::signups::CONSENT_WORDING
                    .version
                    .into(),
            ),
            store_id: None,
        })
        .await
        .expect("signed up");
    assert_eq!(consent_of(&world, &stopper), "opted_in");
    let history = world
        .console
        .persona(world.count(&format!(
            "SELECT id FROM personas WHERE phone_e164 = '{stopper}'"
        )))
        .await
        .expect("detail")
        .consent;
    let sms: Vec<&str> = history
        .iter()
        .filter(|e| e.channel == ConsentChannel::Sms)
        .map(|e| e.event.as_str())
        .collect();
    assert_eq!(
        sms,
        ["requested", "opted_out", "ignored", "resubscribed"],
        "{history:?}"
    );
}

#[tokio::test]
async fn removing_the_setting_needs_the_warning_and_drops_members_who_joined_only_through_it() {
    let world = world().await;
    let date = world.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
    world
        .set_sms_opt_ins_after(Some(&date), false)
        .await
        .expect("on");
    world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    let joiners = requested_phones(&world, false);
    let (only_sms, also_signed) = (joiners[0].clone(), joiners[1].clone());
    reply(&world, &only_sms, "YES").await;
    reply(&world, &also_signed, "YES").await;
    world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    world
        .console
        .sign_up(SignupInput {
            first_name: "Signed".into(),
            last_name: None,
            phone: Some(also_signed.clone()),
            email: None,
            birth_date: None,
            consent: false,
            signature: None,
            consent_version: Some(
                canopy_core::sources::signups::CONSENT_WORDING
                    .version
                    .into(),
            ),
            store_id: None,
        })
        .await
        .expect("signed up");
    assert_eq!(
        world
            .console
            .sms_only_members(Integration::Posabit)
            .await
            .expect("count"),
        1
    );

    let refused = world
        .set_sms_opt_ins_after(None, false)
        .await
        .expect_err("warning first");
    assert!(refused.message.contains("I understand"));
    assert!(world
        .console
        .settings(Integration::Posabit)
        .await
        .expect("read")
        .sms_opt_in_after
        .is_some());
    let member = |phone: &str| {
        world.count(&format!(
            "SELECT loyalty_member FROM personas WHERE phone_e164 = '{phone}'"
        ))
    };
    assert_eq!((member(&only_sms), member(&also_signed)), (1, 1));

    world
        .set_sms_opt_ins_after(None, true)
        .await
        .expect("removed");
    assert_eq!(
        member(&only_sms),
        0,
        "joined only through the setting: lost"
    );
    assert_eq!(member(&also_signed), 1, "used a signup form: kept");
    assert_eq!(consent_of(&world, &only_sms), "opted_in", "consent stays");
    let entry = &world
        .console
        .audit_log(Some(Integration::Posabit), Some(AuditArea::CardSetting))
        .await
        .expect("log")[0];
    assert_eq!(
        (
            entry.subject.as_str(),
            entry.old_value.as_str(),
            entry.new_value.as_str(),
            entry.warning_acknowledged
        ),
        ("sms_opt_in_after", date.as_str(), "off", true)
    );
}

#[tokio::test]
async fn a_lost_answer_holds_up_no_one_and_is_looked_up_before_the_text_is_sent_again() {
    let world = world().await;
    let date = world.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
    world
        .set_sms_opt_ins_after(Some(&date), false)
        .await
        .expect("on");
    world
        .fault(json!({
            "fault": {"type": "server_error", "status": 503},
            "endpoint": "/sms/v1/messages",
            "trigger": {"nth": 1}
        }))
        .await;
    let first = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert!(first
        .error
        .as_ref()
        .is_some_and(|e| e.message.contains("SMS gateway")));
    assert!(first.requested > 20, "the other requests went: {first:?}");
    assert_eq!(texts_sent(&world).await.len() as u32, first.requested);
    assert_eq!(
        world.count("SELECT count(*) FROM sms_messages WHERE status = 'unknown'"),
        1,
        "the text whose answer was lost waits to be looked up"
    );
    let second = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(
        second.requested, 1,
        "not found at the gateway, so sent now: {second:?}"
    );
    let texts = texts_sent(&world).await;
    assert_eq!(texts.len() as u32, first.requested + 1);
    let phones: std::collections::HashSet<_> = texts.iter().map(|t| t["phone"].clone()).collect();
    assert_eq!(phones.len(), texts.len(), "no phone texted twice");
}

#[tokio::test]
async fn a_shopper_gets_at_most_the_configured_requests_over_both_integrations() {
    let world = world().await;
    world.add_and_connect_greenbits(Some(1), false).await;
    world
        .map_to_new_store(Integration::Greenbits, "America/New_York")
        .await;
    world.sync_ok(Integration::Greenbits).await;
    let mut loyalty = world.console.loyalty_settings().await.expect("read");
    loyalty.sms_max_requests = 1;
    world
        .console
        .save_loyalty_settings(loyalty.clone())
        .await
        .expect("saved");
    let date = world.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
    for integration in [Integration::Posabit, Integration::Greenbits] {
        world
            .console
            .change_setting(
                integration,
                SettingChange {
                    setting: Setting::SmsOptInAfter,
                    on: true,
                    date: Some(date.clone()),
                    warning_acknowledged: false,
                },
            )
            .await
            .expect("on");
    }
    let both = world.count(&format!(
        "SELECT count(DISTINCT pe.phone_e164) FROM personas pe WHERE pe.phone_e164 IS NOT NULL AND pe.sms_consent = 'none'
           AND EXISTS (SELECT 1 FROM purchases p WHERE p.persona_id = pe.id AND p.integration = 'posabit' AND p.voided = 0 AND p.purchased_at >= '{date}')
           AND EXISTS (SELECT 1 FROM purchases p WHERE p.persona_id = pe.id AND p.integration = 'greenbits' AND p.voided = 0 AND p.purchased_at >= '{date}')"
    ));
    assert!(both > 0, "some shoppers buy through both POS");
    let most_per_phone = "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM sms_messages
                          WHERE kind = 'opt_in_request' GROUP BY phone_e164)";

    let first = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert!(first.requested > 0);
    assert_eq!(
        world.count(most_per_phone),
        1,
        "one request ever, with the limit at 1"
    );

    loyalty.sms_max_requests = 2;
    world
        .console
        .save_loyalty_settings(loyalty)
        .await
        .expect("saved");
    let second = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(
        i64::from(second.requested),
        both,
        "the other setting asks them once more"
    );
    assert_eq!(world.count(most_per_phone), 2);
    let third = world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(third.requested, 0, "once per persona per setting");
}

/// Splits the second record off the first persona in SMS state `state` that was merged on a phone:
/// two personas then share that phone. Answers (the merged persona, the new one).
async fn split_a_family(world: &World, state: &str) -> (i64, i64) {
    let family = world.count(&format!(
        "SELECT s.persona_id FROM source_records s JOIN personas p ON p.id = s.persona_id
         WHERE s.match_reason = 'phone' AND p.sms_consent = '{state}' ORDER BY s.id LIMIT 1"
    ));
    let record = world.count(&format!(
        "SELECT id FROM source_records WHERE persona_id = {family} AND match_reason = 'phone'"
    ));
    let new = world
        .console
        .split_source_record(record)
        .await
        .expect("split");
    (family, new)
}

#[tokio::test]
async fn personas_sharing_a_phone_get_one_text_and_one_answer() {
    let world = world().await;
    let (family, _) = split_a_family(&world, "none").await;
    let phone = world.text(&format!(
        "SELECT phone_e164 FROM personas WHERE id = {family}"
    ));
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM personas WHERE phone_e164 = '{phone}'"
        )),
        2,
        "two personas share the phone"
    );
    world
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE purchases SET purchased_at = '2026-11-01T12:00:00+00:00' WHERE persona_id IN
                 (SELECT id FROM personas WHERE phone_e164 = ?1)",
                [&phone],
            )?;
            Ok(())
        })
        .expect("both bought recently");
    let date = "2026-10-01";
    world
        .set_sms_opt_ins_after(Some(date), false)
        .await
        .expect("on");
    world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    let to_phone = |texts: &[Value]| {
        texts
            .iter()
            .filter(|t| t["phone"] == phone.as_str())
            .count()
    };
    assert_eq!(
        to_phone(&texts_sent(&world).await),
        1,
        "one request for the phone"
    );
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM personas WHERE phone_e164 = '{phone}' AND sms_consent = 'requested'"
        )),
        2
    );
    reply(&world, &phone, "yes").await;
    world
        .console
        .run_sms_opt_ins(&FixedClock(noon()))
        .await
        .expect("runs");
    assert_eq!(
        world.count(&format!(
            "SELECT count(*) FROM personas WHERE phone_e164 = '{phone}' AND sms_consent = 'opted_in'"
        )),
        2,
        "the YES answers for both"
    );
    assert_eq!(
        to_phone(&texts_sent(&world).await),
        2,
        "and one confirmation"
    );
}

#[tokio::test]
async fn splitting_a_persona_that_opted_out_keeps_the_opt_out_on_both() {
    let world = world().await;
    let (_, new) = split_a_family(&world, "opted_out").await;
    assert_eq!(
        world.text(&format!(
            "SELECT sms_consent FROM personas WHERE id = {new}"
        )),
        "opted_out"
    );
    let history = world.console.persona(new).await.expect("detail").consent;
    assert_eq!(
        (history[0].event, history[0].source),
        (ConsentEventKind::OptedOut, ConsentSource::Suppression),
        "the phone's opt-out holds for the persona split off: {history:?}"
    );
}
