//! Consent: the rules that move a persona's SMS consent, and the consent history they write.
//!
//! The rules: a double opt-in request moves `none` to `requested`; a reply of YES or Y (any case)
//! to a request opts in; STOP and the usual opt-out words opt out from any state; an opt-out always
//! wins and no sync, setting or later reply undoes it; a signed consent on the signup form is an
//! opt-in. Loyalty membership is not SMS consent. Every event lands in `consent_events`.

pub mod sms;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::base::stored_name::stored_name;

stored_name! {
    /// A persona's SMS consent state.
    pub enum SmsConsent {
        /// Never asked, never answered.
        None => "none",
        /// A double opt-in request was sent; no answer yet.
        Requested => "requested",
        /// Opted in.
        OptedIn => "opted_in",
        /// Opted out: final.
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
        /// The shopper opted in (a signed consent, an import).
        OptedIn => "opted_in",
        /// The shopper opted out.
        OptedOut => "opted_out",
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

/// What a shopper's text reply means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// YES or Y.
    Yes,
    /// STOP or another opt-out word.
    Stop,
    /// Anything else.
    Other,
}

/// The opt-out words carriers honour (CTIA), besides STOP.
const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "OPT-OUT",
    "OPT OUT",
    "REVOKE",
];

/// Classifies a reply: trimmed, any case, trailing punctuation ignored.
pub fn classify(body: &str) -> Reply {
    let word = body
        .trim()
        .trim_end_matches(['.', '!'])
        .trim()
        .to_uppercase();
    if word == "YES" || word == "Y" {
        Reply::Yes
    } else if STOP_WORDS.contains(&word.as_str()) {
        Reply::Stop
    } else {
        Reply::Other
    }
}

/// What a reply does: the state after it, the history event, and the text to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The consent after the reply.
    pub to: SmsConsent,
    /// The history event.
    pub event: ConsentEventKind,
    /// Why, for the history.
    pub detail: &'static str,
    /// The confirmation to text back, if any (`confirmation`, `opt_out_confirmation`).
    pub answer: Option<&'static str>,
}

/// The consent rules for one reply, as a pure function of the state and the reply.
pub fn on_reply(state: SmsConsent, reply: Reply) -> Transition {
    let ignored = |detail| Transition {
        to: state,
        event: ConsentEventKind::Ignored,
        detail,
        answer: None,
    };
    match (state, reply) {
        (SmsConsent::OptedOut, Reply::Stop) => ignored("Already opted out"),
        (SmsConsent::OptedOut, _) => ignored("Opted out earlier: an opt-out always wins"),
        (_, Reply::Stop) => Transition {
            to: SmsConsent::OptedOut,
            event: ConsentEventKind::OptedOut,
            detail: "Replied STOP",
            answer: Some("opt_out_confirmation"),
        },
        (SmsConsent::Requested, Reply::Yes) => Transition {
            to: SmsConsent::OptedIn,
            event: ConsentEventKind::Confirmed,
            detail: "Replied YES to the double opt-in request",
            answer: Some("confirmation"),
        },
        (SmsConsent::OptedIn, Reply::Yes) => ignored("Already opted in"),
        (SmsConsent::None, Reply::Yes) => ignored("No opt-in request was sent"),
        (_, Reply::Other) => ignored("Not YES or STOP"),
    }
}

/// A persona's SMS consent.
pub fn sms_state(connection: &Connection, persona_id: i64) -> Result<SmsConsent> {
    let state: Option<SmsConsent> = connection
        .prepare_cached("SELECT sms_consent FROM personas WHERE id = ?1")?
        .query_row([persona_id], |r| r.get(0))
        .optional()?;
    Ok(state.unwrap_or(SmsConsent::None))
}

/// Writes one consent event.
pub fn record(
    tx: &Transaction<'_>,
    persona_id: i64,
    channel: ConsentChannel,
    event: ConsentEventKind,
    source: ConsentSource,
    detail: &str,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![persona_id, channel, event, source, detail, now])?;
    Ok(())
}

/// Moves a persona's SMS consent (never out of `opted_out`).
pub fn set_sms_state(tx: &Transaction<'_>, persona_id: i64, to: SmsConsent) -> Result<()> {
    tx.prepare_cached(
        "UPDATE personas SET sms_consent = ?2 WHERE id = ?1 AND sms_consent != 'opted_out'",
    )?
    .execute(params![persona_id, to])?;
    Ok(())
}

/// A signed consent on the signup form: SMS opt-in (unless opted out) and its history.
pub fn signed_at_signup(
    tx: &Transaction<'_>,
    persona_id: i64,
    has_phone: bool,
    now: &str,
) -> Result<()> {
    record(
        tx,
        persona_id,
        ConsentChannel::Email,
        ConsentEventKind::OptedIn,
        ConsentSource::Signup,
        "Consent signed on the signup form",
        now,
    )?;
    if !has_phone {
        return Ok(());
    }
    if sms_state(tx, persona_id)? == SmsConsent::OptedOut {
        return record(
            tx,
            persona_id,
            ConsentChannel::Sms,
            ConsentEventKind::Ignored,
            ConsentSource::Signup,
            "Consent signed on the signup form, but the shopper opted out earlier: an opt-out always wins",
            now,
        );
    }
    set_sms_state(tx, persona_id, SmsConsent::OptedIn)?;
    record(
        tx,
        persona_id,
        ConsentChannel::Sms,
        ConsentEventKind::OptedIn,
        ConsentSource::Signup,
        "Consent signed on the signup form",
        now,
    )
}

