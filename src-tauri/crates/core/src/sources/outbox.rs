//! The outbox: customers to create in a POS, written in the same transaction as the local signup
//! that needs them, and pushed afterwards. Every attempt first looks the shopper up in the POS (by
//! phone, then e-mail) and creates only when nobody matches, so a crash or a timeout between the
//! POS's create and Canopy's bookkeeping never makes a duplicate customer.

use chrono::Utc;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::integrations::credentials;
use crate::pos::retry::{with_retries, Pacer, RetryPolicy};
use crate::pos::{location_of, Connector, NewShopper, PosClients};
use crate::storage::db::Database;
use crate::storage::keychain::SecretStore;

/// Attempts after which a push that keeps failing transiently is given up as failed.
const MAX_ATTEMPTS: i64 = 5;

/// Queues a POS create for a new signup on every integration with two-way contact sync on where
/// the persona has no record yet. Runs inside the signup's transaction. The shopper is created at
/// the key mapped to the store of signup when there is one, else at the integration's first key;
/// with "Sync to relevant market" on (a POS reporting shoppers' states), only at a credential whose market is the signup
/// store's state (or that has no market).
pub(crate) fn enqueue_for_signup(
    tx: &Transaction<'_>,
    persona_id: i64,
    now: &str,
) -> Result<usize> {
    let signup_store: Option<(i64, String)> = tx
        .query_row(
            "SELECT rs.id, rs.state FROM local_signups l JOIN retail_stores rs ON rs.id = l.store_id
             WHERE l.persona_id = ?1 ORDER BY l.id DESC LIMIT 1",
            [persona_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut queued = 0;
    for &integration in Integration::ALL {
        let settings = crate::config::integration_settings::get(tx, integration)?;
        if settings.sync_personas_since.is_none() {
            continue;
        }
        let known = tx
            .query_row(
                "SELECT 1 FROM source_records WHERE persona_id = ?1 AND integration = ?2 LIMIT 1",
                params![persona_id, integration.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if known {
            continue;
        }
        let market_rule =
            crate::pos::capabilities(integration).shopper_state && settings.sync_to_relevant_market;
        let Some((credential_id, store_key)) =
            push_target(tx, integration, signup_store.as_ref(), market_rule)?
        else {
            tracing::info!(persona_id, ?integration, "no key to push this signup to");
            continue;
        };
        tx.execute(
            "INSERT INTO outbox (integration, credential_id, store_key, persona_id, action, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'create_customer', 'pending', ?5, ?5)",
            params![integration.as_str(), credential_id, store_key, persona_id, now],
        )?;
        queued += 1;
    }
    Ok(queued)
}

/// The credential and store key a signup is pushed to (see [`enqueue_for_signup`]).
fn push_target(
    tx: &Transaction<'_>,
    integration: Integration,
    signup_store: Option<&(i64, String)>,
    market_rule: bool,
) -> Result<Option<(String, String)>> {
    let mut keys = Vec::new();
    for credential in credentials::active(tx, integration)? {
        let in_market = credential.market.as_deref().is_none_or(|market| {
            signup_store.is_some_and(|(_, state)| state.eq_ignore_ascii_case(market))
        });
        if market_rule && !in_market {
            continue;
        }
        for key in credential.store_keys() {
            keys.push((credential.id.clone(), key.key));
        }
    }
    let mapped_to_signup_store = |key: &str| -> Result<bool> {
        let Some((store, _)) = signup_store else {
            return Ok(false);
        };
        Ok(tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM store_mappings WHERE key_id = ?1 AND store_id = ?2)",
            params![key, store],
            |r| r.get(0),
        )?)
    };
    for (credential_id, key) in &keys {
        if mapped_to_signup_store(key)? {
            return Ok(Some((credential_id.clone(), key.clone())));
        }
    }
    Ok(keys.into_iter().next())
}

/// What one push round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushSummary {
    /// Customers created in the POS.
    pub created: u32,
    /// Shoppers the POS already had: linked, not created again.
    pub matched: u32,
    /// Pushes given up (the message is on the outbox row).
    pub failed: u32,
    /// Pushes left for the next round (a transient failure).
    pub pending: u32,
}

/// A pending push with the persona's contact fields.
struct Pending {
    id: i64,
    credential_id: String,
    store_key: String,
    attempts: i64,
    shopper: NewShopper,
}

fn pending(db: &Database, integration: Integration) -> Result<Vec<Pending>> {
    db.read(|c| {
        let mut statement = c.prepare(
            "SELECT o.id, o.credential_id, o.store_key, o.attempts, p.first_name, p.last_name, p.phone_e164, p.email, p.birth_date
             FROM outbox o JOIN personas p ON p.id = o.persona_id
             WHERE o.status = 'pending' AND o.integration = ?1 ORDER BY o.id LIMIT 500",
        )?;
        let rows = statement.query_map([integration.as_str()], |r| {
            Ok(Pending {
                id: r.get(0)?,
                credential_id: r.get(1)?,
                store_key: r.get(2)?,
                attempts: r.get(3)?,
                shopper: NewShopper {
                    first_name: r.get(4)?,
                    last_name: r.get(5)?,
                    phone: r.get(6)?,
                    email: r.get(7)?,
                    birth_date: r.get(8)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// Looks the shopper up, then creates them when nobody matches: `(POS id, "matched" | "created")`.
async fn push(
    connector: &dyn Connector,
    secret: &Secret,
    entry: &Pending,
) -> Result<(String, &'static str)> {
    let location = location_of(&entry.store_key);
    if let Some(id) = connector
        .find_shopper(secret, location, &entry.shopper)
        .await?
    {
        return Ok((id, "matched"));
    }
    let id = connector
        .create_shopper(secret, location, &entry.shopper)
        .await?;
    Ok((id, "created"))
}

fn record(
    db: &Database,
    id: i64,
    status: &str,
    attempts: i64,
    pos_id: Option<&str>,
    outcome: &str,
) -> Result<()> {
    let (status, pos_id, outcome) = (
        status.to_string(),
        pos_id.map(str::to_string),
        outcome.to_string(),
    );
    db.write(|tx| {
        tx.execute(
            "UPDATE outbox SET status = ?2, attempts = ?3, pos_id = coalesce(?4, pos_id), outcome = ?5, updated_at = ?6 WHERE id = ?1",
            params![id, status, attempts, pos_id, outcome, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    })
}

/// Pushes the pending creates of `integration`, each with retries; a refused credential or an
/// answer the POS will never accept marks the push failed with the reason.
pub async fn push_pending(
    db: &Database,
    secrets: &dyn SecretStore,
    clients: &PosClients,
    policy: &RetryPolicy,
    integration: Integration,
) -> Result<PushSummary> {
    let mut summary = PushSummary::default();
    let entries = pending(db, integration)?;
    if entries.is_empty() {
        return Ok(summary);
    }
    let credentials = credentials::list(db, integration)?;
    let connector = clients.connector(integration);
    let mut pacer = Pacer::new(policy);
    for entry in entries {
        let attempts = entry.attempts + 1;
        let secret = credentials
            .iter()
            .find(|c| c.id == entry.credential_id)
            .ok_or_else(|| Error::validation("The credential this push was for has been removed."))
            .and_then(|c| credentials::secret_of(secrets, c));
        let secret = match secret {
            Ok(secret) => secret,
            Err(error) => {
                record(db, entry.id, "failed", attempts, None, &error.message)?;
                summary.failed += 1;
                continue;
            }
        };
        let (result, _) = with_retries(policy, &mut pacer, || {
            push(connector.as_ref(), &secret, &entry)
        })
        .await;
        match result {
            Ok((pos_id, outcome)) => {
                record(db, entry.id, "done", attempts, Some(&pos_id), outcome)?;
                tracing::info!(
                    push = entry.id,
                    ?integration,
                    outcome,
                    "POS customer push done"
                );
                if outcome == "created" {
                    summary.created += 1;
                } else {
                    summary.matched += 1;
                }
            }
            Err(error) if error.is_transient() && attempts < MAX_ATTEMPTS => {
                record(db, entry.id, "pending", attempts, None, &error.message)?;
                summary.pending += 1;
            }
            Err(error) => {
                record(db, entry.id, "failed", attempts, None, &error.message)?;
                summary.failed += 1;
            }
        }
    }
    Ok(summary)
}
