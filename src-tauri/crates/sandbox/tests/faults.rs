//! Every fault type, switched on through the admin API, as a client sees it over HTTP.

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use support::{admin, get, greenbits_token, posabit, sandbox, send, Auth};

const CUSTOMERS: &str = "/api/v3/venue/customers";

async fn set_fault(sandbox: &canopy_sandbox::RunningSandbox, rule: Value) {
    let (status, _) = admin(sandbox, Method::POST, "/faults", Some(rule)).await;
    assert_eq!(status, 201);
}

async fn customers_page(
    sandbox: &canopy_sandbox::RunningSandbox,
    venue: usize,
    page: u64,
) -> (u16, reqwest::header::HeaderMap, Result<Value, String>) {
    let (integrator, token) = posabit(sandbox, venue);
    let url = format!(
        "{}/v3/venue/customers?page={page}&per_page=10",
        sandbox.posabit_base_url()
    );
    send(Method::GET, &url, Auth::Basic(&integrator, &token), None).await
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_on_the_nth_request_only() {
    let sandbox = sandbox(30, 0).await;
    set_fault(&sandbox, json!({"fault": {"type": "rate_limit", "retry_after_secs": 7}, "endpoint": CUSTOMERS, "trigger": {"nth": 2}})).await;
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 200);
    let (status, headers, _) = customers_page(&sandbox, 0, 1).await;
    assert_eq!(
        (
            status,
            headers.get("retry-after").and_then(|v| v.to_str().ok())
        ),
        (429, Some("7"))
    );
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 200);
}

#[tokio::test]
async fn a_burst_of_server_errors_hits_only_the_named_credential() {
    let sandbox = sandbox(30, 0).await;
    let token = sandbox.config().venues[0].token.clone();
    set_fault(&sandbox, json!({"fault": {"type": "server_error", "status": 502}, "credential": token, "trigger": {"nth": 1, "count": 3}})).await;
    assert_eq!(
        customers_page(&sandbox, 1, 1).await.0,
        200,
        "another venue is untouched"
    );
    let statuses: Vec<u16> = statuses_of_first_page(&sandbox, 4).await;
    assert_eq!(statuses, [502, 502, 502, 200]);
}

async fn statuses_of_first_page(sandbox: &canopy_sandbox::RunningSandbox, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..n {
        statuses.push(customers_page(sandbox, 0, 1).await.0);
    }
    statuses
}

#[tokio::test]
async fn slow_responses_are_delayed() {
    let sandbox = sandbox(5, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "slow", "delay_ms": 400}}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_connection_reset_mid_body_fails_the_read() {
    let sandbox = sandbox(30, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "reset_mid_body"}, "trigger": {"nth": 1}}),
    )
    .await;
    // Depending on how much hyper had flushed, the client loses the body or the whole answer.
    let (_, _, body) = customers_page(&sandbox, 0, 1).await;
    let error = body.expect_err("the answer breaks off");
    assert!(
        error.starts_with("body failed") || error.starts_with("request failed"),
        "{error}"
    );
    assert!(customers_page(&sandbox, 0, 1).await.2.is_ok());
}

#[tokio::test]
async fn truncated_and_malformed_json_do_not_parse() {
    let sandbox = sandbox(30, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "truncated_json"}, "trigger": {"nth": 1}}),
    )
    .await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "malformed_json"}, "trigger": {"nth": 2}}),
    )
    .await;
    for _ in 0..2 {
        let (status, _, body) = customers_page(&sandbox, 0, 1).await;
        assert_eq!(status, 200);
        assert!(body.expect_err("not JSON").starts_with("not JSON"));
    }
}

#[tokio::test]
async fn a_bad_record_spoils_one_record_of_a_good_page() {
    let sandbox = sandbox(30, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "bad_record"}, "trigger": {"nth": 1}}),
    )
    .await;
    let body = customers_page(&sandbox, 0, 1).await.2.expect("still JSON");
    assert_eq!(body["customers"][0]["customer"]["id"], "not-an-id");
    assert!(body["customers"][1]["customer"]["id"].is_u64());
}

#[tokio::test]
async fn duplicates_repeat_the_previous_pages_last_record() {
    let sandbox = sandbox(30, 0).await;
    let first = customers_page(&sandbox, 0, 1).await.2.expect("json");
    set_fault(&sandbox, json!({"fault": {"type": "duplicate_records"}})).await;
    let second = customers_page(&sandbox, 0, 2).await.2.expect("json");
    assert_eq!(second["customers"][0], first["customers"][9]);
    assert_eq!(second["customers"].as_array().map(Vec::len), Some(11));
    let (_, people) = get(
        &format!(
            "{}/v2/people?limit=5&offset=5",
            sandbox.greenbits_base_url()
        ),
        Auth::Token(&greenbits_token(&sandbox, 0), None),
    )
    .await;
    assert_eq!(
        people["people"].as_array().map(Vec::len),
        Some(6),
        "Greenbits offsets repeat one too"
    );
}

