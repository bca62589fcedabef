//! Reading personas for the UI: a page of the table, with each persona's sources.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::Database;
use crate::error::Result;
use crate::identity::{normalize_email, normalize_phone};

/// One row of the Personas table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonaRow {
    /// Canopy's id.
    #[ts(type = "number")]
    pub id: i64,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// E.164 phone.
    pub phone: Option<String>,
    /// Normalised e-mail.
    pub email: Option<String>,
    /// The systems this persona was sourced from, e.g. `["posabit"]`.
    pub sourced_from: Vec<String>,
    /// The name of the persona's favorite retail store, when one is known.
    pub favorite_store: Option<String>,
    /// When Canopy first saw the shopper (RFC 3339).
    pub created_at: String,
}

/// Which personas to list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct PersonaQuery {
    /// A phone in any format, an e-mail, or the start of a first or last name.
    pub search: Option<String>,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// One page of personas and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonaPage {
    /// Personas matching the query, over all pages.
    pub total: u32,
    /// This page's rows.
    pub rows: Vec<PersonaRow>,
}

/// The most rows one page may hold.
const MAX_LIMIT: u32 = 500;

/// The SQL condition and its parameters for a search text.
fn search_filter(search: Option<&str>) -> (String, Vec<SqlValue>) {
    let Some(text) = search.map(str::trim).filter(|t| !t.is_empty()) else {
        return ("1".into(), Vec::new());
    };
    if let Some(phone) = normalize_phone(text) {
        return ("p.phone_e164 = ?".into(), vec![SqlValue::Text(phone)]);
    }
    if let Some(email) = normalize_email(text) {
        return ("p.email = ?".into(), vec![SqlValue::Text(email)]);
    }
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let prefix = format!("{escaped}%");
    (
        "(p.first_name LIKE ? ESCAPE '\\' OR p.last_name LIKE ? ESCAPE '\\')".into(),
        vec![SqlValue::Text(prefix.clone()), SqlValue::Text(prefix)],
    )
}

/// A page of personas ordered by last name, first name.
pub fn list(db: &Database, query: &PersonaQuery) -> Result<PersonaPage> {
    let (condition, values) = search_filter(query.search.as_deref());
    let limit = query.limit.clamp(1, MAX_LIMIT);
    db.read(|c| {
        let total: u32 = c.query_row(
            &format!("SELECT count(*) FROM personas p WHERE {condition}"),
            rusqlite::params_from_iter(values.iter()),
            |r| r.get(0),
        )?;
        let mut statement = c.prepare(&format!(
            "SELECT p.id, p.first_name, p.last_name, p.phone_e164, p.email, p.created_at,
                    (SELECT group_concat(DISTINCT s.integration) FROM source_records s WHERE s.persona_id = p.id),
                    (SELECT r.name FROM retail_stores r WHERE r.id = p.favorite_store_id)
             FROM personas p WHERE {condition}
             ORDER BY p.last_name, p.first_name, p.id LIMIT {limit} OFFSET {}",
            query.offset
        ))?;
        let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), |r| {
            let sources: Option<String> = r.get(6)?;
            Ok(PersonaRow {
                id: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                phone: r.get(3)?,
                email: r.get(4)?,
                created_at: r.get(5)?,
                favorite_store: r.get(7)?,
                sourced_from: sources
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?;
        Ok(PersonaPage {
            total,
            rows: rows.collect::<rusqlite::Result<_>>()?,
        })
    })
}
