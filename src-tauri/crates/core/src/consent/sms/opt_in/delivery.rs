//! Handing queued texts to the gateway, one at a time, each checked at the moment it leaves with
//! the clock read again: consent and the suppression list, the recipient's hours in every place
//! they may be, the state's daily cap, and an opt-out confirmation's five minutes. A text whose
//! earlier answer was lost is looked up at the gateway before it is tried again (same key), a
//! refused text is given up after [`MAX_REFUSALS`], and one refused number never holds up the rest.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::texts::store_of;
use super::SmsRun;
use crate::base::clock::{db_timestamp, Clock};
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::consent::opt_out::may_text;
use crate::consent::quiet_hours::{may_send_at, per_24_hours, places_for, HANDOFF_MARGIN};
use crate::consent::sms::{MessageKind, OutgoingSms, SendFailure, SmsGateway};
use crate::consent::{self, Change, ConsentChannel, ConsentEventKind, ConsentSource, SmsConsent};
use crate::storage::db::Database;

/// How many times the gateway may refuse a text before Canopy gives it up.
pub const MAX_REFUSALS: i64 = 3;

/// A queued text.
#[derive(Debug, Clone)]
struct Queued {
    id: i64,
    persona: Option<i64>,
    kind: MessageKind,
    phone: String,
    body: String,
    key: String,
    outcome_unknown: bool,
    expires_at: Option<String>,
}

/// What the moment allows for a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Hand it over now.
    Send,
    /// Not now: outside the recipient's hours.
    OutsideHours,
    /// Not now: the recipient's state allows no more texts today.
    OverDailyCap,
    /// Not now: where the recipient is cannot be told.
    NoPlace,
    /// Never: consent no longer allows it.
    Cancelled,
    /// Never: an opt-out confirmation past its five minutes.
    Expired,
}

/// Whether the loop goes on after a text.
enum Flow {
    Next,
    Stop,
}

/// Hands every queued text the moment allows to the gateway: answers first, then requests.
pub(super) async fn deliver_queued(
    db: &Database,
    gateway: &dyn SmsGateway,
    clock: &dyn Clock,
    run: &mut SmsRun,
) -> Result<()> {
    for text in db.read_async(open_texts).await? {
        if let Flow::Stop = deliver(db, gateway, clock, text, run).await? {
            break;
        }
    }
    Ok(())
}

