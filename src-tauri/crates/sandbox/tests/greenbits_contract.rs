//! Contract tests of the simulated Greenbits API over real HTTP on loopback.

mod support;

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{json, Value};
use support::{admin, get, greenbits_token, sandbox, send, Auth};

#[tokio::test]
async fn me_with_basic_auth_returns_the_user_and_token_by_username_or_email() {
    let sandbox = sandbox(10, 10).await;
    let url = format!("{}/v2/me", sandbox.greenbits_base_url());
    for login in ["manager", "MANAGER@evergreen.example"] {
        let (status, body) = get(&url, Auth::Basic(login, "sandbox-manager")).await;
        assert_eq!(status, 200, "{login}");
        let user = &body["user"];
        for field in [
            "id",
            "username",
            "email",
            "token",
            "company_id",
            "accessible_location_ids",
            "accessible_company_ids",
            "role_id",
            "permissions",
        ] {
            assert!(user.get(field).is_some(), "{field}");
        }
        assert_eq!(user["token"], greenbits_token(&sandbox, 0));
        assert_eq!(
            user["permissions"],
            json!([
                "view_customer",
                "update_customer",
                "enable_backoffice",
                "view_patients"
            ])
        );
    }
    assert_eq!(
        get(&url, Auth::Basic("manager", "wrong password")).await.0,
        401
    );
    assert_eq!(get(&url, Auth::Nothing).await.0, 401);
}

