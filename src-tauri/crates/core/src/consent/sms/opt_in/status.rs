//! Where an integration's SMS opt-in requests stand, for its card.

use serde::Serialize;
use ts_rs::TS;

use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::storage::db::Database;

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
    /// Requests the gateway refused (tried again up to three times, then given up).
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
            "SELECT count(*) FROM sms_messages WHERE kind = 'opt_in_request' AND integration = ?1 AND status IN ('failed', 'given_up')",
            [integration.as_str()],
            |r| r.get(0),
        )?;
        Ok(status)
    })
}
