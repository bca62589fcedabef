//! `canopy-cli`: Canopy without a window. `canopy-cli --help` lists the commands, and
//! `canopy-cli <command> --help` each one's options; an unknown command or option is an error that
//! shows the usage.
//!
//! The commands on a data folder (`sync`, `status`, `export personas`, `service`) open the same
//! console the app does: the app's data folder unless `--data-dir` names another, in the mode the
//! user chose for it (`canopy-cli mode`, or the app's first start), and the keychain.

mod bench;
mod bench_baseline;
mod bench_personas;
mod command_surface;
mod data_folder;

use std::io::Read;
use std::path::PathBuf;

use anyhow::bail;
use canopy_core::base::pos_kind::Integration;
use canopy_core::console::endpoints::{POSABIT_INTEGRATOR_ENTRY, SMS_GATEWAY_ENTRY};
use canopy_core::console::mode::ConsoleMode;
use canopy_core::personas::query::PersonaSource;
use canopy_core::storage::keychain::{KeychainStore, SecretStore};
use canopy_core::Secret;
use canopy_sandbox::SandboxConfig;
use clap::{Args, Parser, Subcommand, ValueEnum};
use data_folder::RealAddressArgs;

/// Canopy without a window: sync, status, export and the schedule on a data folder; the sandbox;
/// benchmarks; secrets.
#[derive(Debug, Parser)]
#[command(name = "canopy-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sync connected integrations now, one line per stream; fails when a stream fails.
    Sync {
        #[command(flatten)]
        folder: Folder,
        /// Only this integration.
        #[arg(long, value_enum)]
        integration: Option<Pos>,
        /// Only this credential (its id).
        #[arg(long)]
        credential: Option<String>,
        /// Read Greenbits' lists whole rather than only what changed since the last sync (for
        /// what the tail of a list cannot show; Canopy also does this once a week by itself).
        #[arg(long)]
        whole_lists: bool,
    },
    /// Health per integration and store, the last runs and the open notifications.
    Status {
        #[command(flatten)]
        folder: Folder,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write data out.
    #[command(subcommand)]
    Export(Export),
    /// Run the app's schedule (syncs, SMS opt-ins, points expiry) until stopped.
    Service {
        #[command(flatten)]
        folder: Folder,
    },
    /// Save a support bundle: settings, credentials without secrets, recent runs, rejected
    /// records, the last log lines, POS answer shapes — no secret, no shopper's data.
    SupportBundle {
        #[command(flatten)]
        folder: Folder,
        /// The zip file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Show the data folder's mode, or choose it: the built-in sandbox or the real POS.
    Mode {
        #[command(flatten)]
        folder: Folder,
        /// The mode to use from now on (none: show the current one).
        #[arg(value_enum)]
        mode: Option<ModeArg>,
        /// Real mode: POSaBIT's API address (kept when not given).
        #[arg(long, value_name = "URL")]
        posabit_url: Option<String>,
        /// Real mode: Greenbits' API address (kept when not given).
        #[arg(long, value_name = "URL")]
        greenbits_url: Option<String>,
        /// Real mode: the SMS gateway's address (kept when not given).
        #[arg(long, value_name = "URL")]
        sms_url: Option<String>,
    },
    /// Rewrite ui/src/bindings.ts from the Rust types and ui/src/commands.ts from the Tauri commands.
    Bindings,
    /// The simulated POS servers.
    #[command(subcommand)]
    Sandbox(Sandbox),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(Bench),
    /// Secrets in the OS keychain.
    #[command(subcommand)]
    Secret(SecretCommand),
}

/// The data folder a command works on.
#[derive(Debug, Args)]
struct Folder {
    /// The data folder (default: the app's, ~/.local/share/dev.canopy.console).
    #[arg(long, value_name = "PATH")]
    data_dir: Option<PathBuf>,
}

/// A console mode, as the command line names it.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    /// The built-in simulators and generated shoppers.
    Sandbox,
    /// The dispensary's own POS and SMS gateway.
    Real,
}

impl From<ModeArg> for ConsoleMode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Sandbox => ConsoleMode::Sandbox,
            ModeArg::Real => ConsoleMode::Real,
        }
    }
}

