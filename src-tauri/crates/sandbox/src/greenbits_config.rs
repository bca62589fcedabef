//! The sandbox's Greenbits locations (companies) and users.

use serde::Serialize;

/// A Greenbits location ("company" in the API).
#[derive(Debug, Clone, Serialize)]
pub struct GreenbitsLocation {
    /// The company id, sent back as `X-GB-CompanyId`.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Two-letter state.
    pub state: String,
    /// Whether it serves medical patients.
    pub medical: bool,
}

/// A Greenbits back-office user.
#[derive(Debug, Clone, Serialize)]
pub struct GreenbitsUser {
    /// User id.
    pub id: u64,
    /// Log-in name.
    pub username: String,
    /// Associated e-mail (also accepted as log-in name).
    pub email: String,
    /// Password (sandbox test value).
    pub password: String,
    /// The API token `/api/v2/me` hands out.
    pub token: String,
    /// The locations the user may reach.
    pub accessible_location_ids: Vec<u64>,
    /// `view_customer`, `update_customer`, `enable_backoffice`, `view_patients`.
    pub permissions: Vec<String>,
}

/// Every permission a Greenbits user can carry in the sandbox.
pub const GREENBITS_PERMISSIONS: [&str; 4] = [
    "view_customer",
    "update_customer",
    "enable_backoffice",
    "view_patients",
];

/// Two locations: a recreational store in Seattle and a medical one in Eugene.
pub fn default_locations() -> Vec<GreenbitsLocation> {
    locations(2)
}

/// `count` locations: the two built-in ones, then "Evergreen N"s, every other one medical.
pub fn locations(count: usize) -> Vec<GreenbitsLocation> {
    let mut locations = vec![
        GreenbitsLocation {
            id: 5001,
            name: "Evergreen Ballard".into(),
            state: "WA".into(),
            medical: false,
        },
        GreenbitsLocation {
            id: 5002,
            name: "Evergreen Eugene".into(),
            state: "OR".into(),
            medical: true,
        },
    ];
    for id in 5003..(5001 + count as u64) {
        locations.push(GreenbitsLocation {
            id,
            name: format!("Evergreen {id}"),
            state: "WA".into(),
            medical: id % 2 == 0,
        });
    }
    locations.truncate(count);
    locations
}

/// The default users: a manager with every permission at both locations, and a clerk who may only view customers at
/// the first (no Update Customer, no Enable Backoffice, no patients).
pub fn default_users(seed: u64) -> Vec<GreenbitsUser> {
    users(seed, &default_locations())
}

/// The manager (every permission, every location in `locations`) and the clerk (first location only).
pub fn users(seed: u64, locations: &[GreenbitsLocation]) -> Vec<GreenbitsUser> {
    let token = |n: u64| {
        format!(
            "sbx_gb_{n}_{:08x}",
            (seed.wrapping_mul(40_503) ^ n) & 0xffff_ffff
        )
    };
    vec![
        GreenbitsUser {
            id: 1,
            username: "manager".into(),
            email: "manager@evergreen.example".into(),
            password: "sandbox-manager".into(),
            token: token(1),
            accessible_location_ids: locations.iter().map(|l| l.id).collect(),
            permissions: GREENBITS_PERMISSIONS
                .iter()
                .map(|p| p.to_string())
                .collect(),
        },
        GreenbitsUser {
            id: 2,
            username: "clerk".into(),
            email: "clerk@evergreen.example".into(),
            password: "sandbox-clerk".into(),
            token: token(2),
            accessible_location_ids: locations.iter().take(1).map(|l| l.id).collect(),
            permissions: vec!["view_customer".into()],
        },
    ]
}
