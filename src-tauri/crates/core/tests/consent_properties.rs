//! Property: over random interleavings of POS pages from two credentials, file imports, signups,
//! shoppers' replies, splits and runs of the SMS job, once an opt-out is recorded for a persona, a
//! phone or an e-mail address, nothing but the shopper's own act — START/UNSTOP from that phone, or
//! a newly signed consent naming it — opts it in again, and until then nothing but the one
//! confirmation of each stop is texted to it. Texts also leave only inside the recipient's hours.
//!
//! Every case runs on a real SQLite file (copied from a prepared one) with the real consent code;
//! the gateway is an in-memory stand-in that records what it was handed (the HTTP gateway has its
//! own tests in `sms_opt_in.rs` and `sms_delivery.rs`).

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use canopy_core::base::clock::FixedClock;
use canopy_core::base::pos_kind::Integration;
use canopy_core::consent::keywords::{classify, Reply};
use canopy_core::consent::sms::opt_in;
use canopy_core::consent::sms::{GatewayFuture, IncomingSms, OutgoingSms, SmsGateway};
use canopy_core::integrations::credentials;
use canopy_core::sources::signups::{sign_up, SignupInput, CONSENT_WORDING};
use canopy_core::sources::sync::{save_page, CursorWrite, PageContext};
use canopy_core::storage::db::Database;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The shoppers: 0 and 1 have their own phones; 2 shares 1's phone (a family) with its own e-mail.
const SHOPPERS: usize = 3;

fn phone_of(shopper: usize) -> String {
    format!("+1206555010{}", shopper.min(1))
}

fn email_of(shopper: usize) -> String {
    format!("shopper{shopper}@example.com")
}

/// The replies shoppers send.
const BODIES: &[&str] = &[
    "STOP",
    "YES",
    "START",
    "no more texts",
    "When does the sale end?",
    "HELP",
    "thanks!",
    "Unstop",
];

#[derive(Debug, Clone)]
enum Op {
    Pos {
        second_credential: bool,
        shopper: usize,
        opt_in: bool,
        opt_out: bool,
        signed: bool,
    },
    Import {
        shopper: usize,
        opted_out: bool,
        email_opt_in: bool,
    },
    Signup {
        shopper: usize,
        consent: bool,
    },
    Reply {
        shopper: usize,
        body: usize,
    },
    Split {
        shopper: usize,
    },
    Job {
        hour: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), 0..SHOPPERS, any::<bool>(), prop::bool::weighted(0.2), any::<bool>())
            .prop_map(|(second_credential, shopper, opt_in, opt_out, signed)| Op::Pos { second_credential, shopper, opt_in, opt_out, signed }),
        1 => (0..SHOPPERS, prop::bool::weighted(0.3), any::<bool>())
            .prop_map(|(shopper, opted_out, email_opt_in)| Op::Import { shopper, opted_out, email_opt_in }),
        1 => (0..SHOPPERS, any::<bool>()).prop_map(|(shopper, consent)| Op::Signup { shopper, consent }),
        3 => (0..SHOPPERS, 0..BODIES.len()).prop_map(|(shopper, body)| Op::Reply { shopper, body }),
        1 => (0..SHOPPERS).prop_map(|shopper| Op::Split { shopper }),
        3 => (0u32..24).prop_map(|hour| Op::Job { hour }),
    ]
}

/// A gateway that keeps what it is handed, deduplicating on the key, and serves injected replies.
#[derive(Default)]
struct RecordingGateway {
    sent: Mutex<Vec<(String, String, String)>>,
    replies: Mutex<Vec<IncomingSms>>,
}

