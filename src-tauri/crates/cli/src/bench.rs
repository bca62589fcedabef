//! `canopy-cli bench sync`: a full POSaBIT (or Greenbits) sync from a sandbox running in its own
//! process, so the figures are the sync's alone: records per second per stream, and memory (peak
//! RSS, and RSS as the sync goes, to show it does not grow with the data), and, in the same run,
//! the bare transfer of the same pages (`bench_baseline`) with the sync's time as a ratio to it.
//! With `--changes N`,
//! the sandbox's admin API then changes N shoppers and adds N sales, and the next sync is timed,
//! and so is one with nothing changed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use canopy_core::base::pos_kind::Integration;
use canopy_core::console::Console;
use canopy_core::integrations::greenbits_credentials::{
    GreenbitsLoginInput, NewGreenbitsCredential,
};
use canopy_core::integrations::posabit_credentials::NewPosabitCredential;
use canopy_core::pos::greenbits::GreenbitsClient;
use canopy_core::pos::posabit::PosabitClient;
use canopy_core::pos::retry::RetryPolicy;
use canopy_core::pos::streams::Stream;
use canopy_core::pos::PosClients;
use canopy_core::sources::sync::Trigger;
use canopy_core::sources::sync::{SyncProgress, SyncState};
use canopy_core::storage::db::Database;
use canopy_core::storage::keychain::MemorySecretStore;
use canopy_core::Secret;

use crate::bench_baseline;

/// The sandbox child; killed when dropped.
struct SandboxProcess(Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// RSS measured during the sync: stream, records done, records expected, MiB.
struct Sample {
    stream: Stream,
    done: u64,
    total: Option<u64>,
    rss: f64,
}

/// The benchmark's database folder; removed when dropped, whatever happened.
struct ScratchDir(std::path::PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the sandbox printed about itself.
struct SandboxInfo {
    posabit_url: String,
    integrator: String,
    admin_url: String,
    /// The first POSaBIT venue: its id and key.
    venue: (u64, String),
    /// The first Greenbits location's id, and its user's name and password.
    location: u64,
    greenbits_user: (String, String),
}

/// What `bench sync` runs.
#[derive(Debug, Clone, Copy)]
pub struct SyncBench {
    /// The POS synced.
    pub pos: Integration,
    /// Shoppers in the sandbox's store.
    pub customers: u64,
    /// Sales (default 5 × customers).
    pub sales: Option<u64>,
    /// Shoppers changed and sales added after the full sync, before a timed incremental one.
    pub changes: Option<u64>,
}

fn start_sandbox(customers: u64, sales: u64) -> anyhow::Result<(SandboxProcess, SandboxInfo)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["sandbox", "serve", "--stores", "1", "--coupons", "6"])
        .args([
            "--customers",
            &customers.to_string(),
            "--sales",
            &sales.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the sandbox")?;
    let stdout = child.stdout.take().context("sandbox output")?;
    let process = SandboxProcess(child);
    let (mut url, mut integrator, mut venue, mut location, mut user) =
        (None, None, None, None, None);
    let mut admin = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        let value = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim().to_string());
        url = url.or(value("POSaBIT base URL:"));
        integrator = integrator.or(value("Integrator token:"));
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |word: &str| {
            words
                .iter()
                .position(|w| *w == word)
                .and_then(|i| words.get(i + 1))
                .map(|w| (*w).to_string())
        };
        match words.first() {
            Some(&"venue") if venue.is_none() => {
                venue = after("venue")
                    .and_then(|id| id.parse().ok())
                    .zip(after("key"));
            }
            Some(&"location") if location.is_none() => {
                location = after("location").and_then(|id| id.parse().ok());
            }
            Some(&"user") if user.is_none() => user = after("user").zip(after("password")),
            _ => {}
        }
        if let Some(url) = value("Admin API:") {
            admin = Some(url);
            break;
        }
    }
    // Keep reading what the sandbox prints, so it never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    match (url, integrator, admin, venue, location, user) {
        (
            Some(posabit_url),
            Some(integrator),
            Some(admin_url),
            Some(venue),
            Some(location),
            Some(user),
        ) => Ok((
            process,
            SandboxInfo {
                posabit_url,
                integrator,
                admin_url,
                venue,
                location,
                greenbits_user: user,
            },
        )),
        _ => bail!("the sandbox did not say where it listens"),
    }
}

