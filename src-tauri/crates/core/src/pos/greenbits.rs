//! The Greenbits client: log in once with the user's name and password to get the API token (the
//! password is never kept), then call with `Authorization: Token token="…"` and `X-GB-CompanyId`.

use serde::Deserialize;
use serde_json::Value;

use super::http::PosVoice;
use super::{instant, record_id, take_list, text, Mapped, PosCustomer, PosSale, RecordError};
use crate::base::error::Result;
use crate::base::secret::Secret;

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

#[derive(Deserialize)]
struct CompaniesEnvelope {
    companies: Vec<GreenbitsLocation>,
}

/// One page of a `limit`/`offset` list (`people`, `orders`), its records still raw.
#[derive(Debug, Clone)]
pub struct OffsetPage {
    /// Records in the whole list.
    pub total: u64,
    /// This page's records.
    pub records: Vec<Value>,
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
        let mut body: Value = VOICE.json(VOICE.send(request).await?).await?;
        Ok(OffsetPage {
            total: body["meta"]["total"].as_u64().unwrap_or(0),
            records: take_list(&mut body, field),
        })
    }
}

/// Maps one Greenbits person (customer or patient) to a [`PosCustomer`]; a pure function.
pub fn map_person(record: &Value) -> Mapped<PosCustomer> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let updated_at = instant(record, "updated_at").ok_or_else(|| {
        RecordError::new(
            Some(pos_id.clone()),
            "updated_at",
            "missing or not ISO 8601",
        )
    })?;
    Ok(PosCustomer {
        first_name: text(record, "first_name"),
        last_name: text(record, "last_name"),
        phone_raw: text(record, "phone"),
        email_raw: text(record, "email"),
        birth_date: text(record, "birth_date"),
        loyalty_member: text(record, "loyalty_id").is_some(),
        marketing_opt_in: None,
        marketing_opt_out: false,
        consent_signed: false,
        employee: record["customer_group"].as_str() == Some("Employee"),
        points: record["loyalty_points"].as_i64(),
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

/// Maps one Greenbits order to a [`PosSale`]; a pure function.
pub fn map_order(record: &Value) -> Mapped<PosSale> {
    let pos_id =
        record_id(record).ok_or_else(|| RecordError::new(None, "id", "missing or not an id"))?;
    let fail = |field: &str, reason: &str| RecordError::new(Some(pos_id.clone()), field, reason);
    let updated_at = instant(record, "updated_at")
        .ok_or_else(|| fail("updated_at", "missing or not ISO 8601"))?;
    let total_cents = record["total"]
        .as_i64()
        .ok_or_else(|| fail("total", "missing or not a whole number of cents"))?;
    let discounts: Vec<Value> = record["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|item| item["discounts"].as_array().cloned().unwrap_or_default())
        .collect();
    Ok(PosSale {
        customer_pos_id: text(record, "person_id"),
        total_cents,
        discounts: Value::Array(discounts),
        voided: record["voided"].as_bool().unwrap_or(false),
        purchased_at: instant(record, "completed_at").unwrap_or(updated_at),
        updated_at,
        payload: record.clone(),
        pos_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_a_recorded_person_with_its_loyalty_card_and_group() {
        let person = map_person(&json!({
            "id": "00000004-0000-4000-8000-000000000003", "company_id": 5001, "first_name": "Ana",
            "last_name": null, "email": "ana@example.com", "phone": "(206) 555-0100", "birth_date": "1990-01-01",
            "loyalty_id": "GB0000000001", "customer_group": "Employee", "loyalty_points": 40,
            "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert!(person.loyalty_member && person.employee);
        assert_eq!((person.points, person.marketing_opt_in), (Some(40), None));
        assert_eq!(person.phone_raw.as_deref(), Some("(206) 555-0100"));
    }

    #[test]
    fn an_order_gathers_its_line_item_discounts() {
        let order = map_order(&json!({
            "id": "00000005-0000-4000-8000-000000000001", "person_id": "p-1", "total": 7200,
            "line_items": [{"name": "A", "discounts": [{"name": "10% Off Everything", "amount": 380}]},
                           {"name": "B", "discounts": []}],
            "completed_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:10:00Z"
        }))
        .unwrap();
        assert_eq!(
            order.discounts,
            json!([{"name": "10% Off Everything", "amount": 380}])
        );
        assert_eq!(order.customer_pos_id.as_deref(), Some("p-1"));
        let bad = map_order(&json!({"id": "x", "total": 1})).unwrap_err();
        assert_eq!(bad.field, "updated_at");
    }
}
