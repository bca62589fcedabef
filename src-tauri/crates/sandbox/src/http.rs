//! What every simulated endpoint shares: the JSON error answer, reading credentials, list
//! parameters, and the middleware that logs each request and applies fault rules to it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::faults::FaultKind;
use crate::world::{ListKind, LoggedRequest, World};

/// The state every handler shares.
pub type Shared = Arc<Mutex<World>>;

/// Locks the world; a panic in another handler does not poison it for the rest.
pub fn lock(shared: &Shared) -> MutexGuard<'_, World> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An error answer: `{"error": "..."}` plus any extra fields.
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// An error with a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    /// 401 for bad or missing credentials.
    pub fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "Invalid or missing credentials")
    }

    /// 403 naming the missing permission.
    pub fn forbidden(permission: &str) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            body: json!({
                "error": format!("This credential lacks the {permission} permission"),
                "missing_permission": permission,
            }),
        }
    }

    /// 422 for bad parameters.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 404.
    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The credentials a request presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// HTTP Basic `user:password`.
    Basic {
        /// The user part (POSaBIT integrator token, Greenbits user name or e-mail).
        user: String,
        /// The password part (POSaBIT venue token, Greenbits password).
        password: String,
    },
    /// Greenbits `Authorization: Token token="…"`.
    Token(String),
    /// Nothing usable.
    Nothing,
}

impl Presented {
    /// Reads the `Authorization` header.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
            return Presented::Nothing;
        };
        if let Some(encoded) = value.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok();
            let text = decoded.and_then(|d| String::from_utf8(d).ok());
            if let Some((user, password)) = text.as_deref().and_then(|t| t.split_once(':')) {
                return Presented::Basic {
                    user: user.into(),
                    password: password.into(),
                };
            }
        }
        if let Some(rest) = value.strip_prefix("Token ") {
            let token = rest.trim().trim_start_matches("token=").trim_matches('"');
            if !token.is_empty() {
                return Presented::Token(token.into());
            }
        }
        Presented::Nothing
    }

    /// The credential that identifies the caller of `path`: a POSaBIT venue token (or the
    /// integrator token alone), a Greenbits token, or the Greenbits user name logging in.
    pub fn primary(&self, path: &str) -> Option<String> {
        match self {
            Presented::Basic { user, password }
                if path.starts_with("/api/v2/me") || password.is_empty() =>
            {
                Some(user.clone())
            }
            Presented::Basic { password, .. } => Some(password.clone()),
            Presented::Token(token) => Some(token.clone()),
            Presented::Nothing => None,
        }
    }

    /// Every credential string in the request, for matching fault rules.
    pub fn labels(&self) -> Vec<String> {
        match self {
            Presented::Basic { user, password } => vec![user.clone(), password.clone()],
            Presented::Token(token) => vec![token.clone()],
            Presented::Nothing => Vec::new(),
        }
    }
}

/// The faults that fired on a request, for handlers that act on them (duplicates).
#[derive(Debug, Clone, Default)]
pub struct Fired(pub Vec<FaultKind>);

impl Fired {
    /// Whether `fault` fired.
    pub fn has(&self, fault: &FaultKind) -> bool {
        self.0.contains(fault)
    }
}

/// Parses an optional non-negative integer parameter.
pub fn number(params: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
            ApiError::unprocessable(format!(
                "{name} must be a non-negative integer, got {raw:?}"
            ))
        }),
    }
}

/// Parses an optional ISO 8601 instant parameter.
pub fn instant(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    params
        .get(name)
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::unprocessable(format!(
                        "{name} must be ISO 8601 with an offset, got {raw:?}"
                    ))
                })
        })
        .transpose()
}

/// Which collection a list path reads, for faults that change data while a client pages.
fn paged_list(
    world: &World,
    path: &str,
    primary: Option<&str>,
    headers: &HeaderMap,
) -> Option<(ListKind, usize)> {
    let venue = || primary.and_then(|t| world.venue_by_token(t));
    let location = || {
        let user = primary.and_then(|t| world.greenbits_user_by_token(t))?;
        let company = headers
            .get("x-gb-companyid")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .or_else(|| {
                world.greenbits_users[user]
                    .accessible_location_ids
                    .first()
                    .copied()
            })?;
        world.location_by_id(company)
    };
    if path.starts_with("/api/v3/venue/customers") {
        venue().map(|v| (ListKind::Customers, v))
    } else if path.starts_with("/api/v3/venue/tickets") {
        venue().map(|v| (ListKind::Tickets, v))
    } else if path.starts_with("/api/v2/people") {
        location().map(|l| (ListKind::People, l))
    } else if path.starts_with("/api/v2/orders") {
        location().map(|l| (ListKind::Orders, l))
    } else {
        None
    }
}

