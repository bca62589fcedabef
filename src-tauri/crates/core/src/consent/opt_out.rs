//! Opt-outs that win: the suppression list by phone and by e-mail, opting a persona out of both
//! channels, the shopper's own acts that lift it, replies held for review, and the check every
//! text makes before it leaves.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use super::{record, Change, ConsentChannel, ConsentEventKind, ConsentSource};
use crate::base::error::Result;

/// Why an address is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// An opt-out.
    OptOut,
    /// A reply that may mean stop, until someone reviews it.
    Review,
}

impl Hold {
    fn as_str(self) -> &'static str {
        match self {
            Hold::OptOut => "opt_out",
            Hold::Review => "review",
        }
    }
}

/// Puts `address` on the suppression list (once: an active entry is left as it is).
pub fn suppress(
    tx: &Transaction<'_>,
    channel: ConsentChannel,
    address: &str,
    hold: Hold,
    source: ConsentSource,
    detail: &str,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO suppressions (channel, address, reason, source, detail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        channel,
        address,
        hold.as_str(),
        source,
        detail,
        now
    ])?;
    Ok(())
}

/// Lifts the active suppressions of `address` on `channel`, naming the act that lifted them.
fn lift(
    tx: &Transaction<'_>,
    channel: ConsentChannel,
    address: &str,
    act: &str,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE suppressions SET lifted_at = ?3, lifted_by = ?4
         WHERE channel = ?1 AND address = ?2 AND lifted_at IS NULL",
    )?
    .execute(params![channel, address, now, act])?;
    Ok(())
}

/// The shopper's own act (START from the phone) lifts every suppression of `phone`, for a number no
/// persona has yet as much as for one that has.
pub fn lift_phone(tx: &Transaction<'_>, phone: &str, act: &str, now: &str) -> Result<()> {
    lift(tx, ConsentChannel::Sms, phone, act, now)
}

