//! Canopy's sandbox: simulated POSaBIT and Greenbits servers on loopback.
//!
//! The sandbox speaks the shapes documented in `shared/design/POS-APIS.md`, so Canopy's POS clients
//! talk to it exactly as they would to the real POS, changing only the base URL and credentials.
//! Data comes from a deterministic generator ([`generator`]) and stays lazy, so millions of records
//! cost no memory until they are changed. An SMS gateway simulator ([`sms`]) stands in for Canopy's
//! text provider. Faults ([`faults`]) and an admin API ([`admin`]) make it a
//! test instrument. Deliberate deviations from the public APIs are listed in this crate's README.

#![allow(
    clippy::significant_drop_tightening,
    reason = "each sandbox handler is one atomic step on the simulated world: it holds the world's lock for the whole (short, synchronous) request"
)]

pub mod admin;
mod collection;
pub mod faults;
pub mod generator;
mod greenbits;
mod greenbits_config;
mod http;
mod posabit;
mod sms;
mod venues;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faults::{FaultKind, FaultRule, Trigger};
pub use greenbits_config::{
    default_locations, default_users, GreenbitsLocation, GreenbitsUser, GREENBITS_PERMISSIONS,
};
pub use venues::{default_venues, Permission, Venue};

/// The integrator token the built-in sandbox accepts (Canopy's own POSaBIT installation secret).
pub const SANDBOX_INTEGRATOR_TOKEN: &str = "sbx_integrator_canopy";

/// What the sandbox serves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of the data generator: the same seed serves the same data.
    pub seed: u64,
    /// Customers per POSaBIT venue.
    pub customers_per_venue: u64,
    /// Tickets (sales) per POSaBIT venue.
    pub tickets_per_venue: u64,
    /// The POSaBIT venues (stores) and their tokens and permissions.
    pub venues: Vec<Venue>,
    /// The integrator token POSaBIT calls must present as the Basic-auth user name.
    pub integrator_token: String,
    /// Greenbits locations.
    pub greenbits_locations: Vec<GreenbitsLocation>,
    /// Greenbits users.
    pub greenbits_users: Vec<GreenbitsUser>,
    /// Greenbits customers per location.
    pub people_per_location: u64,
    /// Greenbits patients per medical location.
    pub patients_per_location: u64,
    /// Greenbits orders per location.
    pub orders_per_location: u64,
    /// Coupons per POSaBIT venue (the second venue lacks the last one).
    pub coupons: usize,
    /// The bearer token the SMS gateway requires (`None`: it asks for none).
    pub sms_token: Option<String>,
}

impl SandboxConfig {
    /// The default stores and users at the given sizes.
    pub fn sized(seed: u64, customers: u64, sales: u64) -> Self {
        SandboxConfig {
            seed,
            customers_per_venue: customers,
            tickets_per_venue: sales,
            venues: default_venues(seed),
            integrator_token: SANDBOX_INTEGRATOR_TOKEN.to_string(),
            greenbits_locations: default_locations(),
            greenbits_users: default_users(seed),
            people_per_location: customers,
            patients_per_location: customers / 5,
            orders_per_location: sales,
            coupons: generator::COUPON_NAMES.len(),
            sms_token: None,
        }
    }

    /// The same with `stores` POSaBIT venues and `stores` Greenbits locations.
    pub fn with_stores(mut self, stores: usize) -> Self {
        self.venues = venues::venues(self.seed, stores);
        self.greenbits_locations = greenbits_config::locations(stores);
        self.greenbits_users = greenbits_config::users(self.seed, &self.greenbits_locations);
        self
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig::sized(20_240_101, 300, 600)
    }
}

/// A running sandbox; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    address: SocketAddr,
    config: SandboxConfig,
    stop: Option<oneshot::Sender<()>>,
}

impl RunningSandbox {
    /// The POSaBIT base URL, the equivalent of `https://app.posabit.com/api`.
    pub fn posabit_base_url(&self) -> String {
        format!("http://{}/api", self.address)
    }

    /// The Greenbits base URL, the equivalent of `https://api.greenbits.com/api`.
    pub fn greenbits_base_url(&self) -> String {
        format!("http://{}/api", self.address)
    }

    /// The SMS gateway simulator's base URL.
    pub fn sms_base_url(&self) -> String {
        format!("http://{}/sms", self.address)
    }

    /// The admin API's base URL.
    pub fn admin_url(&self) -> String {
        format!("http://{}/__admin", self.address)
    }

    /// What the sandbox was started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the sandbox on `127.0.0.1` at `port` (0 picks a free port) on the current Tokio runtime.
pub async fn start(config: SandboxConfig, port: u16) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let shared: http::Shared = Arc::new(Mutex::new(world::World::new(config.clone())));
    let app = posabit::router()
        .merge(greenbits::router())
        .merge(admin::router())
        .merge(sms::router())
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            http::observe,
        ))
        .with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "sandbox server stopped with an error");
        }
    });
    tracing::info!(%address, "sandbox POS servers listening");
    Ok(RunningSandbox {
        address,
        config,
        stop: Some(stop),
    })
}
