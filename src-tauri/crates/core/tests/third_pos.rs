//! The connector seam proved on a POS Canopy does not ship: "Tillbox", a few dozen lines of
//! connector against a tiny loopback server, synced by the unchanged engine into a real SQLite
//! file — paging by stamp and by offset, idempotent re-runs, changes, a rejected record, a
//! transient failure retried, points earned.
//!
//! Tillbox stores its records under the POSaBIT kind: the database's kind column is a closed set,
//! and a shipped third POS adds its own kind (see `src/pos/README.md`).

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use canopy_core::base::pos_kind::Integration;
use canopy_core::pos::retry::RetryPolicy;
use canopy_core::pos::streams::{
    Paging, Position, RawPage, RecordKind, Stream, StreamPlan, StreamScope,
};
use canopy_core::pos::{
    Access, Capabilities, Connector, Mapped, NewShopper, PosCustomer, PosFuture, PosSale,
    PosSchema, RecordError,
};
use canopy_core::sources::sync::fingerprint::fingerprint;
use canopy_core::sources::sync::Trigger;
use canopy_core::sources::sync::{sync_credential, SyncContext, SyncControl, SyncSummary};
use canopy_core::storage::db::Database;
use canopy_core::{Error, Secret};

// ---- The connector: what a new POS module holds. ----

struct TillboxSchema;

fn stamp(record: &Value) -> Option<DateTime<Utc>> {
    record["changed"].as_str()?.parse().ok()
}

impl PosSchema for TillboxSchema {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            patient_lists: false,
            mirrored_points: false,
            shopper_state: false,
            locations: false,
        }
    }
    fn streams(&self, scope: &StreamScope<'_>) -> Vec<StreamPlan> {
        let plan = |stream: Stream, kind, paging| StreamPlan {
            stream,
            cursor_key: stream.to_string(),
            store_key: scope.credential_id.into(),
            store_label: scope.store_name.into(),
            location: None,
            kind,
            paging,
        };
        vec![
            plan(Stream::Customers, RecordKind::Customer, Paging::Incremental),
            plan(Stream::Sales, RecordKind::Sale, Paging::OffsetScan),
        ]
    }
    fn updated_at(&self, _kind: RecordKind, record: &Value) -> Option<DateTime<Utc>> {
        stamp(record)
    }
    fn map_customer(&self, r: &Value) -> Mapped<PosCustomer> {
        let id = r["id"]
            .as_u64()
            .ok_or_else(|| RecordError::new(None, "id", "not a number"))?;
        let text = |field: &str| r[field].as_str().map(str::to_string);
        Ok(PosCustomer {
            pos_id: id.to_string(),
            first_name: text("given"),
            last_name: text("family"),
            phone_raw: text("mobile"),
            email_raw: text("mail"),
            birth_date: text("born"),
            loyalty_member: r["member"].as_bool().unwrap_or(false),
            marketing_opt_in: None,
            marketing_opt_out: false,
            consent_signed: false,
            employee: false,
            points: None,
            state: None,
            updated_at: stamp(r)
                .ok_or_else(|| RecordError::new(Some(id.to_string()), "changed", "not ISO 8601"))?,
            payload: r.to_string(),
        })
    }
    fn map_stored_customer(&self, payload: &Value) -> Mapped<PosCustomer> {
        self.map_customer(payload)
    }
    fn map_sale(&self, r: &Value) -> Mapped<PosSale> {
        let id = r["id"]
            .as_u64()
            .ok_or_else(|| RecordError::new(None, "id", "not a number"))?;
        let at = stamp(r)
            .ok_or_else(|| RecordError::new(Some(id.to_string()), "changed", "not ISO 8601"))?;
        Ok(PosSale {
            pos_id: id.to_string(),
            customer_pos_id: r["member_id"].as_u64().map(|m| m.to_string()),
            total_cents: r["cents"]
                .as_i64()
                .ok_or_else(|| RecordError::new(Some(id.to_string()), "cents", "missing"))?,
            discounts: "[]".into(),
            voided: false,
            purchased_at: at,
            updated_at: at,
            payload: r.to_string(),
        })
    }
}

struct Tillbox {
    http: reqwest::Client,
    url: String,
}

