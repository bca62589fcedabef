//! The SMS gateway simulator: Canopy sends texts to it and reads replies from it, as it would with
//! a real SMS provider; tests and the admin API read what was sent and inject shoppers' replies.
//!
//! ```text
//! POST /sms/v1/messages            {to, body} with an Idempotency-Key header → 201 {id, to, body, sent_at};
//!                                  the same key again → 200 with the first text, nothing sent twice
//! GET  /sms/v1/messages/by-key/K   the text sent with key K, or 404
//! GET  /sms/v1/replies?after=N     {replies: [{id, from, body, received_at}]} with id > N
//! GET  /__admin/sms/messages       every text sent, oldest first
//! POST /__admin/sms/replies        {from, body, received_at?}: a shopper texts back; answers the reply
//! POST /__admin/sms/refuse         {phone}: the gateway refuses texts to it from now on (422)
//! POST /__admin/sms/hang           {texts}: accept the next N texts, then never answer (lost answers)
//! ```
//!
//! With a configured `sms_token`, the gateway's own routes answer 401 unless called with
//! `Authorization: Bearer <token>`, as a real provider's would.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::http::{lock, ApiError, Shared};

/// A text the simulator holds.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    /// Its id, counting from 1.
    pub id: u64,
    /// The shopper's phone (the recipient of a sent text, the sender of a reply).
    pub phone: String,
    /// What it says.
    pub body: String,
    /// When (RFC 3339).
    pub at: String,
    /// The sender's idempotency key (texts sent by Canopy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Texts sent by Canopy and replies from shoppers.
#[derive(Debug, Default)]
pub struct SmsLog {
    /// Sent by Canopy, oldest first.
    pub sent: Vec<Text>,
    /// Replies, oldest first.
    pub replies: Vec<Text>,
    /// Sent texts by idempotency key (index into `sent`).
    by_key: HashMap<String, usize>,
    /// Phones the gateway refuses.
    refused: HashSet<String>,
    /// How many more texts to accept without ever answering.
    hang_after_accept: u32,
}

/// The gateway's and the admin's SMS routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/sms/v1/messages", post(send))
        .route("/sms/v1/messages/by-key/{key}", get(by_key))
        .route("/sms/v1/replies", get(replies))
        .route("/__admin/sms/messages", get(sent))
        .route("/__admin/sms/replies", post(inject_reply))
        .route("/__admin/sms/refuse", post(refuse))
        .route("/__admin/sms/hang", post(hang))
}

#[derive(Deserialize)]
struct Outgoing {
    to: String,
    body: String,
}

fn now() -> String {
    crate::generator::stamp(chrono::Utc::now())
}

/// A US phone in E.164, the only kind the simulator delivers to.
fn deliverable(phone: &str) -> bool {
    phone.len() == 12 && phone.starts_with("+1") && phone[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Refuses a gateway call without the configured token.
fn authorized(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let world = lock(shared);
    let Some(token) = &world.config.sms_token else {
        return Ok(());
    };
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if presented == Some(token.as_str()) {
        Ok(())
    } else {
        Err(ApiError::unauthorized())
    }
}

fn answer(text: &Text) -> Value {
    json!({ "id": format!("SM{}", text.id), "to": text.phone, "body": text.body, "sent_at": text.at })
}

async fn send(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(message): Json<Outgoing>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    authorized(&shared, &headers)?;
    // Like real gateways, the error names the problem but echoes no number back.
    if !deliverable(&message.to) {
        return Err(ApiError::unprocessable(
            "the recipient is not a US phone number in E.164 form",
        ));
    }
    if message.body.trim().is_empty() {
        return Err(ApiError::unprocessable("the message body is empty"));
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (status, answer, hang) = {
        let mut world = lock(&shared);
        if world.sms.refused.contains(&message.to) {
            return Err(ApiError::unprocessable(
                "the carrier refuses texts to this recipient",
            ));
        }
        let hang = world.sms.hang_after_accept > 0;
        world.sms.hang_after_accept = world.sms.hang_after_accept.saturating_sub(1);
        match key.as_ref().and_then(|k| world.sms.by_key.get(k)).copied() {
            Some(index) => (StatusCode::OK, answer(&world.sms.sent[index]), hang),
            None => {
                let text = Text {
                    id: world.sms.sent.len() as u64 + 1,
                    phone: message.to,
                    body: message.body,
                    at: now(),
                    key: key.clone(),
                };
                let answer = answer(&text);
                if let Some(key) = key {
                    let index = world.sms.sent.len();
                    world.sms.by_key.insert(key, index);
                }
                world.sms.sent.push(text);
                (StatusCode::CREATED, answer, hang)
            }
        }
    };
    if hang {
        // Accepted, but the answer never comes (the caller's timeout decides).
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    Ok((status, Json(answer)))
}

async fn by_key(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authorized(&shared, &headers)?;
    let world = lock(&shared);
    world
        .sms
        .by_key
        .get(&key)
        .map(|index| Json(answer(&world.sms.sent[*index])))
        .ok_or_else(|| ApiError::not_found("message"))
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn replies(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(after): Query<After>,
) -> Result<Json<Value>, ApiError> {
    authorized(&shared, &headers)?;
    let world = lock(&shared);
    let replies: Vec<Value> = world
        .sms
        .replies
        .iter()
        .filter(|r| r.id > after.after)
        .map(|r| json!({ "id": r.id, "from": r.phone, "body": r.body, "received_at": r.at }))
        .collect();
    Ok(Json(json!({ "replies": replies })))
}

async fn sent(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "messages": lock(&shared).sms.sent }))
}

#[derive(Deserialize)]
struct Incoming {
    from: String,
    body: String,
    /// When the shopper sent it (RFC 3339); now when absent.
    #[serde(default)]
    received_at: Option<String>,
}

async fn inject_reply(
    State(shared): State<Shared>,
    Json(reply): Json<Incoming>,
) -> (StatusCode, Json<Value>) {
    let mut world = lock(&shared);
    let text = Text {
        id: world.sms.replies.len() as u64 + 1,
        phone: reply.from,
        body: reply.body,
        at: reply.received_at.unwrap_or_else(now),
        key: None,
    };
    let answer = json!(text);
    world.sms.replies.push(text);
    (StatusCode::CREATED, Json(answer))
}

#[derive(Deserialize)]
struct Refuse {
    phone: String,
}

async fn refuse(State(shared): State<Shared>, Json(refuse): Json<Refuse>) -> StatusCode {
    lock(&shared).sms.refused.insert(refuse.phone);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Hang {
    texts: u32,
}

async fn hang(State(shared): State<Shared>, Json(hang): Json<Hang>) -> StatusCode {
    lock(&shared).sms.hang_after_accept = hang.texts;
    StatusCode::NO_CONTENT
}
