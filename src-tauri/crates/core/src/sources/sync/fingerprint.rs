//! A fingerprint of what syncs produced — personas, their links, purchases, the points ledger, consent
//! (history and suppressions), the outbox, the texts, the POS's coupons, rewards with their redemptions
//! and the cursors — independent of
//! row ids, credential ids and clock times, so two databases filled by differently ordered, repeated or
//! interrupted syncs of the same POS data can be compared. Rows are counted as a multiset: a row written
//! twice changes the fingerprint.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rusqlite::types::Value;
use rusqlite::Connection;

use crate::base::error::Result;
use crate::storage::db::Database;

/// Row counts and a digest of their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Personas.
    pub personas: usize,
    /// Source records linked to personas.
    pub links: usize,
    /// Purchases.
    pub purchases: usize,
    /// Ledger entries.
    pub ledger_entries: usize,
    /// Consent events and suppressions.
    pub consent_rows: usize,
    /// Outbox rows and text messages.
    pub outgoing_rows: usize,
    /// POS coupons (the discounts rewards are mirrored as).
    pub coupons: usize,
    /// Rewards and their redemptions.
    pub rewards: usize,
    /// Stored cursors.
    pub cursors: usize,
    /// A hash of every row's content with its multiplicity, in a canonical order (cursors apart).
    pub digest: u64,
    /// A hash of the cursors. Apart, because two databases with the same data may hold different
    /// cursors by design (a Greenbits scan resumed after a crash keeps its older mark).
    pub cursors_digest: u64,
}

/// Rows rendered as canonical text, each with how many times it occurs.
type Multiset = BTreeMap<String, usize>;

/// How a row's cells are made independent of one database: a persona id becomes its persona's key,
/// a credential id its store's name, a ledger source `integration:credential` likewise.
#[derive(Clone, Copy)]
enum Cell {
    /// Kept as stored.
    Plain,
    /// A persona id.
    Persona,
    /// A credential id.
    Credential,
    /// A ledger source naming a credential after its integration.
    Source,
    /// Consent evidence: JSON that may name a credential under `credential`.
    Evidence,
    /// A store key: a credential id, or `credential:location`.
    StoreKey,
}

/// Names for the ids one database gave: credentials by store, personas by their smallest link.
struct Names {
    stores: BTreeMap<String, String>,
    personas: BTreeMap<i64, String>,
}

impl Names {
    fn read(c: &Connection) -> Result<Self> {
        let stores: BTreeMap<String, String> = c
            .prepare("SELECT id, store_name FROM credentials")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut personas: BTreeMap<i64, String> = BTreeMap::new();
        let mut statement =
            c.prepare("SELECT persona_id, integration, credential_id, pos_id FROM source_records")?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let credential: String = r.get(2)?;
            let link = format!(
                "{}|{}|{}",
                r.get::<_, String>(1)?,
                stores.get(&credential).cloned().unwrap_or_default(),
                r.get::<_, String>(3)?
            );
            let key = personas.entry(r.get(0)?).or_insert_with(|| link.clone());
            if link < *key {
                *key = link;
            }
        }
        Ok(Self { stores, personas })
    }

    fn store(&self, credential: &str) -> String {
        self.stores.get(credential).cloned().unwrap_or_default()
    }

    fn render(&self, cell: Cell, value: Value) -> String {
        match (cell, value) {
            (_, Value::Null) => "-".into(),
            (Cell::Persona, Value::Integer(id)) => self
                .personas
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "unlinked".into()),
            (Cell::Credential, Value::Text(id)) => self.store(&id),
            (Cell::StoreKey, Value::Text(key)) => match key.split_once(':') {
                Some((credential, location)) => format!("{}:{location}", self.store(credential)),
                None => self.store(&key),
            },
            (Cell::Source, Value::Text(source)) => match source.split_once(':') {
                Some((integration, credential)) => {
                    format!("{integration}:{}", self.store(credential))
                }
                None => source,
            },
            (Cell::Evidence, Value::Text(evidence)) => {
                match serde_json::from_str::<serde_json::Value>(&evidence) {
                    Ok(mut json) => {
                        if let Some(credential) = json.get_mut("credential") {
                            let store = self.store(credential.as_str().unwrap_or_default());
                            *credential = store.into();
                        }
                        json.to_string()
                    }
                    Err(_) => evidence,
                }
            }
            (_, Value::Integer(n)) => n.to_string(),
            (_, Value::Real(x)) => x.to_string(),
            (_, Value::Text(text)) => format!("{text:?}"),
            (_, Value::Blob(bytes)) => format!("{bytes:?}"),
        }
    }

    /// The rows `sql` selects, each rendered cell by cell as `cells` says.
    fn rows(&self, c: &Connection, sql: &str, cells: &[Cell]) -> Result<Multiset> {
        let mut set = Multiset::new();
        let mut statement = c.prepare(sql)?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let mut line = Vec::with_capacity(cells.len());
            for (i, cell) in cells.iter().enumerate() {
                line.push(self.render(*cell, r.get(i)?));
            }
            *set.entry(line.join("|")).or_default() += 1;
        }
        Ok(set)
    }
}

fn count(sets: &[&Multiset]) -> usize {
    sets.iter().map(|s| s.values().sum::<usize>()).sum()
}