#[tokio::test]
async fn token_calls_need_a_valid_token_and_an_accessible_company() {
    let sandbox = sandbox(10, 10).await;
    let base = sandbox.greenbits_base_url();
    let (manager, clerk) = (greenbits_token(&sandbox, 0), greenbits_token(&sandbox, 1));
    let (status, body) = get(&format!("{base}/v2/companies"), Auth::Token(&manager, None)).await;
    assert_eq!(status, 200);
    let ids: Vec<u64> = body["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .filter_map(|c| c["id"].as_u64())
        .collect();
    assert_eq!(ids, [5001, 5002]);
    assert_eq!(
        get(
            &format!("{base}/v2/companies"),
            Auth::Token("revoked-or-wrong", None)
        )
        .await
        .0,
        401
    );
    assert_eq!(
        get(
            &format!("{base}/v2/people"),
            Auth::Basic("manager", "sandbox-manager")
        )
        .await
        .0,
        401,
        "Basic is for /me only"
    );
    assert_eq!(
        get(
            &format!("{base}/v2/people"),
            Auth::Token(&clerk, Some(5002))
        )
        .await
        .0,
        403,
        "the clerk works at 5001 only"
    );
    let (status, people) = get(
        &format!("{base}/v2/people?limit=1"),
        Auth::Token(&manager, Some(5002)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(people["people"][0]["company_id"], 5002);
}

#[tokio::test]
async fn people_page_by_limit_and_offset_with_every_record_exactly_once() {
    let sandbox = sandbox(137, 0).await;
    let manager = greenbits_token(&sandbox, 0);
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let url = format!("{}/v2/people?limit=20&offset={offset}&sort_by[field]=updated_at&sort_by[direction]=asc", sandbox.greenbits_base_url());
        let (status, body) = get(&url, Auth::Token(&manager, Some(5001))).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["meta"],
            json!({"total": 137, "limit": 20, "offset": offset})
        );
        let page = body["people"].as_array().expect("people");
        for person in page {
            for field in [
                "id",
                "company_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "birth_date",
                "loyalty_id",
                "customer_group",
                "medical_id",
                "created_at",
                "updated_at",
                "patient",
                "loyalty_points",
            ] {
                assert!(person.get(field).is_some(), "{field}");
            }
            assert!(seen.insert(person["id"].as_str().expect("uuid").to_string()));
        }
        if page.len() < 20 {
            break;
        }
        offset += 20;
    }
    assert_eq!(seen.len(), 137);
}

#[tokio::test]
async fn patients_need_the_patient_permission() {
    let sandbox = sandbox(50, 0).await;
    let base = sandbox.greenbits_base_url();
    let (status, body) = get(
        &format!("{base}/v2/people?patient=true"),
        Auth::Token(&greenbits_token(&sandbox, 1), None),
    )
    .await;
    assert_eq!(
        (status, body["missing_permission"].as_str()),
        (403, Some("view_patients"))
    );
    let (status, body) = get(
        &format!("{base}/v2/people?patient=true&limit=500"),
        Auth::Token(&greenbits_token(&sandbox, 0), Some(5002)),
    )
    .await;
    assert_eq!(status, 200);
    let patients = body["people"].as_array().expect("people");
    assert_eq!(patients.len(), 10);
    assert!(patients
        .iter()
        .all(|p| p["patient"] == true && p["medical_id"].is_string()));
}

#[tokio::test]
async fn by_query_and_by_updated_since_filter_people() {
    let sandbox = sandbox(40, 0).await;
    let (base, manager) = (sandbox.greenbits_base_url(), greenbits_token(&sandbox, 0));
    let (_, all) = get(
        &format!("{base}/v2/people?limit=40"),
        Auth::Token(&manager, None),
    )
    .await;
    let people = all["people"].as_array().expect("people");
    let name = people[7]["last_name"].as_str().expect("name").to_string();
    let (_, found) = get(
        &format!("{base}/v2/people?by_query={}", urlencode(&name)),
        Auth::Token(&manager, None),
    )
    .await;
    assert!(found["people"]
        .as_array()
        .expect("people")
        .iter()
        .any(|p| p["id"] == people[7]["id"]));
    assert!((found["meta"]["total"].as_u64().expect("total")) < 40);
    assert!(found["people"]
        .as_array()
        .expect("people")
        .iter()
        .all(|p| p["last_name"] == name.as_str()
            || p["first_name"].as_str().is_some_and(|f| f.contains(&name))));
    let since = people[29]["updated_at"]
        .as_str()
        .expect("stamp")
        .replace('+', "%2B");
    let (status, later) = get(
        &format!("{base}/v2/people?by_updated_since={since}"),
        Auth::Token(&manager, None),
    )
    .await;
    assert_eq!((status, later["meta"]["total"].clone()), (200, json!(10)));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn create_customer_needs_update_customer_and_a_first_name() {
    let sandbox = sandbox(5, 0).await;
    let url = format!("{}/v1/customers", sandbox.greenbits_base_url());
    let body = json!({"customer": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "206-555-0101", "company_id": 5002}});
    let (status, _, _) = send(
        Method::POST,
        &url,
        Auth::Token(&greenbits_token(&sandbox, 1), None),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(
        Method::POST,
        &url,
        Auth::Token(&greenbits_token(&sandbox, 0), None),
        Some(json!({"customer": {"last_name": "x"}})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, created) = send(
        Method::POST,
        &url,
        Auth::Token(&greenbits_token(&sandbox, 0), None),
        Some(body),
    )
    .await;
    assert_eq!(status, 201);
    let created = created.expect("json")["customer"].clone();
    assert_eq!(
        (created["company_id"].clone(), created["first_name"].clone()),
        (json!(5002), json!("Ada"))
    );
    let (_, list) = get(
        &format!("{}/v2/people?limit=50", sandbox.greenbits_base_url()),
        Auth::Token(&greenbits_token(&sandbox, 0), Some(5002)),
    )
    .await;
    assert_eq!(list["meta"]["total"], 6);
    let (_, writes) = admin(&sandbox, Method::GET, "/client-writes", None).await;
    assert_eq!(
        writes.expect("json")["writes"][0]["record"]["id"],
        created["id"]
    );
}

#[tokio::test]
async fn orders_list_and_get_with_nested_line_items_and_discounts() {
    let sandbox = sandbox(20, 45).await;
    let (base, manager) = (sandbox.greenbits_base_url(), greenbits_token(&sandbox, 0));
    let (status, body) = get(
        &format!("{base}/v2/orders?limit=50"),
        Auth::Token(&manager, None),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 45);
    let order: &Value = &body["orders"][3];
    for field in [
        "id",
        "person_id",
        "total",
        "line_items",
        "completed_at",
        "updated_at",
    ] {
        assert!(order.get(field).is_some(), "{field}");
    }
    assert!(order["line_items"][0]["discounts"].is_array());
    let (status, one) = get(
        &format!("{base}/v2/orders/{}", order["id"].as_str().expect("id")),
        Auth::Token(&manager, None),
    )
    .await;
    assert_eq!((status, &one["order"]), (200, order));
    assert_eq!(
        get(
            &format!("{base}/v2/orders/00000000-0000-4000-8000-000000000000"),
            Auth::Token(&manager, None)
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get(
            &format!("{base}/v2/orders"),
            Auth::Token(&greenbits_token(&sandbox, 1), None)
        )
        .await
        .0,
        403,
        "no Enable Backoffice"
    );
}
