//! Canopy's sandbox: simulated point-of-sale servers on loopback.
//!
//! The sandbox speaks the shapes documented in `shared/design/POS-APIS.md`, so Canopy's POS clients
//! talk to it exactly as they would to the real POSaBIT, changing only the base URL and credentials.
//! Data comes from a deterministic generator (see [`generator`]). Deliberate deviations from the
//! public API are listed in this crate's README.

pub mod generator;
mod posabit;
mod venues;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use venues::{default_venues, Permission, Venue};

/// The integrator token the built-in sandbox accepts (Canopy's own POSaBIT installation secret).
pub const SANDBOX_INTEGRATOR_TOKEN: &str = "sbx_integrator_canopy";

/// What the sandbox serves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of the data generator: the same seed serves the same shoppers.
    pub seed: u64,
    /// How many customers each venue has.
    pub customers_per_venue: u64,
    /// The POSaBIT venues (stores) and their tokens and permissions.
    pub venues: Vec<Venue>,
    /// The integrator token POSaBIT calls must present as the Basic-auth user name.
    pub integrator_token: String,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let seed = 20_240_101;
        SandboxConfig {
            seed,
            customers_per_venue: 300,
            venues: default_venues(seed),
            integrator_token: SANDBOX_INTEGRATOR_TOKEN.to_string(),
        }
    }
}

/// A running sandbox; dropping it (or calling [`RunningSandbox::stop`]) stops the server.
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

    /// The socket the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// What the sandbox serves.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Stops the server.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
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
    let app = posabit::router(config.clone());
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