/// Computes the fingerprint of `db`.
pub fn fingerprint(db: &Database) -> Result<Fingerprint> {
    use Cell::{Credential, Evidence, Persona, Plain, Source, StoreKey};
    db.read(|c| {
        let names = Names::read(c)?;
        let personas = names.rows(
            c,
            "SELECT p.id, p.first_name, p.last_name, p.phone_e164, p.email, p.birth_date, p.loyalty_member,
                    p.marketing_opt_in, p.points_balance, p.last_purchase_at, s.name
             FROM personas p LEFT JOIN retail_stores s ON s.id = p.favorite_store_id",
            &[Persona, Plain, Plain, Plain, Plain, Plain, Plain, Plain, Plain, Plain, Plain],
        )?;
        let links = names.rows(
            c,
            "SELECT persona_id, integration, credential_id, pos_id, match_reason, pos_updated_at, payload,
                    pos_points, employee FROM source_records",
            &[Persona, Plain, Credential, Plain, Plain, Plain, Plain, Plain, Plain],
        )?;
        let purchases = names.rows(
            c,
            "SELECT integration, credential_id, pos_id, persona_id, total_cents, voided, purchased_at,
                    pos_updated_at FROM purchases",
            &[Plain, Credential, Plain, Persona, Plain, Plain, Plain, Plain],
        )?;
        let ledger = names.rows(
            c,
            "SELECT persona_id, kind, points, source, transaction_id FROM points_ledger",
            &[Persona, Plain, Plain, Source, Plain],
        )?;
        let consent_events = names.rows(
            c,
            "SELECT persona_id, channel, event, source, detail, evidence FROM consent_events",
            &[Persona, Plain, Plain, Plain, Plain, Evidence],
        )?;
        let suppressions = names.rows(
            c,
            "SELECT channel, address, reason, source, detail, lifted_at IS NULL, lifted_by FROM suppressions",
            &[Plain, Plain, Plain, Plain, Plain, Plain, Plain],
        )?;
        let outbox = names.rows(
            c,
            "SELECT integration, credential_id, store_key, persona_id, action, status, outcome FROM outbox",
            &[Plain, Credential, StoreKey, Persona, Plain, Plain, Plain],
        )?;
        let texts = names.rows(
            c,
            "SELECT persona_id, kind, integration, phone_e164, body, status FROM sms_messages",
            &[Persona, Plain, Plain, Plain, Plain, Plain],
        )?;
        let coupons = names.rows(
            c,
            "SELECT credential_id, store_key, store_label, pos_id, name, active, payload FROM pos_coupons",
            &[Credential, StoreKey, Plain, Plain, Plain, Plain, Plain],
        )?;
        let rewards = names.rows(
            c,
            "SELECT name, points, kind, value, item, starts_on, ends_on, retired_at IS NULL FROM rewards",
            &[Plain, Plain, Plain, Plain, Plain, Plain, Plain, Plain],
        )?;
        let redemptions = names.rows(
            c,
            "SELECT rw.name, r.persona_id, r.source, r.sale_pos_id, r.line, s.name, r.points, r.redeemed_at,
                    r.reversed_at IS NULL
             FROM redemptions r JOIN rewards rw ON rw.id = r.reward_id LEFT JOIN retail_stores s ON s.id = r.store_id",
            &[Plain, Persona, Source, Plain, Plain, Plain, Plain, Plain, Plain],
        )?;
        let cursors = names.rows(
            c,
            // A scan cursor's last full scan is a clock time: left out.
            "SELECT credential_id, stream,
                    CASE WHEN cursor LIKE '{%' AND json_valid(cursor)
                         THEN json_remove(cursor, '$.full_scan_at') ELSE cursor END
             FROM sync_cursors",
            &[Credential, Plain, Plain],
        )?;
        let mut hasher = DefaultHasher::new();
        (
            &personas,
            &links,
            &purchases,
            &ledger,
            &consent_events,
            &suppressions,
            &outbox,
            &texts,
            &coupons,
            &rewards,
            &redemptions,
        )
            .hash(&mut hasher);
        let mut cursors_hasher = DefaultHasher::new();
        cursors.hash(&mut cursors_hasher);
        Ok(Fingerprint {
            personas: count(&[&personas]),
            links: count(&[&links]),
            purchases: count(&[&purchases]),
            ledger_entries: count(&[&ledger]),
            consent_rows: count(&[&consent_events, &suppressions]),
            outgoing_rows: count(&[&outbox, &texts]),
            coupons: count(&[&coupons]),
            rewards: count(&[&rewards, &redemptions]),
            cursors: count(&[&cursors]),
            digest: hasher.finish(),
            cursors_digest: cursors_hasher.finish(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_written_twice_changes_the_fingerprint() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(dir.path().join("f.db")).expect("db");
        let opt_out =
            "INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
                       VALUES (1, 'sms', 'opted_out', 'sms_reply', 'STOP', '2026-01-01T00:00:00Z')";
        db.write(|tx| {
            tx.execute(
                "INSERT INTO personas (id, first_name, created_at, updated_at)
                 VALUES (1, 'A', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [],
            )?;
            tx.execute(opt_out, [])?;
            Ok(())
        })
        .expect("once");
        let once = fingerprint(&db).expect("once");
        db.write(|tx| Ok(tx.execute(opt_out, []).map(|_| ())?))
            .expect("twice");
        let twice = fingerprint(&db).expect("twice");
        assert_eq!(twice.consent_rows, once.consent_rows + 1);
        assert_ne!(twice.digest, once.digest);
    }
}