/// Whether `address` has an active suppression on `channel`.
pub fn is_suppressed(
    connection: &Connection,
    channel: ConsentChannel,
    address: &str,
) -> Result<bool> {
    Ok(connection
        .prepare_cached(
            "SELECT 1 FROM suppressions WHERE channel = ?1 AND address = ?2 AND lifted_at IS NULL LIMIT 1",
        )?
        .query_row(params![channel, address], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether texts may go to `phone`: it is not suppressed (opted out or held for review) and no
/// persona with it is opted out of texts.
pub fn may_text(connection: &Connection, phone: &str) -> Result<bool> {
    let opted_out: bool = connection
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM personas WHERE phone_e164 = ?1 AND sms_consent = 'opted_out')",
        )?
        .query_row([phone], |r| r.get(0))?;
    Ok(!opted_out && !is_suppressed(connection, ConsentChannel::Sms, phone)?)
}

/// A persona's phone and e-mail.
fn addresses(tx: &Transaction<'_>, persona_id: i64) -> Result<(Option<String>, Option<String>)> {
    Ok(tx
        .prepare_cached("SELECT phone_e164, email FROM personas WHERE id = ?1")?
        .query_row([persona_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default())
}

/// Opts a persona out of marketing on both channels, for good, and suppresses its phone and
/// e-mail — so every other persona with that phone is opted out of texts, and every other with
/// that e-mail out of e-mail; the history records each change once (an opt-out already in place is
/// left as it was).
pub fn opt_out(
    tx: &Transaction<'_>,
    persona_id: i64,
    source: ConsentSource,
    detail: &str,
    evidence: Option<&Value>,
    now: &str,
) -> Result<()> {
    let (phone, email) = addresses(tx, persona_id)?;
    let own = |channel| Change {
        channel,
        event: ConsentEventKind::OptedOut,
        source,
        detail,
        evidence,
    };
    let shared = |channel| Change {
        channel,
        event: ConsentEventKind::OptedOut,
        source: ConsentSource::Suppression,
        detail: "Shares its phone or e-mail with a shopper who opted out",
        evidence,
    };
    for (channel, address) in [(ConsentChannel::Sms, phone), (ConsentChannel::Email, email)] {
        if let Some(address) = &address {
            suppress(tx, channel, address, Hold::OptOut, source, detail, now)?;
        }
        opt_out_of(tx, persona_id, own(channel), now)?;
        if let Some(address) = &address {
            for other in sharing(tx, channel, address, persona_id)? {
                opt_out_of(tx, other, shared(channel), now)?;
            }
        }
    }
    Ok(())
}

/// Opts a persona out of `change.channel` and records it; nothing when it already is.
fn opt_out_of(tx: &Transaction<'_>, persona_id: i64, change: Change<'_>, now: &str) -> Result<()> {
    let sql = match change.channel {
        ConsentChannel::Sms => {
            "UPDATE personas SET sms_consent = 'opted_out' WHERE id = ?1 AND sms_consent != 'opted_out'"
        }
        ConsentChannel::Email => {
            "UPDATE personas SET marketing_opt_in = 0, email_opted_out = 1 WHERE id = ?1 AND email_opted_out = 0"
        }
    };
    if tx.prepare_cached(sql)?.execute([persona_id])? > 0 {
        record(tx, persona_id, change, now)?;
    }
    Ok(())
}

/// The other personas with `address` on `channel` (their phone, or their e-mail).
fn sharing(
    tx: &Transaction<'_>,
    channel: ConsentChannel,
    address: &str,
    persona_id: i64,
) -> Result<Vec<i64>> {
    let sql = match channel {
        ConsentChannel::Sms => "SELECT id FROM personas WHERE phone_e164 = ?1 AND id != ?2",
        ConsentChannel::Email => "SELECT id FROM personas WHERE email = ?1 AND id != ?2",
    };
    Ok(tx
        .prepare_cached(sql)?
        .query_map(params![address, persona_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// An opt-out that names a phone rather than a persona (a STOP from a number Canopy may not know):
/// the phone is suppressed, and every persona with it is opted out.
pub fn opt_out_phone(
    tx: &Transaction<'_>,
    phone: &str,
    source: ConsentSource,
    detail: &str,
    evidence: Option<&Value>,
    now: &str,
) -> Result<()> {
    suppress(
        tx,
        ConsentChannel::Sms,
        phone,
        Hold::OptOut,
        source,
        detail,
        now,
    )?;
    for persona in personas_with_phone(tx, phone)? {
        opt_out(tx, persona, source, detail, evidence, now)?;
    }
    Ok(())
}

/// The personas with `phone`.
pub fn personas_with_phone(connection: &Connection, phone: &str) -> Result<Vec<i64>> {
    Ok(connection
        .prepare_cached("SELECT id FROM personas WHERE phone_e164 = ?1")?
        .query_map([phone], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The shopper's own act rejoins a channel (START, a newly signed consent): recorded first as
/// `resubscribed` (the database refuses the change otherwise), then the persona is opted in on
/// `change.channel` and `address`'s suppressions there are lifted. The other channel stays as it was.
pub fn resubscribe(
    tx: &Transaction<'_>,
    persona_id: i64,
    address: &str,
    change: Change<'_>,
    now: &str,
) -> Result<()> {
    record(
        tx,
        persona_id,
        Change {
            event: ConsentEventKind::Resubscribed,
            ..change
        },
        now,
    )?;
    let opt_in = match change.channel {
        ConsentChannel::Sms => "UPDATE personas SET sms_consent = 'opted_in' WHERE id = ?1",
        ConsentChannel::Email => {
            "UPDATE personas SET email_opted_out = 0, marketing_opt_in = 1 WHERE id = ?1"
        }
    };
    tx.prepare_cached(opt_in)?.execute([persona_id])?;
    lift(tx, change.channel, address, change.detail, now)
}

/// A reply that may mean stop: `phone` gets no texts until the review, and each persona with it
/// records why.
pub fn hold_for_review(
    tx: &Transaction<'_>,
    phone: &str,
    detail: &str,
    evidence: Option<&Value>,
    now: &str,
) -> Result<()> {
    suppress(
        tx,
        ConsentChannel::Sms,
        phone,
        Hold::Review,
        ConsentSource::SmsReply,
        detail,
        now,
    )?;
    for persona in personas_with_phone(tx, phone)? {
        record(
            tx,
            persona,
            Change {
                channel: ConsentChannel::Sms,
                event: ConsentEventKind::Held,
                source: ConsentSource::SmsReply,
                detail,
                evidence,
            },
            now,
        )?;
    }
    Ok(())
}

/// Support's decision on a held reply: a stop opts the phone out; not a stop releases the hold.
pub fn resolve_review(tx: &Transaction<'_>, phone: &str, is_stop: bool, now: &str) -> Result<()> {
    let held: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM suppressions WHERE channel = 'sms' AND address = ?1 AND reason = 'review' AND lifted_at IS NULL)",
        )?
        .query_row([phone], |r| r.get(0))?;
    if !held {
        return Err(crate::base::error::Error::validation(
            "This phone has no reply waiting for review.",
        ));
    }
    if is_stop {
        opt_out_phone(
            tx,
            phone,
            ConsentSource::Review,
            "Support read a held reply as stop",
            None,
            now,
        )?;
    }
    tx.prepare_cached(
        "UPDATE suppressions SET lifted_at = ?2, lifted_by = ?3
         WHERE channel = 'sms' AND address = ?1 AND reason = 'review' AND lifted_at IS NULL",
    )?
    .execute(params![
        phone,
        now,
        if is_stop {
            "review: a stop"
        } else {
            "review: not a stop"
        }
    ])?;
    Ok(())
}
