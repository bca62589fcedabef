//! Shared set-up for core's integration tests: a real sandbox on loopback and a real SQLite file.

#![allow(dead_code)]

use std::sync::Arc;

use canopy_core::app::{Console, PosClients};
use canopy_core::credentials::NewPosabitCredential;
use canopy_core::db::Database;
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::secrets::SecretStore;
use canopy_core::Secret;
use canopy_sandbox::{RunningSandbox, SandboxConfig};

/// A console wired to a fresh sandbox and a fresh database file.
pub struct World {
    pub sandbox: RunningSandbox,
    pub console: Console,
    pub db: Database,
    pub dir: tempfile::TempDir,
}

pub async fn world(customers: u64, secrets: Arc<dyn SecretStore>) -> World {
    let sandbox = canopy_sandbox::start(
        SandboxConfig {
            customers_per_venue: customers,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .expect("sandbox starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(dir.path().join("canopy.db")).expect("database opens");
    let client = PosabitClient::new(
        sandbox.posabit_base_url(),
        Secret::new(sandbox.config().integrator_token.clone()),
    )
    .expect("client");
    let greenbits = GreenbitsClient::new(sandbox.greenbits_base_url()).expect("client");
    let console = Console::new(
        db.clone(),
        secrets,
        PosClients {
            posabit: client,
            greenbits,
        },
    );
    World {
        sandbox,
        console,
        db,
        dir,
    }
}

impl World {
    /// Ticks the age gate and connects POSaBIT (a credential must exist).
    pub async fn connect_posabit(&self) {
        use canopy_core::credentials::Integration;
        self.console
            .set_age_gate(Integration::Posabit, true)
            .await
            .expect("age gate");
        self.console
            .connect(Integration::Posabit)
            .await
            .expect("connects");
    }

    pub fn greenbits_user(&self, index: usize) -> (String, String) {
        let user = &self.sandbox.config().greenbits_users[index];
        (user.username.clone(), user.password.clone())
    }

    pub fn venue_key(&self, index: usize) -> String {
        self.sandbox.config().venues[index].token.clone()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    }
}

pub fn credential(store: &str, key: &str) -> NewPosabitCredential {
    NewPosabitCredential {
        store_name: store.into(),
        key: Secret::new(key),
        market: None,
    }
}
