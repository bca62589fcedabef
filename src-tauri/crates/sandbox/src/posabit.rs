//! The simulated POSaBIT API: V3 info, customers (list, lookup, create, update) and tickets, and
//! the V2 coupons list. HTTP Basic `integrator_token:venue_token` throughout.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Map, Value};

use crate::collection::{Page, TimeRange};
use crate::faults::FaultKind;
use crate::http::{instant, lock, number, ApiError, Fired, Presented, Shared};
use crate::venues::{Permission, Venue};
use crate::world::{ClientWrite, ListKind, World};

/// The largest `per_page` the sandbox accepts.
const MAX_PER_PAGE: u64 = 500;
/// The `per_page` used when a client sends none.
const DEFAULT_PER_PAGE: u64 = 25;

/// The POSaBIT routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/v3/info", get(info))
        .route(
            "/api/v3/venue/customers",
            get(customers).post(create_customer),
        )
        .route(
            "/api/v3/venue/customers/{id}",
            axum::routing::put(update_customer),
        )
        .route("/api/v3/venue/tickets", get(tickets))
        .route("/api/v2/venue/coupons", get(coupons))
}

/// Checks `integrator:venue` Basic auth and returns the venue's index.
fn authenticate(world: &World, headers: &HeaderMap) -> Result<usize, ApiError> {
    match Presented::from_headers(headers) {
        Presented::Basic { user, password } if user == world.config.integrator_token => world
            .venue_by_token(&password)
            .ok_or_else(ApiError::unauthorized),
        _ => Err(ApiError::unauthorized()),
    }
}

fn require(venue: &Venue, permission: Permission) -> Result<(), ApiError> {
    if venue.permissions.contains(&permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden(permission.wire_name()))
    }
}

fn venue_json(venue: &Venue) -> Value {
    json!({
        "id": venue.id,
        "name": venue.name,
        "license": venue.license,
        "region": venue.state,
        "state": venue.state,
        "timezone": venue.timezone,
        "address": venue.address,
        "permissions": venue.permissions,
    })
}

/// `GET /api/v3/info`: with the integrator token alone, the reachable venues and their tokens;
/// with a venue token, that venue's details and (invented) its permissions.
async fn info(State(shared): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let Presented::Basic { user, password } = Presented::from_headers(&headers) else {
        return Err(ApiError::unauthorized());
    };
    if user != world.config.integrator_token {
        return Err(ApiError::unauthorized());
    }
    if password.is_empty() {
        let venues: Vec<Value> = world
            .venues
            .iter()
            .filter(|v| !world.revoked.contains(&v.token))
            .map(|v| json!({ "id": v.id, "name": v.name, "token": v.token, "state": v.state }))
            .collect();
        return Ok(Json(json!({ "venues": venues })));
    }
    let venue = world
        .venue_by_token(&password)
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(json!({ "venue": venue_json(&world.venues[venue]) })))
}

/// Paging and time filters shared by the customers and tickets lists.
struct ListParams {
    page: u64,
    per_page: u64,
    range: TimeRange,
}

fn date(params: &HashMap<String, String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    params
        .get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                ApiError::unprocessable(format!("{name} must be YYYY-MM-DD, got {raw:?}"))
            })
        })
        .transpose()
}

