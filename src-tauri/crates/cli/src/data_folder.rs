//! The commands that work on a user's data folder, with the same console the app opens: `sync`,
//! `status`, `export personas`, `service` (the app's schedule without a window), `mode` and
//! `support-bundle`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use canopy_core::base::clock::SystemClock;
use canopy_core::base::pos_kind::Integration;
use canopy_core::console::endpoints::{current_choice, default_data_dir, Endpoints};
use canopy_core::console::events::ConsoleEvent;
use canopy_core::console::mode::{database_file, ConsoleMode, RealPosAddresses};
use canopy_core::console::real_pos::{self, RealPosInput};
use canopy_core::console::scheduler::Scheduler;
use canopy_core::console::Console;
use canopy_core::integrations::connect_state::ConnectionState;
use canopy_core::personas::query::{PersonaQuery, PersonaSource};
use canopy_core::pos::streams::Stream;
use canopy_core::sources::sync::{SyncProgress, SyncState, SyncSummary, Trigger};
use canopy_core::storage::keychain::{KeychainStore, SecretStore};
use canopy_core::support::bundle::About;
use canopy_core::{Error, Secret};
use canopy_sandbox::{RunningSandbox, SandboxConfig};

/// A console on a data folder, and the sandbox it calls in sandbox mode.
pub struct Opened {
    /// The console.
    pub console: Console,
    /// Kept alive while the command runs.
    _sandbox: Option<RunningSandbox>,
}

/// The data folder named, else the app's.
fn folder(data_dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    data_dir
        .or_else(default_data_dir)
        .context("no data folder: pass --data-dir or set HOME")
}

/// Opens the console on `data_dir` (the app's folder when `None`) in the mode chosen for it, as
/// the app does: the built-in sandbox, or the real POS at the addresses kept for it.
pub async fn open(data_dir: Option<PathBuf>) -> anyhow::Result<Opened> {
    let data_dir = folder(data_dir)?;
    let Some(choice) = current_choice(&data_dir).map_err(said)? else {
        bail!(
            "No mode is chosen for {}: open Canopy and choose the sandbox or your POS, or run `canopy-cli mode sandbox` or `canopy-cli mode real`.",
            data_dir.display()
        );
    };
    let keychain: Arc<dyn SecretStore> = Arc::new(KeychainStore::default());
    let (endpoints, sandbox) = match choice.mode {
        ConsoleMode::Real => (
            Endpoints::real(&choice.real, keychain.as_ref()).map_err(said)?,
            None,
        ),
        ConsoleMode::Sandbox => {
            let sandbox = canopy_sandbox::start(SandboxConfig::default(), 0).await?;
            let endpoints = Endpoints::sandbox(
                sandbox.posabit_base_url(),
                Secret::new(sandbox.config().integrator_token.clone()),
                sandbox.greenbits_base_url(),
                sandbox.sms_base_url(),
            );
            (endpoints, Some(sandbox))
        }
    };
    let console = Console::open(&data_dir, keychain, &endpoints).map_err(said)?;
    let recovering = console.clone();
    tokio::task::spawn_blocking(move || recovering.recover())
        .await?
        .map_err(said)?;
    Ok(Opened {
        console,
        _sandbox: sandbox,
    })
}

/// `canopy-cli support-bundle`: the support bundle of the data folder (its logs in `logs/`).
pub async fn support_bundle(data_dir: Option<PathBuf>, out: &Path) -> anyhow::Result<()> {
    let data_dir = folder(data_dir)?;
    let mode = current_choice(&data_dir)
        .map_err(said)?
        .map_or_else(|| "none".to_string(), |choice| choice.mode.to_string());
    let opened = open(Some(data_dir.clone())).await?;
    let about = About {
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        mode,
    };
    let bundle = opened
        .console
        .support_bundle(about, Some(data_dir.join("logs")))
        .await
        .map_err(said)?;
    bundle.save(out).map_err(said)?;
    for entry in bundle.entries() {
        println!(
            "{:<24} {:>9} bytes  {}",
            entry.name, entry.bytes, entry.what
        );
    }
    println!("Wrote the support bundle to {}", out.display());
    Ok(())
}

