//! Contract tests of the simulated POSaBIT API over real HTTP on loopback.

use std::collections::HashSet;

use canopy_sandbox::{start, RunningSandbox, SandboxConfig};
use serde_json::Value;

async fn sandbox(customers: u64) -> RunningSandbox {
    let config = SandboxConfig {
        customers_per_venue: customers,
        ..SandboxConfig::default()
    };
    start(config, 0).await.expect("sandbox starts")
}

async fn get(sandbox: &RunningSandbox, path: &str, user: &str, password: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.posabit_base_url()))
        .basic_auth(user, Some(password))
        .send()
        .await
        .expect("request is answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("body is JSON"))
}

fn integrator(sandbox: &RunningSandbox) -> String {
    sandbox.config().integrator_token.clone()
}

fn venue_token(sandbox: &RunningSandbox, index: usize) -> String {
    sandbox.config().venues[index].token.clone()
}

#[tokio::test]
async fn info_with_integrator_token_lists_venues_and_with_venue_token_describes_it() {
    let sandbox = sandbox(10).await;
    let (status, body) = get(&sandbox, "/v3/info", &integrator(&sandbox), "").await;
    assert_eq!(status, 200);
    let venues = body["venues"].as_array().expect("venues array");
    assert_eq!(venues.len(), sandbox.config().venues.len());
    assert_eq!(venues[0]["token"], venue_token(&sandbox, 0));

    let (status, body) = get(
        &sandbox,
        "/v3/info",
        &integrator(&sandbox),
        &venue_token(&sandbox, 2),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["venue"]["state"], "WA");
    let permissions: Vec<&str> = body["venue"]["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(permissions, ["menu_feed", "incoming_orders", "venue_data"]);
}

#[tokio::test]
async fn bad_credentials_answer_401() {
    let sandbox = sandbox(10).await;
    let (status, _) = get(
        &sandbox,
        "/v3/venue/customers",
        &integrator(&sandbox),
        "wrong",
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = get(
        &sandbox,
        "/v3/venue/customers",
        "wrong",
        &venue_token(&sandbox, 0),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = get(&sandbox, "/v3/info", "wrong", "").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn customers_without_enhanced_customer_data_answer_403_naming_it() {
    let sandbox = sandbox(10).await;
    let (status, body) = get(
        &sandbox,
        "/v3/venue/customers",
        &integrator(&sandbox),
        &venue_token(&sandbox, 2),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["missing_permission"], "enhanced_customer_data");
}

#[tokio::test]
async fn bad_parameters_answer_422() {
    let sandbox = sandbox(10).await;
    for query in [
        "page=0",
        "per_page=0",
        "per_page=100000",
        "page=x",
        "q[updated_at_gt]=yesterday",
        "start_date=2024-13-01",
    ] {
        let (status, body) = get(
            &sandbox,
            &format!("/v3/venue/customers?{query}"),
            &integrator(&sandbox),
            &venue_token(&sandbox, 0),
        )
        .await;
        assert_eq!(status, 422, "{query}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{query}"
        );
    }
}

#[tokio::test]
async fn pages_return_every_customer_exactly_once_in_the_wrapped_envelope() {
    let sandbox = sandbox(103).await;
    let mut seen = HashSet::new();
    let mut page = 1;
    loop {
        let (status, body) = get(
            &sandbox,
            &format!("/v3/venue/customers?page={page}&per_page=10"),
            &integrator(&sandbox),
            &venue_token(&sandbox, 0),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["total_records"], 103);
        assert_eq!(body["total_pages"], 11);
        assert_eq!(body["current_page"], page);
        assert_eq!(body["per_page"], 10);
        let customers = body["customers"].as_array().expect("customers");
        for element in customers {
            let customer = &element["customer"];
            for field in [
                "id",
                "first_name",
                "last_name",
                "telephone",
                "email",
                "updated_at",
                "customer_type",
            ] {
                assert!(customer.get(field).is_some(), "field {field} present");
            }
            assert!(
                seen.insert(customer["id"].as_u64().expect("integer id")),
                "no duplicate"
            );
        }
        if page == 11 {
            assert_eq!(customers.len(), 3);
            break;
        }
        page += 1;
    }
    assert_eq!(seen.len(), 103);
}

#[tokio::test]
async fn updated_at_gt_returns_only_later_records() {
    let sandbox = sandbox(50).await;
    let auth = (integrator(&sandbox), venue_token(&sandbox, 0));
    let (_, all) = get(
        &sandbox,
        "/v3/venue/customers?per_page=50",
        &auth.0,
        &auth.1,
    )
    .await;
    let tenth = all["customers"][9]["customer"]["updated_at"]
        .as_str()
        .expect("stamp")
        .to_string();
    let (status, later) = get(
        &sandbox,
        &format!(
            "/v3/venue/customers?per_page=50&q[updated_at_gt]={}",
            tenth.replace('+', "%2B")
        ),
        &auth.0,
        &auth.1,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(later["total_records"], 40);
    assert_eq!(later["customers"][0], all["customers"][10]);
}
