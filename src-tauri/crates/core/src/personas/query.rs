//! Reading personas for the Personas explorer: search, filters, sorting and paging, all done in
//! SQLite on indexed columns so a million personas stay fast.
//!
//! Search text is read as, in order: a phone in any US format (exact match on the normalised
//! phone); an e-mail or its start when it contains `@`; otherwise the start of a first or last name
//! (accents and case ignored; "zoe gar" matches first name "Zoë" and a last name starting "Gar")
//! or, for a single word, a POS id.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::base::error::{Error, Result};
use crate::base::identity::{fold_name, normalize_email, normalize_phone};
use crate::base::pos_kind::Integration;
use crate::base::stored_name::stored_name;
use crate::consent::SmsConsent;
use crate::storage::db::Database;

stored_name! {
    /// A system a persona was sourced from.
    pub enum PersonaSource {
        /// A POSaBIT record.
        Posabit => "posabit",
        /// A Greenbits record.
        Greenbits => "greenbits",
        /// Canopy's own signup form (the loyalty platform).
        Loyalty => "loyalty",
        /// A file import.
        Import => "import",
    }
}

impl PersonaSource {
    /// Records of `integration`'s POS.
    pub fn pos(integration: Integration) -> Self {
        match integration {
            Integration::Posabit => PersonaSource::Posabit,
            Integration::Greenbits => PersonaSource::Greenbits,
        }
    }
}

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
    /// Member of the loyalty programme.
    pub loyalty_member: bool,
    /// Points balance (the sum of the ledger).
    #[ts(type = "number")]
    pub points: i64,
    /// Opted in to e-mail marketing (the POS's marketing opt-in, or consent on the signup form).
    pub email_opt_in: bool,
    /// SMS consent.
    pub sms_consent: SmsConsent,
    /// The systems this persona was sourced from, e.g. `["posabit", "loyalty"]`.
    pub sourced_from: Vec<PersonaSource>,
    /// The name of the persona's favorite retail store, when one is known.
    pub favorite_store: Option<String>,
    /// When the persona last bought something (RFC 3339).
    pub last_purchase_at: Option<String>,
    /// When Canopy first saw the shopper (RFC 3339).
    pub created_at: String,
}

/// The columns the table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PersonaSort {
    /// Last name, then first name.
    #[default]
    Name,
    /// When the persona was created.
    Created,
    /// The last purchase.
    LastPurchase,
    /// The points balance.
    Points,
}

impl PersonaSort {
    /// Whether every ORDER BY column is NOT NULL, so a descending list can continue after a row
    /// by one row-value comparison too (an ascending one can after any row without NULLs in its
    /// key, since NULLs sort first).
    fn never_null(self) -> bool {
        matches!(self, PersonaSort::Created | PersonaSort::Points)
    }

    /// The ORDER BY columns, each backed by an index ending in `id`.
    fn columns(self) -> &'static [&'static str] {
        match self {
            PersonaSort::Name => &["p.last_key", "p.first_key", "p.id"],
            PersonaSort::Created => &["p.created_at", "p.id"],
            PersonaSort::LastPurchase => &["p.last_purchase_at", "p.id"],
            PersonaSort::Points => &["p.points_balance", "p.id"],
        }
    }
}