impl SmsGateway for RecordingGateway {
    fn send<'a>(&'a self, message: OutgoingSms<'a>) -> GatewayFuture<'a, String> {
        {
            let mut sent = self.sent.lock().expect("sent");
            if !sent.iter().any(|(key, _, _)| key == message.key) {
                sent.push((
                    message.key.to_string(),
                    message.to.to_string(),
                    message.body.to_string(),
                ));
            }
        }
        Box::pin(async move { Ok(message.key.to_string()) })
    }
    fn find<'a>(&'a self, key: &'a str) -> GatewayFuture<'a, Option<String>> {
        let found = self
            .sent
            .lock()
            .expect("sent")
            .iter()
            .any(|(k, _, _)| k == key);
        Box::pin(async move { Ok(found.then(|| key.to_string())) })
    }
    fn replies_after(&self, after: u64) -> GatewayFuture<'_, Vec<IncomingSms>> {
        let replies: Vec<IncomingSms> = self
            .replies
            .lock()
            .expect("replies")
            .iter()
            .filter(|r| r.id > after)
            .cloned()
            .collect();
        Box::pin(async move { Ok(replies) })
    }
}

/// A database with two POSaBIT credentials mapped to a Seattle store and the SMS opt-in setting
/// on, made once and copied for every case.
fn prepared() -> &'static PathBuf {
    static PREPARED: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &PREPARED
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("dir");
            let path = dir.path().join("prepared.db");
            let db = Database::open(&path).expect("db");
            db.write(|tx| {
                tx.execute_batch(
                    "INSERT INTO credentials (id, integration, store_name, status, created_at)
                       VALUES ('c1', 'posabit', 'Capitol Hill', 'active', '2026-01-01T00:00:00Z'),
                              ('c2', 'posabit', 'Ballard', 'active', '2026-01-01T00:00:00Z');
                     INSERT INTO retail_stores (id, name, store_number, state, timezone, address, created_at)
                       VALUES (1, 'Capitol Hill', '1', 'WA', 'America/Los_Angeles', '1500 Pine St, Seattle', '2026-01-01T00:00:00Z');
                     INSERT INTO store_mappings (key_id, integration, store_id, mapped_at) VALUES ('c1', 'posabit', 1, '2026-01-01T00:00:00Z');
                     INSERT INTO integrations (integration, sms_opt_in_after) VALUES ('posabit', '2000-01-01');",
                )?;
                Ok(())
            })
            .expect("prepared");
            drop(db);
            (dir, path)
        })
        .1
}

struct Case {
    _dir: tempfile::TempDir,
    db: Database,
    gateway: RecordingGateway,
    runtime: tokio::runtime::Runtime,
    versions: HashMap<(bool, usize), u32>,
    sales: u64,
    replies: u64,
}

/// A scratch folder in memory where the machine has one (10,000 cases write many small files).
fn scratch() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).expect("dir")
    } else {
        tempfile::tempdir().expect("dir")
    }
}