fn list_params(params: &HashMap<String, String>) -> Result<ListParams, ApiError> {
    let page = number(params, "page", 1)?;
    let per_page = number(params, "per_page", DEFAULT_PER_PAGE)?;
    if page == 0 {
        return Err(ApiError::unprocessable("page starts at 1"));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::unprocessable(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    Ok(ListParams {
        page,
        per_page,
        range: TimeRange {
            after: instant(params, "q[updated_at_gt]")?,
            from: date(params, "start_date")?.and_then(midnight),
            until: date(params, "end_date")?
                .and_then(midnight)
                .map(|d| d + Duration::days(1)),
        },
    })
}

/// The page envelope, each element wrapped in `{"<element>": …}`.
fn envelope(list: &str, element: &str, page: Page, params: &ListParams) -> Json<Value> {
    let records: Vec<Value> = page
        .records
        .into_iter()
        .map(|r| json!({ element: r }))
        .collect();
    Json(json!({
        "total_records": page.total,
        "current_page": params.page,
        "total_pages": page.total.div_ceil(params.per_page),
        "per_page": params.per_page,
        list: records,
    }))
}

/// The window of a page; with the duplicate fault it starts one record early.
fn window(params: &ListParams, fired: &Fired) -> (u64, u64) {
    let offset = (params.page - 1) * params.per_page;
    if fired.has(&FaultKind::DuplicateRecords) && offset > 0 {
        (offset - 1, params.per_page + 1)
    } else {
        (offset, params.per_page)
    }
}

/// A test a record passes or fails.
type Predicate = Box<dyn Fn(&Value) -> bool>;

/// The exact-match lookups POSaBIT's Ransack filters offer, as a record predicate.
fn lookup(params: &HashMap<String, String>) -> Option<Predicate> {
    let field_eq = |field: &'static str, wanted: String| -> Predicate {
        Box::new(move |r: &Value| match &r[field] {
            Value::String(s) => s.trim().eq_ignore_ascii_case(wanted.trim()),
            Value::Number(n) => n.to_string() == wanted,
            _ => false,
        })
    };
    if let Some(phone) = params.get("q[telephone_eq]") {
        return Some(field_eq("telephone", phone.clone()));
    }
    if let Some(email) = params.get("q[email_eq]") {
        return Some(field_eq("email", email.clone()));
    }
    params
        .get("q[customer_id_eq]")
        .map(|id| field_eq("id", id.clone()))
}

/// What a customers or tickets list call asks: the venue (authenticated, with Enhanced Customer
/// Data), its parameters, and the offset and size of the page.
fn customer_data_request(
    world: &World,
    headers: &HeaderMap,
    raw: &HashMap<String, String>,
    fired: &Fired,
) -> Result<(usize, ListParams, u64, u64), ApiError> {
    let venue = authenticate(world, headers)?;
    require(&world.venues[venue], Permission::EnhancedCustomerData)?;
    let params = list_params(raw)?;
    let (offset, limit) = window(&params, fired);
    Ok((venue, params, offset, limit))
}

/// `GET /api/v3/venue/customers`: a page of the venue's customers, oldest update first; or, with a
/// `q[telephone_eq]` / `q[email_eq]` / `q[customer_id_eq]` filter, the matching ones.
async fn customers(
    State(shared): State<Shared>,
    Extension(fired): Extension<Fired>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (venue, params, offset, limit) = customer_data_request(&world, &headers, &raw, &fired)?;
    let list = &world.customers[venue];
    let page = match lookup(&raw) {
        Some(keep) => list.scan(&params.range, keep.as_ref(), offset, limit),
        None => list.page(&params.range, offset, limit),
    };
    Ok(envelope("customers", "customer", page, &params))
}

/// `GET /api/v3/venue/tickets`: a page of the venue's tickets (sales), oldest update first.
async fn tickets(
    State(shared): State<Shared>,
    Extension(fired): Extension<Fired>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (venue, params, offset, limit) = customer_data_request(&world, &headers, &raw, &fired)?;
    let page = world.tickets[venue].page(&params.range, offset, limit);
    Ok(envelope("tickets", "ticket", page, &params))
}

/// `GET /api/v2/venue/coupons`: the venue's coupons (mirrored discounts are matched by name).
/// The second venue lacks the last coupon, so "missing" mirrors can be shown.
async fn coupons(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let venue = authenticate(&world, &headers)?;
    require(&world.venues[venue], Permission::MenuFeed)?;
    let page = number(&raw, "page", 1)?.max(1);
    let per_page = number(&raw, "per_page", DEFAULT_PER_PAGE)?.clamp(1, MAX_PER_PAGE);
    let listed = world.coupons[venue].page(&TimeRange::default(), (page - 1) * per_page, per_page);
    Ok(Json(json!({
        "total_records": listed.total,
        "current_page": page,
        "total_pages": listed.total.div_ceil(per_page),
        "per_page": per_page,
        "coupons": listed.records,
    })))
}

/// Checks a `{"customer": {...}}` body the way POSaBIT's business rules do; returns the fields.
fn customer_fields(body: &Value) -> Result<Map<String, Value>, ApiError> {
    let fields = body["customer"]
        .as_object()
        .cloned()
        .ok_or_else(|| ApiError::unprocessable("the body must be {\"customer\": {...}}"))?;
    let mut problems = Vec::new();
    if let Some(phone) = fields.get("telephone").and_then(Value::as_str) {
        if phone.len() != 10 || !phone.chars().all(|c| c.is_ascii_digit()) {
            problems.push("telephone must be 10 digits");
        }
    }
    if let Some(email) = fields.get("email").and_then(Value::as_str) {
        if !email.contains('@') {
            problems.push("email is not an e-mail address");
        }
    }
    for protected in ["id", "created_at", "updated_at"] {
        if fields.contains_key(protected) {
            problems.push("id, created_at and updated_at are set by POSaBIT");
            break;
        }
    }
    if problems.is_empty() {
        Ok(fields)
    } else {
        Err(ApiError::unprocessable(problems.join("; ")))
    }
}

/// `POST /api/v3/venue/customers`: creates a customer; `{"customer": {...}}` in and out.
async fn create_customer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut world = lock(&shared);
    let venue = authenticate(&world, &headers)?;
    require(&world.venues[venue], Permission::EnhancedCustomerData)?;
    let fields = customer_fields(&body)?;
    if fields.get("telephone").is_none() && fields.get("email").is_none() {
        return Err(ApiError::unprocessable(
            "a customer needs a telephone or an email",
        ));
    }
    let mut record = json!({
        "first_name": null, "last_name": null, "telephone": null, "email": null, "date_of_birth": null,
        "gender": null, "loyalty_member": false, "marketing_opt_in": false, "marketing_opt_out": false,
        "address_1": null, "city": null, "state": null, "zip_code": null, "customer_type": "recreational",
        "loyalty_points": 0, "consent_signature": false,
    });
    for (key, value) in fields {
        record[key] = value;
    }
    record["id"] = world.new_id(ListKind::Customers, venue);
    record["created_at"] = json!(crate::generator::stamp(chrono::Utc::now()));
    let stored = world.customers[venue].put(record);
    let store_id = world.venues[venue].id;
    world.client_writes.push(ClientWrite {
        pos: "posabit".into(),
        action: "create".into(),
        store_id,
        record: stored.clone(),
    });
    Ok((StatusCode::CREATED, Json(json!({ "customer": stored }))))
}

/// `PUT /api/v3/venue/customers/{id}`: changes the given fields of a customer.
async fn update_customer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut world = lock(&shared);
    let venue = authenticate(&world, &headers)?;
    require(&world.venues[venue], Permission::EnhancedCustomerData)?;
    let fields = customer_fields(&body)?;
    let mut record = world.customers[venue]
        .get(&id)
        .ok_or_else(|| ApiError::not_found("customer"))?;
    for (key, value) in fields {
        record[key] = value;
    }
    let stored = world.customers[venue].put(record);
    let store_id = world.venues[venue].id;
    world.client_writes.push(ClientWrite {
        pos: "posabit".into(),
        action: "update".into(),
        store_id,
        record: stored.clone(),
    });
    Ok(Json(json!({ "customer": stored })))
}