/// Real-mode addresses given on the command line; each one left out stays as kept.
#[derive(Debug, Default)]
pub struct RealAddressArgs {
    /// POSaBIT's API.
    pub posabit_url: Option<String>,
    /// Greenbits' API.
    pub greenbits_url: Option<String>,
    /// The SMS gateway.
    pub sms_url: Option<String>,
}

/// `canopy-cli mode`: prints the folder's mode, or chooses `mode` (with the addresses given).
pub fn mode(
    data_dir: Option<PathBuf>,
    mode: Option<ConsoleMode>,
    args: RealAddressArgs,
) -> anyhow::Result<()> {
    let data_dir = folder(data_dir)?;
    let keychain = KeychainStore::default();
    let choice = match mode {
        None => current_choice(&data_dir).map_err(said)?,
        Some(mode) => {
            let kept = real_pos::settings(&data_dir, &keychain).map_err(said)?;
            let addresses = RealPosAddresses {
                posabit_url: args.posabit_url.unwrap_or(kept.addresses.posabit_url),
                greenbits_url: args.greenbits_url.unwrap_or(kept.addresses.greenbits_url),
                sms_url: args.sms_url.or(kept.addresses.sms_url),
            };
            let input = RealPosInput {
                addresses,
                posabit_token: None,
                sms_token: None,
            };
            Some(real_pos::choose(&data_dir, &keychain, mode, Some(input)).map_err(said)?)
        }
    };
    match choice {
        None => println!("No mode chosen yet for {}.", data_dir.display()),
        Some(choice) => {
            println!("Mode: {}", choice.mode);
            println!(
                "Database: {}",
                database_file(&data_dir, choice.mode).display()
            );
            if choice.mode == ConsoleMode::Real {
                let real = &choice.real;
                println!("POSaBIT API: {}", real.posabit_url);
                println!("Greenbits API: {}", real.greenbits_url);
                println!("SMS gateway: {}", real.sms_url.as_deref().unwrap_or("none"));
            }
        }
    }
    Ok(())
}

/// An error as the user reads it: what happened, and what to do.
pub fn said(error: Error) -> anyhow::Error {
    match error.hint {
        Some(hint) => anyhow!("{} {hint}", error.message),
        None => anyhow!("{}", error.message),
    }
}

/// The integrations to work on: the one named, else every connected one.
async fn integrations(
    console: &Console,
    named: Option<Integration>,
) -> anyhow::Result<Vec<Integration>> {
    if let Some(integration) = named {
        return Ok(vec![integration]);
    }
    let mut connected = Vec::new();
    for &integration in Integration::ALL {
        let status = console
            .integration_status(integration)
            .await
            .map_err(said)?;
        if matches!(
            status.state,
            ConnectionState::Connected | ConnectionState::NeedsAttention
        ) {
            connected.push(integration);
        }
    }
    if connected.is_empty() {
        bail!("No integration is connected in this data folder. Connect one in the app first.");
    }
    Ok(connected)
}

/// `canopy-cli sync`: every stream of the integration (or all connected ones), one line per
/// stream; fails when any stream failed.
pub async fn sync(
    data_dir: Option<PathBuf>,
    named: Option<Integration>,
    credential: Option<String>,
    whole_lists: bool,
) -> anyhow::Result<()> {
    let opened = open(data_dir).await?;
    let console = &opened.console;
    let terminal = std::io::stderr().is_terminal();
    let progress: canopy_core::sources::sync::ProgressSink = Arc::new(move |p: SyncProgress| {
        if terminal && p.state == SyncState::Running {
            eprint!("\r  {} · {}: {} records", p.store_label, p.stream, p.done);
        }
    });
    let mut failed = 0;
    for integration in integrations(console, named).await? {
        if whole_lists {
            console
                .read_whole_lists_next_sync(integration)
                .await
                .map_err(said)?;
        }
        let summaries = console
            .sync(
                integration,
                credential.as_deref(),
                Trigger::Manual,
                Some(progress.clone()),
            )
            .await
            .map_err(said)?;
        if terminal {
            eprintln!();
        }
        for summary in &summaries {
            println!("{}", summary_line(integration, summary));
            failed += usize::from(summary.error.is_some());
        }
    }
    if failed > 0 {
        bail!("{failed} stream(s) stopped with an error");
    }
    Ok(())
}

