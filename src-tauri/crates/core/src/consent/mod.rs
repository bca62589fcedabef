//! Consent: who may be texted or e-mailed, with the history and evidence of every change.
//!
//! The rules (`design/COMPLIANCE.md`): an SMS opt-in needs evidence — a signed consent (the signup
//! form's wording and signature, or the POS's signed Customer Consent) or YES to a double opt-in
//! request; loyalty membership is not consent. An opt-out from any source — a reply, the POS, an
//! import — ends both channels for the persona and puts its phone and e-mail on the suppression
//! list ([`opt_out`]), which every send checks and every persona made later with that phone or
//! e-mail inherits. Only the shopper's own act lifts it: START or UNSTOP, or a newly signed consent
//! (a `resubscribed` event, which the database's triggers require before an opt-out can change).
//! A reply that may mean stop holds the phone for review. Every change lands in `consent_events`.

pub mod grants;
pub mod keywords;
pub mod opt_out;
pub mod quiet_hours;
pub mod rules;
pub mod sms;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::base::stored_name::stored_name;

pub use grants::{from_pos, signed_at_signup};
pub use opt_out::{may_text, opt_out};

stored_name! {
    /// A persona's SMS consent state.
    pub enum SmsConsent {
        /// Never asked, never answered.
        None => "none",
        /// A double opt-in request was sent; no answer yet.
        Requested => "requested",
        /// Opted in.
        OptedIn => "opted_in",
        /// Opted out: only the shopper's own act (START, a new signed consent) lifts it.
        OptedOut => "opted_out",
    }
}

stored_name! {
    /// The channel a consent event is about.
    pub enum ConsentChannel {
        /// Text messages.
        Sms => "sms",
        /// E-mail marketing.
        Email => "email",
    }
}

stored_name! {
    /// What happened to a persona's consent.
    pub enum ConsentEventKind {
        /// A double opt-in request was sent.
        Requested => "requested",
        /// The shopper confirmed a double opt-in request.
        Confirmed => "confirmed",
        /// The shopper opted in (a signed consent, the POS's field, an import).
        OptedIn => "opted_in",
        /// The shopper opted out.
        OptedOut => "opted_out",
        /// The shopper's own act lifted an earlier opt-out (START, a new signed consent).
        Resubscribed => "resubscribed",
        /// A reply that may mean stop: no texts until it is reviewed.
        Held => "held",
        /// Something asked for a change that the rules refused or that changed nothing.
        Ignored => "ignored",
    }
}

stored_name! {
    /// Who or what moved a persona's consent.
    pub enum ConsentSource {
        /// Canopy's signup form.
        Signup => "signup",
        /// The shopper's text reply.
        SmsReply => "sms_reply",
        /// A file import.
        Import => "import",
        /// Splitting a record off a merged persona.
        Split => "split",
        /// The suppression list: the persona's phone or e-mail opted out earlier.
        Suppression => "suppression",
        /// Support's review of a held reply.
        Review => "review",
        /// A POSaBIT record.
        Posabit => "posabit",
        /// A Greenbits record.
        Greenbits => "greenbits",
        /// POSaBIT's "Send SMS opt-in" setting.
        SmsOptInPosabit => "sms_opt_in:posabit",
        /// Greenbits' "Send SMS opt-in" setting.
        SmsOptInGreenbits => "sms_opt_in:greenbits",
    }
}

impl ConsentSource {
    /// A record of `integration`'s POS.
    pub fn pos(integration: Integration) -> Self {
        match integration {
            Integration::Posabit => ConsentSource::Posabit,
            Integration::Greenbits => ConsentSource::Greenbits,
        }
    }

    /// `integration`'s SMS opt-in setting.
    pub fn sms_opt_in(integration: Integration) -> Self {
        match integration {
            Integration::Posabit => ConsentSource::SmsOptInPosabit,
            Integration::Greenbits => ConsentSource::SmsOptInGreenbits,
        }
    }
}

/// One consent event to write.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The channel.
    pub channel: ConsentChannel,
    /// What happened.
    pub event: ConsentEventKind,
    /// Who or what did it.
    pub source: ConsentSource,
    /// Why, in words.
    pub detail: &'a str,
    /// The evidence, when there is some.
    pub evidence: Option<&'a Value>,
}

