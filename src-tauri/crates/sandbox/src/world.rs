//! The sandbox's mutable state: every store's collections, credentials and their permissions, fault
//! rules, the request log and what clients wrote. One lock; never held across an await.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::collection::Collection;
use crate::faults::FaultBook;
use crate::generator::{
    discount_index, greenbits_discount, greenbits_order, greenbits_person, order_index,
    patient_index, person_index, posabit_coupon, posabit_customer, posabit_customer_index,
    posabit_ticket, PersonList,
};
use crate::greenbits_config::{GreenbitsLocation, GreenbitsUser};
use crate::venues::Venue;
use crate::SandboxConfig;

/// The most requests the log keeps (the oldest are dropped).
const MAX_LOGGED_REQUESTS: usize = 100_000;

/// One request as the admin API reports it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, e.g. `/api/v3/venue/customers`.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// The credential presented (a sandbox venue token, Greenbits token or user name), if any.
    pub credential: Option<String>,
    /// The status answered.
    pub status: u16,
    /// Faults that fired on it.
    pub faults: Vec<String>,
}

/// A record a client created or updated through the public API.
#[derive(Debug, Clone, Serialize)]
pub struct ClientWrite {
    /// `posabit` or `greenbits`.
    pub pos: String,
    /// `create` or `update`.
    pub action: String,
    /// The store: venue id or location id.
    pub store_id: u64,
    /// The record as stored.
    pub record: Value,
}

/// The four lists of records a store has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// POSaBIT customers.
    Customers,
    /// POSaBIT tickets.
    Tickets,
    /// Greenbits customers.
    People,
    /// Greenbits patients.
    Patients,
    /// Greenbits orders.
    Orders,
    /// POSaBIT coupons (the POS side of mirrored discounts).
    Coupons,
    /// Greenbits discounts.
    Discounts,
}

/// Everything the sandbox serves and remembers.
pub struct World {
    /// What it was started with.
    pub config: SandboxConfig,
    /// POSaBIT venues as they are now (permissions can be removed at run time).
    pub venues: Vec<Venue>,
    /// Greenbits users as they are now.
    pub greenbits_users: Vec<GreenbitsUser>,
    /// POSaBIT customers, per venue.
    pub customers: Vec<Collection>,
    /// POSaBIT tickets, per venue.
    pub tickets: Vec<Collection>,
    /// Greenbits customers, per location.
    pub people: Vec<Collection>,
    /// Greenbits patients, per location (empty where the location is not medical).
    pub patients: Vec<Collection>,
    /// Greenbits orders, per location.
    pub orders: Vec<Collection>,
    /// POSaBIT coupons, per venue.
    pub coupons: Vec<Collection>,
    /// Greenbits discounts, per location.
    pub discounts: Vec<Collection>,
    /// Credentials revoked at run time.
    pub revoked: HashSet<String>,
    /// Fault rules in force.
    pub faults: FaultBook,
    /// Requests received, oldest first.
    pub requests: Vec<LoggedRequest>,
    /// Records clients created or updated.
    pub client_writes: Vec<ClientWrite>,
    /// The SMS simulator's outbox and inbox.
    pub sms: crate::sms::SmsLog,
    /// When each credential's requests of the last second came (for the `rate_limit_above` fault).
    pub recent: std::collections::HashMap<String, std::collections::VecDeque<std::time::Instant>>,
    created: u64,
}

fn posabit_collections(config: &SandboxConfig) -> (Vec<Collection>, Vec<Collection>) {
    let seed = config.seed;
    let (customers, tickets) = (config.customers_per_venue, config.tickets_per_venue);
    (0..config.venues.len())
        .map(|venue| {
            let customer_list = Collection::new(
                customers,
                Arc::new(move |i| posabit_customer(seed, venue, i, customers)),
                Arc::new(move |id| {
                    let (v, i) = posabit_customer_index(id.parse().ok()?)?;
                    (v == venue).then_some(i)
                }),
            );
            let ticket_list = Collection::new(
                tickets,
                Arc::new(move |i| posabit_ticket(seed, venue, i, tickets, customers)),
                Arc::new(move |id| {
                    let n: u64 = id.parse().ok()?;
                    let base = crate::generator::posabit_ticket_id(venue, 0);
                    n.checked_sub(base)
                }),
            );
            (customer_list, ticket_list)
        })
        .unzip()
}

/// Greenbits customers, patients and orders, per location.
type GreenbitsLists = (Vec<Collection>, Vec<Collection>, Vec<Collection>);

