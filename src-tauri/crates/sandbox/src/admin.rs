//! The admin API under `/__admin`: change data between syncs, read what clients did, set faults,
//! reset. Loopback only and unauthenticated: it is a test instrument, not part of any POS.
//!
//! ```text
//! GET    /__admin/state                      venues, Greenbits users and locations, record counts
//! POST   /__admin/reset                      back to the generated data; no faults, logs or revocations
//! GET    /__admin/requests                   every request received (DELETE clears the log)
//! GET    /__admin/client-writes              records clients created or updated through the POS API
//! GET    /__admin/faults                     rules in force with their counters
//! POST   /__admin/faults                     add a rule (see faults::FaultRule); answers its id
//! DELETE /__admin/faults[/{id}]              remove all rules, or one
//! POST   /__admin/{list}/{store}             add a record (list: customers, tickets, people, patients, orders;
//!                                            store: POSaBIT venue id or Greenbits company id)
//! PUT    /__admin/{list}/{store}/{id}        change fields of a record (it becomes "updated now")
//! DELETE /__admin/{list}/{store}/{id}        delete a record
//! GET    /__admin/sms/messages               texts Canopy sent (see the `sms` module)
//! POST   /__admin/sms/replies                a shopper texts back {from, body}
//! ```

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::faults::FaultRule;
use crate::http::{lock, ApiError, Shared};
use crate::world::{ListKind, World};

/// The admin routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/__admin/state", get(state))
        .route("/__admin/reset", post(reset))
        .route("/__admin/requests", get(requests).delete(clear_requests))
        .route("/__admin/client-writes", get(client_writes))
        .route(
            "/__admin/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/__admin/faults/{id}", delete(remove_fault))
        .route(
            "/__admin/{list}/{store}",
            get(list_records).post(add_record),
        )
        .route(
            "/__admin/{list}/{store}/{id}",
            put(change_record).delete(delete_record),
        )
}

async fn state(State(shared): State<Shared>) -> Json<Value> {
    let world = lock(&shared);
    let count = |lists: &[crate::collection::Collection]| {
        lists.iter().map(|l| l.count()).collect::<Vec<_>>()
    };
    Json(json!({
        "seed": world.config.seed,
        "integrator_token": world.config.integrator_token,
        "venues": world.venues,
        "greenbits_locations": world.config.greenbits_locations,
        "greenbits_users": world.greenbits_users,
        "revoked": world.revoked,
        "counts": {
            "customers": count(&world.customers),
            "tickets": count(&world.tickets),
            "people": count(&world.people),
            "patients": count(&world.patients),
            "orders": count(&world.orders),
        },
    }))
}

async fn reset(State(shared): State<Shared>) -> StatusCode {
    lock(&shared).reset();
    StatusCode::NO_CONTENT
}

async fn requests(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "requests": lock(&shared).requests }))
}

async fn clear_requests(State(shared): State<Shared>) -> StatusCode {
    lock(&shared).requests.clear();
    StatusCode::NO_CONTENT
}

async fn client_writes(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "writes": lock(&shared).client_writes }))
}

async fn faults(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "faults": lock(&shared).faults.list() }))
}

async fn add_fault(
    State(shared): State<Shared>,
    Json(rule): Json<FaultRule>,
) -> (StatusCode, Json<Value>) {
    let id = lock(&shared).faults.add(rule);
    (StatusCode::CREATED, Json(json!({ "id": id })))
}

async fn clear_faults(State(shared): State<Shared>) -> StatusCode {
    lock(&shared).faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(shared): State<Shared>, Path(id): Path<u64>) -> StatusCode {
    if lock(&shared).faults.remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

/// The list kind and store index an admin path names.
fn target(world: &World, list: &str, store: u64) -> Result<(ListKind, usize), ApiError> {
    let kind = match list {
        "customers" => ListKind::Customers,
        "tickets" => ListKind::Tickets,
        "people" => ListKind::People,
        "patients" => ListKind::Patients,
        "orders" => ListKind::Orders,
        "coupons" => ListKind::Coupons,
        "discounts" => ListKind::Discounts,
        other => return Err(ApiError::not_found(&format!("list {other:?}"))),
    };
    let index = match kind {
        ListKind::Customers | ListKind::Tickets | ListKind::Coupons => {
            world.venues.iter().position(|v| v.id == store)
        }
        _ => world.location_by_id(store),
    };
    index
        .map(|i| (kind, i))
        .ok_or_else(|| ApiError::not_found(&format!("store {store}")))
}

/// Lists the first 1,000 records of a list (the discount lists are short), as the POS holds them.
async fn list_records(
    State(shared): State<Shared>,
    Path((list, store)): Path<(String, u64)>,
) -> Result<Json<Value>, ApiError> {
    let mut world = lock(&shared);
    let (kind, index) = target(&world, &list, store)?;
    let records = world
        .list_mut(kind, index)
        .ok_or_else(|| ApiError::not_found("list"))?
        .page(&Default::default(), 0, 1_000)
        .records;
    Ok(Json(json!({ list: records })))
}

async fn add_record(
    State(shared): State<Shared>,
    Path((list, store)): Path<(String, u64)>,
    Json(mut record): Json<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut world = lock(&shared);
    let (kind, index) = target(&world, &list, store)?;
    if !record.is_object() {
        return Err(ApiError::unprocessable("the body must be a JSON object"));
    }
    if record.get("id").is_none() {
        record["id"] = world.new_id(kind, index);
    }
    if record.get("created_at").is_none() {
        record["created_at"] = json!(crate::generator::stamp(chrono::Utc::now()));
    }
    let list = world
        .list_mut(kind, index)
        .ok_or_else(|| ApiError::not_found("list"))?;
    Ok((StatusCode::CREATED, Json(list.put(record))))
}

async fn change_record(
    State(shared): State<Shared>,
    Path((list, store, id)): Path<(String, u64, String)>,
    Json(fields): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut world = lock(&shared);
    let (kind, index) = target(&world, &list, store)?;
    let list = world
        .list_mut(kind, index)
        .ok_or_else(|| ApiError::not_found("list"))?;
    let mut record = list.get(&id).ok_or_else(|| ApiError::not_found("record"))?;
    for (key, value) in fields.as_object().into_iter().flatten() {
        if key != "id" {
            record[key] = value.clone();
        }
    }
    Ok(Json(list.put(record)))
}

async fn delete_record(
    State(shared): State<Shared>,
    Path((list, store, id)): Path<(String, u64, String)>,
) -> Result<StatusCode, ApiError> {
    let mut world = lock(&shared);
    let (kind, index) = target(&world, &list, store)?;
    let list = world
        .list_mut(kind, index)
        .ok_or_else(|| ApiError::not_found("list"))?;
    if list.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("record"))
    }
}
