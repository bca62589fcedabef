//! The support bundle from a database filled by real syncs against the sandbox (POSaBIT and
//! Greenbits, one record rejected): every file is there, and none holds a secret or any
//! persona's phone, e-mail, name or birth date.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::io::Read;

use canopy_core::base::pos_kind::Integration;
use canopy_core::support::bundle::About;
use serde_json::json;
use support::memory_world;

/// Every file of the zip at `path`, by name.
fn unzip(path: &std::path::Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let name = file.name().map(|n| n.into_owned()).expect("a UTF-8 name");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("text");
            (name, text)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_holds_what_support_needs_and_no_secret_or_shopper() {
    let world = memory_world(11, 120, 240).await;
    world
        .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
        .await;
    world.add_and_connect_greenbits(Some(1), true).await;
    let token = world.venue_key(0);
    world
        .fault(
            json!({"fault": {"type": "bad_record"}, "endpoint": "/api/v3/venue/customers",
                      "credential": token, "trigger": {"nth": 1}}),
        )
        .await;
    world.sync_ok(Integration::Posabit).await;
    world.sync_ok(Integration::Greenbits).await;
    let log_dir = world.dir.path().join("logs");
    std::fs::create_dir_all(&log_dir).expect("logs");
    std::fs::write(
        log_dir.join("canopy.2026-12-04.log"),
        "INFO sync finished\nWARN the POS said: no customer +12065550100 or zoe@example.com\n",
    )
    .expect("log");

    let bundle = world
        .console
        .support_bundle(
            About {
                app_version: "0.1.0".into(),
                mode: "sandbox".into(),
            },
            Some(log_dir),
        )
        .await
        .expect("gathered");
    let names: Vec<String> = bundle.entries().into_iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "about.json",
            "settings.json",
            "credentials.json",
            "stores.json",
            "runs.json",
            "rejected_records.json",
            "audit_log.json",
            "pos_shapes.json",
            "log.txt"
        ]
    );
    assert!(bundle
        .entries()
        .iter()
        .all(|e| e.bytes > 0 && !e.what.is_empty()));
    let path = world.dir.path().join("support.zip");
    bundle.save(&path).expect("saved");
    let files = unzip(&path);
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.clone())
            .expect(name)
    };

    // What support needs.
    assert!(file("about.json").contains("\"mode\": \"sandbox\""));
    assert!(file("credentials.json").contains("Capitol Hill"));
    assert!(file("runs.json").contains("\"stream\": \"customers\""));
    let rejected: serde_json::Value =
        serde_json::from_str(&file("rejected_records.json")).expect("JSON");
    assert_eq!(rejected.as_array().map(Vec::len), Some(1), "{rejected}");
    let shapes: serde_json::Value = serde_json::from_str(&file("pos_shapes.json")).expect("JSON");
    assert!(
        shapes["posabit"][0].is_object() && shapes["greenbits"][0].is_object(),
        "{shapes}"
    );
    assert!(file("log.txt").contains("no customer [phone] or [e-mail]"));

    // Nothing it must not hold: secrets, and every persona's contacts, name and birth date.
    let mut forbidden: Vec<String> = vec![
        token,
        world.venue_key(1),
        world.sandbox.config().integrator_token.clone(),
        world.greenbits_user(0).1,
        "manager@example.com".into(),
    ];
    forbidden.extend(
        world
            .sandbox
            .config()
            .greenbits_users
            .iter()
            .map(|u| u.token.clone()),
    );
    let people = world
        .db
        .read(|c| {
            let mut statement = c.prepare(
                "SELECT first_name, last_name, phone_e164, email, birth_date FROM personas",
            )?;
            let rows = statement.query_map([], |r| {
                Ok([
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ])
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("personas");
    assert!(people.len() > 200, "{} personas", people.len());
    for [first, last, phone, email, birth] in people {
        if let (Some(first), Some(last)) = (&first, &last) {
            forbidden.push(format!("{first} {last}"));
        }
        if let Some(phone) = phone {
            forbidden.push(phone.trim_start_matches("+1").to_string());
            forbidden.push(phone);
        }
        forbidden.extend(email);
        forbidden.extend(birth);
    }
    for (name, text) in &files {
        for needle in &forbidden {
            assert!(!text.contains(needle.as_str()), "{name} holds {needle}");
        }
    }
}
