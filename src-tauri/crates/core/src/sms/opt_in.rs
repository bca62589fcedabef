//! The SMS double opt-in job. It reads the shoppers' replies first (so a STOP lands before anything
//! else is sent), answers them, then sends each persona the setting reaches one request: a phone, a
//! sale through the integration on or after the setting's date, not opted in or out, fewer than the
//! configured requests so far, and only between 8 am and 9 pm in the store's time zone (otherwise it
//! waits for the window). A message row is written before the gateway is called, so a crash never
//! texts anyone twice.

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::SmsGateway;
use crate::app_settings;
use crate::consent::{self, SmsConsent};
use crate::credentials::Integration;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::sync::stamp;

/// The `app_settings` key of the last reply read.
const REPLY_CURSOR_KEY: &str = "sms.replies_after";
/// The first hour requests may be sent, store time.
const WINDOW_OPENS: u32 = 8;
/// The hour requests stop, store time.
const WINDOW_CLOSES: u32 = 21;
/// Who signs texts when the persona has no store.
const FALLBACK_SENDER: &str = "Canopy";

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

/// The condition (on persona `pe`, integration `?1`) that a persona may still get a request from
/// that integration's setting: a phone, not opted in or out, no request sent to that phone by this
/// setting, fewer than `max_requests` to that phone in all. Requests go to phones: personas who
/// share one (a family) are asked once. Shared with the dry run.
pub(crate) fn may_get_request(max_requests: i64) -> String {
    format!(
        "pe.phone_e164 IS NOT NULL AND pe.sms_consent IN ('none', 'requested')
         AND NOT EXISTS (SELECT 1 FROM sms_messages m WHERE m.phone_e164 = pe.phone_e164 AND m.kind = 'opt_in_request'
                         AND m.integration = ?1 AND m.status != 'failed')
         AND (SELECT count(*) FROM sms_messages m WHERE m.phone_e164 = pe.phone_e164 AND m.kind = 'opt_in_request'
              AND m.status != 'failed') < {max_requests}"
    )
}

/// Runs the job at `now`: answers that failed before, replies and their answers, then the requests
/// the window allows.
pub async fn run(db: &Database, gateway: &dyn SmsGateway, now: DateTime<Utc>) -> Result<SmsRun> {
    let mut run = SmsRun::default();
    let mut answers = db
        .off_thread(|db| {
            db.read(|c| {
                let mut statement = c.prepare(
                    "SELECT id FROM sms_messages WHERE kind != 'opt_in_request' AND status = 'failed' ORDER BY id",
                )?;
                let ids = statement.query_map([], |r| r.get(0))?;
                Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
            })
        })
        .await?;
    answers.extend(read_replies(db, gateway, now, &mut run).await?);
    for id in answers {
        if !deliver(db, gateway, id, now, &mut run).await {
            break;
        }
    }
    send_requests(db, gateway, now, &mut run).await?;
    Ok(run)
}

