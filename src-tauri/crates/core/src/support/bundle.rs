//! The support bundle: one zip a user can hand to support. It holds the app version, OS and
//! mode; settings; credentials and store mappings without secrets; recent runs with their counts,
//! errors and rejected records; the settings audit log; the last log lines; and the shapes of
//! recent POS answers with every value masked. No key, token, or shopper's phone, e-mail, name or
//! birth date goes in: secrets never reach the database, contacts in texts are masked, and POS
//! answers keep only their shape.

use std::io::Write;
use std::path::Path;

use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

use super::shapes::shape;
use crate::base::error::{Error, Result};
use crate::base::identity::mask_contacts;
use crate::base::pos_kind::Integration;
use crate::config::{integration_settings, loyalty, schedule};
use crate::integrations::{connect_state, credentials};
use crate::sources::sync::history;
use crate::storage::audit_log;
use crate::storage::db::Database;
use crate::storage::whole_file::write_whole;

/// How many recent runs, rejected records, POS answers and log lines a bundle keeps.
const RECENT_RUNS: u32 = 200;
const REJECTED_RECORDS: u32 = 1000;
const ANSWERS_PER_POS: usize = 3;
const LOG_LINES: usize = 1000;

/// One file of a bundle, as the user sees it before saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundleEntry {
    /// Its name in the zip.
    pub name: String,
    /// What it holds, in a sentence.
    pub what: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What a bundle says about the running app.
#[derive(Debug, Clone)]
pub struct About {
    /// The app's version.
    pub app_version: String,
    /// The mode in use (sandbox or real).
    pub mode: String,
}

/// A bundle's files, gathered and not yet saved.
#[derive(Debug)]
pub struct Bundle {
    files: Vec<(BundleEntry, Vec<u8>)>,
}

impl Bundle {
    /// Gathers a bundle from `db` and the newest log file in `log_dir`.
    pub fn gather(db: &Database, about: &About, log_dir: Option<&Path>) -> Result<Self> {
        let mut bundle = Bundle { files: Vec::new() };
        bundle.add_json(
            "about.json",
            "The app's version, the operating system and the mode in use.",
            &about_json(db, about)?,
        )?;
        bundle.add_json("settings.json", "Each integration's connection, checklist and additional settings; loyalty settings; the sync schedule.", &settings_json(db)?)?;
        bundle.add_json("credentials.json", "Credentials, their permissions and locations (no key, token or password; log-in e-mails masked).", &credentials_json(db)?)?;
        bundle.add_json(
            "stores.json",
            "Retail stores and their store mappings.",
            &json!({
                "stores": crate::stores::list(db)?,
                "mappable_keys": crate::stores::mappable_keys(db)?,
            }),
        )?;
        bundle.add_json(
            "runs.json",
            "The most recent sync runs with their counts and errors.",
            &runs_json(db)?,
        )?;
        bundle.add_json(
            "rejected_records.json",
            "Records the syncs skipped: POS id, field and reason (contacts in reasons masked).",
            &rejected_json(db)?,
        )?;
        bundle.add_json(
            "audit_log.json",
            "The audit log: every change of settings, credentials, connections, stores and mappings.",
            &serde_json::to_value(audit_log::entries(db, None, None)?).map_err(encoding)?,
        )?;
        bundle.add_json(
            "pos_shapes.json",
            "The shape of recent POS answers: keys and value types, every value masked.",
            &shapes_json(db)?,
        )?;
        bundle.add(
            "log.txt",
            "The last lines of the app's log (contacts masked).",
            last_log_lines(log_dir).into_bytes(),
        );
        Ok(bundle)
    }

    fn add_json(&mut self, name: &str, what: &str, value: &Value) -> Result<()> {
        let text = serde_json::to_vec_pretty(value).map_err(encoding)?;
        self.add(name, what, text);
        Ok(())
    }

    fn add(&mut self, name: &str, what: &str, content: Vec<u8>) {
        let entry = BundleEntry {
            name: name.to_string(),
            what: what.to_string(),
            bytes: content.len() as u64,
        };
        self.files.push((entry, content));
    }

    /// The files, as the user sees them before saving.
    pub fn entries(&self) -> Vec<BundleEntry> {
        self.files.iter().map(|(entry, _)| entry.clone()).collect()
    }

