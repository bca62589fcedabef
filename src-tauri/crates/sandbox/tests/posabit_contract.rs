//! Contract tests of the simulated POSaBIT API over real HTTP on loopback.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

mod support;

use std::collections::{BTreeSet, HashSet};

use reqwest::Method;
use serde_json::{json, Value};
use support::{admin, get, posabit, posabit_ids, sandbox, send, Auth};

/// The documented customer fields, plus the invented ones (see the crate README).
const CUSTOMER_FIELDS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "telephone",
    "email",
    "date_of_birth",
    "gender",
    "loyalty_member",
    "marketing_opt_in",
    "marketing_opt_out",
    "address_1",
    "city",
    "state",
    "zip_code",
    "created_at",
    "updated_at",
    "customer_type",
    "loyalty_points",
    "consent_signature",
];
const TICKET_FIELDS: &[&str] = &[
    "id",
    "customer_id",
    "total",
    "subtotal",
    "discounts",
    "line_items",
    "closed_at",
    "updated_at",
    "voided",
];

fn keys(record: &Value) -> BTreeSet<String> {
    record
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn info_with_integrator_token_lists_venues_and_with_venue_token_describes_it() {
    let sandbox = sandbox(10, 10).await;
    let (integrator, token) = posabit(&sandbox, 2);
    let (status, body) = get(
        &format!("{}/v3/info", sandbox.posabit_base_url()),
        Auth::Basic(&integrator, ""),
    )
    .await;
    assert_eq!(status, 200);
    let venues = body["venues"].as_array().expect("venues");
    assert_eq!(venues.len(), 3);
    assert_eq!(venues[0]["token"], sandbox.config().venues[0].token);

    let (status, body) = get(
        &format!("{}/v3/info", sandbox.posabit_base_url()),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(status, 200);
    for field in ["name", "license", "region", "state", "timezone", "address"] {
        assert!(body["venue"][field].is_string(), "{field}");
    }
    assert_eq!(
        body["venue"]["permissions"],
        json!(["menu_feed", "incoming_orders", "venue_data"])
    );
}

#[tokio::test]
async fn bad_credentials_answer_401_on_every_endpoint() {
    let sandbox = sandbox(10, 10).await;
    let (integrator, token) = posabit(&sandbox, 0);
    for path in [
        "/v3/info",
        "/v3/venue/customers",
        "/v3/venue/tickets",
        "/v2/venue/coupons",
    ] {
        let url = format!("{}{path}", sandbox.posabit_base_url());
        assert_eq!(
            get(&url, Auth::Basic("wrong", &token)).await.0,
            401,
            "{path}"
        );
        assert_eq!(get(&url, Auth::Nothing).await.0, 401, "{path}");
        if path != "/v3/info" {
            assert_eq!(
                get(&url, Auth::Basic(&integrator, "wrong")).await.0,
                401,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn a_call_outside_the_tokens_permissions_answers_403_naming_it() {
    let sandbox = sandbox(10, 10).await;
    let (integrator, token) = posabit(&sandbox, 2);
    for list in ["customers", "tickets"] {
        let (status, body) = get(
            &format!("{}/v3/venue/{list}", sandbox.posabit_base_url()),
            Auth::Basic(&integrator, &token),
        )
        .await;
        assert_eq!(
            (status, body["missing_permission"].as_str()),
            (403, Some("enhanced_customer_data"))
        );
    }
    let (status, _, _) = send(
        Method::POST,
        &format!("{}/v3/venue/customers", sandbox.posabit_base_url()),
        Auth::Basic(&integrator, &token),
        Some(json!({"customer": {"telephone": "5552223333"}})),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn bad_parameters_answer_422_with_a_reason() {
    let sandbox = sandbox(10, 10).await;
    let (integrator, token) = posabit(&sandbox, 0);
    for query in [
        "page=0",
        "per_page=0",
        "per_page=100000",
        "page=x",
        "q[updated_at_gt]=yesterday",
        "start_date=2024-13-01",
        "end_date=soon",
    ] {
        for list in ["customers", "tickets"] {
            let (status, body) = get(
                &format!("{}/v3/venue/{list}?{query}", sandbox.posabit_base_url()),
                Auth::Basic(&integrator, &token),
            )
            .await;
            assert_eq!(status, 422, "{list}?{query}");
            assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
    }
}

#[tokio::test]
async fn customers_and_tickets_page_every_record_exactly_once_in_the_wrapped_envelope() {
    let sandbox = sandbox(103, 211).await;
    let (integrator, token) = posabit(&sandbox, 0);
    let (status, body) = get(
        &format!(
            "{}/v3/venue/customers?page=11&per_page=10",
            sandbox.posabit_base_url()
        ),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["total_records"].clone(),
            body["total_pages"].clone(),
            body["current_page"].clone(),
            body["per_page"].clone()
        ),
        (json!(103), json!(11), json!(11), json!(10))
    );
    assert_eq!(body["customers"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        keys(&body["customers"][0]["customer"]),
        CUSTOMER_FIELDS.iter().map(|s| s.to_string()).collect()
    );

    for (list, len) in [("customers", 103), ("tickets", 211)] {
        let ids = posabit_ids(&sandbox, list, 0, 10, "").await;
        let unique: HashSet<String> = ids.iter().map(Value::to_string).collect();
        assert_eq!((ids.len(), unique.len()), (len, len), "{list}");
    }
    let (_, tickets) = get(
        &format!("{}/v3/venue/tickets?per_page=1", sandbox.posabit_base_url()),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(
        keys(&tickets["tickets"][0]["ticket"]),
        TICKET_FIELDS.iter().map(|s| s.to_string()).collect()
    );
}

#[tokio::test]
async fn updated_at_gt_and_the_date_window_select_by_update_time() {
    let sandbox = sandbox(50, 50).await;
    let (integrator, token) = posabit(&sandbox, 0);
    let base = sandbox.posabit_base_url();
    let (_, all) = get(
        &format!("{base}/v3/venue/customers?per_page=50"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    let tenth = all["customers"][9]["customer"]["updated_at"]
        .as_str()
        .expect("stamp")
        .to_string();
    let url = format!(
        "{base}/v3/venue/customers?per_page=50&q[updated_at_gt]={}",
        tenth.replace('+', "%2B")
    );
    let (status, later) = get(&url, Auth::Basic(&integrator, &token)).await;
    assert_eq!(status, 200);
    assert_eq!(later["total_records"], 40);
    assert_eq!(later["customers"][0], all["customers"][10]);

    let day = &tenth[..10];
    let (_, that_day) = get(
        &format!("{base}/v3/venue/tickets?per_page=500&start_date={day}&end_date={day}"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    let stamps: Vec<&str> = that_day["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["ticket"]["updated_at"].as_str())
        .collect();
    assert!(!stamps.is_empty());
    assert!(stamps.iter().all(|s| s.starts_with(day)), "{stamps:?}");
}

#[tokio::test]
async fn lookups_find_a_shopper_by_phone_email_or_id() {
    let sandbox = sandbox(60, 0).await;
    let (integrator, token) = posabit(&sandbox, 0);
    let base = sandbox.posabit_base_url();
    let (_, all) = get(
        &format!("{base}/v3/venue/customers?per_page=60"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    let target = all["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["customer"].clone())
        .find(|c| c["telephone"].as_str().is_some_and(|t| t.len() == 10) && c["email"].is_string())
        .expect("a complete record");
    let email = target["email"]
        .as_str()
        .expect("email")
        .trim()
        .to_lowercase();
    for query in [
        format!(
            "q[telephone_eq]={}",
            target["telephone"].as_str().expect("phone")
        ),
        format!("q[email_eq]={email}"),
        format!("q[customer_id_eq]={}", target["id"]),
    ] {
        let (status, found) = get(
            &format!("{base}/v3/venue/customers?{query}"),
            Auth::Basic(&integrator, &token),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            found["customers"]
                .as_array()
                .expect("list")
                .iter()
                .any(|c| c["customer"]["id"] == target["id"]),
            "{query}"
        );
    }
    let (_, none) = get(
        &format!("{base}/v3/venue/customers?q[telephone_eq]=2065550000"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(none["total_records"], 0);
}

#[tokio::test]
async fn create_and_update_customers_and_the_admin_api_sees_what_clients_wrote() {
    let sandbox = sandbox(20, 0).await;
    let (integrator, token) = posabit(&sandbox, 0);
    let url = format!("{}/v3/venue/customers", sandbox.posabit_base_url());
    let (status, _, created) = send(
        Method::POST,
        &url,
        Auth::Basic(&integrator, &token),
        Some(json!({"customer": {"first_name": "New", "telephone": "2065551234", "email": "new@example.com"}})),
    )
    .await;
    assert_eq!(status, 201);
    let created = created.expect("json")["customer"].clone();
    assert_eq!(created["first_name"], "New");
    let id = created["id"].clone();

    let (status, _, body) = send(
        Method::POST,
        &url,
        Auth::Basic(&integrator, &token),
        Some(json!({"customer": {"telephone": "12"}})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.expect("json")["error"]
        .as_str()
        .expect("reason")
        .contains("telephone"));

    let (status, _, updated) = send(
        Method::PUT,
        &format!("{url}/{id}"),
        Auth::Basic(&integrator, &token),
        Some(json!({"customer": {"last_name": "Shopper"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated.expect("json")["customer"]["last_name"], "Shopper");
    let (status, _, _) = send(
        Method::PUT,
        &format!("{url}/999"),
        Auth::Basic(&integrator, &token),
        Some(json!({"customer": {}})),
    )
    .await;
    assert_eq!(status, 404);

    let ids = posabit_ids(&sandbox, "customers", 0, 7, "").await;
    assert_eq!(ids.len(), 21);
    assert_eq!(ids.last(), Some(&id), "the changed record sorts last");
    let (_, writes) = admin(&sandbox, Method::GET, "/client-writes", None).await;
    let actions: Vec<&str> = writes.as_ref().expect("json")["writes"]
        .as_array()
        .expect("writes")
        .iter()
        .filter_map(|w| w["action"].as_str())
        .collect();
    assert_eq!(actions, ["create", "update"]);
}

#[tokio::test]
async fn coupons_are_listed_by_name_and_the_second_venue_lacks_one() {
    let sandbox = sandbox(1, 1).await;
    for (venue, expected) in [(0, 6), (1, 5)] {
        let (integrator, token) = posabit(&sandbox, venue);
        let (status, body) = get(
            &format!(
                "{}/v2/venue/coupons?page=1&per_page=50",
                sandbox.posabit_base_url()
            ),
            Auth::Basic(&integrator, &token),
        )
        .await;
        assert_eq!(status, 200);
        let coupons = body["coupons"].as_array().expect("coupons");
        assert_eq!(coupons.len(), expected);
        assert!(coupons
            .iter()
            .all(|c| c["id"].is_u64() && c["name"].is_string()));
    }
}

#[tokio::test]
async fn two_million_customers_and_ten_million_sales_page_from_the_end_without_materialising() {
    let sandbox = sandbox(2_000_000, 10_000_000).await;
    let (integrator, token) = posabit(&sandbox, 0);
    let base = sandbox.posabit_base_url();
    let (status, last) = get(
        &format!("{base}/v3/venue/customers?page=20000&per_page=100"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(last["total_records"], 2_000_000);
    assert_eq!(last["customers"].as_array().map(Vec::len), Some(100));
    assert_eq!(
        last["customers"][99]["customer"]["id"],
        json!(canopy_sandbox::generator::posabit_customer_id(0, 1_999_999))
    );
    let (status, sales) = get(
        &format!("{base}/v3/venue/tickets?page=100000&per_page=100"),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (sales["total_records"].clone(), sales["total_pages"].clone()),
        (json!(10_000_000), json!(100_000))
    );
    assert_eq!(
        sales["tickets"][99]["ticket"]["id"],
        json!(canopy_sandbox::generator::posabit_ticket_id(0, 9_999_999))
    );
}
