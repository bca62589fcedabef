//! The SMS double opt-in job. It reads the shoppers' replies first (so a STOP lands before anything
//! else is sent), answers them ([`replies`]), then sends each phone the setting reaches one request
//! ([`requests`]): a sale through the integration on or after the setting's date, not opted in or
//! out, fewer than the configured requests so far, and only between 8 am and 9 pm in the store's
//! time zone (otherwise it waits for the window). A message row is written before the gateway is
//! called, so a crash never texts anyone twice.

mod replies;
mod requests;
mod status;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::SmsGateway;
use crate::base::clock::db_timestamp;
use crate::base::error::{Error, Result};
use crate::base::pos_kind::Integration;
use crate::consent::{self, ConsentChannel, ConsentEventKind, ConsentSource, SmsConsent};
use crate::storage::db::Database;

pub use requests::in_window;
pub(crate) use requests::request_eligibility_sql;
pub use status::{status, SmsStatus};

/// What one run of the job did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SmsRun {
    /// Replies read.
    pub replies: u32,
    /// Personas who confirmed (YES).
    pub confirmed: u32,
    /// Personas who opted out (STOP).
    pub opted_out: u32,
    /// Opt-in requests sent.
    pub requested: u32,
    /// Requests waiting for 8 am – 9 pm in the store's time zone.
    pub waiting_for_window: u32,
    /// Requests waiting because the shopper's store is not known (map the store key).
    pub no_store: u32,
    /// Texts the gateway refused; the requests are tried again on the next run.
    pub failed: u32,
    /// The gateway's last error, when a text failed.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// Runs the job at `now`: answers that failed before, replies and their answers, then the requests
/// the window allows.
pub async fn run(db: &Database, gateway: &dyn SmsGateway, now: DateTime<Utc>) -> Result<SmsRun> {
    let mut run = SmsRun::default();
    let mut answers = db
        .read_async(|c| {
            let mut statement = c.prepare(
                "SELECT id FROM sms_messages WHERE kind != 'opt_in_request' AND status = 'failed' ORDER BY id",
            )?;
            let ids = statement.query_map([], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
        })
        .await?;
    answers.extend(replies::read_replies(db, gateway, now, &mut run).await?);
    for id in answers {
        if !deliver(db, gateway, id, now, &mut run).await {
            break;
        }
    }
    requests::send_requests(db, gateway, now, &mut run).await?;
    Ok(run)
}

fn personas_with_phone(tx: &Transaction<'_>, phone: &str) -> Result<Vec<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM personas WHERE phone_e164 = ?1")?
        .query_map([phone], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Writes a message row in state `sending` and returns its id.
fn queue(
    tx: &Transaction<'_>,
    persona: i64,
    kind: &str,
    integration: Option<&str>,
    phone: &str,
    body: &str,
    now: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO sms_messages (persona_id, kind, integration, phone_e164, body, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6)",
    )?
    .execute(params![persona, kind, integration, phone, body, now])?;
    Ok(tx.last_insert_rowid())
}

/// Sends the queued message `id` and records the outcome; a sent request moves the persona to
/// `requested`. Returns false when the gateway failed (the caller stops sending for this run).
async fn deliver(
    db: &Database,
    gateway: &dyn SmsGateway,
    id: i64,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> bool {
    let message = db
        .read_async(move |c| {
            Ok(c.query_row(
                "SELECT phone_e164, body FROM sms_messages WHERE id = ?1",
                [id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?)
        })
        .await;
    let sent = match message {
        Ok((phone, body)) => gateway.send(&phone, &body).await,
        Err(error) => Err(error),
    };
    let stamp_now = db_timestamp(now);
    let outcome = sent.clone();
    let recorded = db
        .write_async(move |tx| {
            match &outcome {
                Ok(gateway_id) => {
                    tx.execute(
                        "UPDATE sms_messages SET status = 'sent', gateway_id = ?2, sent_at = ?3, error = NULL WHERE id = ?1",
                        params![id, gateway_id, stamp_now],
                    )?;
                    mark_requested(tx, id, &stamp_now)?;
                }
                Err(error) => {
                    tx.execute(
                        "UPDATE sms_messages SET status = 'failed', error = ?2 WHERE id = ?1",
                        params![id, error.message],
                    )?;
                }
            }
            Ok(())
            })
        .await;
    if let Err(error) = recorded {
        tracing::warn!(id, "could not record an SMS outcome: {}", error.message);
    }
    match sent {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(id, "SMS not sent: {}", error.message);
            run.failed += 1;
            run.error = Some(error);
            false
        }
    }
}

/// After a request was sent: every persona with that phone is `requested` (unless it moved on)
/// and its history says so.
fn mark_requested(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let request: Option<(String, Integration)> = tx
        .query_row(
            "SELECT phone_e164, integration FROM sms_messages WHERE id = ?1 AND kind = 'opt_in_request'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((phone, integration)) = request else {
        return Ok(());
    };
    for persona in personas_with_phone(tx, &phone)? {
        if consent::sms_state(tx, persona)? == SmsConsent::OptedOut {
            continue;
        }
        tx.execute(
            "UPDATE personas SET sms_consent = 'requested' WHERE id = ?1 AND sms_consent = 'none'",
            [persona],
        )?;
        consent::record(
            tx,
            persona,
            ConsentChannel::Sms,
            ConsentEventKind::Requested,
            ConsentSource::sms_opt_in(integration),
            "Double opt-in request sent",
            now,
        )?;
    }
    Ok(())
}