impl Case {
    fn new() -> Case {
        let dir = scratch();
        let path = dir.path().join("case.db");
        std::fs::copy(prepared(), &path).expect("copy");
        Case {
            db: Database::open(&path).expect("db"),
            _dir: dir,
            gateway: RecordingGateway::default(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime"),
            versions: HashMap::new(),
            sales: 0,
            replies: 0,
        }
    }

    fn page(&self, credential: &str, stream: usize, records: &[Value]) {
        let plans = credentials::list(&self.db, Integration::Posabit)
            .expect("credentials")
            .into_iter()
            .find(|c| c.id == credential)
            .expect("credential")
            .streams();
        let page =
            PageContext::with_defaults(Integration::Posabit, credential, "2026-12-01T00:00:00Z");
        self.db
            .write(|tx| {
                save_page(
                    tx,
                    canopy_core::pos::schema(Integration::Posabit),
                    &page,
                    &plans[stream],
                    records,
                    CursorWrite::Newest,
                )
            })
            .expect("page saved");
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Pos {
                second_credential,
                shopper,
                opt_in,
                opt_out,
                signed,
            } => {
                let version = self
                    .versions
                    .entry((second_credential, shopper))
                    .or_default();
                *version += 1;
                let stamp = format!(
                    "2026-11-{:02}T10:{:02}:00Z",
                    1 + (*version / 60).min(27),
                    *version % 60
                );
                let id = 1_000 + shopper as u64;
                let credential = if second_credential { "c2" } else { "c1" };
                self.page(credential, 0, &[json!({ "customer": {
                    "id": id, "first_name": format!("Shopper{shopper}"), "telephone": phone_of(shopper),
                    "email": email_of(shopper), "state": "WA", "marketing_opt_in": opt_in,
                    "marketing_opt_out": opt_out, "consent_signature": signed, "updated_at": stamp,
                }})]);
                self.sales += 1;
                self.page(credential, 1, &[json!({ "ticket": {
                    "id": 50_000 + self.sales, "customer_id": id, "subtotal": 1_000, "total": 1_000,
                    "discounts": [], "line_items": [], "closed_at": stamp, "updated_at": stamp, "voided": false,
                }})]);
            }
            Op::Import {
                shopper,
                opted_out,
                email_opt_in,
            } => {
                let path = self._dir.path().join("import.csv");
                std::fs::write(
                    &path,
                    format!("first_name,phone,email,email_opt_in,opted_out\nShopper{shopper},{},{},{email_opt_in},{opted_out}\n", phone_of(shopper), email_of(shopper)),
                )
                .expect("file");
                canopy_core::sources::import::import_csv(&self.db, &path, |_| {})
                    .expect("imported");
            }
            Op::Signup { shopper, consent } => {
                sign_up(
                    &self.db,
                    &SignupInput {
                        first_name: format!("Shopper{shopper}"),
                        phone: Some(phone_of(shopper)),
                        email: Some(email_of(shopper)),
                        birth_date: Some("1990-01-01".into()),
                        consent,
                        signature: consent.then(|| format!("Shopper {shopper}")),
                        consent_version: Some(CONSENT_WORDING.version.into()),
                        ..SignupInput::default()
                    },
                )
                .expect("signed up");
            }
            Op::Reply { shopper, body } => {
                self.replies += 1;
                self.gateway
                    .replies
                    .lock()
                    .expect("replies")
                    .push(IncomingSms {
                        id: self.replies,
                        from: phone_of(shopper),
                        body: BODIES[body].to_string(),
                        received_at: None,
                    });
            }
            Op::Split { shopper } => {
                let record: Option<i64> = self
                    .db
                    .read(|c| {
                        Ok(c.query_row(
                            "SELECT s.id FROM source_records s WHERE s.pos_id = ?1
                               AND (SELECT count(*) FROM source_records o WHERE o.persona_id = s.persona_id) > 1
                             ORDER BY s.id LIMIT 1",
                            [(1_000 + shopper as u64).to_string()],
                            |r| r.get(0),
                        )
                        .ok())
                    })
                    .expect("record");
                if let Some(record) = record {
                    let _ = canopy_core::personas::detail::split(&self.db, record);
                }
            }
            Op::Job { hour } => {
                // Wednesday 2 December 2026, `hour` o'clock in Seattle.
                let at = chrono_tz::America::Los_Angeles
                    .with_ymd_and_hms(2026, 12, 2, hour, 30, 0)
                    .single()
                    .expect("a local time")
                    .with_timezone(&Utc);
                let clock = FixedClock(at);
                self.runtime
                    .block_on(opt_in::run(&self.db, &self.gateway, &clock))
                    .expect("the SMS job ran");
            }
        }
    }

    /// The active opt-out and review suppressions, and who is opted out of what.
    fn snapshot(&self) -> Snapshot {
        self.db
            .read(|c| {
                let mut held = c.prepare("SELECT channel, address, reason FROM suppressions WHERE lifted_at IS NULL")?;
                let suppressed = held
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<BTreeSet<_>>>()?;
                let mut personas = c.prepare("SELECT id, phone_e164, email, sms_consent = 'opted_out', email_opted_out FROM personas")?;
                let personas = personas
                    .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?
                    .collect::<rusqlite::Result<HashMap<_, _>>>()?;
                Ok(Snapshot { suppressed, personas })
            })
            .expect("snapshot")
    }
}

#[derive(Debug)]
struct Snapshot {
    /// (channel, address, reason) with an active suppression.
    suppressed: BTreeSet<(String, String, String)>,
    /// id → (phone, e-mail, SMS opted out, e-mail opted out).
    personas: HashMap<i64, (Option<String>, Option<String>, bool, bool)>,
}

