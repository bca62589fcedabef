//! The console's services bundled for its front ends (the Tauri shell and the CLI).

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::credentials::{self, AddedCredential, Credential, Integration, NewPosabitCredential};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::personas::{self, PersonaPage, PersonaQuery};
use crate::pos::posabit::PosabitClient;
use crate::secrets::SecretStore;
use crate::sync::{self, SyncSummary};

/// A store of the built-in sandbox and the test key that opens it (simulated data, not a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SandboxKey {
    /// The simulated venue's name.
    pub venue_name: String,
    /// Its state.
    pub state: String,
    /// The sandbox venue token to paste into Key.
    pub key: String,
    /// What is special about it, e.g. a missing permission.
    pub note: String,
}

/// What the UI shows in the shell: where data comes from and whether the keychain answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// True while the built-in sandbox stands in for the POS.
    pub sandbox: bool,
    /// The POSaBIT API base URL in use.
    pub posabit_url: String,
    /// Why the keychain is unusable, or `null` when it works.
    pub keychain_error: Option<Error>,
    /// Where the database and logs live.
    pub data_dir: String,
    /// The sandbox's stores and test keys (empty when a real POS is used).
    pub sandbox_keys: Vec<SandboxKey>,
}

/// The database, the keychain and the POS clients, with the operations the UI offers.
#[derive(Clone)]
pub struct Console {
    db: Database,
    secrets: Arc<dyn SecretStore>,
    posabit: PosabitClient,
}

impl Console {
    /// Bundles the services; call [`Console::recover`] once the keychain answers.
    pub fn new(db: Database, secrets: Arc<dyn SecretStore>, posabit: PosabitClient) -> Self {
        Console {
            db,
            secrets,
            posabit,
        }
    }

    /// Finishes start-up: removes half-added credentials. Needs the keychain.
    pub fn recover(&self) -> Result<usize> {
        credentials::remove_unfinished(&self.db, self.secrets.as_ref())
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Verifies and stores a POSaBIT credential.
    pub async fn add_posabit_credential(
        &self,
        input: NewPosabitCredential,
    ) -> Result<AddedCredential> {
        credentials::add_posabit(&self.db, self.secrets.as_ref(), &self.posabit, input).await
    }

    /// The credentials of an integration.
    pub async fn credentials(&self, integration: Integration) -> Result<Vec<Credential>> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || credentials::list(&db, integration)).await?
    }

    /// Syncs every POSaBIT credential's customers, one after the other.
    pub async fn sync_posabit(&self, trigger: &str) -> Result<Vec<SyncSummary>> {
        let credentials = self.credentials(Integration::Posabit).await?;
        if credentials.is_empty() {
            return Err(Error::validation("There is no POSaBIT credential to sync.")
                .with_hint("Add a credential with its Store Name and Key first."));
        }
        let mut summaries = Vec::with_capacity(credentials.len());
        for credential in &credentials {
            summaries.push(
                sync::sync_posabit_customers(
                    &self.db,
                    self.secrets.as_ref(),
                    &self.posabit,
                    credential,
                    trigger,
                )
                .await?,
            );
        }
        Ok(summaries)
    }

    /// A page of personas.
    pub async fn personas(&self, query: PersonaQuery) -> Result<PersonaPage> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || personas::list(&db, &query)).await?
    }
}