/// The middleware: applies the fault rules that fire, then logs the request and its answer.
pub async fn observe(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/__admin") {
        return next.run(request).await;
    }
    let presented = Presented::from_headers(request.headers());
    let primary = presented.primary(&path);
    let fired = {
        let mut world = lock(&shared);
        let fired = world.faults.fire(&path, &presented.labels());
        for fault in &fired {
            match fault {
                FaultKind::RevokeToken => {
                    if let Some(credential) = &primary {
                        world.revoked.insert(credential.clone());
                    }
                }
                FaultKind::RemovePermission { permission } => {
                    if let Some(credential) = &primary {
                        world.remove_permission(credential, permission);
                    }
                }
                FaultKind::ChangeWhilePaging => {
                    if let Some((kind, store)) =
                        paged_list(&world, &path, primary.as_deref(), request.headers())
                    {
                        world.churn(kind, store);
                    }
                }
                FaultKind::MoveToEnd { records } => {
                    if let Some((kind, store)) =
                        paged_list(&world, &path, primary.as_deref(), request.headers())
                    {
                        world.move_to_end(kind, store, *records);
                    }
                }
                _ => {}
            }
        }
        fired
    };
    let mut early = None;
    let mut budget = None;
    for fault in &fired {
        match fault {
            FaultKind::Slow { delay_ms } => {
                tokio::time::sleep(std::time::Duration::from_millis(*delay_ms)).await
            }
            FaultKind::RateLimitAbove {
                per_second,
                headers,
            } => {
                let window = primary
                    .as_deref()
                    .map(|credential| lock(&shared).over_rate(credential, *per_second));
                if *headers {
                    budget = window.map(|w| (*per_second, w));
                }
                if window.is_some_and(|w| w.over) {
                    let mut response =
                        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded")
                            .into_response();
                    response
                        .headers_mut()
                        .insert("retry-after", HeaderValue::from(1));
                    early = Some(response);
                }
            }
            FaultKind::RateLimit { retry_after_secs } => {
                let mut response =
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded")
                        .into_response();
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(*retry_after_secs));
                early = Some(response);
            }
            FaultKind::ServerError { status } => {
                let status =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                early = Some(ApiError::new(status, "The server had a problem").into_response());
            }
            _ => {}
        }
    }
    let query = request.uri().query().unwrap_or_default().to_string();
    let method = request.method().to_string();
    request.extensions_mut().insert(Fired(fired.clone()));
    let mut response = match early {
        Some(response) => response,
        None => next.run(request).await,
    };
    if let Some((limit, window)) = budget {
        let headers = response.headers_mut();
        headers.insert("ratelimit-limit", HeaderValue::from(limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(window.remaining));
        // Whole seconds, rounded up, as the draft has them: a client waiting for the reset never
        // arrives early.
        headers.insert(
            "ratelimit-reset",
            HeaderValue::from(window.reset.as_secs_f64().ceil() as u64),
        );
    }
    let status = response.status().as_u16();
    let response = damage_body(response, &fired).await;
    lock(&shared).log(LoggedRequest {
        method,
        path,
        query,
        credential: primary,
        status,
        faults: fired.iter().map(fault_name).collect(),
    });
    response
}

fn fault_name(fault: &FaultKind) -> String {
    serde_json::to_value(fault)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The list fields of the answers whose first record [`FaultKind::BadRecord`] spoils.
const LIST_FIELDS: [&str; 4] = ["customers", "tickets", "people", "orders"];

/// Applies the faults that change the body of an answer that was already produced.
async fn damage_body(response: Response, fired: &[FaultKind]) -> Response {
    let body_faults = [
        FaultKind::TruncatedJson,
        FaultKind::MalformedJson,
        FaultKind::BadRecord,
        FaultKind::ResetMidBody,
    ];
    if !fired.iter().any(|f| body_faults.contains(f)) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut bytes = bytes.to_vec();
    parts.headers.remove("content-length");
    if fired.contains(&FaultKind::BadRecord) {
        if let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) {
            for field in LIST_FIELDS {
                if let Some(first) = value[field].get_mut(0) {
                    let record = if first.get("customer").is_some() {
                        &mut first["customer"]
                    } else {
                        first
                    };
                    record["id"] = json!("not-an-id");
                    record["updated_at"] = json!("yesterday");
                }
            }
            bytes = value.to_string().into_bytes();
        }
    }
    if fired.contains(&FaultKind::MalformedJson) {
        bytes = b"<html><body>Service temporarily unavailable</body></html>".to_vec();
    }
    if fired.contains(&FaultKind::TruncatedJson) {
        bytes.truncate(bytes.len() / 2);
    }
    if fired.contains(&FaultKind::ResetMidBody) {
        let half = Bytes::from(bytes[..bytes.len() / 2].to_vec());
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(half),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset by the sandbox",
            )),
        ];
        return Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)));
    }
    Response::from_parts(parts, Body::from(bytes))
}
