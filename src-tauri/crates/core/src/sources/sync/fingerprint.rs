//! A fingerprint of what syncs produced — personas, their links, purchases and the points ledger —
//! independent of row ids, credential ids and clock times, so two databases filled by differently
//! ordered, repeated or interrupted syncs of the same POS data can be compared.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

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
    /// A hash of every row's content, in a canonical order.
    pub digest: u64,
}

/// Computes the fingerprint of `db`.
pub fn fingerprint(db: &Database) -> Result<Fingerprint> {
    db.read(|c| {
        let stores: BTreeMap<String, String> = c
            .prepare("SELECT id, store_name FROM credentials")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let name = |credential: &str| stores.get(credential).cloned().unwrap_or_default();
        // A persona is named by its smallest link, so ids and creation order do not matter.
        let mut persona_key: BTreeMap<i64, String> = BTreeMap::new();
        let mut links = BTreeSet::new();
        let mut statement = c.prepare(
            "SELECT persona_id, integration, credential_id, pos_id, match_reason, pos_updated_at, payload,
                    pos_points, employee FROM source_records",
        )?;
        let mut rows = statement.query([])?;
        let mut raw_links = Vec::new();
        while let Some(r) = rows.next()? {
            let persona: i64 = r.get(0)?;
            let link = format!("{}|{}|{}", r.get::<_, String>(1)?, name(&r.get::<_, String>(2)?), r.get::<_, String>(3)?);
            let key = persona_key.entry(persona).or_insert_with(|| link.clone());
            if link < *key {
                *key = link.clone();
            }
            let detail = format!(
                "{}|{}|{}|{:?}|{}",
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, bool>(8)?
            );
            raw_links.push((persona, link, detail));
        }
        for (persona, link, detail) in raw_links {
            links.insert(format!("{link}>{}|{detail}", persona_key[&persona]));
        }
        let key_of = |persona: Option<i64>| {
            persona
                .map(|p| persona_key.get(&p).cloned().unwrap_or_else(|| "unlinked".into()))
                .unwrap_or_else(|| "-".into())
        };
        let mut personas = BTreeSet::new();
        let mut statement = c.prepare(
            "SELECT p.id, p.first_name, p.last_name, p.phone_e164, p.email, p.birth_date, p.loyalty_member,
                    p.marketing_opt_in, p.points_balance, p.last_purchase_at, s.name
             FROM personas p LEFT JOIN retail_stores s ON s.id = p.favorite_store_id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            personas.insert(format!(
                "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{:?}|{:?}",
                key_of(Some(r.get(0)?)),
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ));
        }
        let mut purchases = BTreeSet::new();
        let mut statement = c.prepare(
            "SELECT integration, credential_id, pos_id, persona_id, total_cents, voided, purchased_at, pos_updated_at
             FROM purchases",
        )?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            purchases.insert(format!(
                "{}|{}|{}>{}|{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                name(&r.get::<_, String>(1)?),
                r.get::<_, String>(2)?,
                key_of(r.get(3)?),
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ));
        }
        let mut ledger = BTreeSet::new();
        let mut statement =
            c.prepare("SELECT persona_id, kind, points, source, transaction_id FROM points_ledger")?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let source: String = r.get(3)?;
            let source = match source.split_once(':') {
                Some((integration, credential)) => format!("{integration}:{}", name(credential)),
                None => source,
            };
            ledger.insert(format!(
                "{}|{}|{}|{}>{}",
                source,
                r.get::<_, String>(4)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                key_of(Some(r.get(0)?)),
            ));
        }
        let mut hasher = DefaultHasher::new();
        (&personas, &links, &purchases, &ledger).hash(&mut hasher);
        Ok(Fingerprint {
            personas: personas.len(),
            links: links.len(),
            purchases: purchases.len(),
            ledger_entries: ledger.len(),
            digest: hasher.finish(),
        })
    })
}
