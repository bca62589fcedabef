//! Opt-in requests: who each integration's setting reaches now (one request per phone), the store
//! window they wait for, and the reserved message row that makes a request go out once.

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{deliver, SmsRun};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::consent::sms::SmsGateway;
use crate::consent::{self, SmsConsent};
use crate::storage::db::Database;

/// The first hour requests may be sent, store time.
const WINDOW_OPENS: u32 = 8;
/// The hour requests stop, store time.
const WINDOW_CLOSES: u32 = 21;

/// The condition (on persona `pe`, integration `?1`) that a persona may still get a request from
/// that integration's setting: a phone, not opted in or out, no request sent to that phone by this
/// setting, fewer than `max_requests` to that phone in all. Requests go to phones: personas who
/// share one (a family) are asked once. Shared with the dry run.
pub(crate) fn request_eligibility_sql(max_requests: i64) -> String {
    format!(
        "pe.phone_e164 IS NOT NULL AND pe.sms_consent IN ('none', 'requested')
         AND NOT EXISTS (SELECT 1 FROM sms_messages m WHERE m.phone_e164 = pe.phone_e164 AND m.kind = 'opt_in_request'
                         AND m.integration = ?1 AND m.status != 'failed')
         AND (SELECT count(*) FROM sms_messages m WHERE m.phone_e164 = pe.phone_e164 AND m.kind = 'opt_in_request'
              AND m.status != 'failed') < {max_requests}"
    )
}

fn request_text(store: &str) -> String {
    format!(
        "{store}: Reply YES to get texts about deals and your loyalty rewards. Msg & data rates may apply. Reply STOP to opt out."
    )
}

/// A persona the setting reaches, with the store whose clock and name apply.
struct Candidate {
    persona: i64,
    phone: String,
    store: Option<(String, String)>,
}

/// Sends the requests every SMS opt-in setting allows now.
pub(super) async fn send_requests(
    db: &Database,
    gateway: &dyn SmsGateway,
    now: DateTime<Utc>,
    run: &mut SmsRun,
) -> Result<()> {
    for &integration in Integration::ALL {
        let candidates = db.read_async(move |c| candidates(c, integration)).await?;
        for candidate in candidates {
            let Some((store, timezone)) = candidate.store else {
                run.no_store += 1;
                continue;
            };
            if !in_window(&timezone, now) {
                run.waiting_for_window += 1;
                continue;
            }
            let stamp_now = db_timestamp(now);
            let reserved = db
                .write_async(move |tx| {
                    reserve(
                        tx,
                        candidate.persona,
                        integration,
                        &candidate.phone,
                        &request_text(&store),
                        &stamp_now,
                    )
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
fn candidates(c: &Connection, integration: Integration) -> Result<Vec<Candidate>> {
    let Some(date) = crate::config::integration_settings::get(c, integration)?.sms_opt_in_after
    else {
        return Ok(Vec::new());
    };
    let max = crate::config::loyalty::read(c)?.sms_max_requests;
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
            request_eligibility_sql(max)
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
        .filter(|candidate| phones.insert(candidate.phone.clone()))
        .collect())
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