/// One stream's result on one line.
pub fn summary_line(integration: Integration, summary: &SyncSummary) -> String {
    let stream = summary.stream.map_or("credential", Stream::as_str);
    let counts = format!(
        "{} {} · {stream}: {} received, {} new, {} changed, {} rejected",
        integration.label(),
        summary.store_label,
        summary.seen,
        summary.new,
        summary.changed,
        summary.rejected
    );
    match (&summary.error, &summary.warning) {
        (Some(error), _) => format!("{counts} — stopped: {}", error.message),
        (None, Some(warning)) => format!("{counts} — {warning}"),
        (None, None) => counts,
    }
}

/// `canopy-cli status`: health per integration and store, the last runs, the open notifications.
pub async fn status(data_dir: Option<PathBuf>, json: bool) -> anyhow::Result<()> {
    let opened = open(data_dir).await?;
    let console = &opened.console;
    let health = console.sync_health().await.map_err(said)?;
    let runs = console.sync_history(10, false).await.map_err(said)?;
    let notifications = console.notifications().await.map_err(said)?;
    if json {
        let answer =
            serde_json::json!({ "health": health, "runs": runs, "notifications": notifications });
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    for integration in &health {
        println!(
            "{}: {} ({} personas)",
            integration.integration.label(),
            integration.verdict,
            integration.personas
        );
        for store in &integration.stores {
            println!(
                "  {}: last success {}, current as of {}{}",
                store.label,
                store.last_success_at.as_deref().unwrap_or("never"),
                store.current_as_of.as_deref().unwrap_or("—"),
                store
                    .last_error
                    .as_deref()
                    .map(|e| format!(", last error: {e}"))
                    .unwrap_or_default()
            );
        }
    }
    println!("Last runs:");
    for run in &runs {
        println!(
            "  {} {} · {} ({}): {} received{}",
            run.started_at,
            run.store_label,
            run.stream,
            run.trigger,
            run.seen,
            run.error_message
                .as_deref()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        );
    }
    println!("Notifications: {}", notifications.len());
    for notification in &notifications {
        println!("  {}", notification.title);
    }
    Ok(())
}

/// `canopy-cli export personas`: the personas matching the filters, as CSV, to `out`.
pub async fn export_personas(
    data_dir: Option<PathBuf>,
    out: &Path,
    search: Option<String>,
    source: Option<PersonaSource>,
    member: Option<bool>,
) -> anyhow::Result<()> {
    let opened = open(data_dir).await?;
    let query = PersonaQuery {
        search,
        source,
        member,
        ..PersonaQuery::default()
    };
    let written = opened
        .console
        .export_personas(query, out.to_path_buf(), |_| {})
        .await
        .map_err(said)?;
    println!("Wrote {written} personas to {}", out.display());
    Ok(())
}

/// `canopy-cli service`: the app's schedule (syncs, SMS opt-ins, points expiry) until stopped.
pub async fn service(data_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let opened = open(data_dir).await?;
    println!("Canopy service running: syncs, SMS opt-ins and points expiry on the app's schedule. Ctrl-C stops.");
    let scheduler = Scheduler::new(opened.console.clone(), Arc::new(SystemClock));
    tokio::select! {
        () = scheduler.run_forever(|event| match event {
            ConsoleEvent::SyncFinished { integration, failed, .. } => {
                println!("{} sync finished{}", integration.label(), if failed { " with errors" } else { "" });
            }
            // Window events: nothing to say on a terminal.
            ConsoleEvent::NotificationOpened { .. }
            | ConsoleEvent::KeychainChecked
            | ConsoleEvent::ShoppersChanged
            | ConsoleEvent::PresenterModeChanged { .. } => {}
        }) => Ok(()),
        stopped = tokio::signal::ctrl_c() => Ok(stopped?),
    }
}
