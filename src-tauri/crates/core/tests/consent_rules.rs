//! The consent rules as the database enforces them, and an e-mail opt-out that no later POS record
//! (from any credential), import or unsigned signup undoes. Real SQLite files, the real page saver.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use canopy_core::base::pos_kind::Integration;
use canopy_core::integrations::credentials;
use canopy_core::sources::signups::{sign_up, SignupInput, CONSENT_WORDING};
use canopy_core::sources::sync::{save_page, CursorWrite, PageContext};
use canopy_core::storage::db::Database;
use serde_json::json;

fn database(dir: &tempfile::TempDir) -> Database {
    let db = Database::open(dir.path().join("consent.db")).expect("db");
    db.write(|tx| {
        tx.execute_batch(
            "INSERT INTO credentials (id, integration, store_name, status, created_at)
               VALUES ('c1', 'posabit', 'Capitol Hill', 'active', '2026-01-01T00:00:00Z'),
                      ('c2', 'posabit', 'Ballard', 'active', '2026-01-01T00:00:00Z');",
        )?;
        Ok(())
    })
    .expect("credentials");
    db
}

/// Saves one POSaBIT customer record through credential `credential`.
fn pos_record(db: &Database, credential: &str, version: u32, opt_in: bool, opt_out: bool) {
    let plans = credentials::list(db, Integration::Posabit)
        .expect("credentials")
        .into_iter()
        .find(|c| c.id == credential)
        .expect("credential")
        .streams();
    let page = PageContext::with_defaults(Integration::Posabit, credential, "2026-12-01T00:00:00Z");
    let record = json!({ "customer": {
        "id": 77, "first_name": "Dana", "telephone": "(206) 555-0177", "email": "dana@example.com",
        "marketing_opt_in": opt_in, "marketing_opt_out": opt_out, "consent_signature": true,
        "updated_at": format!("2026-11-0{version}T10:00:00Z"),
    }});
    db.write(|tx| {
        save_page(
            tx,
            canopy_core::pos::schema(Integration::Posabit),
            &page,
            &plans[0],
            &[record],
            CursorWrite::Newest,
        )
    })
    .expect("saved");
}

fn persona(db: &Database) -> (String, bool, bool) {
    db.read(|c| {
        Ok(c.query_row(
            "SELECT sms_consent, marketing_opt_in, email_opted_out FROM personas WHERE email = 'dana@example.com'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    })
    .expect("persona")
}

#[test]
fn an_opt_out_at_the_pos_holds_against_every_later_record_import_and_unsigned_signup() {
    let dir = tempfile::tempdir().expect("dir");
    let db = database(&dir);
    pos_record(&db, "c1", 1, true, false);
    assert_eq!(
        persona(&db),
        ("opted_in".into(), true, false),
        "a signed POS opt-in counts on both channels"
    );
    pos_record(&db, "c1", 2, true, true);
    assert_eq!(persona(&db), ("opted_out".into(), false, true));
    // The same shopper, still opted in at another store, and the same store's next change.
    pos_record(&db, "c2", 3, true, false);
    pos_record(&db, "c1", 4, true, false);
    let file = dir.path().join("list.csv");
    std::fs::write(
        &file,
        "first_name,phone,email,email_opt_in\nDana,2065550177,dana@example.com,true\n",
    )
    .expect("file");
    canopy_core::sources::import::import_csv(&db, &file, |_| {}).expect("imported");
    sign_up(
        &db,
        &SignupInput {
            first_name: "Dana".into(),
            email: Some("dana@example.com".into()),
            ..SignupInput::default()
        },
    )
    .expect("signed up without consent");
    assert_eq!(
        persona(&db),
        ("opted_out".into(), false, true),
        "nothing but the shopper's own act lifts it"
    );
    // The shopper's own act: a newly signed consent.
    sign_up(
        &db,
        &SignupInput {
            first_name: "Dana".into(),
            phone: Some("206-555-0177".into()),
            email: Some("dana@example.com".into()),
            birth_date: Some("1988-08-08".into()),
            consent: true,
            signature: Some("Dana D".into()),
            consent_version: Some(CONSENT_WORDING.version.into()),
            ..SignupInput::default()
        },
    )
    .expect("signed up with consent");
    assert_eq!(persona(&db), ("opted_in".into(), true, false));
    let lifted: i64 = db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM suppressions WHERE lifted_at IS NOT NULL AND lifted_by LIKE 'Consent signed%'", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(
        lifted, 2,
        "the phone's and the e-mail's suppressions, each lifted by the signature"
    );
}

#[test]
fn a_pos_record_that_withdraws_its_marketing_opt_in_is_an_opt_out() {
    let dir = tempfile::tempdir().expect("dir");
    let db = database(&dir);
    pos_record(&db, "c1", 1, true, false);
    pos_record(&db, "c1", 2, false, false);
    assert_eq!(persona(&db), ("opted_out".into(), false, true));
}

#[test]
fn the_database_refuses_to_undo_an_opt_out_or_rewrite_the_history() {
    let dir = tempfile::tempdir().expect("dir");
    let db = database(&dir);
    pos_record(&db, "c1", 1, false, true);
    for (sql, why) in [
        (
            "UPDATE personas SET sms_consent = 'opted_in'",
            "an SMS opt-out is lifted only by the shopper's own act",
        ),
        (
            "UPDATE personas SET email_opted_out = 0",
            "an e-mail opt-out is lifted only by the shopper's own act",
        ),
        (
            "UPDATE personas SET marketing_opt_in = 1",
            "an opted-out e-mail cannot be opted in",
        ),
        ("DELETE FROM suppressions", "a suppression is never deleted"),
        (
            "UPDATE suppressions SET lifted_at = '2026-12-01'",
            "a suppression is only ever lifted, once, naming the act",
        ),
        (
            "UPDATE consent_events SET event = 'opted_in'",
            "the consent history is never edited",
        ),
        (
            "DELETE FROM consent_events",
            "the consent history is never deleted",
        ),
    ] {
        let refused = db.write(|tx| Ok(tx.execute(sql, [])?)).expect_err(sql);
        assert!(refused.message.contains(why), "{sql}: {}", refused.message);
    }
    assert_eq!(persona(&db), ("opted_out".into(), false, true));
    let inserted = db.write(|tx| {
        tx.execute(
            "INSERT INTO personas (first_name, phone_e164, created_at, updated_at) VALUES ('Twin', '+12065550177', 'now', 'now')",
            [],
        )?;
        Ok(tx.query_row("SELECT sms_consent FROM personas WHERE first_name = 'Twin'", [], |r| r.get::<_, String>(0))?)
    });
    assert_eq!(
        inserted.expect("inserted"),
        "opted_out",
        "a persona made with a stopped phone is born opted out"
    );
}
