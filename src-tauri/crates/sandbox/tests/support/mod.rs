//! A sandbox on loopback and a small HTTP client for the contract tests.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]
#![allow(dead_code)]

use canopy_sandbox::{start, RunningSandbox, SandboxConfig};
use serde_json::Value;

pub async fn sandbox(customers: u64, sales: u64) -> RunningSandbox {
    start(SandboxConfig::sized(11, customers, sales), 0)
        .await
        .expect("sandbox starts")
}

/// How a request authenticates.
pub enum Auth<'a> {
    Basic(&'a str, &'a str),
    Token(&'a str, Option<u64>),
    Nothing,
}

pub async fn send(
    method: reqwest::Method,
    url: &str,
    auth: Auth<'_>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Result<Value, String>) {
    let mut request = reqwest::Client::new().request(method, url);
    request = match auth {
        Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
        Auth::Token(token, company) => {
            let request = request.header("Authorization", format!("Token token=\"{token}\""));
            match company {
                Some(id) => request.header("X-GB-CompanyId", id.to_string()),
                None => request,
            }
        }
        Auth::Nothing => request,
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            return (
                0,
                reqwest::header::HeaderMap::new(),
                Err(format!("request failed: {e}")),
            )
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.text().await {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}: {text:.80}")),
        Err(e) => Err(format!("body failed: {e}")),
    };
    (status, headers, body)
}

pub async fn get(url: &str, auth: Auth<'_>) -> (u16, Value) {
    let (status, _, body) = send(reqwest::Method::GET, url, auth, None).await;
    (status, body.expect("JSON body"))
}

pub fn posabit(sandbox: &RunningSandbox, venue: usize) -> (String, String) {
    (
        sandbox.config().integrator_token.clone(),
        sandbox.config().venues[venue].token.clone(),
    )
}

pub fn greenbits_token(sandbox: &RunningSandbox, user: usize) -> String {
    sandbox.config().greenbits_users[user].token.clone()
}

pub async fn admin(
    sandbox: &RunningSandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Option<Value>) {
    let (status, _, body) = send(
        method,
        &format!("{}{path}", sandbox.admin_url()),
        Auth::Nothing,
        body,
    )
    .await;
    (status, body.ok())
}

/// Every id of a POSaBIT list, page by page.
pub async fn posabit_ids(
    sandbox: &RunningSandbox,
    list: &str,
    venue: usize,
    per_page: u64,
    extra: &str,
) -> Vec<Value> {
    let (integrator, token) = posabit(sandbox, venue);
    let element = &list[..list.len() - 1];
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let url = format!(
            "{}/v3/venue/{list}?page={page}&per_page={per_page}{extra}",
            sandbox.posabit_base_url()
        );
        let (status, body) = get(&url, Auth::Basic(&integrator, &token)).await;
        assert_eq!(status, 200, "{body}");
        for e in body[list].as_array().expect("list") {
            ids.push(e[element]["id"].clone());
        }
        if page >= body["total_pages"].as_u64().expect("total_pages") {
            return ids;
        }
        page += 1;
    }
}
