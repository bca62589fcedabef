//! The POSaBIT V3 client (HTTP Basic `integrator_token:venue_token`) and its record mapping.

use serde::Deserialize;
use serde_json::Value;

use super::http::PosVoice;
use super::{
    instant, record_id, take_list, text, Mapped, PosCoupon, PosCustomer, PosSale, RecordError,
};
use crate::base::error::Result;
use crate::base::secret::Secret;

/// POSaBIT's production API.
pub const PRODUCTION_URL: &str = "https://app.posabit.com/api";

/// The four permissions the integration needs, as (wire name, label, remedy when missing).
pub const REQUIRED_PERMISSIONS: [(&str, &str, &str); 4] = [
    ("menu_feed", "Menu Feed Access", "In POSaBIT, open Settings → Integrations, edit this key and grant Menu Feed Access."),
    ("incoming_orders", "Incoming Orders Access", "In POSaBIT, open Settings → Integrations, edit this key and grant Incoming Orders Access."),
    ("venue_data", "Venue Data Access", "In POSaBIT, open Settings → Integrations, edit this key and grant Venue Data Access."),
    ("enhanced_customer_data", "Enhanced Customer Data Access", "Enhanced Customer Data Access is not in your POSaBIT settings until your POSaBIT account rep enables it: reach out to POSaBIT, then grant it to this key."),
];

/// What this POS offers to the card settings.
pub const CAPABILITIES: super::Capabilities = super::Capabilities {
    patient_lists: false,
    mirrored_points: false,
    shopper_state: true,
};

/// How POSaBIT's failures read to the user.
pub const VOICE: PosVoice = PosVoice {
    name: "POSaBIT",
    auth_failed: (
        "POSaBIT did not accept this key.",
        "Copy the key again from POSaBIT (Settings → Integrations) and check it belongs to this store.",
    ),
    holder: "key",
    permissions: &REQUIRED_PERMISSIONS,
};

/// A POSaBIT V3 API client for one Canopy installation (one integrator token).
#[derive(Clone)]
pub struct PosabitClient {
    http: reqwest::Client,
    base_url: String,
    integrator: Secret,
}

/// What `GET /v3/info` says of the venue a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VenueInfo {
    /// The venue's name in POSaBIT.
    pub name: String,
    /// Two-letter state, when POSaBIT reports one.
    pub state: Option<String>,
    /// The permissions the key carries (wire names).
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
struct VenueEnvelope {
    venue: VenueInfo,
}

/// One page of a V3 list (`customers`, `tickets`), its elements still raw so one bad record cannot
/// sink the page.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// Records matching the filters, over all pages.
    pub total_records: u64,
    /// Pages in all.
    pub total_pages: u64,
    /// Each element is `{"<element>": {...}}`.
    pub records: Vec<Value>,
}

#[derive(Deserialize)]
struct CouponsEnvelope {
    coupons: Vec<Value>,
}

impl PosabitClient {
    /// A client for the API at `base_url` (e.g. [`PRODUCTION_URL`] or the sandbox's).
    pub fn new(base_url: impl Into<String>, integrator: Secret) -> Result<Self> {
        Ok(PosabitClient {
            http: super::http::client()?,
            base_url: base_url.into().trim_end_matches('/').to_string(),
            integrator,
        })
    }

