//! Shoppers' replies: read after a cursor, read for what they mean ([`keywords`]), applied to the
//! phone — a stop suppresses it and opts out every persona with it, even a number Canopy does not
//! know; START lifts that; an unclear reply holds it for review — and answered (one answer per
//! reply, queued for [`super::delivery`]).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Transaction};
use serde_json::json;

use super::texts::{body, sender_of};
use super::{queue, NewText, SmsRun};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::base::identity::normalize_phone;
use crate::base::pos_kind::Integration;
use crate::consent::keywords::{classify, Reply};
use crate::consent::opt_out::{
    hold_for_review, is_suppressed, lift_phone, may_text, opt_out_phone, personas_with_phone,
    resubscribe, suppress, Hold,
};
use crate::consent::rules::on_reply;
use crate::consent::sms::{IncomingSms, MessageKind, SmsGateway};
use crate::consent::{self, Change, ConsentChannel, ConsentEventKind, ConsentSource};
use crate::storage::app_settings;
use crate::storage::db::Database;

/// The `app_settings` key of the last reply read.
const REPLY_CURSOR_KEY: &str = "sms.replies_after";

/// How long after a stop its confirmation may still leave (FCC: within five minutes, or never).
pub const OPT_OUT_CONFIRMATION_WINDOW: Duration = Duration::minutes(5);

/// Reads and applies the replies after the stored cursor, queueing their answers.
pub(super) async fn read_replies(
    db: &Database,
    gateway: &dyn SmsGateway,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<()> {
    let after = db
        .read_async(|c| app_settings::get(c, REPLY_CURSOR_KEY))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let replies = gateway.replies_after(after).await?;
    let Some(last) = replies.last().map(|r| r.id) else {
        return Ok(());
    };
    run.replies = replies.len() as u32;
    let counts = db
        .write_async(move |tx| {
            let mut counts = SmsRun::default();
            for reply in &replies {
                apply(tx, reply, now, &mut counts)?;
            }
            app_settings::put(tx, REPLY_CURSOR_KEY, Some(&last.to_string()))?;
            Ok(counts)
        })
        .await?;
    run.confirmed = counts.confirmed;
    run.opted_out = counts.opted_out;
    run.held_for_review = counts.held_for_review;
    Ok(())
}

/// Applies one reply.
fn apply(
    tx: &Transaction<'_>,
    reply: &IncomingSms,
    now: DateTime<Utc>,
    counts: &mut SmsRun,
) -> Result<()> {
    let meaning = classify(&reply.body);
    let text = reply.body.trim();
    let received = reply
        .received_at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map_or(now, |at| at.with_timezone(&Utc));
    let stamp_now = db_timestamp(now);
    let evidence =
        json!({ "reply": reply.id, "text": text, "received_at": db_timestamp(received) });
    let Some(phone) = normalize_phone(&reply.from) else {
        // A number Canopy cannot text: a stop is still kept, under the sender as the gateway gave it.
        if meaning == Reply::Stop {
            let detail = format!("Replied stop (“{text}”) from a number that is not a US phone");
            suppress(
                tx,
                ConsentChannel::Sms,
                reply.from.trim(),
                Hold::OptOut,
                ConsentSource::SmsReply,
                &detail,
                &stamp_now,
            )?;
            counts.opted_out += 1;
        }
        return Ok(());
    };
    let personas = personas_with_phone(tx, &phone)?;
    let answer = |tx: &Transaction<'_>, kind, expires_at| -> Result<()> {
        let persona = personas.first().copied();
        let sender = sender_of(tx, persona)?;
        queue(
            tx,
            &NewText {
                persona,
                kind,
                integration: None,
                phone: &phone,
                body: &body(kind, &sender),
                expires_at,
            },
            &stamp_now,
        )?;
        Ok(())
    };
    match meaning {
        Reply::Help => {
            if may_text(tx, &phone)? {
                answer(tx, MessageKind::Help, None)?;
            }
        }
        Reply::Stop => {
            let already = is_suppressed(tx, ConsentChannel::Sms, &phone)? && !may_text(tx, &phone)?;
            let detail = format!("Replied stop (“{text}”)");
            opt_out_phone(
                tx,
                &phone,
                ConsentSource::SmsReply,
                &detail,
                Some(&evidence),
                &stamp_now,
            )?;
            counts.opted_out += 1;
            if !already {
                let expires = db_timestamp(received + OPT_OUT_CONFIRMATION_WINDOW);
                answer(tx, MessageKind::OptOutConfirmation, Some(expires))?;
            }
        }
        Reply::Start => {
            let stopped = !may_text(tx, &phone)?;
            let detail = format!("Replied START (“{text}”): rejoined by the shopper's own act");
            if stopped {
                for &persona in &personas {
                    let change = Change {
                        channel: ConsentChannel::Sms,
                        event: ConsentEventKind::Resubscribed,
                        source: ConsentSource::SmsReply,
                        detail: &detail,
                        evidence: Some(&evidence),
                    };
                    resubscribe(tx, persona, &phone, change, &stamp_now)?;
                }
                lift_phone(tx, &phone, &detail, &stamp_now)?;
                answer(tx, MessageKind::StartConfirmation, None)?;
            } else {
                record_for_each(
                    tx,
                    &personas,
                    ConsentEventKind::Ignored,
                    "Replied START but was not opted out",
                    &evidence,
                    &stamp_now,
                )?;
            }
        }
        Reply::MaybeStop => {
            if may_text(tx, &phone)? {
                let detail =
                    format!("Replied “{text}”, which may mean stop: no texts until it is reviewed");
                hold_for_review(tx, &phone, &detail, Some(&evidence), &stamp_now)?;
                counts.held_for_review += 1;
            }
        }
        Reply::Yes | Reply::Other => {
            let mut confirmed = false;
            for &persona in &personas {
                let transition = on_reply(consent::sms_state(tx, persona)?, meaning);
                consent::set_sms_state(tx, persona, transition.to)?;
                let detail = format!("{} (“{text}”)", transition.detail);
                consent::record(
                    tx,
                    persona,
                    Change {
                        channel: ConsentChannel::Sms,
                        event: transition.event,
                        source: ConsentSource::SmsReply,
                        detail: &detail,
                        evidence: Some(&evidence),
                    },
                    &stamp_now,
                )?;
                if transition.event == ConsentEventKind::Confirmed {
                    counts.confirmed += 1;
                    confirmed = true;
                    if let Some(integration) = last_request_integration(tx, &phone)? {
                        consent::join_through_sms(tx, persona, integration)?;
                    }
                }
            }
            if confirmed {
                answer(tx, MessageKind::Confirmation, None)?;
            }
        }
    }
    Ok(())
}

/// Records the same event for each persona.
fn record_for_each(
    tx: &Transaction<'_>,
    personas: &[i64],
    event: ConsentEventKind,
    detail: &str,
    evidence: &serde_json::Value,
    now: &str,
) -> Result<()> {
    for &persona in personas {
        consent::record(
            tx,
            persona,
            Change {
                channel: ConsentChannel::Sms,
                event,
                source: ConsentSource::SmsReply,
                detail,
                evidence: Some(evidence),
            },
            now,
        )?;
    }
    Ok(())
}

/// The integration whose setting sent the latest request to `phone`.
fn last_request_integration(tx: &Transaction<'_>, phone: &str) -> Result<Option<Integration>> {
    Ok(tx
        .prepare_cached(
            "SELECT integration FROM sms_messages WHERE phone_e164 = ?1 AND kind = 'opt_in_request' AND status = 'sent'
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([phone], |r| r.get(0))
        .optional()?)
}
