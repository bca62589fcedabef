//! CSV export of the Personas table's current search and filters, streamed row by row to a file:
//! memory stays flat however many personas match, and a progress callback reports every block.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::personas::query::{conditions, order_by, row, PersonaQuery, ROW_COLUMNS};
use crate::storage::db::Database;

/// The header row of the file.
pub const HEADER: &str = "id,first_name,last_name,phone,email,loyalty_member,points,email_opt_in,sms_consent,favorite_store,sourced_from,last_purchase_at,created_at";

/// Rows written between two progress reports.
const REPORT_EVERY: u64 = 1_000;

/// How far an export is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportProgress {
    /// Rows written.
    #[ts(type = "number")]
    pub done: u64,
    /// Rows to write.
    #[ts(type = "number")]
    pub total: u64,
}

/// One CSV field: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-`
/// or `@` is defused with a `'` so a spreadsheet never runs it as a formula.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Writes every persona matching `query` (its search, filters and sort; paging ignored) to `path`
/// as CSV; returns the rows written. The file is written beside and renamed at the end, so a failed
/// export never leaves half a file under the chosen name.
pub fn export_csv(
    db: &Database,
    query: &PersonaQuery,
    path: &Path,
    mut progress: impl FnMut(ExportProgress),
) -> Result<u64> {
    let (condition, values, _) = conditions(query);
    let order = order_by(query);
    let partial = path.with_extension("csv.part");
    let cannot = |e: std::io::Error| {
        Error::validation(format!("Canopy could not write {}: {e}", path.display()))
            .with_hint("Pick a folder you can write to.")
    };
    let file = std::fs::File::create(&partial).map_err(cannot)?;
    let mut out = std::io::BufWriter::new(file);
    let written = db.read(|c| {
        let params = rusqlite::params_from_iter(values.iter());
        let total: u64 = c.query_row(
            &format!("SELECT count(*) FROM personas p WHERE {condition}"),
            params,
            |r| r.get(0),
        )?;
        writeln!(out, "{HEADER}").map_err(cannot)?;
        let mut statement = c.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM personas p WHERE {condition} ORDER BY {order}"
        ))?;
        let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
        let mut done = 0;
        progress(ExportProgress { done, total });
        while let Some(r) = rows.next()? {
            let p = row(r)?;
            let line = [
                p.id.to_string(),
                field(p.first_name.as_deref().unwrap_or_default()),
                field(p.last_name.as_deref().unwrap_or_default()),
                field(p.phone.as_deref().unwrap_or_default()),
                field(p.email.as_deref().unwrap_or_default()),
                p.loyalty_member.to_string(),
                p.points.to_string(),
                p.email_opt_in.to_string(),
                p.sms_consent.to_string(),
                field(p.favorite_store.as_deref().unwrap_or_default()),
                field(
                    &p.sourced_from
                        .iter()
                        .map(|source| source.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                p.last_purchase_at.unwrap_or_default(),
                p.created_at,
            ]
            .join(",");
            writeln!(out, "{line}").map_err(cannot)?;
            done += 1;
            if done % REPORT_EVERY == 0 {
                progress(ExportProgress { done, total });
            }
        }
        progress(ExportProgress {
            done,
            total: total.max(done),
        });
        Ok(done)
    });
    let finished = written.and_then(|done| {
        out.flush().map_err(cannot)?;
        drop(out);
        std::fs::rename(&partial, path).map_err(cannot)?;
        Ok(done)
    });
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    finished
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_when_needed_and_formulas_defused() {
        assert_eq!(field("García"), "García");
        assert_eq!(field("O'Brien, Jr."), r#""O'Brien, Jr.""#);
        assert_eq!(field(r#"say "hi""#), r#""say ""hi""""#);
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("+15552312222"), "'+15552312222");
    }
}