/// Writes one consent event.
pub fn record(tx: &Transaction<'_>, persona_id: i64, change: Change<'_>, now: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO consent_events (persona_id, channel, event, source, detail, evidence, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        persona_id,
        change.channel,
        change.event,
        change.source,
        change.detail,
        change.evidence.map(Value::to_string),
        now
    ])?;
    Ok(())
}

/// A persona's SMS consent.
pub fn sms_state(connection: &Connection, persona_id: i64) -> Result<SmsConsent> {
    let state: Option<SmsConsent> = connection
        .prepare_cached("SELECT sms_consent FROM personas WHERE id = ?1")?
        .query_row([persona_id], |r| r.get(0))
        .optional()?;
    Ok(state.unwrap_or(SmsConsent::None))
}

/// Moves a persona's SMS consent, never out of `opted_out` (see [`opt_out::resubscribe`]).
pub fn set_sms_state(tx: &Transaction<'_>, persona_id: i64, to: SmsConsent) -> Result<()> {
    tx.prepare_cached(
        "UPDATE personas SET sms_consent = ?2 WHERE id = ?1 AND sms_consent != 'opted_out'",
    )?
    .execute(params![persona_id, to])?;
    Ok(())
}

/// Makes a persona who confirmed an SMS opt-in a loyalty member, remembering that the setting of
/// `integration` did it (so removing the setting can undo it).
pub fn join_through_sms(
    tx: &Transaction<'_>,
    persona_id: i64,
    integration: Integration,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE personas SET loyalty_member = 1, member_via = ?2 WHERE id = ?1 AND loyalty_member = 0",
    )?
    .execute(params![persona_id, ConsentSource::sms_opt_in(integration)])?;
    Ok(())
}

/// The members who joined only through `integration`'s SMS opt-in setting: no signup form, no POS
/// membership.
const SMS_ONLY_MEMBERS: &str = "FROM personas p
     WHERE p.loyalty_member = 1 AND p.member_via = ?1
       AND NOT EXISTS (SELECT 1 FROM local_signups l WHERE l.persona_id = p.id)
       AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.persona_id = p.id AND s.loyalty_member = 1)";

/// How many members removing `integration`'s SMS opt-in setting would lose.
pub fn sms_only_members(connection: &Connection, integration: Integration) -> Result<i64> {
    Ok(connection.query_row(
        &format!("SELECT count(*) {SMS_ONLY_MEMBERS}"),
        [ConsentSource::sms_opt_in(integration)],
        |r| r.get(0),
    )?)
}

/// Removing the SMS opt-in setting: members who joined only through it stop being members (the
/// seeds' warning). Their consent and points history stay. Returns how many.
pub fn drop_sms_only_members(
    tx: &Transaction<'_>,
    integration: Integration,
    now: &str,
) -> Result<usize> {
    Ok(tx.execute(
        &format!(
            "UPDATE personas SET loyalty_member = 0, member_via = NULL, updated_at = ?2
             WHERE id IN (SELECT p.id {SMS_ONLY_MEMBERS})"
        ),
        params![ConsentSource::sms_opt_in(integration), now],
    )?)
}

/// One entry of a persona's consent history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConsentEvent {
    /// The channel.
    pub channel: ConsentChannel,
    /// What happened.
    pub event: ConsentEventKind,
    /// Who or what did it.
    pub source: ConsentSource,
    /// Why, in words.
    pub detail: Option<String>,
    /// The evidence kept with it, as JSON: the form wording's version and the signature, the reply's
    /// text, the POS field and credential.
    pub evidence: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A persona's consent history, oldest first.
pub fn history(connection: &Connection, persona_id: i64) -> Result<Vec<ConsentEvent>> {
    let mut statement = connection.prepare(
        "SELECT channel, event, source, detail, evidence, created_at FROM consent_events WHERE persona_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([persona_id], |r| {
        Ok(ConsentEvent {
            channel: r.get(0)?,
            event: r.get(1)?,
            source: r.get(2)?,
            detail: r.get(3)?,
            evidence: r.get(4)?,
            created_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
