//! The simulated Greenbits API: `/api/v2/me` log-in, companies (locations), people (customers and,
//! behind a permission, patients), customer creation and orders.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::collection::{Page, TimeRange};
use crate::faults::FaultKind;
use crate::greenbits_config::GreenbitsUser;
use crate::http::{instant, lock, number, ApiError, Fired, Presented, Shared};
use crate::world::{ClientWrite, ListKind, World};

/// The largest `limit` the sandbox accepts.
const MAX_LIMIT: u64 = 500;
/// The `limit` used when a client sends none.
const DEFAULT_LIMIT: u64 = 50;

/// The Greenbits routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/v2/me", get(me))
        .route("/api/v2/companies", get(companies))
        .route("/api/v2/people", get(people))
        .route("/api/v1/customers", post(create_customer))
        .route("/api/v2/orders", get(orders))
        .route("/api/v2/discounts", get(discounts))
        .route("/api/v2/orders/{id}", get(order))
}

fn user_json(user: &GreenbitsUser) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "token": user.token,
        "company_id": user.accessible_location_ids.first(),
        "accessible_location_ids": user.accessible_location_ids,
        "accessible_company_ids": user.accessible_location_ids,
        "role_id": if user.permissions.len() > 1 { 1 } else { 3 },
        "permissions": user.permissions,
    })
}

/// `GET /api/v2/me` with Basic `username-or-email:password`: the user, with the API token.
async fn me(State(shared): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let Presented::Basic { user, password } = Presented::from_headers(&headers) else {
        return Err(ApiError::unauthorized());
    };
    let found = world
        .greenbits_users
        .iter()
        .find(|u| {
            (u.username == user || u.email.eq_ignore_ascii_case(&user)) && u.password == password
        })
        .filter(|u| !world.revoked.contains(&u.username))
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(json!({ "user": user_json(found) })))
}

/// Who is calling and at which location: `Authorization: Token token="…"` and `X-GB-CompanyId`
/// (the user's first location when absent).
fn authenticate(world: &World, headers: &HeaderMap) -> Result<(usize, usize), ApiError> {
    let Presented::Token(token) = Presented::from_headers(headers) else {
        return Err(ApiError::unauthorized());
    };
    let user = world
        .greenbits_user_by_token(&token)
        .ok_or_else(ApiError::unauthorized)?;
    let accessible = &world.greenbits_users[user].accessible_location_ids;
    let company = match headers.get("x-gb-companyid") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| ApiError::unprocessable("X-GB-CompanyId must be a location id"))?,
        None => *accessible
            .first()
            .ok_or_else(|| ApiError::forbidden("location access"))?,
    };
    if !accessible.contains(&company) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("No access to company {company}"),
        ));
    }
    let location = world
        .location_by_id(company)
        .ok_or_else(|| ApiError::not_found("company"))?;
    Ok((user, location))
}

fn require(user: &GreenbitsUser, permission: &str) -> Result<(), ApiError> {
    if user.permissions.iter().any(|p| p == permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden(permission))
    }
}

/// `GET /api/v2/companies`: the locations the user may reach.
async fn companies(
    State(shared): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (user, _) = authenticate(&world, &headers)?;
    let companies: Vec<Value> = world
        .locations_of(&world.greenbits_users[user])
        .into_iter()
        .map(|l| json!({ "id": l.id, "name": l.name, "state": l.state, "medical": l.medical }))
        .collect();
    Ok(Json(json!({ "companies": companies })))
}

