//! The console's services bundled for its front ends (the Tauri shell and the CLI).

pub mod endpoints;
pub mod events;
mod loyalty_jobs;
pub mod mode;
pub mod real_pos;
mod rewards;
pub mod scheduler;
pub mod status;

use std::sync::Arc;

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::config::integration_settings::{self, IntegrationSettings};
use crate::integrations::connect_state::{self, IntegrationStatus};
use crate::integrations::connection_check::{self, ConnectionCheck};
use crate::integrations::credentials::{self, AddedCredential, Credential};
use crate::integrations::greenbits_credentials::{
    self, GreenbitsCredentialEdit, GreenbitsLogin, GreenbitsLoginInput, NewGreenbitsCredential,
    PendingLogins,
};
use crate::integrations::posabit_credentials::{self, NewPosabitCredential};
use crate::integrations::setting_changes::{self, SettingChange};
use crate::personas::detail::{self, PersonaDetail};
use crate::personas::query::{self, PersonaPage, PersonaQuery};
use crate::pos::retry::RetryPolicy;
pub use crate::pos::PosClients;
use crate::sources::outbox::{self, PushSummary};
use crate::sources::signups::{self, Signup, SignupInput};
use crate::sources::sync::history::{self, IntegrationHealth, SyncRunRow};
use crate::sources::sync::{
    self, ProgressSink, RunSlot, SyncContext, SyncControl, SyncRegistry, SyncSummary, Trigger,
};
use crate::storage::audit_log::{self, AuditArea, AuditEntry};
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;
use crate::storage::process_lock::ProcessLock;
use crate::stores::{self, MappableKey, RetailStore, StoreInput};
pub use rewards::MirrorReport;
pub use status::{AppStatus, SandboxStore};

/// The database, the keychain and the POS clients, with the operations the UI offers.
#[derive(Clone)]
pub struct Console {
    db: Database,
    secrets: Arc<dyn SecretStore>,
    clients: PosClients,
    syncs: Arc<SyncRegistry>,
    retry: RetryPolicy,
    /// The pace each credential's POS last answered at (by credential id), for its next run.
    paces: Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::Duration>>>,
    greenbits_logins: Arc<PendingLogins>,
    /// Where SMS opt-in requests go; `None` until one is set.
    sms: Option<Arc<dyn crate::consent::sms::SmsGateway>>,
    /// When this run began (RFC 3339): recovery touches only what earlier runs left.
    started_at: String,
    /// The same instant, for comparing with sync run stamps.
    started_at_instant: chrono::DateTime<chrono::Utc>,
}

impl Console {
    /// Bundles the services; call [`Console::recover`] once the keychain answers.
    pub fn new(db: Database, secrets: Arc<dyn SecretStore>, clients: PosClients) -> Self {
        let now = chrono::Utc::now();
        Console {
            db,
            secrets,
            clients,
            syncs: Arc::default(),
            retry: RetryPolicy::standard(),
            paces: Arc::default(),
            greenbits_logins: Arc::default(),
            sms: None,
            started_at: now.to_rfc3339(),
            started_at_instant: now,
        }
    }

    /// Logs in to Greenbits: the pre-flight and the locations to pick (the token stays here).
    pub async fn greenbits_login(&self, input: GreenbitsLoginInput) -> Result<GreenbitsLogin> {
        greenbits_credentials::login(&self.clients.greenbits, &self.greenbits_logins, input).await
    }

    /// Stores the Greenbits credential of a finished log-in.
    pub async fn add_greenbits_credential(
        &self,
        input: NewGreenbitsCredential,
    ) -> Result<AddedCredential> {
        greenbits_credentials::add(
            &self.db,
            self.secrets.as_ref(),
            &self.greenbits_logins,
            input,
        )
        .await
    }

    /// The same console with another retry and pacing policy (tests use a fast one).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same console sending texts through `gateway`.
    pub fn with_sms_gateway(mut self, gateway: Arc<dyn crate::consent::sms::SmsGateway>) -> Self {
        self.sms = Some(gateway);
        self
    }

