//! Opt-in requests: who each integration's setting reaches (one request per phone per setting,
//! at most the configured number per phone in all), queued once; [`super::delivery`] sends them
//! when the recipient's hours allow.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};

use super::texts::{body, sender_of};
use super::{queue, NewText};
use crate::base::clock::db_timestamp;
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::consent::sms::MessageKind;

/// The condition (on persona `pe`, integration `?1`) that a persona may still get a request from
/// that integration's setting: a phone that is not suppressed, not opted in or out, no request
/// from this setting to that phone yet, fewer than `max_requests` to that phone in all. Requests
/// go to phones: personas who share one (a family) are asked once. Shared with the dry run.
pub(crate) fn request_eligibility_sql(max_requests: i64) -> String {
    format!(
        "pe.phone_e164 IS NOT NULL AND pe.sms_consent IN ('none', 'requested')
         AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.channel = 'sms' AND s.address = pe.phone_e164 AND s.lifted_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM sms_messages m WHERE (m.phone_e164 = pe.phone_e164 OR m.persona_id = pe.id)
                         AND m.kind = 'opt_in_request' AND m.integration = ?1)
         AND (SELECT count(*) FROM sms_messages m WHERE m.phone_e164 = pe.phone_e164 AND m.kind = 'opt_in_request'
              AND m.status IN ('queued', 'sending', 'unknown', 'sent')) < {max_requests}"
    )
}

/// Queues the requests every SMS opt-in setting reaches now.
pub(super) fn queue_requests(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<()> {
    let stamp_now = db_timestamp(now);
    for &integration in Integration::ALL {
        for (persona, phone) in candidates(tx, integration)? {
            let sender = sender_of(tx, Some(persona))?;
            queue(
                tx,
                &NewText {
                    persona: Some(persona),
                    kind: MessageKind::OptInRequest,
                    integration: Some(integration),
                    phone: &phone,
                    body: &body(MessageKind::OptInRequest, &sender),
                    expires_at: None,
                },
                &stamp_now,
            )?;
        }
    }
    Ok(())
}

/// Who `integration`'s SMS opt-in setting reaches now (none when it is off): a sale through the
/// integration on or after the setting's date, and the eligibility above; one persona per phone.
fn candidates(c: &Connection, integration: Integration) -> Result<Vec<(i64, String)>> {
    let Some(date) = crate::config::integration_settings::get(c, integration)?.sms_opt_in_after
    else {
        return Ok(Vec::new());
    };
    let max = crate::config::loyalty::read(c)?.sms_max_requests;
    let mut statement = c.prepare(&format!(
        "SELECT pe.id, pe.phone_e164 FROM personas pe
         WHERE pe.id IN (SELECT persona_id FROM purchases
                         WHERE integration = ?1 AND voided = 0 AND purchased_at >= ?2 AND persona_id IS NOT NULL)
           AND {}
         ORDER BY pe.id",
        request_eligibility_sql(max)
    ))?;
    let rows = statement.query_map(params![integration, date], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut phones = std::collections::HashSet::new();
    Ok(rows
        .collect::<rusqlite::Result<Vec<(i64, String)>>>()?
        .into_iter()
        .filter(|(_, phone)| phones.insert(phone.clone()))
        .collect())
}