/// Which personas to list, in which order.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct PersonaQuery {
    /// A phone in any format, an e-mail, the start of a name, or a POS id.
    #[ts(optional)]
    pub search: Option<String>,
    /// Only personas sourced from this system.
    #[ts(optional)]
    pub source: Option<PersonaSource>,
    /// Only personas whose favorite store is this retail store.
    #[ts(optional, type = "number")]
    pub store_id: Option<i64>,
    /// Only loyalty members (`true`) or non-members (`false`).
    #[ts(optional)]
    pub member: Option<bool>,
    /// Only personas opted in (`true`) or not (`false`) to e-mail marketing.
    #[ts(optional)]
    pub email_opt_in: Option<bool>,
    /// Only personas in this SMS consent state.
    #[ts(optional)]
    pub sms_consent: Option<SmsConsent>,
    /// The sort column (name by default).
    #[ts(optional)]
    pub sort: Option<PersonaSort>,
    /// Sort descending.
    #[ts(optional)]
    pub descending: Option<bool>,
    /// Rows to skip (ignored when `after` is given).
    pub offset: u32,
    /// The page after the row this cursor was taken at (a page's `next`): scrolling on through a
    /// long list by the sort's index instead of skipping `offset` rows one by one.
    #[ts(optional)]
    pub after: Option<String>,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// One page of personas and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonaPage {
    /// Personas matching the query, over all pages (at most [`COUNT_CAP`] for a filtered query).
    pub total: u32,
    /// True when more than [`COUNT_CAP`] match a filtered query and `total` stopped counting.
    pub total_capped: bool,
    /// This page's rows.
    pub rows: Vec<PersonaRow>,
    /// The cursor for the page after this one, to pass as `after`; absent on the last page and
    /// where the list cannot continue by its index (a descending sort reaching rows without a
    /// name or a purchase, or an ascending one still among them), where `offset` serves.
    pub next: Option<String>,
}

/// The most rows one page may hold.
const MAX_LIMIT: u32 = 500;
/// Filtered queries count matches up to this many, so a broad filter stays fast (the table then
/// says "10,000+"; the CSV export writes every match).
pub const COUNT_CAP: u32 = 10_000;

/// The `[start, end)` range of strings that begin with `prefix`.
fn prefix_range(prefix: &str) -> (SqlValue, SqlValue) {
    (
        SqlValue::Text(prefix.to_string()),
        SqlValue::Text(format!("{prefix}\u{10FFFF}")),
    )
}

/// The SQL condition and its parameters for a search text.
fn search_filter(text: &str) -> (String, Vec<SqlValue>) {
    if let Some(phone) = normalize_phone(text) {
        return ("p.phone_e164 = ?".into(), vec![SqlValue::Text(phone)]);
    }
    if text.contains('@') {
        let email = normalize_email(text).unwrap_or_else(|| text.trim().to_lowercase());
        let (start, end) = prefix_range(&email);
        return ("(p.email >= ? AND p.email < ?)".into(), vec![start, end]);
    }
    let Some(folded) = fold_name(text) else {
        return ("1".into(), Vec::new());
    };
    let (start, end) = prefix_range(&folded);
    let mut condition =
        "((p.first_key >= ? AND p.first_key < ?) OR (p.last_key >= ? AND p.last_key < ?)"
            .to_string();
    let mut values = vec![start.clone(), end.clone(), start, end];
    match folded.split_once(' ') {
        Some((first, last)) => {
            // "zoe gar": the first name exactly, the last name by its start (one index range).
            let (last_start, last_end) = prefix_range(last);
            condition.push_str(" OR (p.first_key = ? AND p.last_key >= ? AND p.last_key < ?)");
            values.extend([SqlValue::Text(first.to_string()), last_start, last_end]);
        }
        None => {
            condition
                .push_str(" OR p.id IN (SELECT persona_id FROM source_records WHERE pos_id = ?)");
            values.push(SqlValue::Text(text.trim().to_string()));
        }
    }
    condition.push(')');
    (condition, values)
}