/// The shopper's own acts of rejoining that `op` carries out: a consent signed for a phone and an
/// e-mail at once; START from a phone when the next job reads it (`waiting` holds those replies).
fn rejoins(op: &Op, waiting: &mut Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    match *op {
        Op::Reply { shopper, body } => {
            if classify(BODIES[body]) == Reply::Start {
                waiting.push(("sms", phone_of(shopper)));
            }
            Vec::new()
        }
        Op::Signup {
            shopper,
            consent: true,
        } => {
            vec![("sms", phone_of(shopper)), ("email", email_of(shopper))]
        }
        Op::Job { .. } => std::mem::take(waiting),
        _ => Vec::new(),
    }
}

fn check(
    case: &Case,
    op: &Op,
    own_act: &[(&'static str, String)],
    before: &Snapshot,
    sent_before: usize,
) -> Result<(), TestCaseError> {
    let after = case.snapshot();
    let by_own_act = |channel: &str, address: &Option<String>| {
        address
            .as_ref()
            .is_some_and(|a| own_act.iter().any(|(c, x)| *c == channel && x == a))
    };
    for (channel, address, reason) in before.suppressed.difference(&after.suppressed) {
        prop_assert!(
            own_act.iter().any(|(c, a)| c == channel && a == address),
            "{op:?} lifted the {reason} suppression of {channel} {address}"
        );
    }
    for (id, (phone, email, sms_out, email_out)) in &before.personas {
        let Some((_, _, sms_now, email_now)) = after.personas.get(id) else {
            continue;
        };
        if *sms_out && !sms_now {
            prop_assert!(
                by_own_act("sms", phone),
                "{op:?} opted persona {id} back in to texts"
            );
        }
        if *email_out && !email_now {
            prop_assert!(
                by_own_act("email", email),
                "{op:?} opted persona {id} back in to e-mail"
            );
        }
    }
    let opted_out = |channel: &str, address: &Option<String>| {
        address.as_ref().is_some_and(|a| {
            after
                .suppressed
                .contains(&(channel.to_string(), a.clone(), "opt_out".to_string()))
        })
    };
    for (id, (phone, email, sms_out, email_out)) in &after.personas {
        prop_assert!(
            *sms_out || !opted_out("sms", phone),
            "persona {id} is not opted out though its phone is"
        );
        prop_assert!(
            *email_out || !opted_out("email", email),
            "persona {id} is not opted out though its e-mail is"
        );
    }
    if let Op::Job { hour } = *op {
        let sent = case.gateway.sent.lock().expect("sent").clone();
        for (_, phone, body) in &sent[sent_before..] {
            prop_assert!(
                (8..21).contains(&hour),
                "a text left at {hour}:30 in Seattle: {body}"
            );
            if body.contains("you're unsubscribed") {
                let stops: i64 = case
                    .db
                    .read(|c| Ok(c.query_row("SELECT count(*) FROM suppressions WHERE channel = 'sms' AND address = ?1 AND reason = 'opt_out'", [phone], |r| r.get(0))?))
                    .expect("stops");
                let confirmations = sent
                    .iter()
                    .filter(|(_, p, b)| p == phone && b.contains("you're unsubscribed"))
                    .count() as i64;
                prop_assert!(
                    confirmations <= stops,
                    "{confirmations} stop confirmations for {stops} stops"
                );
            } else {
                let suppressed = after
                    .suppressed
                    .iter()
                    .any(|(c, a, _)| c == "sms" && a == phone);
                prop_assert!(!suppressed, "texted a suppressed phone: {body}");
            }
        }
    }
    Ok(())
}

/// How many cases to run: 10,000 unless `CONSENT_CASES` says otherwise.
fn cases() -> u32 {
    std::env::var("CONSENT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_opt_out_holds_until_the_shoppers_own_act_and_nothing_but_its_confirmation_is_sent(
        ops in proptest::collection::vec(op(), 1..14)
    ) {
        let mut case = Case::new();
        let mut waiting_starts = Vec::new();
        for op in &ops {
            let before = case.snapshot();
            let sent_before = case.gateway.sent.lock().expect("sent").len();
            let own_act = rejoins(op, &mut waiting_starts);
            case.apply(op);
            check(&case, op, &own_act, &before, sent_before)?;
        }
    }
}