/// The texts still to go, answers before requests.
fn open_texts(c: &Connection) -> Result<Vec<Queued>> {
    let mut statement = c.prepare(
        "SELECT id, persona_id, kind, phone_e164, body, idempotency_key, status IN ('sending', 'unknown'), expires_at
         FROM sms_messages
         WHERE status IN ('queued', 'sending', 'unknown') OR (status = 'failed' AND attempts < ?1)
         ORDER BY kind = 'opt_in_request', id",
    )?;
    let rows = statement.query_map([MAX_REFUSALS], |r| {
        Ok(Queued {
            id: r.get(0)?,
            persona: r.get(1)?,
            kind: r.get(2)?,
            phone: r.get(3)?,
            body: r.get(4)?,
            key: r.get(5)?,
            outcome_unknown: r.get(6)?,
            expires_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

async fn deliver(
    db: &Database,
    gateway: &dyn SmsGateway,
    clock: &dyn Clock,
    text: Queued,
    run: &mut SmsRun,
) -> Result<Flow> {
    if text.outcome_unknown {
        match gateway.find(&text.key).await {
            Ok(Some(gateway_id)) => {
                record_sent(db, &text, gateway_id, clock.now(), run).await?;
                return Ok(Flow::Next);
            }
            Ok(None) => {}
            Err(error) => {
                run.error = Some(error);
                return Ok(Flow::Next);
            }
        }
    }
    let now = clock.now();
    let checked = text.clone();
    let verdict = db.read_async(move |c| verdict(c, &checked, now)).await?;
    match verdict {
        Verdict::Send => {}
        Verdict::OutsideHours => {
            run.waiting_for_window += 1;
            return Ok(Flow::Next);
        }
        Verdict::OverDailyCap => {
            run.waiting_for_cap += 1;
            return Ok(Flow::Next);
        }
        Verdict::NoPlace => {
            run.no_place += 1;
            return Ok(Flow::Next);
        }
        Verdict::Cancelled | Verdict::Expired => {
            let status = if verdict == Verdict::Expired {
                "expired"
            } else {
                "cancelled"
            };
            run.expired += u32::from(verdict == Verdict::Expired);
            let id = text.id;
            db.write_async(move |tx| {
                Ok(tx.execute(
                    "UPDATE sms_messages SET status = ?2 WHERE id = ?1",
                    params![id, status],
                )?)
            })
            .await?;
            return Ok(Flow::Next);
        }
    }
    let id = text.id;
    db.write_async(move |tx| {
        Ok(tx.execute(
            "UPDATE sms_messages SET status = 'sending' WHERE id = ?1",
            [id],
        )?)
    })
    .await?;
    let sent = gateway
        .send(OutgoingSms {
            to: &text.phone,
            body: &text.body,
            key: &text.key,
        })
        .await;
    match sent {
        Ok(gateway_id) => {
            record_sent(db, &text, gateway_id, now, run).await?;
            Ok(Flow::Next)
        }
        Err(error) => {
            let failure = SendFailure::of(&error);
            let message = error.message.clone();
            tracing::warn!(id, ?failure, "SMS not sent: {message}");
            let given_up = db
                .write_async(move |tx| record_failure(tx, id, failure, &message))
                .await?;
            match failure {
                SendFailure::Refused if given_up => run.given_up += 1,
                SendFailure::Refused => run.failed += 1,
                SendFailure::Unauthorized | SendFailure::Unknown => {}
            }
            run.error = Some(error);
            Ok(match failure {
                SendFailure::Unauthorized => Flow::Stop,
                SendFailure::Refused | SendFailure::Unknown => Flow::Next,
            })
        }
    }
}

/// Records a failed send; returns whether the text is given up.
fn record_failure(
    tx: &Transaction<'_>,
    id: i64,
    failure: SendFailure,
    message: &str,
) -> Result<bool> {
    match failure {
        SendFailure::Refused => {
            tx.execute(
                "UPDATE sms_messages SET attempts = attempts + 1, error = ?2,
                   status = CASE WHEN attempts + 1 >= ?3 THEN 'given_up' ELSE 'failed' END
                 WHERE id = ?1",
                params![id, message, MAX_REFUSALS],
            )?;
            Ok(tx.query_row(
                "SELECT status = 'given_up' FROM sms_messages WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?)
        }
        SendFailure::Unauthorized => {
            tx.execute(
                "UPDATE sms_messages SET status = 'failed', error = ?2 WHERE id = ?1",
                params![id, message],
            )?;
            Ok(false)
        }
        SendFailure::Unknown => {
            tx.execute(
                "UPDATE sms_messages SET status = 'unknown', error = ?2 WHERE id = ?1",
                params![id, message],
            )?;
            Ok(false)
        }
    }
}

/// Records a text the gateway has; a request moves its personas to `requested`.
async fn record_sent(
    db: &Database,
    text: &Queued,
    gateway_id: String,
    at: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<()> {
    let (id, stamp) = (text.id, db_timestamp(at));
    db.write_async(move |tx| {
        tx.execute(
            "UPDATE sms_messages SET status = 'sent', gateway_id = ?2, sent_at = ?3, error = NULL WHERE id = ?1",
            params![id, gateway_id, stamp],
        )?;
        mark_requested(tx, id, &stamp)
    })
    .await?;
    match text.kind {
        MessageKind::OptInRequest => run.requested += 1,
        _ => run.answered += 1,
    }
    Ok(())
}

/// What the moment `now` allows for `text`.
fn verdict(c: &Connection, text: &Queued, now: DateTime<Utc>) -> Result<Verdict> {
    if let Some(expires_at) = &text.expires_at {
        if db_timestamp(now + HANDOFF_MARGIN) > *expires_at {
            return Ok(Verdict::Expired);
        }
    }
    let consented = match text.kind {
        // The one answer to a stop goes to the phone that just opted out.
        MessageKind::OptOutConfirmation => true,
        MessageKind::OptInRequest => {
            let state = match text.persona {
                Some(persona) => consent::sms_state(c, persona)?,
                None => SmsConsent::OptedOut,
            };
            matches!(state, SmsConsent::None | SmsConsent::Requested) && may_text(c, &text.phone)?
        }
        MessageKind::Confirmation | MessageKind::StartConfirmation | MessageKind::Help => {
            may_text(c, &text.phone)?
        }
    };
    if !consented {
        return Ok(Verdict::Cancelled);
    }
    let store = store_of(c, text.persona)?;
    let places = places_for(
        &text.phone,
        &address_states(c, &text.phone)?,
        store
            .as_ref()
            .map(|s| (s.state.as_str(), s.timezone.as_str())),
    );
    if places.is_empty() {
        return Ok(Verdict::NoPlace);
    }
    if !may_send_at(&places, now) {
        return Ok(Verdict::OutsideHours);
    }
    if let Some(cap) = per_24_hours(&places) {
        if text.kind != MessageKind::OptOutConfirmation
            && texts_in_last_day(c, &text.phone, now)? >= i64::from(cap)
        {
            return Ok(Verdict::OverDailyCap);
        }
    }
    Ok(Verdict::Send)
}

/// The address states the POS gave for the personas with `phone`.
fn address_states(c: &Connection, phone: &str) -> Result<Vec<String>> {
    let mut statement = c.prepare_cached(
        "SELECT DISTINCT address_state FROM personas WHERE phone_e164 = ?1 AND address_state IS NOT NULL",
    )?;
    let rows = statement.query_map([phone], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The texts handed to the gateway for `phone` in the 24 hours before `now`.
fn texts_in_last_day(c: &Connection, phone: &str, now: DateTime<Utc>) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM sms_messages
         WHERE phone_e164 = ?1 AND status IN ('sending', 'unknown', 'sent') AND coalesce(sent_at, created_at) > ?2",
    )?
    .query_row(params![phone, db_timestamp(now - Duration::hours(24))], |r| r.get(0))?)
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
    for persona in crate::consent::opt_out::personas_with_phone(tx, &phone)? {
        if consent::sms_state(tx, persona)? != SmsConsent::None {
            continue;
        }
        tx.execute(
            "UPDATE personas SET sms_consent = 'requested' WHERE id = ?1",
            [persona],
        )?;
        consent::record(
            tx,
            persona,
            Change {
                channel: ConsentChannel::Sms,
                event: ConsentEventKind::Requested,
                source: ConsentSource::sms_opt_in(integration),
                detail: "Double opt-in request sent",
                evidence: None,
            },
            now,
        )?;
    }
    Ok(())
}