/// `limit`/`offset` paging with the duplicate-records fault applied.
fn paging(
    params: &HashMap<String, String>,
    fired: &Fired,
) -> Result<(u64, u64, u64, u64), ApiError> {
    let limit = number(params, "limit", DEFAULT_LIMIT)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::unprocessable(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let offset = number(params, "offset", 0)?;
    if let Some(field) = params.get("sort_by[field]") {
        if field != "updated_at" {
            return Err(ApiError::unprocessable(
                "the sandbox sorts by updated_at only",
            ));
        }
    }
    if params.get("sort_by[direction]").is_some_and(|d| d != "asc") {
        return Err(ApiError::unprocessable("the sandbox sorts ascending only"));
    }
    let (from, take) = if fired.has(&FaultKind::DuplicateRecords) && offset > 0 {
        (offset - 1, limit + 1)
    } else {
        (offset, limit)
    };
    Ok((limit, offset, from, take))
}

fn meta_envelope(list: &str, page: Page, limit: u64, offset: u64) -> Json<Value> {
    Json(
        json!({ "meta": { "total": page.total, "limit": limit, "offset": offset }, list: page.records }),
    )
}

/// `GET /api/v2/people`: customers, or with `patient=true` patients (needs `view_patients`);
/// `by_query` searches names, e-mail and phone; `by_updated_since` [invented] pulls incrementally.
async fn people(
    State(shared): State<Shared>,
    Extension(fired): Extension<Fired>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (user, location) = authenticate(&world, &headers)?;
    require(&world.greenbits_users[user], "view_customer")?;
    let patients = raw.get("patient").is_some_and(|p| p == "true");
    if patients {
        require(&world.greenbits_users[user], "view_patients")?;
    }
    let (limit, offset, from, take) = paging(&raw, &fired)?;
    let range = TimeRange {
        after: instant(&raw, "by_updated_since")?,
        ..TimeRange::default()
    };
    let list = if patients {
        &world.patients[location]
    } else {
        &world.people[location]
    };
    let page = match raw
        .get("by_query")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty())
    {
        Some(query) => {
            let keep = move |r: &Value| {
                ["first_name", "last_name", "email", "phone"]
                    .iter()
                    .any(|f| {
                        r[*f]
                            .as_str()
                            .is_some_and(|v| v.to_lowercase().contains(query.as_str()))
                    })
            };
            list.scan(&range, &keep, from, take)
        }
        None => list.page(&range, from, take),
    };
    Ok(meta_envelope("people", page, limit, offset))
}

/// `POST /api/v1/customers`: creates a customer at the given (or the caller's) location.
async fn create_customer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut world = lock(&shared);
    let (user, mut location) = authenticate(&world, &headers)?;
    require(&world.greenbits_users[user], "update_customer")?;
    let fields = body["customer"]
        .as_object()
        .cloned()
        .ok_or_else(|| ApiError::unprocessable("the body must be {\"customer\": {...}}"))?;
    if fields
        .get("first_name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(ApiError::unprocessable("first_name is required"));
    }
    if let Some(company) = fields.get("company_id").and_then(Value::as_u64) {
        if !world.greenbits_users[user]
            .accessible_location_ids
            .contains(&company)
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("No access to company {company}"),
            ));
        }
        location = world
            .location_by_id(company)
            .ok_or_else(|| ApiError::not_found("company"))?;
    }
    let company_id = world.config.greenbits_locations[location].id;
    let mut record = json!({
        "first_name": null, "last_name": null, "email": null, "phone": null, "birth_date": null,
        "loyalty_id": null, "customer_group": "Recreational", "medical_id": null, "medical_id_expiration": null,
        "caregiver": false, "patient": false, "loyalty_points": 0,
    });
    for (key, value) in fields {
        record[key] = value;
    }
    record["id"] = world.new_id(ListKind::People, location);
    record["company_id"] = json!(company_id);
    record["created_at"] = json!(crate::generator::stamp(chrono::Utc::now()));
    let stored = world.people[location].put(record);
    world.client_writes.push(ClientWrite {
        pos: "greenbits".into(),
        action: "create".into(),
        store_id: company_id,
        record: stored.clone(),
    });
    Ok((StatusCode::CREATED, Json(json!({ "customer": stored }))))
}

/// `GET /api/v2/orders` [invented list]: orders with nested line items, discounts and taxes.
async fn orders(
    State(shared): State<Shared>,
    Extension(fired): Extension<Fired>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (user, location) = authenticate(&world, &headers)?;
    require(&world.greenbits_users[user], "enable_backoffice")?;
    let (limit, offset, from, take) = paging(&raw, &fired)?;
    let range = TimeRange {
        after: instant(&raw, "by_updated_since")?,
        ..TimeRange::default()
    };
    let page = world.orders[location].page(&range, from, take);
    Ok(meta_envelope("orders", page, limit, offset))
}

/// `GET /api/v2/discounts?limit&offset` [invented]: the location's discounts, each `{id, name,
/// active, discount_type: percent|amount|item, value}` (percent, or cents for an amount).
async fn discounts(
    State(shared): State<Shared>,
    Extension(fired): Extension<Fired>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (_, location) = authenticate(&world, &headers)?;
    let (limit, offset, from, take) = paging(&raw, &fired)?;
    let page = world.discounts[location].page(&TimeRange::default(), from, take);
    Ok(meta_envelope("discounts", page, limit, offset))
}

/// `GET /api/v2/orders/{id}`: one order.
async fn order(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let world = lock(&shared);
    let (user, location) = authenticate(&world, &headers)?;
    require(&world.greenbits_users[user], "enable_backoffice")?;
    let order = world.orders[location]
        .get(&id)
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(Json(json!({ "order": order })))
}
