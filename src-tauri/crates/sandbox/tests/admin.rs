//! The admin API changes data between syncs, and reset brings the generated data back.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{admin, get, greenbits_token, posabit_ids, sandbox, Auth};

#[tokio::test]
async fn customers_and_sales_can_be_added_changed_and_deleted_between_syncs() {
    let sandbox = sandbox(10, 10).await;
    let venue = sandbox.config().venues[0].id;
    let before = posabit_ids(&sandbox, "customers", 0, 100, "").await;

    let (status, added) = admin(
        &sandbox,
        Method::POST,
        &format!("/customers/{venue}"),
        Some(json!({"first_name": "Walk", "telephone": "2065550199"})),
    )
    .await;
    assert_eq!(status, 201);
    let added = added.expect("json");
    let (status, changed) = admin(
        &sandbox,
        Method::PUT,
        &format!("/customers/{venue}/{}", before[0]),
        Some(json!({"email": "changed@example.com"})),
    )
    .await;
    assert_eq!(
        (status, changed.expect("json")["email"].clone()),
        (200, json!("changed@example.com"))
    );
    assert_eq!(
        admin(
            &sandbox,
            Method::DELETE,
            &format!("/customers/{venue}/{}", before[1]),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        admin(
            &sandbox,
            Method::DELETE,
            &format!("/customers/{venue}/{}", before[1]),
            None
        )
        .await
        .0,
        404
    );

    let after = posabit_ids(&sandbox, "customers", 0, 3, "").await;
    let mut expected = before[2..].to_vec();
    expected.push(added["id"].clone());
    expected.push(before[0].clone());
    assert_eq!(after, expected);

    let (status, sale) = admin(&sandbox, Method::POST, &format!("/tickets/{venue}"), Some(json!({"customer_id": before[0], "total": 1200, "subtotal": 1200, "discounts": [], "line_items": [], "voided": false}))).await;
    assert_eq!(status, 201);
    let tickets = posabit_ids(&sandbox, "tickets", 0, 100, "").await;
    assert_eq!(tickets.last(), Some(&sale.expect("json")["id"]));

    let (status, person) = admin(
        &sandbox,
        Method::POST,
        "/people/5001",
        Some(json!({"first_name": "Gb", "patient": false})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, people) = get(
        &format!("{}/v2/people?limit=50", sandbox.greenbits_base_url()),
        Auth::Token(&greenbits_token(&sandbox, 0), Some(5001)),
    )
    .await;
    assert_eq!(
        people["people"]
            .as_array()
            .and_then(|p| p.last())
            .map(|p| p["id"].clone()),
        Some(person.expect("json")["id"].clone())
    );

    assert_eq!(
        admin(&sandbox, Method::POST, "/unknown/1", Some(json!({})))
            .await
            .0,
        404
    );
    assert_eq!(admin(&sandbox, Method::POST, "/reset", None).await.0, 204);
    assert_eq!(posabit_ids(&sandbox, "customers", 0, 100, "").await, before);
}

#[tokio::test]
async fn state_lists_credentials_and_counts() {
    let sandbox = sandbox(12, 7).await;
    let (status, state) = admin(&sandbox, Method::GET, "/state", None).await;
    assert_eq!(status, 200);
    let state = state.expect("json");
    assert_eq!(state["counts"]["customers"], json!([12, 12, 12]));
    assert_eq!(state["counts"]["orders"], json!([7, 7]));
    assert_eq!(
        state["counts"]["patients"],
        json!([0, 2]),
        "patients only at the medical location"
    );
    assert_eq!(
        state["venues"][0]["token"],
        sandbox.config().venues[0].token
    );
}

#[tokio::test]
async fn stores_and_coupons_are_sized_per_run() {
    let mut config = canopy_sandbox::SandboxConfig::sized(5, 3, 3).with_stores(5);
    config.coupons = 9;
    let sandbox = canopy_sandbox::start(config, 0).await.expect("starts");
    let (_, state) = admin(&sandbox, Method::GET, "/state", None).await;
    let state = state.expect("json");
    assert_eq!(state["venues"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        state["greenbits_locations"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(
        state["greenbits_users"][0]["accessible_location_ids"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    let (integrator, token) = support::posabit(&sandbox, 4);
    let (status, coupons) = get(
        &format!(
            "{}/v2/venue/coupons?per_page=50",
            sandbox.posabit_base_url()
        ),
        Auth::Basic(&integrator, &token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(coupons["coupons"].as_array().map(Vec::len), Some(9));
    assert_eq!(coupons["coupons"][8]["name"], "Reward #8");
    assert_eq!(posabit_ids(&sandbox, "customers", 4, 10, "").await.len(), 3);
}
