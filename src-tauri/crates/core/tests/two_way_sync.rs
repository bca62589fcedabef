//! Two-way contact sync ("Sync Personas"): POS profile changes flow in only while it is on; a local
//! signup with no POS match is created in the POS through the outbox, once, even when the POS's
//! answer is lost; a signup the POS already knows is linked, not created again.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use canopy_core::base::pos_kind::Integration;
use canopy_core::sources::signups::SignupInput;
use canopy_core::sources::sync::Trigger;
use canopy_core::ErrorCode;
use serde_json::{json, Value};
use support::{memory_world, World};

async fn posabit_world() -> World {
    let world = memory_world(23, 80, 40).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    world
}

async fn sync(world: &World, integration: Integration) {
    let run = world
        .console
        .sync(integration, None, Trigger::Manual, None)
        .await
        .expect("sync runs");
    assert!(run.iter().all(|s| s.error.is_none()), "{run:?}");
}

fn signup(phone: &str, email: &str) -> SignupInput {
    SignupInput {
        first_name: "Robin".into(),
        last_name: Some("Signup".into()),
        phone: Some(phone.into()),
        email: Some(email.into()),
        birth_date: Some("1990-05-05".into()),
        consent: true,
        signature: Some("Robin Signup".into()),
        consent_version: Some(
            canopy_core::sources::signups::CONSENT_WORDING
                .version
                .into(),
        ),
        store_id: None,
    }
}

async fn client_writes(world: &World) -> Vec<Value> {
    let (_, writes) = world
        .admin(reqwest::Method::GET, "/client-writes", None)
        .await;
    writes["writes"].as_array().cloned().unwrap_or_default()
}

fn text(world: &World, sql: &str) -> String {
    world
        .db
        .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .expect("query")
}

#[tokio::test]
async fn pos_profile_changes_flow_in_only_while_sync_personas_is_on() {
    let world = posabit_world().await;
    sync(&world, Integration::Posabit).await;
    let pos_id = text(
        &world,
        "SELECT pos_id FROM source_records ORDER BY id LIMIT 1",
    );
    let venue = world.sandbox.config().venues[0].id;
    let last_name = |w: &World| {
        text(w, &format!("SELECT p.last_name FROM personas p JOIN source_records s ON s.persona_id = p.id WHERE s.pos_id = '{pos_id}'"))
    };
    let original = last_name(&world);

    world
        .admin(
            reqwest::Method::PUT,
            &format!("/customers/{venue}/{pos_id}"),
            Some(json!({"last_name": "Changedoff"})),
        )
        .await;
    sync(&world, Integration::Posabit).await;
    assert_eq!(
        last_name(&world),
        original,
        "off: the persona keeps its profile"
    );
    assert!(
        text(
            &world,
            &format!("SELECT payload FROM source_records WHERE pos_id = '{pos_id}'")
        )
        .contains("Changedoff"),
        "the source record still keeps what the POS sent"
    );

    support::sync_personas_on(&world.console, Integration::Posabit).await;
    world
        .admin(
            reqwest::Method::PUT,
            &format!("/customers/{venue}/{pos_id}"),
            Some(json!({"last_name": "Changedon"})),
        )
        .await;
    sync(&world, Integration::Posabit).await;
    assert_eq!(
        last_name(&world),
        "Changedon",
        "on: the POS is the source of truth"
    );
}

#[tokio::test]
async fn a_signup_with_no_pos_match_is_created_in_the_pos_once_and_comes_back_linked() {
    let world = posabit_world().await;
    sync(&world, Integration::Posabit).await;
    let off = world
        .console
        .sign_up(signup("(206) 555-0199", "off@example.com"))
        .await
        .expect("signed up");
    assert_eq!(
        off.queued_pushes, 0,
        "nothing is pushed while Sync Personas is off"
    );

    support::sync_personas_on(&world.console, Integration::Posabit).await;
    let signed = world
        .console
        .sign_up(signup("(206) 555-0142", "Robin@Example.com"))
        .await
        .expect("signed up");
    assert_eq!(
        (signed.match_reason.as_str(), signed.queued_pushes),
        ("new", 1)
    );
    assert_eq!(
        world.count("SELECT count(*) FROM outbox WHERE status = 'pending'"),
        1,
        "queued with the signup"
    );

    sync(&world, Integration::Posabit).await;
    let writes = client_writes(&world).await;
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0]["record"]["telephone"], "2065550142");
    assert_eq!(writes[0]["record"]["email"], "robin@example.com");
    assert_eq!(text(&world, "SELECT outcome FROM outbox"), "created");

    // The next sync brings the POS customer in and it lands on the signup's persona.
    sync(&world, Integration::Posabit).await;
    let created_id = writes[0]["record"]["id"].to_string();
    assert_eq!(
        world.count(&format!(
            "SELECT persona_id FROM source_records WHERE pos_id = '{created_id}'"
        )),
        signed.persona_id
    );
    assert_eq!(client_writes(&world).await.len(), 1, "never created twice");
}