/// The WHERE clause and parameters of a query's search and filters.
pub(crate) fn conditions(query: &PersonaQuery) -> (String, Vec<SqlValue>, bool) {
    let mut parts = Vec::new();
    let mut values = Vec::new();
    if let Some(text) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let (condition, params) = search_filter(text);
        parts.push(condition);
        values.extend(params);
    }
    match query.source {
        Some(PersonaSource::Loyalty) => {
            parts.push("EXISTS (SELECT 1 FROM local_signups l WHERE l.persona_id = p.id)".into())
        }
        Some(PersonaSource::Import) => {
            parts.push("EXISTS (SELECT 1 FROM imported_records i WHERE i.persona_id = p.id)".into())
        }
        Some(pos @ (PersonaSource::Posabit | PersonaSource::Greenbits)) => {
            parts.push("EXISTS (SELECT 1 FROM source_records s WHERE s.persona_id = p.id AND s.integration = ?)".into());
            values.push(SqlValue::Text(pos.as_str().to_string()));
        }
        None => {}
    }
    if let Some(store) = query.store_id {
        parts.push("p.favorite_store_id = ?".into());
        values.push(SqlValue::Integer(store));
    }
    if let Some(member) = query.member {
        parts.push("p.loyalty_member = ?".into());
        values.push(SqlValue::Integer(member.into()));
    }
    if let Some(opted_in) = query.email_opt_in {
        parts.push("p.marketing_opt_in = ?".into());
        values.push(SqlValue::Integer(opted_in.into()));
    }
    if let Some(state) = query.sms_consent {
        parts.push("p.sms_consent = ?".into());
        values.push(SqlValue::Text(state.as_str().to_string()));
    }
    let filtered = !parts.is_empty();
    let condition = if filtered {
        parts.join(" AND ")
    } else {
        "1".into()
    };
    (condition, values, filtered)
}

/// The columns of a [`PersonaRow`], for `SELECT … FROM personas p`.
pub(crate) const ROW_COLUMNS: &str = concat!(
    "p.id, p.first_name, p.last_name, p.phone_e164, p.email, p.loyalty_member, ",
    crate::personas::pending::balance_of_p!(),
    ", p.marketing_opt_in,
    (SELECT group_concat(DISTINCT s.integration) FROM source_records s WHERE s.persona_id = p.id),
    EXISTS (SELECT 1 FROM local_signups l WHERE l.persona_id = p.id),
    (SELECT r.name FROM retail_stores r WHERE r.id = p.favorite_store_id),
    p.last_purchase_at, p.created_at, p.sms_consent,
    EXISTS (SELECT 1 FROM imported_records i WHERE i.persona_id = p.id)"
);

/// How many columns [`ROW_COLUMNS`] selects.
const ROW_COLUMN_COUNT: usize = 15;

