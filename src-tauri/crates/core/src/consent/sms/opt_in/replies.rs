//! Shoppers' replies: read after a cursor, applied by the consent rules to every persona with the
//! phone, and answered (one answer per reply).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};

use super::{personas_with_phone, queue, SmsRun};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::consent::sms::SmsGateway;
use crate::consent::{self, ConsentChannel, ConsentEventKind, ConsentSource};
use crate::storage::app_settings;
use crate::storage::db::Database;

/// The `app_settings` key of the last reply read.
const REPLY_CURSOR_KEY: &str = "sms.replies_after";
/// Who signs texts when the persona has no store.
const FALLBACK_SENDER: &str = "Canopy";

/// Reads and applies the replies after the stored cursor; returns the answers queued.
pub(super) async fn read_replies(
    db: &Database,
    gateway: &dyn SmsGateway,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<Vec<i64>> {
    let after = db
        .read_async(|c| app_settings::get(c, REPLY_CURSOR_KEY))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let replies = gateway.replies_after(after).await?;
    let Some(last) = replies.last().map(|r| r.id) else {
        return Ok(Vec::new());
    };
    run.replies = replies.len() as u32;
    let stamp_now = db_timestamp(now);
    let (answers, confirmed, opted_out) = db
        .write_async(move |tx| {
            let (mut answers, mut confirmed, mut opted_out) = (Vec::new(), 0, 0);
            // A phone shared by several personas gets one answer per reply.
            let mut answered = std::collections::HashSet::new();
            for reply in &replies {
                let Some(phone) = crate::base::identity::normalize_phone(&reply.from) else {
                    continue;
                };
                for persona in personas_with_phone(tx, &phone)? {
                    let transition = consent::on_reply(
                        consent::sms_state(tx, persona)?,
                        consent::classify(&reply.body),
                    );
                    consent::set_sms_state(tx, persona, transition.to)?;
                    let detail = format!("{} (“{}”)", transition.detail, reply.body.trim());
                    consent::record(
                        tx,
                        persona,
                        ConsentChannel::Sms,
                        transition.event,
                        ConsentSource::SmsReply,
                        &detail,
                        &stamp_now,
                    )?;
                    match transition.event {
                        ConsentEventKind::Confirmed => {
                            confirmed += 1;
                            if let Some(integration) = last_request_integration(tx, &phone)? {
                                consent::join_through_sms(tx, persona, integration)?;
                            }
                        }
                        ConsentEventKind::OptedOut => opted_out += 1,
                        _ => {}
                    }
                    if let Some(kind) = transition
                        .answer
                        .filter(|kind| answered.insert((reply.id, *kind)))
                    {
                        answers.push(queue(
                            tx,
                            persona,
                            kind,
                            None,
                            &phone,
                            &answer_text(tx, persona, kind)?,
                            &stamp_now,
                        )?);
                    }
                }
            }
            app_settings::put(tx, REPLY_CURSOR_KEY, Some(&last.to_string()))?;
            Ok((answers, confirmed, opted_out))
        })
        .await?;
    run.confirmed = confirmed;
    run.opted_out = opted_out;
    Ok(answers)
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

/// The store that signs a persona's texts: the favorite store, else "Canopy".
fn sender(tx: &Transaction<'_>, persona: i64) -> Result<String> {
    Ok(tx
        .prepare_cached(
            "SELECT rs.name FROM personas p JOIN retail_stores rs ON rs.id = p.favorite_store_id WHERE p.id = ?1",
        )?
        .query_row([persona], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| FALLBACK_SENDER.to_string()))
}

fn answer_text(tx: &Transaction<'_>, persona: i64, kind: &str) -> Result<String> {
    let store = sender(tx, persona)?;
    Ok(if kind == "confirmation" {
        format!("{store}: You're in! You'll get texts about deals and your loyalty rewards. Reply STOP to opt out.")
    } else {
        format!("{store}: You're unsubscribed and will get no more texts from us.")
    })
}
