//! Importing personas from a CSV file (the `import` source). Each good line matches a persona by
//! phone, then e-mail, and fills what it lacks, or creates one; every line lands as an imported
//! record (file, line, why merged) for provenance. A bad line is skipped with its line number and
//! reason; the good ones are kept. Lines are saved in blocks, one transaction each, so a crash keeps
//! whole blocks, and importing the same file again creates no persona twice (it matches them).
//! Memory stays flat whatever the file: lines are capped ([`line_cap`]), blocks are small, and the
//! summary keeps the first bad lines only; a bad line's reason never repeats a phone or e-mail.

pub mod line_cap;

use std::path::Path;

use chrono::{NaiveDate, Utc};
use rusqlite::{params, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::identity::{normalize_email, normalize_phone};
use crate::personas::matching::{fill_missing, match_persona, Profile};
use crate::storage::db::Database;

/// Lines saved per transaction (and between progress reports).
const BLOCK: usize = 500;
/// Line errors kept in the summary; the count covers them all.
const ERRORS_KEPT: usize = 100;
/// The most of a cell repeated in a reason.
const QUOTED_CHARS: usize = 24;

/// A line that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LineError {
    /// The line number in the file (the header is line 1).
    #[ts(type = "number")]
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportSummary {
    /// Lines read (the header not counted).
    #[ts(type = "number")]
    pub rows: u64,
    /// New personas.
    #[ts(type = "number")]
    pub created: u64,
    /// Lines merged into an existing persona.
    #[ts(type = "number")]
    pub merged: u64,
    /// Lines skipped.
    #[ts(type = "number")]
    pub rejected: u64,
    /// The first skipped lines and why.
    pub errors: Vec<LineError>,
}

impl ImportSummary {
    /// Counts line `line` as read and skipped for `reason`, keeping the first few reasons.
    fn reject(&mut self, line: u64, reason: String) {
        self.rows += 1;
        self.rejected += 1;
        if self.errors.len() < ERRORS_KEPT {
            self.errors.push(LineError { line, reason });
        }
    }
}

/// How far an import is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportProgress {
    /// Lines read so far.
    #[ts(type = "number")]
    pub done: u64,
}

/// The columns Canopy reads, by the names a file may give them.
#[derive(Debug, Default)]
struct Columns {
    first_name: Option<usize>,
    last_name: Option<usize>,
    phone: Option<usize>,
    email: Option<usize>,
    birth_date: Option<usize>,
    loyalty_member: Option<usize>,
    email_opt_in: Option<usize>,
    opted_out: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Columns {
        let mut columns = Columns::default();
        for (index, name) in header.iter().enumerate() {
            let name = name.trim().to_lowercase().replace([' ', '-'], "_");
            let slot = match name.as_str() {
                "first_name" | "first" | "given_name" => &mut columns.first_name,
                "last_name" | "last" | "family_name" | "surname" => &mut columns.last_name,
                "phone" | "telephone" | "mobile" | "phone_number" | "cell" => &mut columns.phone,
                "email" | "e_mail" | "email_address" => &mut columns.email,
                "birth_date" | "date_of_birth" | "dob" | "birthday" => &mut columns.birth_date,
                "loyalty_member" | "member" => &mut columns.loyalty_member,
                "email_opt_in" | "marketing_opt_in" | "opt_in" => &mut columns.email_opt_in,
                "opted_out" | "opt_out" | "marketing_opt_out" => &mut columns.opted_out,
                _ => continue,
            };
            slot.get_or_insert(index);
        }
        columns
    }
}

/// One line, read and checked.
#[derive(Debug, Serialize)]
struct Line {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    birth_date: Option<String>,
    loyalty_member: bool,
    email_opt_in: bool,
    opted_out: bool,
}

fn cell(record: &csv::StringRecord, column: Option<usize>) -> Option<String> {
    column
        .and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn flag(
    record: &csv::StringRecord,
    column: Option<usize>,
    name: &str,
) -> std::result::Result<bool, String> {
    match cell(record, column).map(|v| v.to_lowercase()).as_deref() {
        None | Some("false" | "no" | "n" | "0") => Ok(false),
        Some("true" | "yes" | "y" | "1" | "x") => Ok(true),
        Some(other) => Err(format!(
            "{name} “{}” is not yes or no",
            other.chars().take(QUOTED_CHARS).collect::<String>()
        )),
    }
}

fn read_line(record: &csv::StringRecord, columns: &Columns) -> std::result::Result<Line, String> {
    let phone = match cell(record, columns.phone) {
        Some(raw) => Some(normalize_phone(&raw).ok_or("the phone is not a US phone number")?),
        None => None,
    };
    let email = match cell(record, columns.email) {
        Some(raw) => Some(normalize_email(&raw).ok_or("the e-mail is not an e-mail address")?),
        None => None,
    };
    if phone.is_none() && email.is_none() {
        return Err("no phone or e-mail to know the shopper by".into());
    }
    let birth_date = match cell(record, columns.birth_date) {
        Some(raw) => Some(
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(&raw, "%m/%d/%Y"))
                .map_err(|_| "the birth date is not YYYY-MM-DD or MM/DD/YYYY")?
                .to_string(),
        ),
        None => None,
    };
    Ok(Line {
        first_name: cell(record, columns.first_name),
        last_name: cell(record, columns.last_name),
        phone,
        email,
        birth_date,
        loyalty_member: flag(record, columns.loyalty_member, "loyalty_member")?,
        email_opt_in: flag(record, columns.email_opt_in, "email_opt_in")?,
        opted_out: flag(record, columns.opted_out, "opted_out")?,
    })
}

