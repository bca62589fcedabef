//! Greenbits: its client, record mapping and connector. The client logs in once with the user's
//! name and password to get the API token (the password is never kept), then calls with
//! `Authorization: Token token="…"` and `X-GB-CompanyId`.

mod connector;
pub mod mapping;
mod schema;

pub use connector::PAGE_SIZE;
pub use schema::GreenbitsSchema;

use serde::Deserialize;
use serde_json::Value;

use super::http::PosVoice;
use super::{record_id, take_list};
use crate::base::error::Result;
use crate::base::secret::Secret;
use crate::pos::rate_budget::RateBudget;
use crate::pos::LocationChoice;

/// Greenbits' production API.
pub const PRODUCTION_URL: &str = "https://api.greenbits.com/api";

/// The permissions the integration needs, as (wire name, label, remedy when missing).
pub const REQUIRED_PERMISSIONS: [(&str, &str, &str); 3] = [
    ("view_customer", "View Customer", "In Greenbits, give this user the View Customer permission (Settings → Employees → Roles)."),
    ("update_customer", "Update Customer", "In Greenbits, give this user the Update Customer permission (Settings → Employees → Roles)."),
    ("enable_backoffice", "Enable Backoffice", "In Greenbits, give this user Backoffice access (Settings → Employees → Roles → Enable Backoffice)."),
];

/// What this POS offers to the card settings.
pub const CAPABILITIES: super::Capabilities = super::Capabilities {
    patient_lists: true,
    mirrored_points: true,
    locations: true,
    shopper_state: false,
};

/// How Greenbits' failures read to the user.
pub const VOICE: PosVoice = PosVoice {
    name: "Greenbits",
    auth_failed: (
        "Greenbits did not accept this username and password.",
        "Check the Greenbits username (or e-mail) and password, then log in again.",
    ),
    holder: "user",
    permissions: &REQUIRED_PERMISSIONS,
};

/// The user `GET /v2/me` describes, with the API token it hands out.
#[derive(Debug, Clone, Deserialize)]
pub struct GreenbitsUser {
    /// User name.
    pub username: String,
    /// E-mail.
    pub email: String,
    /// The API token: kept in the keychain, never shown.
    pub token: Secret,
    /// The locations (companies) the user may reach.
    pub accessible_location_ids: Vec<u64>,
    /// The user's permissions (wire names).
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
struct MeEnvelope {
    user: GreenbitsUser,
}

/// A Greenbits location ("company").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GreenbitsLocation {
    /// The company id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Two-letter state, when reported.
    pub state: Option<String>,
}

impl From<GreenbitsLocation> for LocationChoice {
    fn from(location: GreenbitsLocation) -> Self {
        LocationChoice {
            id: location.id,
            name: location.name,
            state: location.state,
        }
    }
}

#[derive(Deserialize)]
struct CompaniesEnvelope {
    companies: Vec<GreenbitsLocation>,
}

/// One page of a `limit`/`offset` list (`people`, `orders`, `discounts`), its records still raw.
#[derive(Debug, Clone)]
pub struct OffsetPage {
    /// Records in the whole list.
    pub total: u64,
    /// This page's records.
    pub records: Vec<Value>,
    /// What the answer said of the rate limit's window.
    pub budget: Option<RateBudget>,
}

/// Which of a location's lists to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreenbitsList {
    /// `GET /v2/people`: customers.
    People,
    /// `GET /v2/people?patient=true`: medical patients.
    Patients,
    /// `GET /v2/orders`: sales.
    Orders,
    /// `GET /v2/discounts`: the discounts a checkout can apply (the sandbox's shape, invented).
    Discounts,
}

/// A Greenbits API client.
#[derive(Clone)]
pub struct GreenbitsClient {
    http: reqwest::Client,
    base_url: String,
}

impl GreenbitsClient {
    /// A client for the API at `base_url` (e.g. [`PRODUCTION_URL`] or the sandbox's).
    pub fn new(base_url: impl Into<String>) -> Result<Self> {
        Ok(GreenbitsClient {
            http: super::http::client()?,
            base_url: base_url.into().trim_end_matches('/').to_string(),
        })
    }

