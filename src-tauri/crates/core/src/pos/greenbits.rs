//! The Greenbits client: log in once with the user's name and password to get the API token (the
//! password is never kept), then call with `Authorization: Token token="…"` and `X-GB-CompanyId`.

use serde::Deserialize;

use super::http::PosVoice;
use crate::error::Result;
use crate::secret::Secret;

/// Greenbits' production API.
pub const PRODUCTION_URL: &str = "https://api.greenbits.com/api";

/// The permissions the integration needs, as (wire name, label, remedy when missing).
pub const REQUIRED_PERMISSIONS: [(&str, &str, &str); 3] = [
    ("view_customer", "View Customer", "In Greenbits, give this user the View Customer permission (Settings → Employees → Roles)."),
    ("update_customer", "Update Customer", "In Greenbits, give this user the Update Customer permission (Settings → Employees → Roles)."),
    ("enable_backoffice", "Enable Backoffice", "In Greenbits, give this user Backoffice access (Settings → Employees → Roles → Enable Backoffice)."),
];

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
}
