//! `canopy-cli bench sync`: a full POSaBIT sync from a sandbox running in its own process, so the
//! figures are the sync's alone: records per second per stream, and memory (peak RSS, and RSS as
//! the sync goes, to show it does not grow with the data).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use canopy_core::base::pos_kind::Integration;
use canopy_core::console::Console;
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
    key: String,
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
    let (mut url, mut integrator, mut key) = (None, None, None);
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        let value = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim().to_string());
        url = url.or(value("POSaBIT base URL:"));
        integrator = integrator.or(value("Integrator token:"));
        if key.is_none() && line.trim_start().starts_with("venue ") {
            key = line
                .split(" key ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string);
        }
        if line.starts_with("Admin API:") {
            break;
        }
    }
    // Keep reading what the sandbox prints, so it never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    match (url, integrator, key) {
        (Some(posabit_url), Some(integrator), Some(key)) => Ok((
            process,
            SandboxInfo {
                posabit_url,
                integrator,
                key,
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

/// Runs the benchmark on `customers` customers and `sales` sales (default 5 × customers).
pub async fn sync(customers: u64, sales: Option<u64>) -> anyhow::Result<()> {
    let sales = sales.unwrap_or(customers * 5);
    let (_sandbox, info) = start_sandbox(customers, sales)?;
    let scratch =
        ScratchDir(std::env::temp_dir().join(format!("canopy-bench-{}", std::process::id())));
    let dir = scratch.0.clone();
    std::fs::create_dir_all(&dir)?;
    let db = Database::open(dir.join("canopy.db")).map_err(|e| anyhow::anyhow!(e.message))?;
    let clients = PosClients {
        posabit: PosabitClient::new(&info.posabit_url, Secret::new(info.integrator.clone()))
            .map_err(|e| anyhow::anyhow!(e.message))?,
        greenbits: GreenbitsClient::new(&info.posabit_url)
            .map_err(|e| anyhow::anyhow!(e.message))?,
    };
    // No pacing: the sandbox has no rate limit, and the point is to measure Canopy.
    let policy = RetryPolicy {
        min_request_gap: Duration::ZERO,
        ..RetryPolicy::standard()
    };
    let console = Console::new(db.clone(), Arc::new(MemorySecretStore::default()), clients)
        .with_retry_policy(policy);
    let fail =
        |e: canopy_core::Error| anyhow::anyhow!("{} {}", e.message, e.hint.unwrap_or_default());
    console
        .add_posabit_credential(NewPosabitCredential {
            store_name: "Bench".into(),
            key: Secret::new(info.key.clone()),
            market: None,
        })
        .await
        .map_err(fail)?;
    console
        .set_age_gate(Integration::Posabit, true)
        .await
        .map_err(fail)?;
    console.connect(Integration::Posabit).await.map_err(fail)?;

    println!(
        "Full POSaBIT sync of {customers} customers and {sales} sales (sandbox in its own process)"
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
        .sync(Integration::Posabit, None, Trigger::Manual, Some(sink))
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
    Ok(())
}