    /// The same client with another limit on how long one request may take (30 s by default).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Result<Self> {
        self.http = super::http::client_with_timeout(timeout)?;
        Ok(self)
    }

    /// The base URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn get(
        &self,
        key: &Secret,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<reqwest::Response> {
        let request = self
            .http
            .get(format!("{}{path}", self.base_url))
            .basic_auth(self.integrator.expose(), Some(key.expose()))
            .query(query);
        VOICE.send(request).await
    }

    /// The venue the key belongs to, with its permissions: the check made when a key is added.
    pub async fn venue_info(&self, key: &Secret) -> Result<VenueInfo> {
        let response = self.get(key, "/v3/info", &[]).await?;
        let envelope: VenueEnvelope = VOICE.json(response).await?;
        Ok(envelope.venue)
    }

    /// One page of the venue's customers updated after `updated_after` (ISO 8601), oldest first.
    pub async fn customers_page(
        &self,
        key: &Secret,
        page: u64,
        per_page: u64,
        updated_after: Option<&str>,
    ) -> Result<ListPage> {
        self.list_page(key, "customers", page, per_page, updated_after)
            .await
    }

    /// One page of the venue's tickets (sales) updated after `updated_after`, oldest first.
    pub async fn tickets_page(
        &self,
        key: &Secret,
        page: u64,
        per_page: u64,
        updated_after: Option<&str>,
    ) -> Result<ListPage> {
        self.list_page(key, "tickets", page, per_page, updated_after)
            .await
    }

    async fn list_page(
        &self,
        key: &Secret,
        list: &str,
        page: u64,
        per_page: u64,
        updated_after: Option<&str>,
    ) -> Result<ListPage> {
        let mut query = vec![
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        if let Some(after) = updated_after {
            query.push(("q[updated_at_gt]", after.to_string()));
        }
        let response = self.get(key, &format!("/v3/venue/{list}"), &query).await?;
        // Read as a plain Value: one pass, no buffering of the whole page.
        let mut body: Value = VOICE.json(response).await?;
        Ok(ListPage {
            total_records: body["total_records"].as_u64().unwrap_or(0),
            total_pages: body["total_pages"].as_u64().unwrap_or(0),
            records: take_list(&mut body, list),
        })
    }

    /// The id of the venue's customer whose `field` (`telephone` or `email`) equals `value`, if any:
    /// the look-up staff (and Canopy) make before creating a customer.
    pub async fn find_customer(
        &self,
        key: &Secret,
        field: &str,
        value: &str,
    ) -> Result<Option<String>> {
        let query = [
            (format!("q[{field}_eq]"), value.to_string()),
            ("per_page".into(), "1".into()),
        ];
        let request = self
            .http
            .get(format!("{}/v3/venue/customers", self.base_url))
            .basic_auth(self.integrator.expose(), Some(key.expose()))
            .query(&query);
        let mut body: Value = VOICE.json(VOICE.send(request).await?).await?;
        Ok(take_list(&mut body, "customers")
            .first()
            .and_then(|element| record_id(&element["customer"])))
    }

    /// Creates a customer from `fields` (POSaBIT's names) and returns its id.
    pub async fn create_customer(&self, key: &Secret, fields: Value) -> Result<String> {
        let request = self
            .http
            .post(format!("{}/v3/venue/customers", self.base_url))
            .basic_auth(self.integrator.expose(), Some(key.expose()))
            .json(&serde_json::json!({ "customer": fields }));
        let created: Value = VOICE.json(VOICE.send(request).await?).await?;
        record_id(&created["customer"]).ok_or_else(|| {
            crate::base::error::Error::internal("POSaBIT created the customer but sent back no id.")
        })
    }

    /// One page of the venue's coupons (V2).
    pub async fn coupons_page(&self, key: &Secret, page: u64, per_page: u64) -> Result<Vec<Value>> {
        let query = [
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        let response = self.get(key, "/v2/venue/coupons", &query).await?;
        let envelope: CouponsEnvelope = VOICE.json(response).await?;
        Ok(envelope.coupons)
    }
}

/// Maps one `{"customer": {...}}` element to a [`PosCustomer`]; a pure function.
pub fn map_customer(element: &Value) -> Mapped<PosCustomer> {
    let record = &element["customer"];
    let fail = RecordError::new;
    if !record.is_object() {
        return Err(fail(
            None,
            "customer",
            "the element is not wrapped in {\"customer\": …}",
        ));
    }
    let pos_id = match &record["id"] {
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => return Err(fail(None, "id", "missing or not a positive integer")),
    };
    let updated_at = instant(record, "updated_at").ok_or_else(|| {
        fail(
            Some(pos_id.clone()),
            "updated_at",
            "missing or not ISO 8601",
        )
    })?;
    Ok(PosCustomer {
        first_name: text(record, "first_name"),
        last_name: text(record, "last_name"),
        phone_raw: text(record, "telephone"),
        email_raw: text(record, "email"),
        birth_date: text(record, "date_of_birth"),
        loyalty_member: record["loyalty_member"].as_bool().unwrap_or(false),
        marketing_opt_in: Some(record["marketing_opt_in"].as_bool().unwrap_or(false)),
        marketing_opt_out: record["marketing_opt_out"].as_bool().unwrap_or(false),
        consent_signed: record["consent_signature"].as_bool().unwrap_or(false),
        employee: record["customer_type"].as_str() == Some("employee"),
        points: record["loyalty_points"].as_i64(),
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

/// Maps one `{"ticket": {...}}` element to a [`PosSale`]; a pure function.
pub fn map_ticket(element: &Value) -> Mapped<PosSale> {
    let record = &element["ticket"];
    if !record.is_object() {
        return Err(RecordError::new(
            None,
            "ticket",
            "the element is not wrapped in {\"ticket\": …}",
        ));
    }
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let fail = |field: &str, reason: &str| RecordError::new(Some(pos_id.clone()), field, reason);
    let updated_at = instant(record, "updated_at")
        .ok_or_else(|| fail("updated_at", "missing or not ISO 8601"))?;
    let purchased_at = instant(record, "closed_at").unwrap_or(updated_at);
    let total_cents = record["total"]
        .as_i64()
        .ok_or_else(|| fail("total", "missing or not a whole number of cents"))?;
    Ok(PosSale {
        customer_pos_id: match &record["customer_id"] {
            Value::Null => None,
            other => record_id(&serde_json::json!({ "id": other })),
        },
        total_cents,
        discounts: record["discounts"].clone(),
        voided: record["voided"].as_bool().unwrap_or(false),
        purchased_at,
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

/// Maps one V2 coupon to a [`PosCoupon`]; a pure function.
pub fn map_coupon(record: &Value) -> Mapped<PosCoupon> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let name = text(record, "name")
        .ok_or_else(|| RecordError::new(Some(pos_id.clone()), "name", "missing"))?;
    Ok(PosCoupon {
        active: record["active"].as_bool().unwrap_or(true),
        payload: record.clone(),
        name,
        pos_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_a_recorded_customer() {
        let element = json!({"customer": {
            "id": 10000001, "first_name": "Zoë", "last_name": " García ", "telephone": "5552312222",
            "email": "  AVA@EXAMPLE.COM ", "date_of_birth": "1990-02-03", "loyalty_member": true,
            "marketing_opt_in": false, "updated_at": "2024-01-01T00:01:00+00:00"
        }});
        let customer = map_customer(&element).unwrap();
        assert_eq!(customer.pos_id, "10000001");
        assert_eq!(customer.last_name.as_deref(), Some("García"));
        assert_eq!(customer.email_raw.as_deref(), Some("AVA@EXAMPLE.COM"));
        assert!(customer.loyalty_member);
        assert_eq!(
            customer.updated_at.to_rfc3339(),
            "2024-01-01T00:01:00+00:00"
        );
    }

    #[test]
    fn malformed_records_name_the_field() {
        let no_id = map_customer(
            &json!({"customer": {"first_name": "A", "updated_at": "2024-01-01T00:00:00Z"}}),
        )
        .unwrap_err();
        assert_eq!((no_id.pos_id, no_id.field.as_str()), (None, "id"));
        let bad_stamp =
            map_customer(&json!({"customer": {"id": 5, "updated_at": "yesterday"}})).unwrap_err();
        assert_eq!(
            (bad_stamp.pos_id.as_deref(), bad_stamp.field.as_str()),
            (Some("5"), "updated_at")
        );
        let unwrapped = map_customer(&json!({"id": 5})).unwrap_err();
        assert_eq!(unwrapped.field, "customer");
    }

    #[test]
    fn maps_a_recorded_ticket_and_names_a_bad_total() {
        let element = json!({"ticket": {
            "id": 200000000001u64, "customer_id": 20000000005u64, "subtotal": 4400, "total": 3960,
            "discounts": [{"name": "10% Off Everything", "amount": 440}], "line_items": [],
            "closed_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:05:00Z", "voided": false
        }});
        let sale = map_ticket(&element).unwrap();
        assert_eq!(sale.pos_id, "200000000001");
        assert_eq!(sale.customer_pos_id.as_deref(), Some("20000000005"));
        assert_eq!(sale.total_cents, 3960);
        assert_eq!(sale.purchased_at.to_rfc3339(), "2026-11-01T10:00:00+00:00");
        let walk_in = map_ticket(
            &json!({"ticket": {"id": 7, "customer_id": null, "total": 100,
            "updated_at": "2026-11-01T10:05:00Z"}}),
        )
        .unwrap();
        assert_eq!(walk_in.customer_pos_id, None);
        let bad = map_ticket(
            &json!({"ticket": {"id": 7, "total": "lots", "updated_at": "2026-11-01T10:05:00Z"}}),
        )
        .unwrap_err();
        assert_eq!(
            (bad.pos_id.as_deref(), bad.field.as_str()),
            (Some("7"), "total")
        );
    }
}