/// Saves one good line inside `tx`; returns whether it created a persona.
fn save_line(
    tx: &Transaction<'_>,
    import_id: i64,
    number: u64,
    line: &Line,
    file: &str,
    now: &str,
) -> Result<bool> {
    let (persona_id, reason) = match match_persona(tx, &line.phone, &line.email)? {
        Some(found) => found,
        None => {
            tx.prepare_cached(
                "INSERT INTO personas (first_name, last_name, phone_e164, email, birth_date, loyalty_member, marketing_opt_in, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)",
            )?
            .execute(params![line.first_name, line.last_name, line.phone, line.email, line.birth_date, line.loyalty_member, now])?;
            (tx.last_insert_rowid(), "new")
        }
    };
    if reason != "new" {
        fill_missing(
            tx,
            persona_id,
            &Profile {
                first_name: line.first_name.as_deref(),
                last_name: line.last_name.as_deref(),
                phone: line.phone.as_deref(),
                email: line.email.as_deref(),
                birth_date: line.birth_date.as_deref(),
                loyalty_member: line.loyalty_member,
            },
            now,
        )?;
    }
    let from = format!("Line {number} of {file}");
    crate::consent::grants::from_import(
        tx,
        persona_id,
        line.opted_out,
        line.email_opt_in,
        &from,
        now,
    )?;
    tx.prepare_cached(
        "INSERT INTO imported_records (import_id, persona_id, line, match_reason, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![import_id, persona_id, number, reason, serde_json::to_string(line).unwrap_or_default(), now])?;
    Ok(reason == "new")
}

/// Imports the personas of the CSV file at `path` (a header line, then one shopper per line),
/// reporting progress after every block of lines.
pub fn import_csv(
    db: &Database,
    path: &Path,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportSummary> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let cannot_read = |e: &dyn std::fmt::Display| {
        Error::validation(format!("Canopy could not read {file}: {e}"))
            .with_hint("Pick a CSV file with a header line, e.g. first_name,last_name,phone,email.")
    };
    let opened = std::fs::File::open(path).map_err(|e| cannot_read(&e))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(line_cap::LineCap::new(opened));
    let header = reader.byte_headers().map_err(|e| cannot_read(&e))?.clone();
    if header.len() == 1 && &header[0] == line_cap::TOO_LONG.as_bytes() {
        return Err(cannot_read(&format_args!(
            "its header line is longer than {} KB",
            line_cap::MAX_LINE_BYTES / 1024
        )));
    }
    let header = csv::StringRecord::from_byte_record(header)
        .map_err(|_| cannot_read(&"its header line is not UTF-8 text"))?;
    let columns = Columns::from_header(&header);
    if columns.phone.is_none() && columns.email.is_none() {
        return Err(Error::validation(format!(
            "{file} has no phone or e-mail column, so no shopper can be known by it."
        ))
        .with_hint("Name a column phone or email in the header line."));
    }
    let now = Utc::now().to_rfc3339();
    let import_id = db.write(|tx| {
        tx.execute(
            "INSERT INTO imports (file_name, started_at) VALUES (?1, ?2)",
            params![file, now],
        )?;
        Ok(tx.last_insert_rowid())
    })?;
    let mut summary = ImportSummary::default();
    let mut raw = csv::ByteRecord::new();
    let mut more = true;
    while more {
        let mut block = Vec::with_capacity(BLOCK);
        while more && block.len() < BLOCK {
            more = reader
                .read_byte_record(&mut raw)
                .map_err(|e| cannot_read(&e))?;
            if !more {
                break;
            }
            let parsed_line = raw.position().map_or(summary.rows + 2, |p| p.line());
            let number = reader.get_mut().physical_line(parsed_line);
            match csv::StringRecord::from_byte_record(std::mem::take(&mut raw)) {
                Ok(record) if record.len() == 1 && &record[0] == line_cap::TOO_LONG => summary
                    .reject(
                        number,
                        format!("longer than {} KB", line_cap::MAX_LINE_BYTES / 1024),
                    ),
                Ok(record) => match read_line(&record, &columns) {
                    Ok(line) => {
                        summary.rows += 1;
                        block.push((number, line));
                    }
                    Err(reason) => summary.reject(number, reason.to_string()),
                },
                Err(_) => summary.reject(
                    number,
                    "not UTF-8 text: save the file as CSV UTF-8 and import it again".into(),
                ),
            }
        }
        let created = db.write(|tx| {
            let mut created = 0;
            for (number, line) in &block {
                if save_line(tx, import_id, *number, line, &file, &now)? {
                    created += 1;
                }
            }
            Ok(created)
        })?;
        summary.created += created;
        summary.merged += block.len() as u64 - created;
        progress(ImportProgress { done: summary.rows });
    }
    summary.errors.sort_by_key(|e| e.line);
    db.write(|tx| {
        tx.execute(
            "UPDATE imports SET finished_at = ?2, rows = ?3, created = ?4, merged = ?5, rejected = ?6 WHERE id = ?1",
            params![import_id, Utc::now().to_rfc3339(), summary.rows, summary.created, summary.merged, summary.rejected],
        )?;
        Ok(())
    })?;
    tracing::info!(
        file,
        rows = summary.rows,
        created = summary.created,
        merged = summary.merged,
        rejected = summary.rejected,
        "personas imported"
    );
    Ok(summary)
}
