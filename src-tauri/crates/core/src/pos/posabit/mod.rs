//! POSaBIT: the V3 client (HTTP Basic `integrator_token:venue_token`), its record mapping and its
//! connector.

mod connector;
pub mod mapping;
mod schema;

pub use connector::PAGE_SIZE;
pub use schema::PosabitSchema;

use serde::Deserialize;
use serde_json::Value;

use super::http::PosVoice;
use super::{record_id, take_list};
use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::pos::rate_budget::RateBudget;

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
    locations: false,
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
    /// What the answer said of the rate limit's window.
    pub budget: Option<RateBudget>,
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
        let budget = RateBudget::of(&response);
        // Read as a plain Value: one pass, no buffering of the whole page.
        let mut body: Value = VOICE.json(response).await?;
        Ok(ListPage {
            total_records: body["total_records"].as_u64().unwrap_or(0),
            total_pages: body["total_pages"].as_u64().unwrap_or(0),
            records: take_list(&mut body, list),
            budget,
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