fn greenbits_collections(config: &SandboxConfig) -> GreenbitsLists {
    let seed = config.seed;
    let posabit = (config.venues.len(), config.customers_per_venue);
    let mut lists: GreenbitsLists = (Vec::new(), Vec::new(), Vec::new());
    for (location, place) in config.greenbits_locations.iter().enumerate() {
        let people = config.people_per_location;
        let customers = PersonList {
            location,
            company_id: place.id,
            patients: false,
            len: people,
        };
        lists.0.push(Collection::new(
            people,
            Arc::new(move |i| greenbits_person(seed, customers, i, posabit)),
            Arc::new(move |id| {
                person_index(id)
                    .filter(|(l, _)| *l == location)
                    .map(|(_, i)| i)
            }),
        ));
        let count = if place.medical {
            config.patients_per_location
        } else {
            0
        };
        let patients = PersonList {
            location,
            company_id: place.id,
            patients: true,
            len: count,
        };
        lists.1.push(Collection::new(
            count,
            Arc::new(move |i| greenbits_person(seed, patients, i, posabit)),
            Arc::new(move |id| {
                patient_index(id)
                    .filter(|(l, _)| *l == location)
                    .map(|(_, i)| i)
            }),
        ));
        let orders = config.orders_per_location;
        lists.2.push(Collection::new(
            orders,
            Arc::new(move |i| greenbits_order(seed, location, i, orders, people)),
            Arc::new(move |id| {
                order_index(id)
                    .filter(|(l, _)| *l == location)
                    .map(|(_, i)| i)
            }),
        ));
    }
    lists
}

/// The discount lists: POSaBIT coupons per venue (the second venue lacks the last one, so a
/// missing mirror can be shown) and Greenbits discounts per location. Built-in names first.
fn discount_collections(config: &SandboxConfig) -> (Vec<Collection>, Vec<Collection>) {
    let coupons = (0..config.venues.len())
        .map(|venue| {
            let count = if venue == 1 {
                config.coupons.saturating_sub(1)
            } else {
                config.coupons
            } as u64;
            Collection::new(
                count,
                Arc::new(move |i| posabit_coupon(venue, i as usize)),
                Arc::new(move |id| {
                    let n: u64 = id.parse().ok()?;
                    n.checked_sub((venue as u64 + 1) * 1_000 + 1)
                        .filter(|i| *i < 1_000)
                }),
            )
        })
        .collect();
    let discounts = (0..config.greenbits_locations.len())
        .map(|location| {
            Collection::new(
                config.coupons as u64,
                Arc::new(move |i| greenbits_discount(location, i)),
                Arc::new(move |id| {
                    discount_index(id)
                        .filter(|(l, _)| *l == location)
                        .map(|(_, i)| i)
                }),
            )
        })
        .collect();
    (coupons, discounts)
}

impl World {
    /// The world as generated from `config`, with no change, fault or log.
    pub fn new(config: SandboxConfig) -> Self {
        let (customers, tickets) = posabit_collections(&config);
        let (people, patients, orders) = greenbits_collections(&config);
        let (coupons, discounts) = discount_collections(&config);
        World {
            venues: config.venues.clone(),
            greenbits_users: config.greenbits_users.clone(),
            config,
            customers,
            tickets,
            people,
            patients,
            orders,
            coupons,
            discounts,
            revoked: HashSet::new(),
            faults: FaultBook::default(),
            requests: Vec::new(),
            client_writes: Vec::new(),
            sms: crate::sms::SmsLog::default(),
            recent: std::collections::HashMap::new(),
            created: 0,
        }
    }

    /// Back to the generated data: no change, fault, revocation or log.
    pub fn reset(&mut self) {
        *self = World::new(self.config.clone());
    }

    /// A fresh sequence number for records created at run time.
    pub fn next_created(&mut self) -> u64 {
        self.created += 1;
        self.created
    }

    /// The list of `kind` at store `store` (venue or location index).
    pub fn list_mut(&mut self, kind: ListKind, store: usize) -> Option<&mut Collection> {
        match kind {
            ListKind::Customers => self.customers.get_mut(store),
            ListKind::Tickets => self.tickets.get_mut(store),
            ListKind::People => self.people.get_mut(store),
            ListKind::Patients => self.patients.get_mut(store),
            ListKind::Orders => self.orders.get_mut(store),
            ListKind::Coupons => self.coupons.get_mut(store),
            ListKind::Discounts => self.discounts.get_mut(store),
        }
    }

