//! Text messages: the [`SmsGateway`] Canopy sends through and reads replies from, its HTTP client
//! (the built-in sandbox simulates a gateway on loopback), and the double opt-in job
//! ([`opt_in`]).

pub mod opt_in;

use std::future::Future;
use std::pin::Pin;

use serde::Deserialize;
use serde_json::json;

use crate::base::error::Result;
use crate::pos::http::{self, PosVoice};

/// A boxed future, so gateways can be used as trait objects.
pub type GatewayFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A text the gateway received from a shopper.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IncomingSms {
    /// The gateway's id; replies are read in id order from a cursor.
    pub id: u64,
    /// The sender's phone, as the gateway gives it.
    pub from: String,
    /// What they wrote.
    pub body: String,
}

/// Where Canopy sends texts and reads replies.
pub trait SmsGateway: Send + Sync {
    /// Sends `body` to `to` (E.164); answers the gateway's message id.
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> GatewayFuture<'a, String>;
    /// The replies received after the one with id `after`, oldest first.
    fn replies_after(&self, after: u64) -> GatewayFuture<'_, Vec<IncomingSms>>;
}

/// How the SMS gateway's failures read.
const VOICE: PosVoice = PosVoice {
    name: "The SMS gateway",
    auth_failed: (
        "The SMS gateway refused Canopy's credentials.",
        "Check the SMS gateway settings.",
    ),
    holder: "account",
    permissions: &[],
};

/// A gateway over HTTP: `POST {base}/v1/messages` and `GET {base}/v1/replies?after=`.
#[derive(Clone)]
pub struct HttpSmsGateway {
    base_url: String,
    http: reqwest::Client,
}

impl HttpSmsGateway {
    /// A gateway at `base_url` (for the sandbox's simulator, its `sms_base_url()`).
    pub fn new(base_url: impl Into<String>) -> Result<Self> {
        Ok(HttpSmsGateway {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            http: http::client()?,
        })
    }
}

#[derive(Deserialize)]
struct Sent {
    id: String,
}

#[derive(Deserialize)]
struct Replies {
    replies: Vec<IncomingSms>,
}

impl SmsGateway for HttpSmsGateway {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> GatewayFuture<'a, String> {
        Box::pin(async move {
            let request = self
                .http
                .post(format!("{}/v1/messages", self.base_url))
                .json(&json!({ "to": to, "body": body }));
            let sent: Sent = VOICE.json(VOICE.send(request).await?).await?;
            Ok(sent.id)
        })
    }

    fn replies_after(&self, after: u64) -> GatewayFuture<'_, Vec<IncomingSms>> {
        Box::pin(async move {
            let request = self
                .http
                .get(format!("{}/v1/replies", self.base_url))
                .query(&[("after", after)]);
            let replies: Replies = VOICE.json(VOICE.send(request).await?).await?;
            Ok(replies.replies)
        })
    }
}