impl Tillbox {
    async fn page(
        &self,
        secret: &Secret,
        plan: &StreamPlan,
        position: &Position,
    ) -> canopy_core::Result<RawPage> {
        let (path, query) = match position {
            Position::Page { after, page } => {
                let mut query = vec![("page", page.to_string())];
                query.extend(after.clone().map(|after| ("after", after)));
                ("members", query)
            }
            Position::Offset(offset) => ("orders", vec![("offset", offset.to_string())]),
            Position::Probe(offset) => (
                "orders",
                vec![("offset", offset.to_string()), ("limit", "1".to_string())],
            ),
        };
        let response = self
            .http
            .get(format!("{}/{path}", self.url))
            .bearer_auth(secret.expose())
            .query(&query)
            .send()
            .await
            .map_err(|e| Error::new(canopy_core::ErrorCode::PosUnreachable, e.to_string()))?;
        if !response.status().is_success() {
            return Err(Error::new(
                canopy_core::ErrorCode::PosUnreachable,
                format!("Tillbox answered {}", response.status()),
            ));
        }
        let body: Value = response
            .json()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let (records, total) = (
            body["records"].as_array().cloned().unwrap_or_default(),
            body["total"].as_u64().unwrap_or(0),
        );
        Ok(match (plan.paging, position) {
            (Paging::OffsetScan, Position::Offset(offset) | Position::Probe(offset)) => {
                RawPage::at_offset(records, *offset, total)
            }
            (_, Position::Page { page, .. }) => RawPage {
                budget: None,
                remaining: Some(total.saturating_sub((page - 1) * PAGE)),
                more: page * PAGE < total,
                records,
            },
            _ => unreachable!("Tillbox pages members by page and orders by offset"),
        })
    }
}

impl Connector for Tillbox {
    fn schema(&self) -> &dyn PosSchema {
        &TillboxSchema
    }
    fn check_access<'a>(&'a self, _: &'a Secret) -> PosFuture<'a, Access> {
        Box::pin(async { Ok(Access::default()) })
    }
    fn fetch_page<'a>(
        &'a self,
        secret: &'a Secret,
        plan: &'a StreamPlan,
        position: &'a Position,
    ) -> PosFuture<'a, RawPage> {
        Box::pin(self.page(secret, plan, position))
    }
    fn find_shopper<'a>(
        &'a self,
        _: &'a Secret,
        _: Option<u64>,
        _: &'a NewShopper,
    ) -> PosFuture<'a, Option<String>> {
        Box::pin(async { Ok(None) })
    }
    fn create_shopper<'a>(
        &'a self,
        _: &'a Secret,
        _: Option<u64>,
        _: &'a NewShopper,
    ) -> PosFuture<'a, String> {
        Box::pin(async {
            Err(Error::validation(
                "Tillbox takes no new members from Canopy.",
            ))
        })
    }
}

// ---- The tiny Tillbox server. ----

const PAGE: u64 = 2;
const TOKEN: &str = "till-token";

#[derive(Default)]
struct Till {
    members: Vec<Value>,
    orders: Vec<Value>,
    fail_next: u32,
    requests: u32,
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
    page: Option<u64>,
    offset: Option<u64>,
    limit: Option<u64>,
}

type Shared = Arc<Mutex<Till>>;

fn serve(till: &mut Till, headers: &HeaderMap) -> Result<(), StatusCode> {
    till.requests += 1;
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return Err(StatusCode::UNAUTHORIZED);
    }
    if till.fail_next > 0 {
        till.fail_next -= 1;
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    }
    Ok(())
}

async fn members(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, StatusCode> {
    let after: Option<DateTime<Utc>> = q.after.and_then(|a| a.parse().ok());
    let mut list: Vec<Value> = {
        let mut till = s.lock().expect("the Tillbox state");
        serve(&mut till, &headers)?;
        till.members
            .iter()
            .filter(|m| after.is_none_or(|a| stamp(m).is_none_or(|t| t > a)))
            .cloned()
            .collect()
    };
    list.sort_by_key(|m| {
        (
            m["changed"].as_str().unwrap_or("").to_string(),
            m["id"].as_u64(),
        )
    });
    let start = (q.page.unwrap_or(1) - 1) * PAGE;
    let records: Vec<Value> = list
        .iter()
        .skip(start as usize)
        .take(PAGE as usize)
        .cloned()
        .collect();
    Ok(Json(json!({ "records": records, "total": list.len() })))
}

async fn orders(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, StatusCode> {
    let mut till = s.lock().expect("the Tillbox state");
    serve(&mut till, &headers)?;
    let records: Vec<Value> = till
        .orders
        .iter()
        .skip(q.offset.unwrap_or(0) as usize)
        .take(q.limit.unwrap_or(PAGE).min(PAGE) as usize)
        .cloned()
        .collect();
    Ok(Json(
        json!({ "records": records, "total": till.orders.len() }),
    ))
}

async fn start_tillbox(till: Shared) -> String {
    let app = Router::new()
        .route("/members", get(members))
        .route("/orders", get(orders))
        .with_state(till);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("Tillbox test step");
    let url = format!(
        "http://{}",
        listener.local_addr().expect("Tillbox test step")
    );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("Tillbox test step") });
    url
}

// ---- The generic sync, run on it. ----

fn member(id: u64, given: &str, changed: &str) -> Value {
    json!({ "id": id, "given": given, "family": "Till", "mobile": format!("206555{id:04}"), "member": true, "changed": changed })
}