    /// A new id for a record of `kind` created at run time at store `store`.
    pub fn new_id(&mut self, kind: ListKind, store: usize) -> Value {
        // Generated records use indexes below each list's size; run-time ones start far above it.
        let index = 1_000_000_000 + self.next_created();
        match kind {
            ListKind::Customers => Value::from(crate::generator::posabit_customer_id(store, index)),
            ListKind::Tickets => Value::from(crate::generator::posabit_ticket_id(store, index)),
            ListKind::People => Value::from(crate::generator::person_id(store, index)),
            ListKind::Patients => Value::from(crate::generator::patient_id(store, index)),
            ListKind::Orders => Value::from(crate::generator::order_id(store, index)),
            ListKind::Coupons => Value::from((store as u64 + 1) * 1_000_000_000_000 + index),
            ListKind::Discounts => Value::from(crate::generator::discount_id(store, index)),
        }
    }

    /// What a busy store does while a client pages: the oldest record is edited (so it moves to
    /// the end of the `updated_at` order) and a new record is added.
    pub fn churn(&mut self, kind: ListKind, store: usize) {
        let id = self.new_id(kind, store);
        let Some(list) = self.list_mut(kind, store) else {
            return;
        };
        let Some(first) = list.page(&Default::default(), 0, 1).records.pop() else {
            return;
        };
        let first_id = match &first["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        list.touch(&first_id);
        let mut fresh = first;
        fresh["id"] = id;
        list.put(fresh);
    }

    /// Edits the first `records` records of a list (each moves to the end of the list's
    /// `updated_at` order).
    pub fn move_to_end(&mut self, kind: ListKind, store: usize, records: u64) {
        let Some(list) = self.list_mut(kind, store) else {
            return;
        };
        let first = list.page(&Default::default(), 0, records).records;
        for record in first {
            let id = match &record["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            list.touch(&id);
        }
    }

    /// Whether a request of `credential` now goes past `per_second` requests in the last second
    /// (a refused request does not count), and what is left of that second.
    pub fn over_rate(&mut self, credential: &str, per_second: u32) -> RateWindow {
        let now = std::time::Instant::now();
        let second = std::time::Duration::from_secs(1);
        let recent = self.recent.entry(credential.to_string()).or_default();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= second)
        {
            recent.pop_front();
        }
        let over = recent.len() >= per_second as usize;
        if !over {
            recent.push_back(now);
        }
        RateWindow {
            over,
            remaining: (per_second as usize).saturating_sub(recent.len()) as u32,
            reset: recent.front().map_or(std::time::Duration::ZERO, |oldest| {
                second.saturating_sub(now.duration_since(*oldest))
            }),
        }
    }

    /// Records a request in the log.
    pub fn log(&mut self, request: LoggedRequest) {
        if self.requests.len() >= MAX_LOGGED_REQUESTS {
            self.requests.remove(0);
        }
        self.requests.push(request);
    }

    /// The index of the venue whose token is `token`, unless it was revoked.
    pub fn venue_by_token(&self, token: &str) -> Option<usize> {
        if self.revoked.contains(token) {
            return None;
        }
        self.venues.iter().position(|v| v.token == token)
    }

    /// The index of the Greenbits user with API token `token`, unless it was revoked.
    pub fn greenbits_user_by_token(&self, token: &str) -> Option<usize> {
        if self.revoked.contains(token) {
            return None;
        }
        self.greenbits_users.iter().position(|u| u.token == token)
    }

    /// The index of the Greenbits location with id `id`.
    pub fn location_by_id(&self, id: u64) -> Option<usize> {
        self.config
            .greenbits_locations
            .iter()
            .position(|l| l.id == id)
    }

    /// Removes `permission` from whatever `credential` names (a venue token or a Greenbits user).
    pub fn remove_permission(&mut self, credential: &str, permission: &str) {
        for venue in self.venues.iter_mut().filter(|v| v.token == credential) {
            venue.permissions.retain(|p| p.wire_name() != permission);
        }
        for user in self
            .greenbits_users
            .iter_mut()
            .filter(|u| u.token == credential || u.username == credential || u.email == credential)
        {
            user.permissions.retain(|p| p != permission);
        }
    }

    /// The locations a Greenbits user may reach.
    pub fn locations_of(&self, user: &GreenbitsUser) -> Vec<&GreenbitsLocation> {
        self.config
            .greenbits_locations
            .iter()
            .filter(|l| user.accessible_location_ids.contains(&l.id))
            .collect()
    }
}

/// A credential's rate-limit window as a request finds it.
#[derive(Debug, Clone, Copy)]
pub struct RateWindow {
    /// The request goes past the limit.
    pub over: bool,
    /// Requests left in the window after this one.
    pub remaining: u32,
    /// Until the oldest request in the window leaves it.
    pub reset: std::time::Duration,
}
