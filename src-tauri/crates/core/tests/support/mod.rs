//! Shared set-up for core's integration tests: a real sandbox on loopback and a real SQLite file.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]
#![allow(dead_code)]

use std::sync::Arc;

use canopy_core::consent::sms::HttpSmsGateway;
use canopy_core::console::{Console, PosClients};
use canopy_core::integrations::posabit_credentials::NewPosabitCredential;
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::pos::retry::RetryPolicy;
use canopy_core::sources::sync::Trigger;
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::SecretStore;
use canopy_core::Secret;
use canopy_sandbox::{RunningSandbox, SandboxConfig};
use std::time::Duration;

/// A console wired to a fresh sandbox and a fresh database file.
pub struct World {
    pub sandbox: RunningSandbox,
    pub console: Console,
    pub db: Database,
    pub dir: tempfile::TempDir,
}

pub async fn world(customers: u64, secrets: Arc<dyn SecretStore>) -> World {
    world_with(
        SandboxConfig {
            customers_per_venue: customers,
            ..SandboxConfig::default()
        },
        secrets,
    )
    .await
}

/// A world on the default stores at the given sizes, keys in an in-memory keychain.
pub async fn memory_world(seed: u64, customers: u64, sales: u64) -> World {
    world_with(
        SandboxConfig::sized(seed, customers, sales),
        Arc::new(canopy_core::storage::keychain::MemorySecretStore::default()),
    )
    .await
}

/// Retries fast enough for tests: 6 attempts from 5 ms, waits capped at 2 s, no pacing.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 6,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(2),
        min_request_gap: Duration::ZERO,
        fastest_request_gap: Duration::ZERO,
    }
}

/// `count` kill moments from a seed: each `from_ms` plus up to `span_ms` milliseconds.
pub fn kill_moments(seed: u64, count: usize, from_ms: u64, span_ms: u64) -> Vec<Duration> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Duration::from_millis(from_ms + (state >> 33) % span_ms)
        })
        .collect()
}

/// The console of a crash test's child process, on the database in `dir`, from what its parent
/// set: `CANOPY_SYNC_CREDENTIAL` and its secret `CANOPY_SYNC_SECRET` (kept in a keychain of its
/// own), the sandbox's `CANOPY_SYNC_POSABIT` and `CANOPY_SYNC_GREENBITS` and its
/// `CANOPY_SYNC_INTEGRATOR` token.
pub fn child_console(dir: &std::path::Path) -> Console {
    let var = |name: &str| std::env::var(name).expect(name);
    let secrets = canopy_core::storage::keychain::MemorySecretStore::default();
    secrets
        .put(
            &canopy_core::integrations::credentials::secret_name(&var("CANOPY_SYNC_CREDENTIAL")),
            &Secret::new(var("CANOPY_SYNC_SECRET")),
        )
        .expect("secret");
    let db = Database::open(dir.join("canopy.db")).expect("db");
    let clients = PosClients {
        posabit: PosabitClient::new(
            var("CANOPY_SYNC_POSABIT"),
            Secret::new(var("CANOPY_SYNC_INTEGRATOR")),
        )
        .expect("client"),
        greenbits: GreenbitsClient::new(var("CANOPY_SYNC_GREENBITS")).expect("client"),
    };
    Console::new(db, Arc::new(secrets), clients).with_retry_policy(fast_retries())
}

/// A console on `sandbox` with a fresh database file `name` in `dir`.
pub fn console_on(
    sandbox: &RunningSandbox,
    dir: &std::path::Path,
    name: &str,
    secrets: Arc<dyn SecretStore>,
) -> (Console, Database) {
    let db = Database::open(dir.join(name)).expect("database opens");
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
    )
    .with_retry_policy(fast_retries())
    .with_sms_gateway(Arc::new(
        HttpSmsGateway::new(sandbox.sms_base_url()).expect("gateway"),
    ));
    (console, db)
}