    /// Writes the zip at `path` whole: a failure leaves no partial file behind.
    pub fn save(&self, path: &Path) -> Result<()> {
        let failed = |e: &dyn std::fmt::Display| {
            Error::internal(format!("Could not save the support bundle: {e}"))
                .with_hint("Choose a folder you can write to, with some free space.")
        };
        write_whole(path, |file| {
            let mut zip = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (entry, content) in &self.files {
                zip.start_file(entry.name.as_str(), options)?;
                zip.write_all(content)?;
            }
            zip.finish()?.sync_all()?;
            Ok(())
        })
        .map_err(|e| failed(&e))
    }
}

fn encoding(e: serde_json::Error) -> Error {
    Error::internal(format!("Could not write the support bundle: {e}"))
}

fn about_json(db: &Database, about: &About) -> Result<Value> {
    let schema: i64 = db.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))?;
    Ok(json!({
        "app_version": about.app_version,
        "mode": about.mode,
        "os": operating_system(),
        "database_schema_version": schema,
        "created_at": chrono::Utc::now().to_rfc3339(),
    }))
}

/// The distribution's name from `/etc/os-release`, else the OS family.
fn operating_system() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

fn settings_json(db: &Database) -> Result<Value> {
    let mut integrations = Vec::new();
    for &integration in Integration::ALL {
        integrations.push(json!({
            "integration": integration,
            "status": connect_state::status(db, integration)?,
            "settings": db.read(|c| integration_settings::get(c, integration))?,
        }));
    }
    Ok(json!({
        "integrations": integrations,
        "loyalty": loyalty::settings(db)?,
        "sync_interval_minutes": schedule::interval_minutes(db)?,
    }))
}

fn credentials_json(db: &Database) -> Result<Value> {
    let mut all = Vec::new();
    for &integration in Integration::ALL {
        for mut credential in credentials::list(db, integration)? {
            credential.associated_email =
                credential.associated_email.map(|_| "[e-mail]".to_string());
            all.push(credential);
        }
    }
    serde_json::to_value(all).map_err(encoding)
}

fn runs_json(db: &Database) -> Result<Value> {
    let runs: Vec<_> = history::runs(db, RECENT_RUNS, false)?
        .into_iter()
        .map(|mut run| {
            run.error_message = run.error_message.as_deref().map(mask_contacts);
            run.warning = run.warning.as_deref().map(mask_contacts);
            run
        })
        .collect();
    serde_json::to_value(runs).map_err(encoding)
}

fn rejected_json(db: &Database) -> Result<Value> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT e.run_id, r.credential_id, r.stream, r.started_at, e.pos_id, e.field, e.reason
             FROM sync_record_errors e JOIN sync_runs r ON r.id = e.run_id
             ORDER BY e.id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map(params![REJECTED_RECORDS], |r| {
            Ok(json!({
                "run_id": r.get::<_, i64>(0)?,
                "credential_id": r.get::<_, String>(1)?,
                "stream": r.get::<_, String>(2)?,
                "started_at": r.get::<_, String>(3)?,
                "pos_id": r.get::<_, Option<String>>(4)?.as_deref().map(mask_contacts),
                "field": r.get::<_, String>(5)?,
                "reason": mask_contacts(&r.get::<_, String>(6)?),
            }))
        })?;
        Ok(Value::Array(rows.collect::<rusqlite::Result<_>>()?))
    })
}

/// The shapes of the latest POS answers kept, a few per integration, each shape once.
fn shapes_json(db: &Database) -> Result<Value> {
    db.read(|c| {
        let mut shapes = serde_json::Map::new();
        for &integration in Integration::ALL {
            let mut statement = c.prepare(
                "SELECT payload FROM source_records WHERE integration = ?1
                 ORDER BY last_seen_at DESC, id DESC LIMIT 50",
            )?;
            let payloads =
                statement.query_map([integration.as_str()], |r| r.get::<_, String>(0))?;
            let mut seen: Vec<Value> = Vec::new();
            for payload in payloads {
                let masked = serde_json::from_str::<Value>(&payload?)
                    .map_or_else(|_| json!("not JSON"), |value| shape(&value));
                if !seen.contains(&masked) && seen.len() < ANSWERS_PER_POS {
                    seen.push(masked);
                }
            }
            shapes.insert(integration.as_str().to_string(), Value::Array(seen));
        }
        Ok(Value::Object(shapes))
    })
}

/// The last lines of the newest log file in `log_dir`, contacts masked.
fn last_log_lines(log_dir: Option<&Path>) -> String {
    let newest = log_dir
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "log"))
        .max();
    let Some(text) = newest.and_then(|path| std::fs::read_to_string(path).ok()) else {
        return "No log file.\n".to_string();
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(LOG_LINES);
    lines[start..]
        .iter()
        .map(|line| mask_contacts(line) + "\n")
        .collect()
}