/// `VmRSS` and `VmHWM` (peak) of this process, in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Adds the sandbox's first store of `pos` and connects it.
async fn connect(console: &Console, pos: Integration, info: &SandboxInfo) -> anyhow::Result<()> {
    match pos {
        Integration::Posabit => {
            console
                .add_posabit_credential(NewPosabitCredential {
                    store_name: "Bench".into(),
                    key: Secret::new(info.venue.1.clone()),
                    market: None,
                })
                .await
                .map_err(fail)?;
        }
        Integration::Greenbits => {
            let login = console
                .greenbits_login(GreenbitsLoginInput {
                    username: info.greenbits_user.0.clone(),
                    password: Secret::new(info.greenbits_user.1.clone()),
                })
                .await
                .map_err(fail)?;
            console
                .add_greenbits_credential(NewGreenbitsCredential {
                    login_id: login.login_id,
                    associated_email: "bench@example.com".into(),
                    location_ids: vec![info.location],
                    medical_patients: false,
                })
                .await
                .map_err(fail)?;
        }
    }
    console.set_age_gate(pos, true).await.map_err(fail)?;
    console.connect(pos).await.map_err(fail)?;
    Ok(())
}

/// A core error as the benchmark reports it.
pub fn fail(e: canopy_core::Error) -> anyhow::Error {
    anyhow::anyhow!("{} {}", e.message, e.hint.unwrap_or_default())
}