    /// Finishes start-up: closes the sync runs an earlier process left open and removes
    /// half-added credentials (returns how many). Needs the keychain.
    pub fn recover(&self) -> Result<usize> {
        let interrupted = sync::close_interrupted(
            &self.db,
            &crate::base::clock::db_timestamp(self.started_at_instant),
        )?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "closed sync runs an earlier process left open");
        }
        credentials::remove_unfinished(&self.db, self.secrets.as_ref(), &self.started_at)
    }

    /// Verifies and stores a POSaBIT credential.
    pub async fn add_posabit_credential(
        &self,
        input: NewPosabitCredential,
    ) -> Result<AddedCredential> {
        posabit_credentials::add_posabit(
            &self.db,
            self.secrets.as_ref(),
            &self.clients.posabit,
            input,
        )
        .await
    }

    /// The credentials of an integration.
    pub async fn credentials(&self, integration: Integration) -> Result<Vec<Credential>> {
        self.blocking(move |db| credentials::list(db, integration))
            .await
    }

    /// Removes a credential (its key leaves the keychain; its data stays).
    pub async fn remove_credential(&self, id: &str) -> Result<()> {
        credentials::remove(&self.db, self.secrets.as_ref(), id).await
    }

    /// Renames a POSaBIT credential or changes its market.
    pub async fn edit_posabit_credential(
        &self,
        id: &str,
        store_name: &str,
        market: Option<String>,
    ) -> Result<Credential> {
        posabit_credentials::edit_posabit(&self.db, id, store_name, market).await
    }

    /// Replaces a POSaBIT credential's key with a new one for the same venue.
    pub async fn rotate_posabit_key(&self, id: &str, key: Secret) -> Result<AddedCredential> {
        posabit_credentials::rotate_posabit_key(
            &self.db,
            self.secrets.as_ref(),
            &self.clients.posabit,
            id,
            key,
        )
        .await
    }

    /// Runs blocking database work off the async runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || work(&db)).await?
    }

    /// An integration's connection status and checklist.
    pub async fn integration_status(&self, integration: Integration) -> Result<IntegrationStatus> {
        self.blocking(move |db| connect_state::status(db, integration))
            .await
    }

    /// Ticks or unticks the age-gate attestation.
    pub async fn set_age_gate(
        &self,
        integration: Integration,
        attested: bool,
    ) -> Result<IntegrationStatus> {
        self.blocking(move |db| connect_state::set_age_gate(db, integration, attested))
            .await
    }

    /// Connects when the minimum settings hold.
    pub async fn connect(&self, integration: Integration) -> Result<IntegrationStatus> {
        self.blocking(move |db| connect_state::connect(db, integration))
            .await
    }

    /// Disconnects, keeping the data.
    pub async fn disconnect(&self, integration: Integration) -> Result<IntegrationStatus> {
        self.blocking(move |db| connect_state::disconnect(db, integration))
            .await
    }

    /// The time zones a retail store may have.
    pub fn store_timezones(&self) -> Vec<String> {
        stores::TIMEZONES.iter().map(|tz| tz.to_string()).collect()
    }

    /// Every retail store.
    pub async fn stores(&self) -> Result<Vec<RetailStore>> {
        self.blocking(stores::list).await
    }

    /// Creates a retail store.
    pub async fn create_store(&self, input: StoreInput) -> Result<RetailStore> {
        self.blocking(move |db| stores::create(db, &input)).await
    }

    /// Changes a retail store.
    pub async fn update_store(&self, id: i64, input: StoreInput) -> Result<RetailStore> {
        self.blocking(move |db| stores::update(db, id, &input))
            .await
    }

    /// Deletes a retail store (its keys become unmapped).
    pub async fn delete_store(&self, id: i64) -> Result<()> {
        self.blocking(move |db| stores::delete(db, id)).await
    }

    /// Every mappable key with its mapping and suggestion.
    pub async fn mappable_keys(&self) -> Result<Vec<MappableKey>> {
        self.blocking(stores::mappable_keys).await
    }

    /// Saves a store's mapping for one integration.
    pub async fn save_mapping(
        &self,
        store_id: i64,
        integration: Integration,
        key_id: Option<String>,
    ) -> Result<()> {
        self.blocking(move |db| stores::save_mapping(db, store_id, integration, key_id.as_deref()))
            .await
    }

    /// Syncs every credential of `integration` (or only `credential_id`), one after the other,
    /// each stream in turn; progress goes to `progress`. The integration must be connected. A
    /// credential already syncing is refused (named) when asked for alone, skipped otherwise.
    pub async fn sync(
        &self,
        integration: Integration,
        credential_id: Option<&str>,
        trigger: Trigger,
        progress: Option<ProgressSink>,
    ) -> Result<Vec<SyncSummary>> {
        self.blocking(move |db| connect_state::require_connected(db, integration))
            .await?;
        if self.settings(integration).await?.frozen_since.is_some() {
            let name = integration.label();
            return Err(Error::validation(format!(
                "{name} is frozen: “Use last backup” is on, so Canopy makes no {name} call and keeps the data as of the last sync."
            ))
            .with_hint("Turn “Use last backup” off on the integration card to sync again."));
        }
        let mut credentials = self.credentials(integration).await?;
        if let Some(id) = credential_id {
            credentials.retain(|c| c.id == id);
            if credentials.is_empty() {
                return Err(Error::new(
                    crate::ErrorCode::NotFound,
                    "That credential no longer exists.",
                )
                .with_hint("Reload the integration card."));
            }
        }
        if credentials.is_empty() {
            let name = integration.label();
            return Err(
                Error::validation(format!("There is no {name} credential to sync."))
                    .with_hint("Add a credential first."),
            );
        }
        let progress = progress.unwrap_or_else(|| Arc::new(|_| {}));
        let mut summaries = Vec::new();
        for credential in &credentials {
            let failed = |error: Error| SyncSummary {
                credential_id: credential.id.clone(),
                store_name: credential.store_name.clone(),
                store_label: credential.store_name.clone(),
                error: Some(error),
                ..SyncSummary::default()
            };
            let (slot, _across_processes) = match self.claim_run(credential) {
                Ok(claimed) => claimed,
                Err(error) if credential_id.is_some() => return Err(error),
                Err(error) => {
                    summaries.push(failed(error));
                    continue;
                }
            };
            let (secrets, owned) = (self.secrets.clone(), credential.clone());
            let secret = tokio::task::spawn_blocking(move || {
                credentials::secret_of(secrets.as_ref(), &owned)
            })
            .await?;
            let secret = match secret {
                Ok(secret) => secret,
                Err(error) => {
                    summaries.push(failed(error));
                    continue;
                }
            };
            let learned = self
                .paces
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&credential.id)
                .copied();
            let context = SyncContext {
                db: &self.db,
                connector: self.clients.connector(credential.integration),
                policy: self.paced_policy(credential.integration).await,
                control: SyncControl::new(slot.cancel_flag(), progress.clone()).with_pace(learned),
            };
            summaries.extend(sync::sync_credential(&context, credential, &secret, trigger).await);
            if let Some(pace) = context.control.pace() {
                self.paces
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(credential.id.clone(), pace);
            }
        }
        if credential_id.is_none() {
            self.push_signups(integration).await;
        }
        Ok(summaries)
    }

    /// Changes which locations a Greenbits credential syncs and its medical flag.
    pub async fn edit_greenbits_credential(
        &self,
        edit: GreenbitsCredentialEdit,
    ) -> Result<Credential> {
        greenbits_credentials::edit(
            &self.db,
            self.secrets.as_ref(),
            &self.clients.greenbits,
            edit,
        )
        .await
    }

    /// Logs a Greenbits credential in again with the user's password after its token was refused.
    pub async fn log_in_greenbits_again(
        &self,
        credential_id: &str,
        password: Secret,
    ) -> Result<Credential> {
        greenbits_credentials::log_in_again(
            &self.db,
            self.secrets.as_ref(),
            &self.clients.greenbits,
            credential_id,
            &password,
        )
        .await
    }

    /// The locations a Greenbits credential's token reaches now.
    pub async fn greenbits_reachable_locations(
        &self,
        credential_id: &str,
    ) -> Result<Vec<crate::pos::LocationChoice>> {
        greenbits_credentials::reachable_locations(
            &self.db,
            self.secrets.as_ref(),
            &self.clients.greenbits,
            credential_id,
        )
        .await
    }

    /// Test connection: credential `id`'s pre-flight run again against its POS, with what changed.
    pub async fn test_connection(&self, id: &str) -> Result<ConnectionCheck> {
        let credential = credentials::find(&self.db, id)?;
        let connector = self.clients.connector(credential.integration);
        let secrets = self.secrets.clone();
        connection_check::test(&self.db, secrets.as_ref(), connector.as_ref(), id).await
    }

    /// Claims `credential` for one run: in this process (the registry) and across processes (a
    /// lock beside the database), so the app and `canopy-cli` never sync it at once.
    fn claim_run(&self, credential: &Credential) -> Result<(RunSlot, ProcessLock)> {
        let slot = self.syncs.begin(&credential.id, &credential.store_name)?;
        let lock = ProcessLock::try_acquire(self.db.path(), &format!("sync-{}", credential.id))?
            .ok_or_else(|| {
                Error::new(
                    crate::ErrorCode::Conflict,
                    format!(
                        "“{}” is already syncing in another Canopy (the app or canopy-cli).",
                        credential.store_name
                    ),
                )
                .with_hint("Wait for that sync to finish; it reads everything that is due.")
            })?;
        Ok((slot, lock))
    }

    /// Pushes local signups waiting in the outbox to `integration`, while two-way contact sync is
    /// on; a failure is logged and left on the outbox row (the next sync tries again).
    pub async fn push_signups(&self, integration: Integration) -> Option<PushSummary> {
        let on = self.settings(integration).await;
        if !on.is_ok_and(|s| s.sync_personas_since.is_some()) {
            return None;
        }
        match outbox::push_pending(
            &self.db,
            self.secrets.as_ref(),
            &self.clients,
            &self.retry,
            integration,
        )
        .await
        {
            Ok(summary) => {
                tracing::info!(?integration, ?summary, "outbox pushed");
                Some(summary)
            }
            Err(error) => {
                tracing::warn!(?integration, "outbox push failed: {}", error.message);
                None
            }
        }
    }

    /// A shopper signs up on Canopy's own form (see [`signups::sign_up`]).
    pub async fn sign_up(&self, input: SignupInput) -> Result<Signup> {
        self.blocking(move |db| signups::sign_up(db, &input)).await
    }

    /// Support's decision on a persona's reply held for review: a stop opts its phone out, not a
    /// stop releases the hold.
    pub async fn resolve_held_reply(&self, persona_id: i64, is_stop: bool) -> Result<()> {
        self.blocking(move |db| {
            db.write(|tx| {
                let phone: Option<String> = tx.query_row(
                    "SELECT phone_e164 FROM personas WHERE id = ?1",
                    [persona_id],
                    |r| r.get(0),
                )?;
                let phone = phone.ok_or_else(|| Error::validation("This persona has no phone."))?;
                crate::consent::opt_out::resolve_review(
                    tx,
                    &phone,
                    is_stop,
                    &crate::base::clock::db_timestamp(chrono::Utc::now()),
                )
            })
        })
        .await
    }

    /// An integration's additional settings.
    pub async fn settings(&self, integration: Integration) -> Result<IntegrationSettings> {
        self.blocking(move |db| db.read(|c| integration_settings::get(c, integration)))
            .await
    }

    /// Changes one additional setting (audited; guarded ones need the warning acknowledged).
    pub async fn change_setting(
        &self,
        integration: Integration,
        change: SettingChange,
    ) -> Result<IntegrationSettings> {
        self.blocking(move |db| setting_changes::set(db, integration, &change))
            .await
    }

    /// The audit log, newest first, of one integration and one area when given.
    pub async fn audit_log(
        &self,
        integration: Option<Integration>,
        area: Option<AuditArea>,
    ) -> Result<Vec<AuditEntry>> {
        self.blocking(move |db| audit_log::entries(db, integration, area))
            .await
    }

    /// Writes the whole audit log as CSV at `path`; returns how many entries.
    pub async fn export_audit_log(&self, path: std::path::PathBuf) -> Result<usize> {
        self.blocking(move |db| audit_log::export_csv(db, &path))
            .await
    }

    /// Asks running syncs of `integration` (every one, with `None`) to stop at the next page
    /// boundary; returns how many were asked.
    pub async fn cancel_sync(&self, integration: Option<Integration>) -> Result<usize> {
        let ids: Option<Vec<String>> = match integration {
            Some(integration) => Some(
                self.credentials(integration)
                    .await?
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
            ),
            None => None,
        };
        Ok(self.syncs.cancel(ids.as_deref()))
    }

    /// The retry policy a sync of `integration` runs with: the console's, its pace held under the
    /// POS's ceiling (a policy that does not pace, as against the sandbox in tests, stays so).
    async fn paced_policy(&self, integration: Integration) -> RetryPolicy {
        if self.retry.min_request_gap.is_zero() {
            return self.retry;
        }
        let ceiling = self
            .pace_ceiling(integration)
            .await
            .unwrap_or(crate::config::pace::DEFAULT_MAX_PER_SECOND);
        self.retry.with_ceiling(ceiling)
    }

    /// The most requests a second Canopy sends one credential of `integration`.
    pub async fn pace_ceiling(&self, integration: Integration) -> Result<u32> {
        self.blocking(move |db| crate::config::pace::max_per_second(db, integration))
            .await
    }

    /// Sets the most requests a second Canopy sends one credential of `integration`.
    pub async fn set_pace_ceiling(&self, integration: Integration, per_second: u32) -> Result<u32> {
        self.blocking(move |db| {
            crate::config::pace::set_max_per_second(db, integration, per_second)
        })
        .await
    }

    /// Makes the next sync of `integration` read its scanned lists (Greenbits' people, patients
    /// and orders) whole rather than their tails: for what a tail cannot show, such as a record
    /// whose stamp did not move. Returns how many lists will be read whole.
    pub async fn read_whole_lists_next_sync(&self, integration: Integration) -> Result<usize> {
        let ids: Vec<String> = self
            .credentials(integration)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        self.blocking(move |db| crate::sources::sync::scan_cursor::ask_for_full_scans(db, &ids))
            .await
    }

    /// Syncs every connected integration, started by `trigger`; returns what each did. An
    /// integration that is not connected or is frozen ("Use last backup") is skipped.
    pub async fn sync_connected(
        &self,
        trigger: Trigger,
    ) -> Vec<(Integration, Result<Vec<SyncSummary>>)> {
        let mut results = Vec::new();
        for &integration in Integration::ALL {
            let connected = self
                .blocking(move |db| connect_state::require_connected(db, integration))
                .await
                .is_ok();
            let frozen = self
                .settings(integration)
                .await
                .map_or(true, |s| s.frozen_since.is_some());
            if connected && !frozen {
                results.push((
                    integration,
                    self.sync(integration, None, trigger, None).await,
                ));
            }
        }
        results
    }

    /// Minutes between scheduled syncs (0: off).
    pub async fn sync_interval(&self) -> Result<u32> {
        self.blocking(crate::config::schedule::interval_minutes)
            .await
    }

    /// Sets the minutes between scheduled syncs (0: off).
    pub async fn set_sync_interval(&self, minutes: u32) -> Result<u32> {
        self.blocking(move |db| crate::config::schedule::set_interval_minutes(db, minutes))
            .await
    }

    /// The most recent sync runs, newest first; only those with a problem when `only_problems`.
    pub async fn sync_history(&self, limit: u32, only_problems: bool) -> Result<Vec<SyncRunRow>> {
        self.blocking(move |db| history::runs(db, limit, only_problems))
            .await
    }

    /// The records run `run_id` skipped, and why.
    pub async fn rejected_records(&self, run_id: i64) -> Result<Vec<history::RejectedRecord>> {
        self.blocking(move |db| history::rejected_records(db, run_id))
            .await
    }

    /// Each integration's health per store.
    pub async fn sync_health(&self) -> Result<Vec<IntegrationHealth>> {
        self.blocking(history::health).await
    }

    /// Settings → API & Tracking: Canopy's UID and each store's ID number.
    pub async fn api_tracking(&self) -> Result<crate::stores::api_tracking::ApiTracking> {
        self.blocking(crate::stores::api_tracking::api_tracking)
            .await
    }

    /// Canopy's own API key, for the user to type on the POS side; made on first use.
    pub async fn reveal_api_key(&self) -> Result<Secret> {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || {
            crate::stores::api_tracking::reveal_api_key(secrets.as_ref())
        })
        .await?
    }

    /// The active notifications, newest first.
    pub async fn notifications(
        &self,
    ) -> Result<Vec<crate::integrations::notifications::Notification>> {
        self.blocking(crate::integrations::notifications::active)
            .await
    }

    /// One persona in full: sources, signups, purchases, ledger, pushes.
    pub async fn persona(&self, id: i64) -> Result<PersonaDetail> {
        self.blocking(move |db| detail::detail(db, id)).await
    }

    /// Splits a wrongly merged source record into its own persona; returns the new persona's id.
    pub async fn split_source_record(&self, record_id: i64) -> Result<i64> {
        self.blocking(move |db| detail::split(db, record_id)).await
    }

    /// Gathers a support bundle from the database and the newest log in `log_dir`.
    pub async fn support_bundle(
        &self,
        about: crate::support::bundle::About,
        log_dir: Option<std::path::PathBuf>,
    ) -> Result<crate::support::bundle::Bundle> {
        self.blocking(move |db| {
            crate::support::bundle::Bundle::gather(db, &about, log_dir.as_deref())
        })
        .await
    }

    /// Settings → Loyalty.
    pub async fn loyalty_settings(&self) -> Result<crate::config::loyalty::LoyaltySettings> {
        self.blocking(crate::config::loyalty::settings).await
    }

    /// Saves Settings → Loyalty; applies to sales synced from now on.
    pub async fn save_loyalty_settings(
        &self,
        input: crate::config::loyalty::LoyaltySettings,
    ) -> Result<crate::config::loyalty::LoyaltySettings> {
        self.blocking(move |db| crate::config::loyalty::save(db, &input))
            .await
    }

    /// Whether presenter mode is on.
    pub async fn presenter_mode(&self) -> Result<bool> {
        self.blocking(crate::config::preferences::presenter_mode)
            .await
    }

    /// Turns presenter mode on or off.
    pub async fn set_presenter_mode(&self, on: bool) -> Result<bool> {
        self.blocking(move |db| crate::config::preferences::set_presenter_mode(db, on))
            .await
    }

    /// Writes the personas matching `query` to a CSV file at `path`; returns the rows written.
    pub async fn export_personas(
        &self,
        query: PersonaQuery,
        path: std::path::PathBuf,
        progress: impl FnMut(crate::personas::export::ExportProgress) + Send + 'static,
    ) -> Result<u64> {
        self.blocking(move |db| crate::personas::export::export_csv(db, &query, &path, progress))
            .await
    }

    /// Imports personas from the CSV file at `path` (the `import` source), reporting progress.
    pub async fn import_personas(
        &self,
        path: std::path::PathBuf,
        progress: impl FnMut(crate::sources::import::ImportProgress) + Send + 'static,
    ) -> Result<crate::sources::import::ImportSummary> {
        self.blocking(move |db| crate::sources::import::import_csv(db, &path, progress))
            .await
    }

    /// A page of personas.
    pub async fn personas(&self, query: PersonaQuery) -> Result<PersonaPage> {
        self.blocking(move |db| query::list(db, &query)).await
    }
}
