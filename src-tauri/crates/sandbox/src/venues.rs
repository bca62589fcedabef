//! The sandbox's POSaBIT venues: one per simulated store, each with its own token and permissions.

use serde::Serialize;

/// A permission a POSaBIT venue token can carry (from the seed's list of four).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Menu Feed Access.
    MenuFeed,
    /// Incoming Orders Access.
    IncomingOrders,
    /// Venue Data Access.
    VenueData,
    /// Enhanced Customer Data Access: needed for customers and tickets.
    EnhancedCustomerData,
}

impl Permission {
    /// Every permission, in the order the seed lists them.
    pub const ALL: [Permission; 4] = [
        Permission::MenuFeed,
        Permission::IncomingOrders,
        Permission::VenueData,
        Permission::EnhancedCustomerData,
    ];

    /// The wire name, e.g. `enhanced_customer_data`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Permission::MenuFeed => "menu_feed",
            Permission::IncomingOrders => "incoming_orders",
            Permission::VenueData => "venue_data",
            Permission::EnhancedCustomerData => "enhanced_customer_data",
        }
    }
}

/// A simulated POSaBIT venue (store).
#[derive(Debug, Clone, Serialize)]
pub struct Venue {
    /// POSaBIT's venue id.
    pub id: u64,
    /// The venue's display name.
    pub name: String,
    /// The venue token: the "Key" a dispensary hands to Canopy.
    pub token: String,
    /// State license number.
    pub license: String,
    /// Two-letter US state.
    pub state: String,
    /// IANA time zone.
    pub timezone: String,
    /// Street address.
    pub address: String,
    /// What the token may do.
    pub permissions: Vec<Permission>,
}

/// The built-in venues: two fully permitted stores and one whose token lacks Enhanced Customer Data.
pub fn default_venues(seed: u64) -> Vec<Venue> {
    venues(seed, 3)
}

/// `count` venues: the three built-in ones first, then fully permitted "Greenleaf Store N"s.
pub fn venues(seed: u64, count: usize) -> Vec<Venue> {
    let token = |n: u64| {
        format!(
            "sbx_venue_{n}_{:08x}",
            (seed.wrapping_mul(2_654_435_761) ^ n) & 0xffff_ffff
        )
    };
    let mut venues = vec![
        Venue {
            id: 101,
            name: "Greenleaf Capitol Hill".into(),
            token: token(101),
            license: "WA-412345".into(),
            state: "WA".into(),
            timezone: "America/Los_Angeles".into(),
            address: "1500 E Pine St, Seattle, WA 98122".into(),
            permissions: Permission::ALL.to_vec(),
        },
        Venue {
            id: 102,
            name: "Greenleaf Pearl District".into(),
            token: token(102),
            license: "OR-100987".into(),
            state: "OR".into(),
            timezone: "America/Los_Angeles".into(),
            address: "900 NW 13th Ave, Portland, OR 97209".into(),
            permissions: Permission::ALL.to_vec(),
        },
        Venue {
            id: 103,
            name: "Greenleaf Spokane (no customer access)".into(),
            token: token(103),
            license: "WA-498765".into(),
            state: "WA".into(),
            timezone: "America/Los_Angeles".into(),
            address: "12 W Main Ave, Spokane, WA 99201".into(),
            permissions: vec![
                Permission::MenuFeed,
                Permission::IncomingOrders,
                Permission::VenueData,
            ],
        },
    ];
    const STATES: [&str; 3] = ["WA", "OR", "CO"];
    for n in 104..(101 + count as u64) {
        let state = STATES[(n % 3) as usize];
        venues.push(Venue {
            id: n,
            name: format!("Greenleaf Store {n}"),
            token: token(n),
            license: format!("{state}-{:06}", 400_000 + n),
            state: state.into(),
            timezone: if state == "CO" {
                "America/Denver"
            } else {
                "America/Los_Angeles"
            }
            .into(),
            address: format!("{n} Main St"),
            permissions: Permission::ALL.to_vec(),
        });
    }
    venues.truncate(count);
    venues
}