/// Through the sandbox's admin API: `changes` shoppers of the store are edited (the oldest, so in
/// Greenbits' `updated_at` order they move to the end) and `changes` sales added, copies of its
/// first sale.
async fn change_the_pos(info: &SandboxInfo, pos: Integration, changes: u64) -> anyhow::Result<()> {
    let (shoppers, sales, store) = match pos {
        Integration::Posabit => ("customers", "tickets", info.venue.0),
        Integration::Greenbits => ("people", "orders", info.location),
    };
    let http = reqwest::Client::new();
    let list = |name: &str| format!("{}/{name}/{store}", info.admin_url);
    let listed: serde_json::Value = http.get(list(shoppers)).send().await?.json().await?;
    let ids: Vec<String> = listed[shoppers]
        .as_array()
        .into_iter()
        .flatten()
        .take(usize::try_from(changes)?)
        .map(|r| {
            r["id"]
                .as_str()
                .map_or_else(|| r["id"].to_string(), str::to_string)
        })
        .collect();
    if (ids.len() as u64) < changes {
        bail!(
            "the admin API lists {} shoppers, fewer than {changes}",
            ids.len()
        );
    }
    for id in ids {
        http.put(format!("{}/{id}", list(shoppers)))
            .json(&serde_json::json!({"last_name": "Changed"}))
            .send()
            .await?
            .error_for_status()?;
    }
    let first: serde_json::Value = http.get(list(sales)).send().await?.json().await?;
    let mut sale = first[sales][0].clone();
    if let Some(fields) = sale.as_object_mut() {
        fields.remove("id");
    }
    for _ in 0..changes {
        http.post(list(sales))
            .json(&sale)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// Syncs `pos` once and prints how long it took and what it read.
async fn timed_sync(console: &Console, pos: Integration, what: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let summaries = console
        .sync(pos, None, Trigger::Manual, None)
        .await
        .map_err(fail)?;
    let elapsed = started.elapsed();
    if let Some(error) = summaries.iter().find_map(|s| s.error.as_ref()) {
        bail!("the sync after the changes failed: {}", error.message);
    }
    let count = |f: fn(&canopy_core::sources::sync::SyncSummary) -> u32| {
        summaries.iter().map(f).sum::<u32>()
    };
    println!(
        "  {what}: {:.3} s ({} records read: {} new, {} changed)",
        elapsed.as_secs_f64(),
        count(|s| s.seen),
        count(|s| s.new),
        count(|s| s.changed)
    );
    Ok(())
}

/// Runs the benchmark.
pub async fn sync(bench: SyncBench) -> anyhow::Result<()> {
    let SyncBench {
        pos,
        customers,
        sales,
        changes,
    } = bench;
    let sales = sales.unwrap_or(customers * 5);
    let (_sandbox, info) = start_sandbox(customers, sales)?;
    let scratch =
        ScratchDir(std::env::temp_dir().join(format!("canopy-bench-{}", std::process::id())));
    let dir = scratch.0.clone();
    std::fs::create_dir_all(&dir)?;
    let db = Database::open(dir.join("canopy.db")).map_err(fail)?;
    let clients = || -> anyhow::Result<PosClients> {
        Ok(PosClients {
            posabit: PosabitClient::new(&info.posabit_url, Secret::new(info.integrator.clone()))
                .map_err(fail)?,
            greenbits: GreenbitsClient::new(&info.posabit_url).map_err(fail)?,
        })
    };
    // No pacing: the sandbox has no rate limit, and the point is to measure Canopy.
    let policy = RetryPolicy {
        min_request_gap: Duration::ZERO,
        fastest_request_gap: Duration::ZERO,
        ..RetryPolicy::standard()
    };
    let secrets = Arc::new(MemorySecretStore::default());
    let console = Console::new(db.clone(), secrets.clone(), clients()?).with_retry_policy(policy);
    connect(&console, pos, &info).await?;

    println!(
        "Full {} sync of {customers} customers and {sales} sales (sandbox in its own process)",
        pos.label()
    );
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let recorded = samples.clone();
    // The stream being sampled and the next tenth of it to sample at.
    let next_mark = Arc::new(Mutex::new((None, 0u64)));
    let sink: canopy_core::sources::sync::ProgressSink = Arc::new(move |p: SyncProgress| {
        let Some(total) = p.total.filter(|t| *t > 0) else {
            return;
        };
        let tenth = p.done * 10 / total;
        let due = {
            let mut mark = next_mark
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if mark.0 != Some(p.stream) {
                *mark = (Some(p.stream), 0);
            }
            let due = tenth >= mark.1 || p.state != SyncState::Running;
            if due {
                mark.1 = tenth + 1;
            }
            due
        };
        if due {
            let (rss, _) = memory_mib();
            recorded
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(Sample {
                    stream: p.stream,
                    done: p.done,
                    total: p.total,
                    rss,
                });
        }
    });
    let started = Instant::now();
    let summaries = console
        .sync(pos, None, Trigger::Manual, Some(sink))
        .await
        .map_err(fail)?;
    let elapsed = started.elapsed();
    let history = console.sync_history(10, false).await.map_err(fail)?;
    for summary in &summaries {
        let stream = summary.stream.map_or("credential", Stream::as_str);
        if let Some(error) = &summary.error {
            bail!("the {stream} stream failed: {}", error.message);
        }
        let millis = history
            .iter()
            .find(|r| Some(r.stream) == summary.stream)
            .and_then(|r| r.duration_ms)
            .unwrap_or(0)
            .max(1);
        println!(
            "  {:<9} {:>9} records  {:>6} pages  {:>8.1} s  {:>8.0} records/s",
            stream,
            summary.seen,
            summary.pages,
            millis as f64 / 1000.0,
            summary.seen as f64 * 1000.0 / millis as f64
        );
    }
    let total: u64 = summaries.iter().map(|s| u64::from(s.seen)).sum();
    let (rss, peak) = memory_mib();
    println!(
        "  total     {total:>9} records in {:.1} s: {:.0} records/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!("  memory: peak RSS {peak:.0} MiB, RSS at the end {rss:.0} MiB");
    println!("  RSS during the sync (stream, records done / total, MiB):");
    for sample in samples
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
    {
        println!(
            "    {:<9} {:>9} / {:<9} {:>6.0}",
            sample.stream,
            sample.done,
            sample.total.unwrap_or(0),
            sample.rss
        );
    }
    let size = std::fs::metadata(dir.join("canopy.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("  database file: {:.0} MiB", size as f64 / 1_048_576.0);
    let credential = console
        .credentials(pos)
        .await
        .map_err(fail)?
        .into_iter()
        .next()
        .context("the bench's credential")?;
    let secret = canopy_core::integrations::credentials::secret_of(secrets.as_ref(), &credential)
        .map_err(fail)?;
    let bare =
        bench_baseline::measure(clients()?.connector(pos), &credential, &secret, &dir).await?;
    println!(
        "  bare transfer (fetch, decode, insert raw rows, a transaction a page): {} records in {:.1} s, {:.0} records/s; the sync took {:.2}× as long",
        bare.records,
        bare.elapsed.as_secs_f64(),
        bare.records as f64 / bare.elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / bare.elapsed.as_secs_f64()
    );
    if let Some(changes) = changes {
        change_the_pos(&info, pos, changes).await?;
        timed_sync(
            &console,
            pos,
            &format!("next sync, {changes} customers changed and {changes} sales added"),
        )
        .await?;
        timed_sync(&console, pos, "a sync with nothing changed").await?;
    }
    Ok(())
}