    /// Logs in with HTTP Basic (user name or e-mail, password) and returns the user and its token.
    pub async fn login(&self, username: &str, password: &Secret) -> Result<GreenbitsUser> {
        let request = self
            .http
            .get(format!("{}/v2/me", self.base_url))
            .basic_auth(username, Some(password.expose()));
        let envelope: MeEnvelope = VOICE.json(VOICE.send(request).await?).await?;
        Ok(envelope.user)
    }

    /// The locations the token's user may reach.
    pub async fn locations(&self, token: &Secret) -> Result<Vec<GreenbitsLocation>> {
        let request = self
            .http
            .get(format!("{}/v2/companies", self.base_url))
            .header(
                "Authorization",
                format!("Token token=\"{}\"", token.expose()),
            );
        let envelope: CompaniesEnvelope = VOICE.json(VOICE.send(request).await?).await?;
        Ok(envelope.companies)
    }

    fn at_location(
        &self,
        request: reqwest::RequestBuilder,
        token: &Secret,
        location_id: u64,
    ) -> reqwest::RequestBuilder {
        request
            .header(
                "Authorization",
                format!("Token token=\"{}\"", token.expose()),
            )
            .header("X-GB-CompanyId", location_id.to_string())
    }

    /// The location's customers matching `text` (Greenbits' `by_query` search of names, e-mail
    /// and phone), at most 50.
    pub async fn search_people(
        &self,
        token: &Secret,
        location_id: u64,
        text: &str,
    ) -> Result<Vec<Value>> {
        let request = self
            .at_location(
                self.http.get(format!("{}/v2/people", self.base_url)),
                token,
                location_id,
            )
            .query(&[("by_query", text), ("limit", "50")]);
        let mut body: Value = VOICE.json(VOICE.send(request).await?).await?;
        Ok(take_list(&mut body, "people"))
    }

    /// Creates a customer at the location from `fields` (Greenbits' names) and returns its id.
    pub async fn create_customer(
        &self,
        token: &Secret,
        location_id: u64,
        mut fields: Value,
    ) -> Result<String> {
        fields["company_id"] = Value::from(location_id);
        let request = self
            .at_location(
                self.http.post(format!("{}/v1/customers", self.base_url)),
                token,
                location_id,
            )
            .json(&serde_json::json!({ "customer": fields }));
        let created: Value = VOICE.json(VOICE.send(request).await?).await?;
        record_id(&created["customer"]).ok_or_else(|| {
            crate::base::error::Error::internal(
                "Greenbits created the customer but sent back no id.",
            )
        })
    }

    /// One page of a location's list, oldest update first, from `offset`.
    pub async fn list_page(
        &self,
        token: &Secret,
        location_id: u64,
        list: GreenbitsList,
        offset: u64,
        limit: u64,
    ) -> Result<OffsetPage> {
        let (path, field) = match list {
            GreenbitsList::People | GreenbitsList::Patients => ("/v2/people", "people"),
            GreenbitsList::Orders => ("/v2/orders", "orders"),
            GreenbitsList::Discounts => ("/v2/discounts", "discounts"),
        };
        let mut query = vec![
            ("limit", limit.to_string()),
            ("offset", offset.to_string()),
            ("sort_by[field]", "updated_at".to_string()),
            ("sort_by[direction]", "asc".to_string()),
        ];
        if list == GreenbitsList::Patients {
            query.push(("patient", "true".to_string()));
        }
        let request = self
            .at_location(
                self.http.get(format!("{}{path}", self.base_url)),
                token,
                location_id,
            )
            .query(&query);
        let response = VOICE.send(request).await?;
        let budget = RateBudget::of(&response);
        let mut body: Value = VOICE.json(response).await?;
        Ok(OffsetPage {
            total: body["meta"]["total"].as_u64().unwrap_or(0),
            records: take_list(&mut body, field),
            budget,
        })
    }
}
