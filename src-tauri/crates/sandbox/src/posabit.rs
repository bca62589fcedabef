//! The simulated POSaBIT V3 API: venue info and the customers list.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::generator::{first_index_updated_after, posabit_customer};
use crate::venues::{Permission, Venue};
use crate::SandboxConfig;

/// The largest `per_page` the sandbox accepts.
const MAX_PER_PAGE: u64 = 500;
/// The `per_page` used when a client sends none.
const DEFAULT_PER_PAGE: u64 = 25;

type Shared = Arc<SandboxConfig>;

/// The POSaBIT routes, under `/api`.
pub fn router(config: SandboxConfig) -> Router {
    Router::new()
        .route("/api/v3/info", get(info))
        .route("/api/v3/venue/customers", get(customers))
        .with_state(Arc::new(config))
}

/// An error answer in the sandbox's JSON error shape: `{"error": "...", ...}`.
struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Invalid or missing credentials")
}

/// The `(user, password)` pair of an HTTP Basic `Authorization` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Checks `integrator:venue` Basic auth and returns the venue's index, or the 401 answer.
fn authenticate_venue(config: &SandboxConfig, headers: &HeaderMap) -> Result<usize, ApiError> {
    let Some((integrator, venue_token)) = basic_credentials(headers) else {
        return Err(unauthorized());
    };
    if integrator != config.integrator_token {
        return Err(unauthorized());
    }
    config
        .venues
        .iter()
        .position(|venue| venue.token == venue_token)
        .ok_or_else(unauthorized)
}

fn require(venue: &Venue, permission: Permission) -> Result<(), ApiError> {
    if venue.permissions.contains(&permission) {
        return Ok(());
    }
    Err(ApiError {
        status: StatusCode::FORBIDDEN,
        body: json!({
            "error": format!("This venue token lacks the {} permission", permission.wire_name()),
            "missing_permission": permission.wire_name(),
        }),
    })
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
async fn info(State(config): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let (integrator, venue_token) = basic_credentials(&headers).ok_or_else(unauthorized)?;
    if integrator != config.integrator_token {
        return Err(unauthorized());
    }
    if venue_token.is_empty() {
        let venues: Vec<Value> = config
            .venues
            .iter()
            .map(|v| json!({ "id": v.id, "name": v.name, "token": v.token, "state": v.state }))
            .collect();
        return Ok(Json(json!({ "venues": venues })));
    }
    let venue = config
        .venues
        .iter()
        .find(|v| v.token == venue_token)
        .ok_or_else(unauthorized)?;
    Ok(Json(json!({ "venue": venue_json(venue) })))
}

/// The validated paging and filter parameters of a list call.
#[derive(Debug)]
struct ListParams {
    page: u64,
    per_page: u64,
    updated_after: Option<DateTime<Utc>>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
}

fn parse_number(params: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, String> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{name} must be a positive integer, got {raw:?}")),
    }
}

fn parse_date(params: &HashMap<String, String>, name: &str) -> Result<Option<NaiveDate>, String> {
    params
        .get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| format!("{name} must be YYYY-MM-DD, got {raw:?}"))
        })
        .transpose()
}

fn parse_list_params(params: &HashMap<String, String>) -> Result<ListParams, String> {
    let page = parse_number(params, "page", 1)?;
    let per_page = parse_number(params, "per_page", DEFAULT_PER_PAGE)?;
    if page == 0 {
        return Err("page starts at 1".into());
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(format!("per_page must be between 1 and {MAX_PER_PAGE}"));
    }
    let updated_after = params
        .get("q[updated_at_gt]")
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    format!("q[updated_at_gt] must be ISO 8601 with an offset, got {raw:?}")
                })
        })
        .transpose()?;
    Ok(ListParams {
        page,
        per_page,
        updated_after,
        start_date: parse_date(params, "start_date")?,
        end_date: parse_date(params, "end_date")?,
    })
}

/// The half-open range of record indexes the filters select out of `count` records.
fn selected_range(params: &ListParams, count: u64) -> (u64, u64) {
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let mut low = 0;
    let mut high = count;
    if let Some(after) = params.updated_after {
        low = low.max(first_index_updated_after(after));
    }
    if let Some(start) = params.start_date.and_then(midnight) {
        low = low.max(first_index_updated_after(start - Duration::seconds(1)));
    }
    if let Some(end) = params.end_date.and_then(midnight) {
        high = high.min(first_index_updated_after(
            end + Duration::days(1) - Duration::seconds(1),
        ));
    }
    (low.min(high), high)
}

/// `GET /api/v3/venue/customers`: one page of the venue's customers, oldest update first.
async fn customers(
    State(config): State<Shared>,
    headers: HeaderMap,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let venue_index = authenticate_venue(&config, &headers)?;
    require(
        &config.venues[venue_index],
        Permission::EnhancedCustomerData,
    )?;
    let params = parse_list_params(&raw)
        .map_err(|message| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message))?;
    let (low, high) = selected_range(&params, config.customers_per_venue);
    let total = high - low;
    let first = low + (params.page - 1) * params.per_page;
    let last = (first + params.per_page).min(high);
    let records: Vec<Value> = (first..last)
        .map(|index| json!({ "customer": posabit_customer(config.seed, venue_index, index) }))
        .collect();
    Ok(Json(json!({
        "total_records": total,
        "current_page": params.page,
        "total_pages": total.div_ceil(params.per_page),
        "per_page": params.per_page,
        "customers": records,
    })))
}