/// Reads and applies the replies after the stored cursor; returns the answers queued.
async fn read_replies(
    db: &Database,
    gateway: &dyn SmsGateway,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<Vec<i64>> {
    let after = db
        .off_thread(|db| db.read(|c| app_settings::get(c, REPLY_CURSOR_KEY)))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let replies = gateway.replies_after(after).await?;
    let Some(last) = replies.last().map(|r| r.id) else {
        return Ok(Vec::new());
    };
    run.replies = replies.len() as u32;
    let stamp_now = stamp(now);
    let (answers, confirmed, opted_out) = db
        .off_thread(move |db| {
            db.write(|tx| {
                let (mut answers, mut confirmed, mut opted_out) = (Vec::new(), 0, 0);
                // A phone shared by several personas gets one answer per reply.
                let mut answered = std::collections::HashSet::new();
                for reply in &replies {
                    let Some(phone) = crate::identity::normalize_phone(&reply.from) else {
                        continue;
                    };
                    for persona in personas_with_phone(tx, &phone)? {
                        let transition = consent::on_reply(
                            consent::sms_state(tx, persona)?,
                            consent::classify(&reply.body),
                        );
                        tx.prepare_cached("UPDATE personas SET sms_consent = ?2 WHERE id = ?1")?
                            .execute(params![persona, transition.to.as_str()])?;
                        let detail = format!("{} (“{}”)", transition.detail, reply.body.trim());
                        consent::record(
                            tx,
                            persona,
                            "sms",
                            transition.event,
                            "sms_reply",
                            &detail,
                            &stamp_now,
                        )?;
                        match transition.event {
                            "confirmed" => {
                                confirmed += 1;
                                if let Some(integration) = last_request_integration(tx, &phone)? {
                                    consent::join_through_sms(tx, persona, &integration)?;
                                }
                            }
                            "opted_out" => opted_out += 1,
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
        })
        .await?;
    run.confirmed = confirmed;
    run.opted_out = opted_out;
    Ok(answers)
}

fn personas_with_phone(tx: &Transaction<'_>, phone: &str) -> Result<Vec<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM personas WHERE phone_e164 = ?1")?
        .query_map([phone], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The integration whose setting sent the latest request to `phone`.
fn last_request_integration(tx: &Transaction<'_>, phone: &str) -> Result<Option<String>> {
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

fn request_text(store: &str) -> String {
    format!(
        "{store}: Reply YES to get texts about deals and your loyalty rewards. Msg & data rates may apply. Reply STOP to opt out."
    )
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
        .off_thread(move |db| {
            db.read(|c| {
                Ok(c.query_row(
                    "SELECT phone_e164, body FROM sms_messages WHERE id = ?1",
                    [id],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )?)
            })
        })
        .await;
    let sent = match message {
        Ok((phone, body)) => gateway.send(&phone, &body).await,
        Err(error) => Err(error),
    };
    let stamp_now = stamp(now);
    let outcome = sent.clone();
    let recorded = db
        .off_thread(move |db| {
            db.write(|tx| {
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
    let request: Option<(String, String)> = tx
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
            "sms",
            "requested",
            &format!("sms_opt_in:{integration}"),
            "Double opt-in request sent",
            now,
        )?;
    }
    Ok(())
}

/// A persona the setting reaches, with the store whose clock and name apply.
struct Candidate {
    persona: i64,
    phone: String,
    store: Option<(String, String)>,
}

/// Sends the requests every SMS opt-in setting allows now.
async fn send_requests(
    db: &Database,
    gateway: &dyn SmsGateway,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<()> {
    for integration in [Integration::Posabit, Integration::Greenbits] {
        let candidates = db.off_thread(move |db| candidates(db, integration)).await?;
        for candidate in candidates {
            let Some((store, timezone)) = candidate.store else {
                run.no_store += 1;
                continue;
            };
            if !in_window(&timezone, now) {
                run.waiting_for_window += 1;
                continue;
            }
            let stamp_now = stamp(now);
            let reserved = db
                .off_thread(move |db| {
                    db.write(|tx| {
                        reserve(
                            tx,
                            candidate.persona,
                            integration,
                            &candidate.phone,
                            &request_text(&store),
                            &stamp_now,
                        )
                    })
                })
                .await?;
            if let Some(id) = reserved {
                if !deliver(db, gateway, id, now, run).await {
                    return Ok(());
                }
                run.requested += 1;
            }
        }
    }
    Ok(())
}

/// Who `integration`'s SMS opt-in setting reaches now (none when it is off).
fn candidates(db: &Database, integration: Integration) -> Result<Vec<Candidate>> {
    let settings = db.read(|c| crate::settings::get(c, integration))?;
    let Some(date) = settings.sms_opt_in_after else {
        return Ok(Vec::new());
    };
    let max = crate::loyalty::settings(db)?.sms_max_requests;
    db.read(|c| {
        let mut statement = c.prepare(&format!(
            "SELECT pe.id, pe.phone_e164,
                    coalesce(fav.name, (SELECT rs.name FROM purchases p2 JOIN store_mappings m ON m.key_id = p2.store_key
                                        JOIN retail_stores rs ON rs.id = m.store_id
                                        WHERE p2.persona_id = pe.id ORDER BY p2.purchased_at DESC LIMIT 1)),
                    coalesce(fav.timezone, (SELECT rs.timezone FROM purchases p2 JOIN store_mappings m ON m.key_id = p2.store_key
                                            JOIN retail_stores rs ON rs.id = m.store_id
                                            WHERE p2.persona_id = pe.id ORDER BY p2.purchased_at DESC LIMIT 1))
             FROM personas pe LEFT JOIN retail_stores fav ON fav.id = pe.favorite_store_id
             WHERE pe.id IN (SELECT persona_id FROM purchases
                             WHERE integration = ?1 AND voided = 0 AND purchased_at >= ?2 AND persona_id IS NOT NULL)
               AND {}
             ORDER BY pe.id",
            may_get_request(max)
        ))?;
        let rows = statement.query_map(params![integration.as_str(), date], |r| {
            let name: Option<String> = r.get(2)?;
            let timezone: Option<String> = r.get(3)?;
            Ok(Candidate {
                persona: r.get(0)?,
                phone: r.get(1)?,
                store: name.zip(timezone),
            })
        })?;
        let mut phones = std::collections::HashSet::new();
        Ok(rows
            .collect::<rusqlite::Result<Vec<Candidate>>>()?
            .into_iter()
            .filter(|c| phones.insert(c.phone.clone()))
            .collect())
    })
}

/// Where an integration's SMS opt-in requests stand, for its card.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SmsStatus {
    /// Requests sent.
    #[ts(type = "number")]
    pub sent: i64,
    /// Of those, personas who have not answered.
    #[ts(type = "number")]
    pub awaiting_reply: i64,
    /// Of those, personas now opted in.
    #[ts(type = "number")]
    pub opted_in: i64,
    /// Of those, personas now opted out.
    #[ts(type = "number")]
    pub opted_out: i64,
    /// Requests the gateway refused, to be tried again.
    #[ts(type = "number")]
    pub failed: i64,
    /// When the last request went out (RFC 3339).
    pub last_sent_at: Option<String>,
}

/// Where `integration`'s SMS opt-in requests stand.
pub fn status(db: &Database, integration: Integration) -> Result<SmsStatus> {
    db.read(|c| {
        let mut status = c.query_row(
            "SELECT count(*), coalesce(sum(p.sms_consent = 'requested'), 0), coalesce(sum(p.sms_consent = 'opted_in'), 0),
                    coalesce(sum(p.sms_consent = 'opted_out'), 0), max(m.sent_at)
             FROM sms_messages m JOIN personas p ON p.id = m.persona_id
             WHERE m.kind = 'opt_in_request' AND m.integration = ?1 AND m.status = 'sent'",
            [integration.as_str()],
            |r| {
                Ok(SmsStatus {
                    sent: r.get(0)?,
                    awaiting_reply: r.get(1)?,
                    opted_in: r.get(2)?,
                    opted_out: r.get(3)?,
                    failed: 0,
                    last_sent_at: r.get(4)?,
                })
            },
        )?;
        status.failed = c.query_row(
            "SELECT count(*) FROM sms_messages WHERE kind = 'opt_in_request' AND integration = ?1 AND status = 'failed'",
            [integration.as_str()],
            |r| r.get(0),
        )?;
        Ok(status)
    })
}

/// Whether `now` falls between 8 am and 9 pm in `timezone` (an unknown zone never does).
pub fn in_window(timezone: &str, now: DateTime<Utc>) -> bool {
    timezone
        .parse::<Tz>()
        .is_ok_and(|tz| (WINDOW_OPENS..WINDOW_CLOSES).contains(&now.with_timezone(&tz).hour()))
}

/// Reserves the request row (a failed one is tried again); `None` when it was already sent.
fn reserve(
    tx: &Transaction<'_>,
    persona: i64,
    integration: Integration,
    phone: &str,
    body: &str,
    now: &str,
) -> Result<Option<i64>> {
    if consent::sms_state(tx, persona)? == SmsConsent::OptedOut {
        return Ok(None);
    }
    Ok(tx
        .query_row(
            "INSERT INTO sms_messages (persona_id, kind, integration, phone_e164, body, status, created_at)
             VALUES (?1, 'opt_in_request', ?2, ?3, ?4, 'sending', ?5)
             ON CONFLICT (persona_id, integration) WHERE kind = 'opt_in_request'
             DO UPDATE SET status = 'sending', error = NULL, phone_e164 = excluded.phone_e164, created_at = excluded.created_at
             WHERE status = 'failed'
             RETURNING id",
            params![persona, integration.as_str(), phone, body, now],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::in_window;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_window_is_8_am_to_9_pm_in_the_store_time_zone() {
        // 15:00 UTC in January is 07:00 in Los Angeles and 10:00 in New York.
        let morning = Utc.with_ymd_and_hms(2026, 1, 15, 15, 0, 0).unwrap();
        assert!(!in_window("America/Los_Angeles", morning));
        assert!(in_window("America/New_York", morning));
        // 01:59 UTC is 20:59 in New York (open) and 02:00 UTC is 21:00 (closed).
        let last_minute = Utc.with_ymd_and_hms(2026, 1, 16, 1, 59, 0).unwrap();
        let closing = Utc.with_ymd_and_hms(2026, 1, 16, 2, 0, 0).unwrap();
        assert!(in_window("America/New_York", last_minute));
        assert!(!in_window("America/New_York", closing));
        assert!(!in_window("Mars/Olympus", morning));
    }

    #[test]
    fn daylight_saving_time_moves_the_window_with_the_clock() {
        // 12:00 UTC is 08:00 in New York in July (EDT) but 07:00 in January (EST).
        let july = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        let january = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        assert!(in_window("America/New_York", july));
        assert!(!in_window("America/New_York", january));
    }
}