pub async fn world_with(config: SandboxConfig, secrets: Arc<dyn SecretStore>) -> World {
    let sandbox = canopy_sandbox::start(config, 0)
        .await
        .expect("sandbox starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let (console, db) = console_on(&sandbox, dir.path(), "canopy.db", secrets);
    World {
        sandbox,
        console,
        db,
        dir,
    }
}

impl World {
    /// Ids of the first `count` people of the Greenbits location, as the POS lists them.
    pub async fn people_ids(&self, location: u64, count: usize) -> Vec<String> {
        let (_, listed) = self
            .admin(reqwest::Method::GET, &format!("/people/{location}"), None)
            .await;
        listed["people"]
            .as_array()
            .expect("people")
            .iter()
            .take(count)
            .map(|p| {
                p["id"]
                    .as_str()
                    .map_or_else(|| p["id"].to_string(), str::to_string)
            })
            .collect()
    }

    /// Edits the `count` oldest people of the location at the POS (first name "Early"), so in its
    /// `updated_at` order they move to the end of the list.
    pub async fn change_the_oldest(&self, location: u64, count: usize) {
        for id in self.people_ids(location, count).await {
            self.admin(
                reqwest::Method::PUT,
                &format!("/people/{location}/{id}"),
                Some(serde_json::json!({"first_name": "Early"})),
            )
            .await;
        }
    }

    /// Ticks the age gate and connects POSaBIT (a credential must exist).
    pub async fn connect_posabit(&self) {
        connect(
            &self.console,
            canopy_core::base::pos_kind::Integration::Posabit,
        )
        .await;
    }

    pub fn greenbits_user(&self, index: usize) -> (String, String) {
        let user = &self.sandbox.config().greenbits_users[index];
        (user.username.clone(), user.password.clone())
    }

    pub fn venue_key(&self, index: usize) -> String {
        self.sandbox.config().venues[index].token.clone()
    }

    /// Posts to the sandbox's admin API; returns the status and the answer.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let client = reqwest::Client::new();
        let mut request = client.request(method, format!("{}{path}", self.sandbox.admin_url()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("admin answers");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Switches a sandbox fault on.
    pub async fn fault(&self, rule: serde_json::Value) {
        let (status, _) = self
            .admin(reqwest::Method::POST, "/faults", Some(rule))
            .await;
        assert_eq!(status, 201, "fault accepted");
    }

    /// Adds the POSaBIT credential of venue `index` as `store` and connects POSaBIT.
    pub async fn add_and_connect_posabit(&self, console: &Console, store: &str, index: usize) {
        use canopy_core::base::pos_kind::Integration;
        console
            .add_posabit_credential(credential(store, &self.venue_key(index)))
            .await
            .expect("credential added");
        connect(console, Integration::Posabit).await;
    }

    /// Logs in as the first Greenbits user, adds its credential for the first `locations` of the
    /// locations it may reach (every one with `None`) and connects Greenbits; returns their ids.
    pub async fn add_and_connect_greenbits(
        &self,
        locations: Option<usize>,
        medical_patients: bool,
    ) -> Vec<u64> {
        self.add_and_connect_greenbits_on(&self.console, locations, medical_patients)
            .await
    }

    /// The same on `console` (another database on this world's sandbox).
    pub async fn add_and_connect_greenbits_on(
        &self,
        console: &Console,
        locations: Option<usize>,
        medical_patients: bool,
    ) -> Vec<u64> {
        use canopy_core::base::pos_kind::Integration;
        use canopy_core::integrations::greenbits_credentials::{
            GreenbitsLoginInput, NewGreenbitsCredential,
        };
        let (username, password) = self.greenbits_user(0);
        let login = console
            .greenbits_login(GreenbitsLoginInput {
                username,
                password: Secret::new(password),
            })
            .await
            .expect("logs in");
        let ids: Vec<u64> = login
            .locations
            .iter()
            .map(|l| l.id)
            .take(locations.unwrap_or(usize::MAX))
            .collect();
        console
            .add_greenbits_credential(NewGreenbitsCredential {
                login_id: login.login_id,
                associated_email: "manager@example.com".into(),
                location_ids: ids.clone(),
                medical_patients,
            })
            .await
            .expect("added");
        connect(console, Integration::Greenbits).await;
        ids
    }

    /// Maps the first mappable key of `integration` to a new store in `timezone`: "Capitol Hill"
    /// (number 12) for POSaBIT, "Ballard" (number 13) for Greenbits.
    pub async fn map_to_new_store(
        &self,
        integration: canopy_core::base::pos_kind::Integration,
        timezone: &str,
    ) {
        let (name, number) = match integration {
            canopy_core::base::pos_kind::Integration::Posabit => ("Capitol Hill", "12"),
            canopy_core::base::pos_kind::Integration::Greenbits => ("Ballard", "13"),
        };
        let store = self
            .console
            .create_store(canopy_core::stores::StoreInput {
                name: name.into(),
                store_number: number.into(),
                state: "WA".into(),
                timezone: timezone.into(),
                address: None,
                license: None,
            })
            .await
            .expect("store");
        let key = self
            .console
            .mappable_keys()
            .await
            .expect("keys")
            .into_iter()
            .find(|k| k.integration == integration)
            .expect("a key")
            .key_id;
        self.console
            .save_mapping(store.id, integration, Some(key))
            .await
            .expect("mapped");
    }

    /// A POSaBIT world (sandbox of `customers` and `sales` per venue, seed `seed`) with the first
    /// venue connected, mapped to "Capitol Hill" in `timezone`, and synced once.
    pub async fn synced_posabit(seed: u64, customers: u64, sales: u64, timezone: &str) -> World {
        let world = memory_world(seed, customers, sales).await;
        world
            .add_and_connect_posabit(&world.console, "Capitol Hill", 0)
            .await;
        world
            .map_to_new_store(canopy_core::base::pos_kind::Integration::Posabit, timezone)
            .await;
        world
            .sync_ok(canopy_core::base::pos_kind::Integration::Posabit)
            .await;
        world
    }

    /// Turns on the POSaBIT card's SMS opt-in setting from the day of the first purchase.
    pub async fn sms_opt_ins_on(&self) {
        let date = self.text("SELECT substr(min(purchased_at), 1, 10) FROM purchases");
        self.console
            .change_setting(
                canopy_core::base::pos_kind::Integration::Posabit,
                canopy_core::integrations::setting_changes::SettingChange {
                    setting: canopy_core::config::integration_settings::Setting::SmsOptInAfter,
                    on: true,
                    date: Some(date),
                    warning_acknowledged: false,
                },
            )
            .await
            .expect("SMS opt-ins on");
    }

    /// Sets (a date) or removes (`None`) POSaBIT's "Send SMS double opt-ins to Personas who
    /// purchased after", its warning acknowledged or not.
    pub async fn set_sms_opt_ins_after(
        &self,
        date: Option<&str>,
        acknowledged: bool,
    ) -> canopy_core::Result<()> {
        use canopy_core::config::integration_settings::Setting;
        use canopy_core::integrations::setting_changes::SettingChange;
        self.console
            .change_setting(
                canopy_core::base::pos_kind::Integration::Posabit,
                SettingChange {
                    setting: Setting::SmsOptInAfter,
                    on: date.is_some(),
                    date: date.map(str::to_string),
                    warning_acknowledged: acknowledged,
                },
            )
            .await
            .map(drop)
    }

    /// Syncs `integration` and fails the test if any stream failed.
    pub async fn sync_ok(&self, integration: canopy_core::base::pos_kind::Integration) {
        let summaries = self
            .console
            .sync(integration, None, Trigger::Manual, None)
            .await
            .expect("sync runs");
        assert!(summaries.iter().all(|s| s.error.is_none()), "{summaries:?}");
    }

    /// The text the query `sql` answers.
    pub fn text(&self, sql: &str) -> String {
        self.db
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("query")
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

/// Turns Sync Personas on (its warning acknowledged), as the card's dialog does.
pub async fn sync_personas_on(
    console: &Console,
    integration: canopy_core::base::pos_kind::Integration,
) {
    use canopy_core::config::integration_settings::Setting;
    use canopy_core::integrations::setting_changes::SettingChange;
    console
        .change_setting(
            integration,
            SettingChange {
                setting: Setting::SyncPersonas,
                on: true,
                date: None,
                warning_acknowledged: true,
            },
        )
        .await
        .expect("Sync Personas on");
}

/// Ticks the age gate and connects `integration` (its credentials must be added).
pub async fn connect(console: &Console, integration: canopy_core::base::pos_kind::Integration) {
    console
        .set_age_gate(integration, true)
        .await
        .expect("age gate");
    console.connect(integration).await.expect("connects");
}