/// Opts a persona out of marketing on both channels, for good; the history records it (once: an
/// opt-out already in place is left as it was).
pub fn opt_out(
    tx: &Transaction<'_>,
    persona_id: i64,
    source: ConsentSource,
    detail: &str,
    now: &str,
) -> Result<()> {
    tx.prepare_cached("UPDATE personas SET marketing_opt_in = 0 WHERE id = ?1")?
        .execute([persona_id])?;
    if sms_state(tx, persona_id)? != SmsConsent::OptedOut {
        tx.prepare_cached("UPDATE personas SET sms_consent = 'opted_out' WHERE id = ?1")?
            .execute([persona_id])?;
        record(
            tx,
            persona_id,
            ConsentChannel::Sms,
            ConsentEventKind::OptedOut,
            source,
            detail,
            now,
        )?;
    }
    Ok(())
}

/// Applies what a POS record says about consent: an opt-out at the POS opts the persona out of
/// both channels for good; an opt-in backed by a signed consent is an SMS opt-in; an opt-in without
/// one leaves the persona to a double opt-in request. Writes history only when something changes.
pub fn from_pos(
    tx: &Transaction<'_>,
    persona_id: i64,
    integration: Integration,
    customer: &crate::pos::PosCustomer,
    now: &str,
) -> Result<()> {
    let state = sms_state(tx, persona_id)?;
    let source = ConsentSource::pos(integration);
    if customer.marketing_opt_out {
        opt_out(tx, persona_id, source, "Opted out at the POS", now)?;
    } else if customer.marketing_opt_in == Some(true)
        && customer.consent_signed
        && matches!(state, SmsConsent::None | SmsConsent::Requested)
    {
        set_sms_state(tx, persona_id, SmsConsent::OptedIn)?;
        record(
            tx,
            persona_id,
            ConsentChannel::Sms,
            ConsentEventKind::OptedIn,
            source,
            "Opted in at the POS with a signed Customer Consent",
            now,
        )?;
    }
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
    /// When (RFC 3339).
    pub created_at: String,
}

/// A persona's consent history, oldest first.
pub fn history(connection: &Connection, persona_id: i64) -> Result<Vec<ConsentEvent>> {
    let mut statement = connection.prepare(
        "SELECT channel, event, source, detail, created_at FROM consent_events WHERE persona_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([persona_id], |r| {
        Ok(ConsentEvent {
            channel: r.get(0)?,
            event: r.get(1)?,
            source: r.get(2)?,
            detail: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_in_any_case_with_trailing_punctuation() {
        for yes in ["YES", "yes", " Yes. ", "y", "Y!"] {
            assert_eq!(classify(yes), Reply::Yes, "{yes:?}");
        }
        for stop in [
            "STOP",
            "stop",
            "Unsubscribe",
            "cancel",
            "END",
            "quit",
            "stopall",
            "opt out",
        ] {
            assert_eq!(classify(stop), Reply::Stop, "{stop:?}");
        }
        for other in ["yes please", "nope", "", "STOP IT", "ya"] {
            assert_eq!(classify(other), Reply::Other, "{other:?}");
        }
    }

    #[test]
    fn yes_to_a_request_opts_in_and_answers_with_a_confirmation() {
        let t = on_reply(SmsConsent::Requested, Reply::Yes);
        assert_eq!(
            (t.to, t.event, t.answer),
            (
                SmsConsent::OptedIn,
                ConsentEventKind::Confirmed,
                Some("confirmation")
            )
        );
    }

    #[test]
    fn yes_without_a_request_changes_nothing() {
        let t = on_reply(SmsConsent::None, Reply::Yes);
        assert_eq!(
            (t.to, t.event, t.answer),
            (SmsConsent::None, ConsentEventKind::Ignored, None)
        );
    }

    #[test]
    fn stop_opts_out_from_every_state_but_once() {
        for state in [SmsConsent::None, SmsConsent::Requested, SmsConsent::OptedIn] {
            let t = on_reply(state, Reply::Stop);
            assert_eq!(
                (t.to, t.event),
                (SmsConsent::OptedOut, ConsentEventKind::OptedOut),
                "{state:?}"
            );
            assert_eq!(t.answer, Some("opt_out_confirmation"));
        }
        let again = on_reply(SmsConsent::OptedOut, Reply::Stop);
        assert_eq!((again.to, again.answer), (SmsConsent::OptedOut, None));
    }

    #[test]
    fn an_opt_out_always_wins_over_a_later_yes() {
        let t = on_reply(SmsConsent::OptedOut, Reply::Yes);
        assert_eq!(
            (t.to, t.event, t.answer),
            (SmsConsent::OptedOut, ConsentEventKind::Ignored, None)
        );
    }

    #[test]
    fn other_text_changes_nothing() {
        for state in [SmsConsent::None, SmsConsent::Requested, SmsConsent::OptedIn] {
            let t = on_reply(state, Reply::Other);
            assert_eq!((t.to, t.answer), (state, None));
        }
    }
}