/// A POS, as the command line names it.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Pos {
    Posabit,
    Greenbits,
}

impl From<Pos> for Integration {
    fn from(pos: Pos) -> Self {
        match pos {
            Pos::Posabit => Integration::Posabit,
            Pos::Greenbits => Integration::Greenbits,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Export {
    /// The personas matching the filters, as CSV.
    Personas {
        #[command(flatten)]
        folder: Folder,
        /// The CSV file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A phone, an e-mail, the start of a name, or a POS id.
        #[arg(long)]
        search: Option<String>,
        /// Only personas sourced from this system.
        #[arg(long, value_enum)]
        source: Option<Source>,
        /// Only loyalty members (`yes`) or non-members (`no`).
        #[arg(long, value_parser = ["yes", "no"])]
        member: Option<String>,
    },
}

/// A persona source, as the command line names it.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Source {
    Posabit,
    Greenbits,
    Loyalty,
    Import,
}

impl From<Source> for PersonaSource {
    fn from(source: Source) -> Self {
        match source {
            Source::Posabit => PersonaSource::Posabit,
            Source::Greenbits => PersonaSource::Greenbits,
            Source::Loyalty => PersonaSource::Loyalty,
            Source::Import => PersonaSource::Import,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Sandbox {
    /// Serve the simulated POSaBIT, Greenbits and SMS gateway until Ctrl-C.
    Serve(ServeArgs),
}

/// The sandbox's size and port.
#[derive(Debug, Args)]
struct ServeArgs {
    /// The generator's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Stores per POS.
    #[arg(long)]
    stores: Option<usize>,
    /// Customers per store.
    #[arg(long)]
    customers: Option<u64>,
    /// Sales per store.
    #[arg(long)]
    sales: Option<u64>,
    /// Coupons per store.
    #[arg(long)]
    coupons: Option<usize>,
    /// The port (0: any free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The bearer token the SMS gateway requires (none: it asks for none).
    #[arg(long)]
    sms_token: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Time a full sync from a sandbox in its own process: records/s per stream, memory; with
    /// `--changes N`, then a sync after N shoppers changed and N sales were added, and one with
    /// nothing changed.
    Sync {
        /// The POS.
        #[arg(long, value_enum, default_value_t = Pos::Posabit)]
        pos: Pos,
        /// Customers.
        #[arg(long, default_value_t = 100_000)]
        customers: u64,
        /// Sales (default 5 × customers).
        #[arg(long)]
        sales: Option<u64>,
        /// Shoppers changed and sales added before the timed incremental sync.
        #[arg(long)]
        changes: Option<u64>,
    },
    /// Time the Personas explorer's queries.
    Personas {
        /// Personas.
        #[arg(long, default_value_t = 1_000_000)]
        personas: u64,
        /// Keep (and reuse) the filled database here.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum SecretCommand {
    /// Store a secret read from stdin.
    Set {
        /// Which secret.
        #[arg(value_enum)]
        entry: SecretEntry,
    },
}

/// The secrets the command line stores.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SecretEntry {
    /// The POSaBIT integrator token, for a real POS.
    PosabitIntegrator,
    /// The SMS gateway's token, for real mode.
    SmsGateway,
}

impl SecretEntry {
    /// Its keychain entry and what it is called.
    fn entry_and_name(self) -> (&'static str, &'static str) {
        match self {
            SecretEntry::PosabitIntegrator => {
                (POSABIT_INTEGRATOR_ENTRY, "POSaBIT integrator token")
            }
            SecretEntry::SmsGateway => (SMS_GATEWAY_ENTRY, "SMS gateway token"),
        }
    }
}

/// Runs the simulated POS servers until Ctrl-C.
async fn serve_sandbox(args: ServeArgs) -> anyhow::Result<()> {
    let defaults = SandboxConfig::default();
    let mut config = SandboxConfig::sized(
        args.seed.unwrap_or(defaults.seed),
        args.customers.unwrap_or(defaults.customers_per_venue),
        args.sales.unwrap_or(defaults.tickets_per_venue),
    )
    .with_stores(args.stores.unwrap_or(defaults.venues.len()));
    config.coupons = args.coupons.unwrap_or(defaults.coupons);
    config.sms_token = args.sms_token;
    let sandbox = canopy_sandbox::start(config, args.port).await?;
    let config = sandbox.config();
    println!("POSaBIT base URL:   {}", sandbox.posabit_base_url());
    println!("Integrator token:   {}", config.integrator_token);
    for venue in &config.venues {
        let permissions: Vec<_> = venue.permissions.iter().map(|p| p.wire_name()).collect();
        println!(
            "  venue {} {:<40} key {}  ({})",
            venue.id,
            venue.name,
            venue.token,
            permissions.join(", ")
        );
    }
    println!("Greenbits base URL: {}", sandbox.greenbits_base_url());
    for location in &config.greenbits_locations {
        println!(
            "  location {} {} ({}{})",
            location.id,
            location.name,
            location.state,
            if location.medical { ", medical" } else { "" }
        );
    }
    for user in &config.greenbits_users {
        println!(
            "  user {:<8} password {:<16} token {}  locations {:?}  ({})",
            user.username,
            user.password,
            user.token,
            user.accessible_location_ids,
            user.permissions.join(", ")
        );
    }
    println!("SMS gateway URL:    {}", sandbox.sms_base_url());
    println!("Admin API:          {}", sandbox.admin_url());
    println!(
        "Serving {} customers and {} sales per store; Ctrl-C stops.",
        config.customers_per_venue, config.tickets_per_venue
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// Stores a secret, read from stdin, in the OS keychain.
fn set_secret(secret: SecretEntry) -> anyhow::Result<()> {
    let (entry, name) = secret.entry_and_name();
    let mut token = String::new();
    std::io::stdin().read_to_string(&mut token)?;
    let token = token.trim();
    if token.is_empty() {
        bail!("no token on stdin");
    }
    KeychainStore::default()
        .put(entry, &Secret::new(token))
        .map_err(data_folder::said)?;
    println!("Stored the {name} in the system keychain.");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Sync {
            folder,
            integration,
            credential,
            whole_lists,
        } => {
            data_folder::sync(
                folder.data_dir,
                integration.map(Into::into),
                credential,
                whole_lists,
            )
            .await
        }
        Command::Status { folder, json } => data_folder::status(folder.data_dir, json).await,
        Command::Export(Export::Personas {
            folder,
            out,
            search,
            source,
            member,
        }) => {
            data_folder::export_personas(
                folder.data_dir,
                &out,
                search,
                source.map(Into::into),
                member.map(|m| m == "yes"),
            )
            .await
        }
        Command::Service { folder } => data_folder::service(folder.data_dir).await,
        Command::Bindings => {
            std::fs::write(
                canopy_core::bindings::BINDINGS_PATH,
                canopy_core::bindings::typescript(),
            )?;
            println!("wrote {}", canopy_core::bindings::BINDINGS_PATH);
            std::fs::write(
                command_surface::COMMANDS_PATH,
                command_surface::typescript()?,
            )?;
            println!("wrote {}", command_surface::COMMANDS_PATH);
            Ok(())
        }
        Command::Sandbox(Sandbox::Serve(args)) => serve_sandbox(args).await,
        Command::Bench(Bench::Sync {
            pos,
            customers,
            sales,
            changes,
        }) => {
            bench::sync(bench::SyncBench {
                pos: pos.into(),
                customers,
                sales,
                changes,
            })
            .await
        }
        Command::Bench(Bench::Personas { personas, db }) => bench_personas::personas(personas, db),
        Command::SupportBundle { folder, out } => {
            data_folder::support_bundle(folder.data_dir, &out).await
        }
        Command::Mode {
            folder,
            mode,
            posabit_url,
            greenbits_url,
            sms_url,
        } => data_folder::mode(
            folder.data_dir,
            mode.map(Into::into),
            RealAddressArgs {
                posabit_url,
                greenbits_url,
                sms_url,
            },
        ),
        Command::Secret(SecretCommand::Set { entry }) => set_secret(entry),
    }
}