/// Reads a [`PersonaRow`] selected with [`ROW_COLUMNS`].
pub(crate) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonaRow> {
    let integrations: Option<String> = r.get(8)?;
    let mut sourced_from = integrations
        .iter()
        .flat_map(|names| names.split(','))
        .map(|name| {
            Integration::parse(name)
                .map(PersonaSource::pos)
                .ok_or_else(|| {
                    rusqlite::Error::InvalidColumnType(
                        8,
                        name.to_string(),
                        rusqlite::types::Type::Text,
                    )
                })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    sourced_from.sort();
    if r.get::<_, bool>(9)? {
        sourced_from.push(PersonaSource::Loyalty);
    }
    if r.get::<_, bool>(14)? {
        sourced_from.push(PersonaSource::Import);
    }
    Ok(PersonaRow {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        phone: r.get(3)?,
        email: r.get(4)?,
        loyalty_member: r.get(5)?,
        points: r.get(6)?,
        email_opt_in: r.get(7)?,
        sms_consent: r.get(13)?,
        sourced_from,
        favorite_store: r.get(10)?,
        last_purchase_at: r.get(11)?,
        created_at: r.get(12)?,
    })
}

/// The ORDER BY clause of a query.
pub(crate) fn order_by(query: &PersonaQuery) -> String {
    let direction = if query.descending.unwrap_or(false) {
        "DESC"
    } else {
        "ASC"
    };
    let order: Vec<String> = query
        .sort
        .unwrap_or_default()
        .columns()
        .iter()
        .map(|c| format!("{c} {direction}"))
        .collect();
    order.join(", ")
}

/// The sort key of a row (its ORDER BY columns' values), read after [`ROW_COLUMNS`].
fn sort_key(r: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Vec<SqlValue>> {
    (0..columns)
        .map(|i| r.get::<_, SqlValue>(ROW_COLUMN_COUNT + i))
        .collect()
}

/// The cursor after a row with `key`, when the list can continue from it by its index.
fn cursor_after(query: &PersonaQuery, key: &[SqlValue]) -> Option<String> {
    let sort = query.sort.unwrap_or_default();
    let descending = query.descending.unwrap_or(false);
    if descending && !sort.never_null() {
        return None;
    }
    // The sort columns hold text and whole numbers, the kinds `after_condition` reads back.
    let values = key
        .iter()
        .map(|v| match v {
            SqlValue::Integer(i) => Some(serde_json::Value::from(*i)),
            SqlValue::Text(t) => Some(serde_json::Value::from(t.as_str())),
            SqlValue::Null | SqlValue::Real(_) | SqlValue::Blob(_) => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(serde_json::Value::from(values).to_string())
}

/// The condition "after the row of `cursor`" in the query's order, and its parameters.
fn after_condition(query: &PersonaQuery, cursor: &str) -> Result<(String, Vec<SqlValue>)> {
    let columns = query.sort.unwrap_or_default().columns();
    let moved = || {
        Error::validation("That place in the personas list is no longer valid.")
            .with_hint("Scroll back to the top and down again.")
    };
    let values: Vec<serde_json::Value> = serde_json::from_str(cursor).map_err(|_| moved())?;
    if values.len() != columns.len() {
        return Err(moved());
    }
    let values = values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(t) => Ok(SqlValue::Text(t)),
            serde_json::Value::Number(n) => n.as_i64().map(SqlValue::Integer).ok_or_else(moved),
            _ => Err(moved()),
        })
        .collect::<Result<Vec<_>>>()?;
    let comparison = if query.descending.unwrap_or(false) {
        "<"
    } else {
        ">"
    };
    let marks = vec!["?"; columns.len()].join(", ");
    Ok((
        format!("({}) {comparison} ({marks})", columns.join(", ")),
        values,
    ))
}

/// A page of personas.
pub fn list(db: &Database, query: &PersonaQuery) -> Result<PersonaPage> {
    let (condition, values, filtered) = conditions(query);
    let limit = query.limit.clamp(1, MAX_LIMIT);
    let order = order_by(query);
    let key_columns = query.sort.unwrap_or_default().columns();
    let (page_condition, page_values, offset) = match query.after.as_deref() {
        Some(cursor) => {
            let (after, after_values) = after_condition(query, cursor)?;
            (format!("({condition}) AND {after}"), after_values, 0)
        }
        None => (condition.clone(), Vec::new(), query.offset),
    };
    db.read(|c| {
        let params = rusqlite::params_from_iter(values.iter());
        let total: u32 = if filtered {
            c.query_row(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM personas p WHERE {condition} LIMIT {})",
                    COUNT_CAP + 1
                ),
                params,
                |r| r.get(0),
            )?
        } else {
            c.query_row("SELECT count(*) FROM personas", [], |r| r.get(0))?
        };
        let mut statement = c.prepare(&format!(
            "SELECT {ROW_COLUMNS}, {} FROM personas p WHERE {page_condition}
             ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            key_columns.join(", ")
        ))?;
        let mut last_key = None;
        let rows = statement
            .query_map(
                rusqlite::params_from_iter(values.iter().chain(&page_values)),
                |r| {
                    last_key = Some(sort_key(r, key_columns.len())?);
                    row(r)
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let next = last_key
            .filter(|_| rows.len() == limit as usize)
            .and_then(|key| cursor_after(query, &key));
        Ok(PersonaPage {
            total: total.min(COUNT_CAP),
            total_capped: total > COUNT_CAP,
            rows,
            next,
        })
    })
}
