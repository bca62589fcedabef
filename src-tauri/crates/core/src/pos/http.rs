//! What every POS client shares: the HTTP client's settings and turning HTTP failures into the
//! `{code, message, hint}` errors the user sees, in the POS's own words.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::base::error::{Error, ErrorCode, Result};

/// How long one request may take before it counts as unreachable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read from a POS or gateway: far above a page of records, far below what
/// would exhaust memory. A longer answer is refused before it is held whole.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// A POS's words for its failures.
pub struct PosVoice {
    /// The POS's name, e.g. "POSaBIT".
    pub name: &'static str,
    /// The message and hint when the POS refuses the credentials (HTTP 401).
    pub auth_failed: (&'static str, &'static str),
    /// What holds the permissions, e.g. "key" or "user".
    pub holder: &'static str,
    /// The permissions the integration needs, as (wire name, label, remedy when missing).
    pub permissions: &'static [(&'static str, &'static str, &'static str)],
}

impl PosVoice {
    /// The label and remedy of a permission's wire name.
    pub fn permission_text(&self, wire_name: &str) -> (String, String) {
        self.permissions
            .iter()
            .find(|(name, _, _)| *name == wire_name)
            .map(|(_, label, remedy)| (label.to_string(), remedy.to_string()))
            .unwrap_or_else(|| {
                (
                    wire_name.to_string(),
                    format!(
                        "Grant this permission to the {} in {}.",
                        self.holder, self.name
                    ),
                )
            })
    }

    /// The error for a request that never got an answer.
    pub fn unreachable(&self, error: &reqwest::Error) -> Error {
        let what = if error.is_timeout() {
            "did not answer in time"
        } else if error.is_connect() {
            "refused the connection"
        } else {
            "could not be reached"
        };
        Error::new(ErrorCode::PosUnreachable, format!("{} {what}.", self.name)).with_hint(format!(
            "Check this computer's internet connection and try again. If {} is down, Canopy keeps the data it already has.",
            self.name
        ))
    }

    /// The error for an answer that could not be read. It never quotes the request: its address
    /// can carry a shopper's phone or e-mail (`q[telephone_eq]=…`).
    pub fn unreadable(&self, error: &reqwest::Error) -> Error {
        let what = if error.is_decode() {
            "that is not the JSON it expected"
        } else {
            "that was cut off"
        };
        Error::new(
            ErrorCode::PosUnreachable,
            format!("{} sent an answer {what}.", self.name),
        )
        .with_hint("Try again in a few minutes; if it persists, contact Canopy support.")
    }

    /// The error for an answer with a failure status.
    pub async fn status_error(&self, response: reqwest::Response) -> Error {
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body: Value = self.json(response).await.unwrap_or(Value::Null);
        let name = self.name;
        match status {
            StatusCode::UNAUTHORIZED => Error::new(ErrorCode::PosAuthFailed, self.auth_failed.0)
                .with_hint(self.auth_failed.1),
            StatusCode::FORBIDDEN => {
                let (label, remedy) =
                    self.permission_text(body["missing_permission"].as_str().unwrap_or("unknown"));
                Error::new(
                    ErrorCode::PosPermissionMissing,
                    format!("This {name} {} is missing {label}.", self.holder),
                )
                .with_hint(remedy)
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let seconds = retry_after
                    .as_deref()
                    .and_then(|s| s.trim().parse::<u64>().ok());
                let mut error = Error::new(
                    ErrorCode::RateLimited,
                    format!(
                        "{name} asked Canopy to slow down (retry after {} s).",
                        seconds.map_or("a few".to_string(), |s| s.to_string())
                    ),
                )
                .with_hint("Canopy will try again later; nothing needs to be done.");
                error.retry_after_secs = seconds;
                error
            }
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND => {
                Error::internal(format!(
                    "{name} refused Canopy's request (HTTP {}): {}",
                    status.as_u16(),
                    crate::base::identity::mask_contacts(
                        body["error"].as_str().unwrap_or("no reason given")
                    )
                ))
            }
            _ => Error::new(
                ErrorCode::PosUnreachable,
                format!("{name} answered with an error (HTTP {}).", status.as_u16()),
            )
            .with_hint("Try again in a few minutes; Canopy keeps the data it already has."),
        }
    }

    /// Sends a request; a failure status becomes the POS's error.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.status_error(response).await)
        }
    }

    /// Reads a JSON answer.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        mut response: reqwest::Response,
    ) -> Result<T> {
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
        {
            return Err(self.too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.unreadable(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(self.too_large());
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| {
            Error::new(
                ErrorCode::PosUnreachable,
                format!(
                    "{} sent an answer that is not the JSON it expected.",
                    self.name
                ),
            )
            .with_hint("Try again in a few minutes; if it persists, contact Canopy support.")
        })
    }

    /// The error for an answer longer than [`MAX_ANSWER_BYTES`].
    fn too_large(&self) -> Error {
        Error::new(
            ErrorCode::PosUnreachable,
            format!(
                "{} sent an answer larger than {} MB; Canopy did not read it.",
                self.name,
                MAX_ANSWER_BYTES / (1024 * 1024)
            ),
        )
        .with_hint(
            "Try again later; if it persists, contact Canopy support with the time it happened.",
        )
    }
}

/// The HTTP client every POS client uses: timeouts and Canopy's user agent.
pub fn client() -> Result<reqwest::Client> {
    client_with_timeout(REQUEST_TIMEOUT)
}

/// The same client with another limit on how long one request may take.
pub fn client_with_timeout(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("Canopy/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::internal(format!("Could not set up the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOICE: PosVoice = PosVoice {
        name: "The POS",
        auth_failed: ("refused", "check"),
        holder: "key",
        permissions: &[],
    };

    /// A server on loopback answering every request with `body`, chunked when `chunked`.
    async fn serving(body: Vec<u8>, chunked: bool) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let body = body.clone();
                async move {
                    if chunked {
                        let chunks = body
                            .chunks(1 << 20)
                            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                            .collect::<Vec<_>>();
                        axum::body::Body::from_stream(futures_util::stream::iter(chunks))
                    } else {
                        axum::body::Body::from(body)
                    }
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/")
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused_whether_its_length_is_declared_or_not() {
        let mut huge = vec![b' '; MAX_ANSWER_BYTES + 10];
        huge.extend_from_slice(b"{}");
        for chunked in [false, true] {
            let url = serving(huge.clone(), chunked).await;
            let response = client()
                .expect("client")
                .get(&url)
                .send()
                .await
                .expect("answered");
            let error = VOICE
                .json::<Value>(response)
                .await
                .expect_err("over the cap");
            assert!(
                error.message.contains("larger than 32 MB"),
                "chunked {chunked}: {}",
                error.message
            );
        }
        let url = serving(b"{\"ok\": true}".to_vec(), true).await;
        let response = client()
            .expect("client")
            .get(&url)
            .send()
            .await
            .expect("answered");
        let small: Value = VOICE.json(response).await.expect("under the cap");
        assert_eq!(small["ok"], true);
    }
}
