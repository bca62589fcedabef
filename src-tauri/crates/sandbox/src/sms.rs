//! The SMS gateway simulator: Canopy sends texts to it and reads replies from it, as it would with
//! a real SMS provider; tests and the admin API read what was sent and inject shoppers' replies.
//!
//! ```text
//! POST /sms/v1/messages            {to, body} → 201 {id, to, body, sent_at}
//! GET  /sms/v1/replies?after=N     {replies: [{id, from, body, received_at}]} with id > N
//! GET  /__admin/sms/messages       every text sent, oldest first
//! POST /__admin/sms/replies        {from, body}: a shopper texts back; answers the reply
//! ```

use axum::extract::{Query, State};
use axum::http::StatusCode;
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
}

/// Texts sent by Canopy and replies from shoppers.
#[derive(Debug, Default)]
pub struct SmsLog {
    /// Sent by Canopy, oldest first.
    pub sent: Vec<Text>,
    /// Replies, oldest first.
    pub replies: Vec<Text>,
}

/// The gateway's and the admin's SMS routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/sms/v1/messages", post(send))
        .route("/sms/v1/replies", get(replies))
        .route("/__admin/sms/messages", get(sent))
        .route("/__admin/sms/replies", post(inject_reply))
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

async fn send(
    State(shared): State<Shared>,
    Json(message): Json<Outgoing>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !deliverable(&message.to) {
        return Err(ApiError::unprocessable(format!(
            "{:?} is not a US phone number in E.164 form",
            message.to
        )));
    }
    if message.body.trim().is_empty() {
        return Err(ApiError::unprocessable("the message body is empty"));
    }
    let mut world = lock(&shared);
    let text = Text {
        id: world.sms.sent.len() as u64 + 1,
        phone: message.to,
        body: message.body,
        at: now(),
    };
    let answer = json!({ "id": format!("SM{}", text.id), "to": text.phone, "body": text.body, "sent_at": text.at });
    world.sms.sent.push(text);
    Ok((StatusCode::CREATED, Json(answer)))
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn replies(State(shared): State<Shared>, Query(after): Query<After>) -> Json<Value> {
    let world = lock(&shared);
    let replies: Vec<Value> = world
        .sms
        .replies
        .iter()
        .filter(|r| r.id > after.after)
        .map(|r| json!({ "id": r.id, "from": r.phone, "body": r.body, "received_at": r.at }))
        .collect();
    Json(json!({ "replies": replies }))
}

async fn sent(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "messages": lock(&shared).sms.sent }))
}

#[derive(Deserialize)]
struct Incoming {
    from: String,
    body: String,
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
        at: now(),
    };
    let answer = json!(text);
    world.sms.replies.push(text);
    (StatusCode::CREATED, Json(answer))
}