#[tokio::test]
async fn records_change_while_a_client_pages_through() {
    let sandbox = sandbox(30, 0).await;
    let first = customers_page(&sandbox, 0, 1).await.2.expect("json");
    set_fault(&sandbox, json!({"fault": {"type": "change_while_paging"}, "endpoint": CUSTOMERS, "trigger": {"nth": 1}})).await;
    let second = customers_page(&sandbox, 0, 2).await.2.expect("json");
    assert_eq!(second["total_records"], 31, "a record was inserted");
    let third = customers_page(&sandbox, 0, 3).await.2.expect("json");
    let last = customers_page(&sandbox, 0, 4).await.2.expect("json");
    let tail: Vec<&Value> = third["customers"]
        .as_array()
        .expect("list")
        .iter()
        .chain(last["customers"].as_array().expect("list"))
        .map(|c| &c["customer"]["id"])
        .collect();
    assert_eq!(
        tail[tail.len() - 2],
        &first["customers"][0]["customer"]["id"],
        "the edited record moved to the end"
    );
}

#[tokio::test]
async fn a_token_revoked_mid_sync_answers_401_from_then_on_until_reset() {
    let sandbox = sandbox(30, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "revoke_token"}, "endpoint": CUSTOMERS, "trigger": {"nth": 2}}),
    )
    .await;
    assert_eq!(statuses_of_first_page(&sandbox, 3).await, [200, 401, 401]);
    let manager = greenbits_token(&sandbox, 0);
    set_fault(&sandbox, json!({"fault": {"type": "revoke_token"}, "endpoint": "/api/v2/people", "trigger": {"nth": 1}})).await;
    let url = format!("{}/v2/people", sandbox.greenbits_base_url());
    assert_eq!(get(&url, Auth::Token(&manager, None)).await.0, 401);
    assert_eq!(
        get(
            &format!("{}/v2/companies", sandbox.greenbits_base_url()),
            Auth::Token(&manager, None)
        )
        .await
        .0,
        401,
        "revoked everywhere"
    );
    assert_eq!(admin(&sandbox, Method::POST, "/reset", None).await.0, 204);
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 200);
    assert_eq!(get(&url, Auth::Token(&manager, None)).await.0, 200);
}

#[tokio::test]
async fn a_permission_removed_mid_sync_answers_403_naming_it() {
    let sandbox = sandbox(30, 0).await;
    set_fault(&sandbox, json!({"fault": {"type": "remove_permission", "permission": "enhanced_customer_data"}, "trigger": {"nth": 2}})).await;
    let statuses = statuses_of_first_page(&sandbox, 3).await;
    assert_eq!(statuses, [200, 403, 403]);
    let body = customers_page(&sandbox, 0, 1).await.2.expect("json");
    assert_eq!(body["missing_permission"], "enhanced_customer_data");
}

#[tokio::test]
async fn probability_faults_are_seeded_and_windows_close() {
    let sandbox = sandbox(5, 0).await;
    set_fault(&sandbox, json!({"fault": {"type": "server_error", "status": 503}, "trigger": {"probability": 0.5, "seed": 42}})).await;
    let first = statuses_of_first_page(&sandbox, 20).await;
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
    admin(&sandbox, Method::POST, "/reset", None).await;
    set_fault(&sandbox, json!({"fault": {"type": "server_error", "status": 503}, "trigger": {"probability": 0.5, "seed": 42}})).await;
    assert_eq!(
        statuses_of_first_page(&sandbox, 20).await,
        first,
        "the same seed fires on the same requests"
    );

    admin(&sandbox, Method::DELETE, "/faults", None).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "server_error", "status": 500}, "trigger": {"until_ms": 300}}),
    )
    .await;
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 500);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(customers_page(&sandbox, 0, 1).await.0, 200);
}

#[tokio::test]
async fn the_request_log_shows_every_call_and_the_faults_that_fired() {
    let sandbox = sandbox(5, 0).await;
    set_fault(
        &sandbox,
        json!({"fault": {"type": "rate_limit", "retry_after_secs": 1}, "trigger": {"nth": 1}}),
    )
    .await;
    assert_eq!(statuses_of_first_page(&sandbox, 2).await, [429, 200]);
    let (_, log) = admin(&sandbox, Method::GET, "/requests", None).await;
    let requests = log.expect("json")["requests"]
        .as_array()
        .expect("log")
        .clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0]["status"].clone(), requests[0]["faults"].clone()),
        (json!(429), json!(["rate_limit"]))
    );
    assert_eq!(requests[1]["path"], CUSTOMERS);
    let (_, faults) = admin(&sandbox, Method::GET, "/faults", None).await;
    assert_eq!(faults.expect("json")["faults"][0]["fired"], 1);
}