#[tokio::test]
async fn a_signup_the_pos_already_knows_is_linked_not_created() {
    let world = posabit_world().await;
    support::sync_personas_on(&world.console, Integration::Posabit).await;
    // A POS customer Canopy has not synced yet signs up on Canopy's form with the same phone.
    let customer = canopy_sandbox::generator::posabit_customer(23, 0, 5, 80);
    let phone = customer["telephone"].as_str().expect("phone").to_string();
    let signed = world
        .console
        .sign_up(signup(&phone, "someone-else@example.com"))
        .await
        .expect("signed up");
    assert_eq!(signed.queued_pushes, 1);
    let pushed = world
        .console
        .push_signups(Integration::Posabit)
        .await
        .expect("pushed");
    assert_eq!((pushed.created, pushed.matched), (0, 1));
    assert_eq!(client_writes(&world).await.len(), 0);
    assert_eq!(
        text(&world, "SELECT pos_id FROM outbox"),
        customer["id"].to_string()
    );
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_repeated() {
    let world = posabit_world().await;
    support::sync_personas_on(&world.console, Integration::Posabit).await;
    world
        .console
        .sign_up(signup("(206) 555-0177", "lost@example.com"))
        .await
        .expect("signed up");
    // The POS creates the customer, then the connection drops before Canopy reads the answer
    // (requests 1 and 2 are the look-ups by phone and e-mail, 3 is the create).
    world
        .fault(json!({"fault": {"type": "reset_mid_body"}, "endpoint": "/api/v3/venue/customers", "trigger": {"nth": 3}}))
        .await;
    let pushed = world
        .console
        .push_signups(Integration::Posabit)
        .await
        .expect("pushed");
    assert_eq!(
        (pushed.created, pushed.matched, pushed.failed),
        (0, 1, 0),
        "the retry found it"
    );
    assert_eq!(
        client_writes(&world).await.len(),
        1,
        "exactly one customer in the POS"
    );
}

#[tokio::test]
async fn greenbits_signups_are_created_at_the_credential_location() {
    let world = posabit_world().await;
    let location = world.add_and_connect_greenbits(Some(1), false).await[0];
    support::sync_personas_on(&world.console, Integration::Greenbits).await;
    let signed = world
        .console
        .sign_up(signup("206.555.0123", "gb@example.com"))
        .await
        .expect("signed up");
    assert_eq!(signed.queued_pushes, 1);
    sync(&world, Integration::Greenbits).await;
    let writes = client_writes(&world).await;
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        (writes[0]["pos"].as_str(), writes[0]["store_id"].as_u64()),
        (Some("greenbits"), Some(location))
    );
    sync(&world, Integration::Greenbits).await;
    assert_eq!(client_writes(&world).await.len(), 1);
}

#[tokio::test]
async fn a_signup_needs_a_name_and_a_way_to_reach_the_shopper() {
    let world = posabit_world().await;
    for (input, field) in [
        (
            SignupInput {
                first_name: " ".into(),
                ..signup("2065550100", "a@b.c")
            },
            "First name",
        ),
        (
            SignupInput {
                phone: None,
                email: None,
                ..signup("", "")
            },
            "phone number or an e-mail",
        ),
        (
            SignupInput {
                phone: Some("12".into()),
                ..signup("", "a@b.c")
            },
            "not a US phone",
        ),
        (
            SignupInput {
                signature: None,
                consent_version: Some(
                    canopy_core::sources::signups::CONSENT_WORDING
                        .version
                        .into(),
                ),
                ..signup("2065550100", "a@b.c")
            },
            "signature",
        ),
    ] {
        let error = world.console.sign_up(input).await.expect_err("refused");
        assert_eq!(error.code, ErrorCode::Validation);
        assert!(error.message.contains(field), "{}", error.message);
    }
    assert_eq!(
        world.count("SELECT count(*) FROM personas"),
        0,
        "nothing half-saved"
    );
}
