//! Text messages: the [`SmsGateway`] Canopy sends through and reads replies from, its HTTP client
//! (the built-in sandbox simulates a gateway on loopback), the kinds of text Canopy sends, and the
//! double opt-in job ([`opt_in`]).
//!
//! Every text carries an idempotency key the gateway deduplicates on, and the gateway can be
//! asked whether a key was sent: a text whose answer was lost is looked up before it is tried
//! again, so it goes out once.

pub mod opt_in;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::base::error::{ErrorCode, Result};
use crate::base::secret::Secret;
use crate::base::stored_name::stored_name;
use crate::pos::http::{self, PosVoice};

stored_name! {
    /// The kinds of text Canopy sends.
    pub enum MessageKind {
        /// A double opt-in request (the setting's call to action).
        OptInRequest => "opt_in_request",
        /// The answer to YES.
        Confirmation => "confirmation",
        /// The one answer to a stop, within five minutes or never.
        OptOutConfirmation => "opt_out_confirmation",
        /// The answer to START or UNSTOP.
        StartConfirmation => "start_confirmation",
        /// The answer to HELP or INFO.
        Help => "help",
    }
}

/// One text to hand to the gateway.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingSms<'a> {
    /// The recipient (E.164).
    pub to: &'a str,
    /// What it says.
    pub body: &'a str,
    /// The key the gateway deduplicates on: the same key is never delivered twice.
    pub key: &'a str,
}

/// Whether a failed send means the gateway refused this text (trying it again will not help),
/// refused Canopy itself (nothing will go until the settings are fixed), or may have sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFailure {
    /// The gateway refused this text (e.g. a number it cannot deliver to).
    Refused,
    /// The gateway refused Canopy's credentials: every text would fail.
    Unauthorized,
    /// No answer, or a server error: the text may have gone.
    Unknown,
}

impl SendFailure {
    /// How a gateway error reads.
    pub fn of(error: &crate::base::error::Error) -> Self {
        match error.code {
            ErrorCode::PosAuthFailed | ErrorCode::PosPermissionMissing => SendFailure::Unauthorized,
            ErrorCode::Validation
            | ErrorCode::Internal
            | ErrorCode::NotFound
            | ErrorCode::Conflict => SendFailure::Refused,
            _ => SendFailure::Unknown,
        }
    }
}

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
    /// When the gateway received it (RFC 3339), when it says.
    #[serde(default)]
    pub received_at: Option<String>,
}

/// Where Canopy sends texts and reads replies.
pub trait SmsGateway: Send + Sync {
    /// Sends a text; answers the gateway's message id. A key sent before is not sent again.
    fn send<'a>(&'a self, message: OutgoingSms<'a>) -> GatewayFuture<'a, String>;
    /// The gateway's id of the text sent with `key`, or `None` when none was.
    fn find<'a>(&'a self, key: &'a str) -> GatewayFuture<'a, Option<String>>;
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

/// A gateway over HTTP: `POST {base}/v1/messages`, `GET {base}/v1/messages/by-key/{key}` and
/// `GET {base}/v1/replies?after=`.
#[derive(Clone)]
pub struct HttpSmsGateway {
    base_url: String,
    token: Option<Secret>,
    http: reqwest::Client,
}

impl HttpSmsGateway {
    /// A gateway at `base_url` (for the sandbox's simulator, its `sms_base_url()`).
    pub fn new(base_url: impl Into<String>) -> Result<Self> {
        Ok(HttpSmsGateway {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            token: None,
            http: http::client()?,
        })
    }

    /// The same gateway called with `token` as its bearer token (none: no `Authorization`).
    pub fn with_token(mut self, token: Option<Secret>) -> Self {
        self.token = token;
        self
    }

    /// A request to `path` under the gateway, with its token.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// The same gateway with another limit on how long one request may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self> {
        self.http = http::client_with_timeout(timeout)?;
        Ok(self)
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
    fn send<'a>(&'a self, message: OutgoingSms<'a>) -> GatewayFuture<'a, String> {
        Box::pin(async move {
            let request = self
                .request(reqwest::Method::POST, "/v1/messages")
                .header("Idempotency-Key", message.key)
                .json(&json!({ "to": message.to, "body": message.body }));
            let sent: Sent = VOICE.json(VOICE.send(request).await?).await?;
            Ok(sent.id)
        })
    }

    fn find<'a>(&'a self, key: &'a str) -> GatewayFuture<'a, Option<String>> {
        Box::pin(async move {
            let response = self
                .request(reqwest::Method::GET, &format!("/v1/messages/by-key/{key}"))
                .send()
                .await
                .map_err(|e| VOICE.unreachable(&e))?;
            if response.status() == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !response.status().is_success() {
                return Err(VOICE.status_error(response).await);
            }
            let sent: Sent = VOICE.json(response).await?;
            Ok(Some(sent.id))
        })
    }

    fn replies_after(&self, after: u64) -> GatewayFuture<'_, Vec<IncomingSms>> {
        Box::pin(async move {
            let request = self
                .request(reqwest::Method::GET, "/v1/replies")
                .query(&[("after", after)]);
            let replies: Replies = VOICE.json(VOICE.send(request).await?).await?;
            Ok(replies.replies)
        })
    }
}