fn order(id: u64, member_id: u64, cents: i64) -> Value {
    json!({ "id": id, "member_id": member_id, "cents": cents, "changed": "2026-11-01T12:00:00Z" })
}

struct Setup {
    db: Database,
    connector: Arc<dyn Connector>,
    till: Shared,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let till = Till {
        members: (1..=5)
            .map(|i| member(i, &format!("Member{i}"), &format!("2026-11-0{i}T09:00:00Z")))
            .collect(),
        orders: (1..=5)
            .map(|i| order(100 + i, i, 1_000 * i as i64))
            .collect(),
        ..Till::default()
    };
    let till = Arc::new(Mutex::new(till));
    let url = start_tillbox(till.clone()).await;
    let dir = tempfile::tempdir().expect("Tillbox test step");
    let db = Database::open(dir.path().join("canopy.db")).expect("Tillbox test step");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO credentials (id, integration, store_name, status, created_at)
             VALUES ('till', 'posabit', 'Till Street', 'active', '2026-11-01T00:00:00Z')",
            [],
        )?;
        Ok(())
    })
    .expect("Tillbox test step");
    let connector = Arc::new(Tillbox {
        http: reqwest::Client::new(),
        url,
    });
    Setup {
        db,
        connector,
        till,
        _dir: dir,
    }
}

async fn sync(setup: &Setup) -> Vec<SyncSummary> {
    let credential = canopy_core::integrations::credentials::list(&setup.db, Integration::Posabit)
        .expect("Tillbox test step")
        .remove(0);
    let context = SyncContext {
        db: &setup.db,
        connector: setup.connector.clone(),
        policy: RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            min_request_gap: Duration::ZERO,
            fastest_request_gap: Duration::ZERO,
        },
        control: SyncControl::new(Arc::default(), Arc::new(|_| {})),
    };
    sync_credential(&context, &credential, &Secret::new(TOKEN), Trigger::Manual).await
}

fn count(db: &Database, sql: &str) -> i64 {
    db.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .expect("Tillbox test step")
}

fn new_and_changed(summaries: &[SyncSummary]) -> Vec<(&'static str, u32, u32, u32)> {
    summaries
        .iter()
        .map(|s| {
            (
                s.stream.map_or("", Stream::as_str),
                s.new,
                s.changed,
                s.rejected,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_third_pos_syncs_through_the_unchanged_engine() {
    let setup = setup().await;
    setup.till.lock().expect("the Tillbox state").fail_next = 1;
    let first = sync(&setup).await;
    assert!(first.iter().all(|s| s.error.is_none()), "{first:?}");
    assert_eq!(
        new_and_changed(&first),
        [("customers", 5, 0, 0), ("sales", 5, 0, 0)]
    );
    assert_eq!(first[0].retries, 1, "the 503 was tried again");
    assert!(first[0].pages >= 3, "five members at two a page: {first:?}");
    assert_eq!(count(&setup.db, "SELECT count(*) FROM personas"), 5);
    assert_eq!(
        count(
            &setup.db,
            "SELECT count(*) FROM purchases WHERE persona_id IS NOT NULL"
        ),
        5
    );
    assert_eq!(
        count(
            &setup.db,
            "SELECT coalesce(sum(points), 0) FROM points_ledger WHERE kind = 'earn'"
        ),
        150,
        "a point per dollar"
    );
    assert_eq!(
        count(
            &setup.db,
            "SELECT count(*) FROM sync_cursors WHERE credential_id = 'till'"
        ),
        2
    );

    let before = fingerprint(&setup.db).expect("Tillbox test step");
    let again = sync(&setup).await;
    assert!(
        again
            .iter()
            .all(|s| s.new == 0 && s.changed == 0 && s.error.is_none()),
        "{again:?}"
    );
    assert_eq!(
        fingerprint(&setup.db).expect("Tillbox test step"),
        before,
        "a re-run changes nothing"
    );

    {
        let mut till = setup.till.lock().expect("the Tillbox state");
        till.members[1] = member(2, "Renamed", "2026-11-20T09:00:00Z");
        till.members
            .push(json!({ "id": "not-a-number", "changed": "2026-11-21T09:00:00Z" }));
        till.orders.push(order(106, 2, 500));
    }
    let third = sync(&setup).await;
    assert_eq!(
        new_and_changed(&third),
        [("customers", 0, 1, 1), ("sales", 1, 0, 0)]
    );
    assert_eq!(
        count(
            &setup.db,
            "SELECT count(*) FROM source_records WHERE pos_id = '2'
             AND json_extract(payload, '$.given') = 'Renamed'"
        ),
        1,
        "the changed member's record is the new one"
    );
    assert_eq!(
        count(
            &setup.db,
            "SELECT count(*) FROM sync_record_errors WHERE field = 'id'"
        ),
        1,
        "the bad member is kept as a reason"
    );
    assert_eq!(
        count(&setup.db, "SELECT count(*) FROM personas"),
        5,
        "the other members stay"
    );
}
