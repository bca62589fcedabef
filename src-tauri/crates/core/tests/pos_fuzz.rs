//! Hostile POS data (fault campaign, part 1). Property tests, run in a debug build so an arithmetic
//! overflow panics: pages of POSaBIT customers, tickets and coupons and Greenbits people and orders
//! from the sandbox's generator, with fields replaced by wrong types, integer extremes, 10 MB
//! strings, unknown enum values, stamps in the future, lists and objects, saved into a real SQLite
//! file. No panic and no failed page: each bad record is rejected with its field and reason, every
//! untouched record is kept, replaying the page changes nothing, and nothing huge or future-dated
//! reaches the database. Then a hostile POSaBIT over loopback HTTP: `total_pages` of 2^63 with
//! empty pages, the same page sent forever, and a 200 MB page — each sync ends, says why, and keeps
//! what it read.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::config::loyalty::MAX_POINTS_PER_DOLLAR;
use canopy_core::pos::fields::{MAX_CENTS, MAX_POINTS, MAX_RECORD_BYTES};
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::pos::streams::{Paging, RecordKind, Stream, StreamPlan};
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::{
    save_page, sync_credential, CursorWrite, PageContext, SyncContext, SyncControl, Trigger,
};
use canopy_core::storage::db::Database;
use canopy_core::Secret;
use canopy_sandbox::generator::{
    greenbits_order, greenbits_person, posabit_coupon, posabit_customer, posabit_ticket, PersonList,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const RECORDS: u64 = 12;
const TEN_MB: usize = 10 << 20;

/// One list a POS sends: how to make its records, where a record's fields sit, and its plan.
#[derive(Debug, Clone, Copy)]
enum List {
    PosabitCustomers,
    PosabitTickets,
    PosabitCoupons,
    GreenbitsPeople,
    GreenbitsOrders,
}

impl List {
    const ALL: [List; 5] = [
        List::PosabitCustomers,
        List::PosabitTickets,
        List::PosabitCoupons,
        List::GreenbitsPeople,
        List::GreenbitsOrders,
    ];

    fn integration(self) -> Integration {
        match self {
            List::GreenbitsPeople | List::GreenbitsOrders => Integration::Greenbits,
            _ => Integration::Posabit,
        }
    }

    fn credential(self) -> &'static str {
        match self.integration() {
            Integration::Posabit => "c1",
            Integration::Greenbits => "g1",
        }
    }

    /// The element wrapping a POSaBIT V3 record, if any.
    fn wrapper(self) -> Option<&'static str> {
        match self {
            List::PosabitCustomers => Some("customer"),
            List::PosabitTickets => Some("ticket"),
            _ => None,
        }
    }

    fn plan(self) -> StreamPlan {
        let (stream, kind, paging) = match self {
            List::PosabitCustomers | List::GreenbitsPeople => {
                (Stream::Customers, RecordKind::Customer, Paging::Incremental)
            }
            List::PosabitTickets | List::GreenbitsOrders => {
                (Stream::Sales, RecordKind::Sale, Paging::Incremental)
            }
            List::PosabitCoupons => (Stream::Coupons, RecordKind::Coupon, Paging::Full),
        };
        StreamPlan {
            stream,
            cursor_key: format!("{stream}"),
            store_key: self.credential().into(),
            store_label: "Fuzz".into(),
            location: None,
            kind,
            paging,
        }
    }

    /// The shoppers the sales point at, saved before a page of sales so sales earn points.
    fn shoppers(self) -> Option<List> {
        match self {
            List::PosabitTickets => Some(List::PosabitCustomers),
            List::GreenbitsOrders => Some(List::GreenbitsPeople),
            _ => None,
        }
    }

    fn records(self) -> Vec<Value> {
        let people = PersonList {
            location: 0,
            company_id: 5001,
            patients: false,
            len: RECORDS,
        };
        (0..RECORDS)
            .map(|i| match self {
                List::PosabitCustomers => {
                    json!({ "customer": posabit_customer(5, 0, i, RECORDS) })
                }
                List::PosabitTickets => {
                    json!({ "ticket": posabit_ticket(5, 0, i, RECORDS, RECORDS) })
                }
                List::PosabitCoupons => posabit_coupon(0, i as usize),
                List::GreenbitsPeople => greenbits_person(5, people, i, (0, 0)),
                List::GreenbitsOrders => greenbits_order(5, 0, i, RECORDS, RECORDS),
            })
            .collect()
    }

    /// The record's own object (inside its wrapper).
    fn inner(self, record: &mut Value) -> &mut Value {
        match self.wrapper() {
            Some(wrapper) => &mut record[wrapper],
            None => record,
        }
    }

    fn id_of(self, record: &Value) -> String {
        let id = match self.wrapper() {
            Some(wrapper) => &record[wrapper]["id"],
            None => &record["id"],
        };
        id.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| id.to_string())
    }

    /// Whether the record with POS id `id` was saved.
    fn stored(self, db: &Database, id: &str) -> bool {
        let table = match self.plan().kind {
            RecordKind::Customer => "source_records",
            RecordKind::Sale => "purchases",
            RecordKind::Coupon => "pos_coupons",
        };
        db.read(|c| {
            Ok(c.query_row(
                &format!("SELECT count(*) FROM {table} WHERE credential_id = ?1 AND pos_id = ?2"),
                [self.credential(), id],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .expect("stored")
            == 1
    }
}

/// A value a POS should never send where a field is expected.
fn hostile() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        2 => Just(json!(i64::MAX)),
        2 => Just(json!(i64::MIN)),
        1 => Just(json!(u64::MAX)),
        2 => Just(json!(MAX_CENTS + 1)),
        3 => Just(json!(i64::MAX / 3)),
        2 => Just(json!(-1_000_000_000_000_000_i64)),
        1 => Just(json!(-1)),
        1 => Just(json!(1e308)),
        1 => Just(json!(-0.5)),
        2 => "[A-Za-z0-9 @.+-]{0,16}".prop_map(Value::from),
        1 => Just(json!("wizard")),
        1 => Just(json!("9999-12-31T23:59:59Z")),
        1 => Just(json!("\u{0}\u{feff}\u{202e}💥")),
        1 => Just(json!([1, "two", null, {"three": 3}])),
        1 => Just(json!({"nested": {"deep": [true]}})),
        1 => Just(Value::String("x".repeat(TEN_MB))),
    ]
}

/// Whether a record whose `field` ended as `value` must be rejected (the cases with one answer).
fn must_reject(list: List, field: &str, value: &Value) -> bool {
    let in_range = |limit: i64| {
        value
            .as_i64()
            .is_some_and(|v| (-limit..=limit).contains(&v))
    };
    let huge = value.as_str().is_some_and(|s| s.len() >= TEN_MB);
    let kind = list.plan().kind;
    huge || (field == "updated_at" && kind != RecordKind::Coupon)
        || (field == "total" && kind == RecordKind::Sale && !in_range(MAX_CENTS))
        || (field == "loyalty_points" && !value.is_null() && !in_range(MAX_POINTS))
}

struct Scratch {
    _dir: tempfile::TempDir,
    db: Database,
}

fn scratch() -> Scratch {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(dir.path().join("fuzz.db")).expect("db");
    db.write(|tx| {
        tx.execute_batch(
            "INSERT INTO credentials (id, integration, store_name, status, created_at) VALUES
               ('c1', 'posabit', 'Capitol Hill', 'active', '2026-01-01T00:00:00Z'),
               ('g1', 'greenbits', 'Ballard', 'active', '2026-01-01T00:00:00Z');
             INSERT INTO sync_runs (id, credential_id, stream, trigger, started_at)
               VALUES (1, 'c1', 'customers', 'manual', '2026-01-01T00:00:00Z');",
        )?;
        Ok(())
    })
    .expect("credentials");
    Scratch { _dir: dir, db }
}

fn deliver(
    db: &Database,
    list: List,
    records: &[Value],
    points_per_dollar: i64,
) -> canopy_core::sources::sync::PageCounts {
    let page = PageContext {
        run_id: 1,
        points_per_dollar,
        ..PageContext::with_defaults(
            list.integration(),
            list.credential(),
            "2026-06-01T00:00:00Z",
        )
    };
    let cursor = match list.plan().paging {
        Paging::Incremental => CursorWrite::Newest,
        _ => CursorWrite::Nothing,
    };
    db.write(|tx| {
        save_page(
            tx,
            canopy_core::pos::schema(list.integration()),
            &page,
            &list.plan(),
            records,
            cursor,
        )
    })
    .expect("a hostile page is saved, not failed")
}

/// Personas whose `balance` (SQL over `personas p`) is not the sum of their ledger.
fn off_ledger(db: &Database, balance: &str) -> i64 {
    db.read(|c| {
        Ok(c.query_row(
            &format!(
                "SELECT count(*) FROM personas p
                 WHERE {balance} != (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE persona_id = p.id)"
            ),
            [],
            |r| r.get(0),
        )?)
    })
    .expect("balances")
}

fn scalar(db: &Database, sql: &str) -> Option<String> {
    db.read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, Option<String>>(0))?))
        .expect(sql)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn hostile_fields_reject_their_record_and_keep_the_rest(
        list in proptest::sample::select(List::ALL.to_vec()),
        mutations in proptest::collection::vec((0..RECORDS as usize, 0usize..64, hostile()), 1..10),
        points_per_dollar in 0..=MAX_POINTS_PER_DOLLAR,
    ) {
        let scratch = scratch();
        if let Some(shoppers) = list.shoppers() {
            deliver(&scratch.db, shoppers, &shoppers.records(), points_per_dollar);
        }
        let mut records = list.records();
        let mut touched = std::collections::BTreeMap::new();
        for (index, pick, value) in mutations {
            let original_id = list.id_of(&records[index]);
            let object = list.inner(&mut records[index]).as_object_mut().expect("an object");
            // Every field, one the POS never sends, and the numbers and stamps thrice as often.
            let mut fields: Vec<String> = object.keys().cloned().collect();
            fields.push("surprise".into());
            for weighty in ["total", "loyalty_points", "updated_at"] {
                if object.contains_key(weighty) {
                    fields.extend(std::iter::repeat_n(weighty.to_string(), 3));
                }
            }
            let field = fields[pick % fields.len()].clone();
            object.insert(field.clone(), value.clone());
            touched.entry(original_id).or_insert_with(std::collections::BTreeMap::new).insert(field, value);
        }
        // A record whose id stayed (and that no other record took as its new id) and one of whose
        // fields ended hostile in a way with one answer.
        let adopted: std::collections::BTreeSet<String> = touched
            .values()
            .filter_map(|fields| fields.get("id"))
            .map(|id| id.as_str().map_or_else(|| id.to_string(), str::to_string))
            .collect();
        let rejected_ids: Vec<&String> = touched
            .iter()
            .filter(|(id, fields)| {
                !fields.contains_key("id")
                    && !adopted.contains(*id)
                    && fields.iter().any(|(f, v)| must_reject(list, f, v))
            })
            .map(|(id, _)| id)
            .collect();
        let counts = deliver(&scratch.db, list, &records, points_per_dollar);

        let errors: Vec<(Option<String>, String, String)> = scratch.db.read(|c| {
            let mut statement = c.prepare("SELECT pos_id, field, reason FROM sync_record_errors")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        }).expect("errors");
        prop_assert_eq!(errors.len() as u32, counts.rejected);
        for (pos_id, field, reason) in &errors {
            prop_assert!(!field.is_empty() && !reason.is_empty() && reason.len() < 200, "{:?}", (pos_id, field, reason));
        }
        for id in &rejected_ids {
            prop_assert!(!list.stored(&scratch.db, id), "record {} kept though it had to be rejected", id);
        }
        for record in &list.records() {
            let id = list.id_of(record);
            if !touched.contains_key(&id) {
                prop_assert!(list.stored(&scratch.db, &id), "untouched record {} kept", id);
            }
        }
        let before = fingerprint(&scratch.db).expect("fingerprint");
        deliver(&scratch.db, list, &records, points_per_dollar);
        prop_assert_eq!(fingerprint(&scratch.db).expect("fingerprint"), before);

        let integrity = scalar(&scratch.db, "PRAGMA integrity_check");
        prop_assert_eq!(integrity.as_deref(), Some("ok"));
        let largest: i64 = scratch.db.read(|c| Ok(c.query_row(
            "SELECT max(coalesce((SELECT max(length(payload)) FROM source_records), 0),
                        coalesce((SELECT max(length(payload)) FROM purchases), 0),
                        coalesce((SELECT max(length(payload)) FROM pos_coupons), 0))", [], |r| r.get(0))?)).expect("sizes");
        prop_assert!(largest as usize <= MAX_RECORD_BYTES, "a record of {} bytes was stored", largest);
        if let Some(cursor) = scalar(&scratch.db, "SELECT max(cursor) FROM sync_cursors") {
            prop_assert!(cursor.as_str() < "2027", "cursor {} is in the future", cursor);
        }
        // Until the sync's closing pass, a balance shown adds the pending points; after it, the
        // stored balance is whole.
        prop_assert_eq!(off_ledger(&scratch.db, canopy_core::personas::pending::BALANCE_OF_P), 0,
            "every balance shown is its ledger's sum");
        scratch.db.write(|tx| canopy_core::personas::pending::settle(tx, chrono::Utc::now())).expect("settled");
        prop_assert_eq!(off_ledger(&scratch.db, "p.points_balance"), 0, "every settled balance is its ledger's sum");
    }
}

/// A POSaBIT over loopback that answers each list from `answer(list, page)`, counting requests.
struct HostilePos {
    url: String,
    requests: Arc<AtomicUsize>,
}

/// The answer to a list request: the list, the page number, and the `updated_at` bound if any.
type Answer = Arc<dyn Fn(&str, u64, Option<&String>) -> axum::body::Body + Send + Sync>;

async fn hostile_pos(answer: Answer) -> HostilePos {
    use axum::extract::{Path, Query};
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = axum::Router::new().route(
        "/{version}/venue/{list}",
        axum::routing::get(
            move |Path((_, list)): Path<(String, String)>,
                  Query(query): Query<std::collections::HashMap<String, String>>| {
                counter.fetch_add(1, Ordering::SeqCst);
                let page = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let body = answer(&list, page, query.get("q[updated_at_gt]"));
                async move { body }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    HostilePos { url, requests }
}

/// Syncs one POSaBIT credential of a fresh database from `pos`.
async fn sync_from(pos: &HostilePos) -> (Scratch, Vec<canopy_core::sources::sync::SyncSummary>) {
    let scratch = scratch();
    let credential =
        canopy_core::integrations::credentials::list(&scratch.db, Integration::Posabit)
            .expect("credentials")
            .remove(0);
    let connector =
        Arc::new(PosabitClient::new(&pos.url, Secret::new("integrator")).expect("client"));
    let context = SyncContext {
        db: &scratch.db,
        connector,
        policy: support::fast_retries(),
        control: SyncControl::new(Arc::new(AtomicBool::new(false)), Arc::new(|_| {})),
    };
    let summaries = sync_credential(
        &context,
        &credential,
        &Secret::new("venue"),
        Trigger::Manual,
    )
    .await;
    (scratch, summaries)
}

fn list_page(list: &str, records: Vec<Value>, total_pages: u64) -> axum::body::Body {
    let body = match list {
        "coupons" => json!({ "coupons": records }),
        _ => json!({ list: records, "total_pages": total_pages, "total_records": u64::MAX }),
    };
    axum::body::Body::from(body.to_string())
}

fn good_customers() -> Vec<Value> {
    (0..5)
        .map(|i| json!({ "customer": posabit_customer(5, 0, i, 5) }))
        .collect()
}

#[tokio::test]
async fn two_to_the_63_pages_that_are_empty_end_the_sync_after_one_empty_page() {
    let answer: Answer = Arc::new(|list, page, after| {
        let first = page == 1 && after.is_none();
        let mut records = if first && list == "customers" {
            good_customers()
        } else {
            Vec::new()
        };
        if first && list == "tickets" {
            records = (0..3)
                .map(|i| json!({ "ticket": posabit_ticket(5, 0, i, 3, 5) }))
                .collect();
            records[1]["ticket"]["total"] = json!(i64::MAX);
            records.push(
                json!({ "ticket": { "id": 9, "total": 100, "customer_id": "x".repeat(TEN_MB),
                "updated_at": "2025-01-01T00:00:00Z" } }),
            );
        }
        list_page(list, records, 1 << 63)
    });
    let pos = hostile_pos(answer).await;
    let (scratch, summaries) = sync_from(&pos).await;
    assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    // Customers: page 1, then one empty page; tickets likewise; coupons once.
    assert_eq!(pos.requests.load(Ordering::SeqCst), 5);
    let count = |sql| {
        scratch
            .db
            .read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?))
            .expect(sql)
    };
    assert_eq!(count("SELECT count(*) FROM source_records"), 5);
    assert_eq!(
        count("SELECT count(*) FROM purchases"),
        2,
        "the two good tickets kept"
    );
    let reasons: Vec<String> = scratch
        .db
        .read(|c| {
            let mut statement =
                c.prepare("SELECT field || ': ' || reason FROM sync_record_errors ORDER BY id")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("reasons");
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].starts_with("total: out of range"), "{reasons:?}");
    assert!(reasons[1].starts_with("record: larger than"), "{reasons:?}");
}

#[tokio::test]
async fn a_pos_sending_the_same_page_forever_is_stopped_with_a_reason() {
    let answer: Answer = Arc::new(|list, _, _| match list {
        "customers" => list_page(list, good_customers(), 1 << 63),
        _ => list_page(list, Vec::new(), 1),
    });
    let pos = hostile_pos(answer).await;
    let (scratch, summaries) = sync_from(&pos).await;
    let customers = &summaries[0];
    let error = customers
        .error
        .as_ref()
        .expect("the customers stream stopped");
    assert!(
        error.message.contains("same page of customers twice"),
        "{}",
        error.message
    );
    assert_eq!(customers.pages, 1);
    assert_eq!(
        pos.requests.load(Ordering::SeqCst),
        4,
        "customers twice, then tickets and coupons"
    );
    let kept: i64 = scratch
        .db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM source_records", [], |r| r.get(0))?))
        .expect("kept");
    assert_eq!(kept, 5, "the first page is kept");
    assert!(
        summaries[1..].iter().all(|s| s.error.is_none()),
        "{summaries:?}"
    );
}

#[tokio::test]
async fn a_200_mb_page_is_refused_at_the_cap_and_the_pages_before_it_kept() {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let answer: Answer = Arc::new(move |list, _, after| match (list, after) {
        ("customers", None) => list_page(list, good_customers(), 2),
        ("customers", _) => {
            // 200 MB made lazily, one megabyte at a time, counting what the client read.
            let counter = counter.clone();
            let chunks = (0..200).map(move |i| {
                counter.fetch_add(1 << 20, Ordering::SeqCst);
                let mut chunk = vec![b' '; 1 << 20];
                if i == 0 {
                    chunk[..14].copy_from_slice(b"{\"customers\":[");
                }
                Ok::<_, std::io::Error>(chunk)
            });
            axum::body::Body::from_stream(futures_util::stream::iter(chunks))
        }
        _ => list_page(list, Vec::new(), 1),
    });
    let pos = hostile_pos(answer).await;
    let (scratch, summaries) = sync_from(&pos).await;
    let error = summaries[0]
        .error
        .as_ref()
        .expect("the customers stream stopped");
    assert!(
        error.message.contains("larger than 32 MB"),
        "{}",
        error.message
    );
    let attempts = pos.requests.load(Ordering::SeqCst) - 3;
    assert!(
        sent.load(Ordering::SeqCst) < (attempts * 64) << 20,
        "each attempt stopped near the cap: {} bytes over {attempts} attempts",
        sent.load(Ordering::SeqCst)
    );
    let kept: i64 = scratch
        .db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM source_records", [], |r| r.get(0))?))
        .expect("kept");
    assert_eq!(kept, 5, "page 1 is kept");
}
