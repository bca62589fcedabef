//! Consent given, each with its evidence: what a POS record says, a signed consent on Canopy's
//! signup form, a line of an imported file. None of them can undo an opt-out except a newly
//! signed consent, which is the shopper's own act.

use rusqlite::{params, Transaction};
use serde_json::{json, Value};

use super::opt_out::{is_suppressed, opt_out, resubscribe};
use super::{
    record, sms_state, Change, ConsentChannel, ConsentEventKind, ConsentSource, SmsConsent,
};
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::pos::PosCustomer;

/// A POS record's consent, and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct PosConsent<'a> {
    /// The POS.
    pub integration: Integration,
    /// The credential it came through.
    pub credential_id: &'a str,
    /// The record.
    pub customer: &'a PosCustomer,
    /// What the same record said about marketing the last time Canopy read it.
    pub previously_opted_in: Option<bool>,
}

/// A persona's e-mail consent: opted in, opted out for good.
fn email_state(tx: &Transaction<'_>, persona_id: i64) -> Result<(bool, bool, Option<String>)> {
    Ok(tx
        .prepare_cached(
            "SELECT marketing_opt_in, email_opted_out, email FROM personas WHERE id = ?1",
        )?
        .query_row([persona_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// Opts a persona in to e-mail marketing and records it, unless it or its e-mail opted out.
fn email_opt_in(
    tx: &Transaction<'_>,
    persona_id: i64,
    source: ConsentSource,
    detail: &str,
    evidence: &Value,
    now: &str,
) -> Result<()> {
    let (opted_in, opted_out, email) = email_state(tx, persona_id)?;
    let suppressed = match &email {
        Some(email) => is_suppressed(tx, ConsentChannel::Email, email)?,
        None => false,
    };
    if opted_in || opted_out || suppressed {
        return Ok(());
    }
    tx.prepare_cached("UPDATE personas SET marketing_opt_in = 1 WHERE id = ?1")?
        .execute([persona_id])?;
    let change = Change {
        channel: ConsentChannel::Email,
        event: ConsentEventKind::OptedIn,
        source,
        detail,
        evidence: Some(evidence),
    };
    record(tx, persona_id, change, now)
}

/// Applies what a POS record says: an opt-out — or a marketing opt-in the record has since
/// withdrawn — opts the persona out of both channels; a marketing opt-in is an e-mail opt-in
/// unless the persona or its e-mail opted out; with the signed Customer Consent it is an SMS
/// opt-in too. History is written only when something changes.
pub fn from_pos(
    tx: &Transaction<'_>,
    persona_id: i64,
    pos: PosConsent<'_>,
    now: &str,
) -> Result<()> {
    let customer = pos.customer;
    let source = ConsentSource::pos(pos.integration);
    let evidence = json!({
        "pos": pos.integration,
        "credential": pos.credential_id,
        "record": customer.pos_id,
        "marketing_opt_in": customer.marketing_opt_in,
        "marketing_opt_out": customer.marketing_opt_out,
        "consent_signature": customer.consent_signed,
    });
    if customer.marketing_opt_out {
        return opt_out(
            tx,
            persona_id,
            source,
            "Opted out at the POS",
            Some(&evidence),
            now,
        );
    }
    match customer.marketing_opt_in {
        Some(false) if pos.previously_opted_in == Some(true) => opt_out(
            tx,
            persona_id,
            source,
            "The POS record withdrew its marketing opt-in",
            Some(&evidence),
            now,
        ),
        Some(true) => {
            email_opt_in(
                tx,
                persona_id,
                source,
                "Opted in to marketing at the POS",
                &evidence,
                now,
            )?;
            let state = sms_state(tx, persona_id)?;
            if customer.consent_signed && matches!(state, SmsConsent::None | SmsConsent::Requested)
            {
                sms_opt_in(
                    tx,
                    persona_id,
                    Change {
                        channel: ConsentChannel::Sms,
                        event: ConsentEventKind::OptedIn,
                        source,
                        detail: "Opted in at the POS with a signed Customer Consent",
                        evidence: Some(&evidence),
                    },
                    now,
                )?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Opts a persona in to texts unless its phone is suppressed.
fn sms_opt_in(tx: &Transaction<'_>, persona_id: i64, change: Change<'_>, now: &str) -> Result<()> {
    let phone: Option<String> = tx
        .prepare_cached("SELECT phone_e164 FROM personas WHERE id = ?1")?
        .query_row([persona_id], |r| r.get(0))?;
    if let Some(phone) = phone {
        if is_suppressed(tx, ConsentChannel::Sms, &phone)? {
            return Ok(());
        }
    }
    tx.prepare_cached(
        "UPDATE personas SET sms_consent = 'opted_in' WHERE id = ?1 AND sms_consent != 'opted_out'",
    )?
    .execute([persona_id])?;
    record(tx, persona_id, change, now)
}

/// A consent signed on the signup form for the phone and e-mail typed on it: an opt-in on each,
/// with the form's wording and the signature as evidence. It is the shopper's own act, so it
/// lifts an earlier opt-out of those addresses (recorded as `resubscribed`). An address typed that
/// is not the persona's own (it merged on the other one) leaves the persona's own as it was.
pub fn signed_at_signup(
    tx: &Transaction<'_>,
    persona_id: i64,
    phone: Option<&str>,
    email: Option<&str>,
    evidence: &Value,
    now: &str,
) -> Result<()> {
    let change = |channel, detail| Change {
        channel,
        event: ConsentEventKind::OptedIn,
        source: ConsentSource::Signup,
        detail,
        evidence: Some(evidence),
    };
    let (own_phone, own_email): (Option<String>, Option<String>) = tx
        .prepare_cached("SELECT phone_e164, email FROM personas WHERE id = ?1")?
        .query_row([persona_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for (channel, typed, own) in [
        (ConsentChannel::Sms, phone, own_phone.as_deref()),
        (ConsentChannel::Email, email, own_email.as_deref()),
    ] {
        if typed.is_some() && typed != own {
            let detail = "Consent signed for another address than the persona's own, which keeps its consent";
            record(
                tx,
                persona_id,
                Change {
                    event: ConsentEventKind::Ignored,
                    ..change(channel, detail)
                },
                now,
            )?;
        }
    }
    let phone = phone.filter(|p| own_phone.as_deref() == Some(*p));
    let email = email.filter(|e| own_email.as_deref() == Some(*e));
    if let Some(email) = email {
        let (opted_in, opted_out, _) = email_state(tx, persona_id)?;
        if opted_out || is_suppressed(tx, ConsentChannel::Email, email)? {
            resubscribe(
                tx,
                persona_id,
                email,
                change(
                    ConsentChannel::Email,
                    "Consent signed on the signup form after an earlier opt-out: the shopper rejoined",
                ),
                now,
            )?;
        } else if !opted_in {
            tx.execute(
                "UPDATE personas SET marketing_opt_in = 1 WHERE id = ?1",
                [persona_id],
            )?;
            record(
                tx,
                persona_id,
                change(ConsentChannel::Email, "Consent signed on the signup form"),
                now,
            )?;
        }
    }
    if let Some(phone) = phone {
        let state = sms_state(tx, persona_id)?;
        if state == SmsConsent::OptedOut || is_suppressed(tx, ConsentChannel::Sms, phone)? {
            resubscribe(
                tx,
                persona_id,
                phone,
                change(
                    ConsentChannel::Sms,
                    "Consent signed on the signup form after an earlier opt-out: the shopper rejoined",
                ),
                now,
            )?;
        } else if state != SmsConsent::OptedIn {
            tx.execute(
                "UPDATE personas SET sms_consent = 'opted_in' WHERE id = ?1",
                params![persona_id],
            )?;
            record(
                tx,
                persona_id,
                change(ConsentChannel::Sms, "Consent signed on the signup form"),
                now,
            )?;
        }
    }
    Ok(())
}

/// An imported line's consent: an opt-out opts the persona out of both channels; an e-mail opt-in
/// counts unless the persona or its e-mail opted out.
pub fn from_import(
    tx: &Transaction<'_>,
    persona_id: i64,
    opted_out: bool,
    email_opted_in: bool,
    line: &str,
    now: &str,
) -> Result<()> {
    let evidence = json!({ "import": line });
    if opted_out {
        return opt_out(
            tx,
            persona_id,
            ConsentSource::Import,
            line,
            Some(&evidence),
            now,
        );
    }
    if email_opted_in {
        email_opt_in(tx, persona_id, ConsentSource::Import, line, &evidence, now)?;
    }
    Ok(())
}
