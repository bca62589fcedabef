//! `canopy-cli`: Canopy without a window.
//!
//! ```text
//! canopy-cli bindings                                   rewrite ui/src/bindings.ts from the Rust types
//! canopy-cli sandbox serve [--seed S] [--stores K] [--customers N] [--sales M] [--coupons C] [--port P]
//!                                                       run the simulated POS servers until Ctrl-C
//!                                                       (K stores per POS; N customers, M sales, C coupons per store)
//! canopy-cli bench sync [--customers N] [--sales M]   time a full POSaBIT sync from a sandbox in its own
//!                                                       process: records/s per stream and memory
//! canopy-cli bench personas [--personas N] [--db PATH]
//!                                                       time the Personas explorer's queries on N personas
//! canopy-cli secret set posabit-integrator              store the POSaBIT integrator token (read from
//!                                                       stdin) in the OS keychain, for a real POS
//! ```

mod bench;
mod bench_personas;

use std::io::Read;

use anyhow::{bail, Context};
use canopy_core::storage::keychain::{KeychainStore, SecretStore};
use canopy_core::Secret;
use canopy_sandbox::SandboxConfig;

/// The keychain entry of the POSaBIT integrator token (shared with the desktop app).
const POSABIT_INTEGRATOR_ENTRY: &str = "posabit-integrator";

fn usage() -> &'static str {
    "usage: canopy-cli bindings | sandbox serve [--seed S] [--stores K] [--customers N] [--sales M] [--coupons C] [--port P] | bench sync [--customers N] [--sales M] | bench personas [--personas N] [--db PATH] | secret set posabit-integrator"
}

/// The value after `--name` in `args`, parsed.
pub(crate) fn flag<T: std::str::FromStr>(
    args: &[String],
    name: &str,
    default: T,
) -> anyhow::Result<T> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{name} needs a number")),
    }
}

async fn serve_sandbox(args: &[String]) -> anyhow::Result<()> {
    let defaults = SandboxConfig::default();
    let mut config = SandboxConfig::sized(
        flag(args, "--seed", defaults.seed)?,
        flag(args, "--customers", defaults.customers_per_venue)?,
        flag(args, "--sales", defaults.tickets_per_venue)?,
    )
    .with_stores(flag(args, "--stores", defaults.venues.len())?);
    config.coupons = flag(args, "--coupons", defaults.coupons)?;
    let sandbox = canopy_sandbox::start(config, flag(args, "--port", 0)?).await?;
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
    println!("Admin API:          {}", sandbox.admin_url());
    println!(
        "Serving {} customers and {} sales per store; Ctrl-C stops.",
        config.customers_per_venue, config.tickets_per_venue
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn set_integrator_secret() -> anyhow::Result<()> {
    let mut token = String::new();
    std::io::stdin().read_to_string(&mut token)?;
    let token = token.trim();
    if token.is_empty() {
        bail!("no token on stdin");
    }
    KeychainStore::default()
        .put(POSABIT_INTEGRATOR_ENTRY, &Secret::new(token))
        .map_err(|e| anyhow::anyhow!("{} {}", e.message, e.hint.unwrap_or_default()))?;
    println!("Stored the POSaBIT integrator token in the system keychain.");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["bindings"] => {
            std::fs::write(
                canopy_core::bindings::BINDINGS_PATH,
                canopy_core::bindings::typescript(),
            )?;
            println!("wrote {}", canopy_core::bindings::BINDINGS_PATH);
            Ok(())
        }
        ["sandbox", "serve", ..] => serve_sandbox(&args[2..]).await,
        ["bench", "sync", ..] => bench::sync(&args[2..]).await,
        ["bench", "personas", ..] => bench_personas::personas(&args[2..]),
        ["secret", "set", "posabit-integrator"] => set_integrator_secret(),
        _ => bail!(usage()),
    }
}
