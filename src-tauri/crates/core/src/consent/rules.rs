//! What a reply does to a persona's SMS consent, as a pure function of the state and what the
//! reply means ([`super::keywords`]).

use super::keywords::Reply;
use super::sms::MessageKind;
use super::{ConsentEventKind, SmsConsent};

/// What a reply does: the state after it, the history event, and the text to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The consent after the reply.
    pub to: SmsConsent,
    /// The history event.
    pub event: ConsentEventKind,
    /// Why, for the history.
    pub detail: &'static str,
    /// The text to answer with, if any.
    pub answer: Option<MessageKind>,
}

/// The consent rules for one reply. HELP is not a consent change: it is answered apart.
pub fn on_reply(state: SmsConsent, reply: Reply) -> Transition {
    let ignored = |detail| Transition {
        to: state,
        event: ConsentEventKind::Ignored,
        detail,
        answer: None,
    };
    match (state, reply) {
        (SmsConsent::OptedOut, Reply::Stop) => ignored("Already opted out"),
        (_, Reply::Stop) => Transition {
            to: SmsConsent::OptedOut,
            event: ConsentEventKind::OptedOut,
            detail: "Replied stop",
            answer: Some(MessageKind::OptOutConfirmation),
        },
        (SmsConsent::OptedOut, Reply::Start) => Transition {
            to: SmsConsent::OptedIn,
            event: ConsentEventKind::Resubscribed,
            detail: "Replied START: rejoined by the shopper's own act",
            answer: Some(MessageKind::StartConfirmation),
        },
        (_, Reply::Start) => ignored("Not opted out: nothing to rejoin"),
        (SmsConsent::OptedOut, _) => {
            ignored("Opted out earlier: only START or UNSTOP from the shopper rejoins")
        }
        (SmsConsent::Requested, Reply::Yes) => Transition {
            to: SmsConsent::OptedIn,
            event: ConsentEventKind::Confirmed,
            detail: "Replied YES to the double opt-in request",
            answer: Some(MessageKind::Confirmation),
        },
        (SmsConsent::OptedIn, Reply::Yes) => ignored("Already opted in"),
        (SmsConsent::None, Reply::Yes) => ignored("No opt-in request was sent"),
        (_, Reply::MaybeStop) => Transition {
            to: state,
            event: ConsentEventKind::Held,
            detail: "The reply may mean stop: no more texts until it is reviewed",
            answer: None,
        },
        (_, Reply::Help | Reply::Other) => ignored("Not YES, STOP or START"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_to_a_request_opts_in_and_answers_with_a_confirmation() {
        let t = on_reply(SmsConsent::Requested, Reply::Yes);
        assert_eq!(
            (t.to, t.event, t.answer),
            (
                SmsConsent::OptedIn,
                ConsentEventKind::Confirmed,
                Some(MessageKind::Confirmation)
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
                (t.to, t.event, t.answer),
                (
                    SmsConsent::OptedOut,
                    ConsentEventKind::OptedOut,
                    Some(MessageKind::OptOutConfirmation)
                ),
                "{state:?}"
            );
        }
        let again = on_reply(SmsConsent::OptedOut, Reply::Stop);
        assert_eq!((again.to, again.answer), (SmsConsent::OptedOut, None));
    }

    #[test]
    fn after_an_opt_out_only_start_rejoins() {
        for reply in [Reply::Yes, Reply::MaybeStop, Reply::Other, Reply::Help] {
            let t = on_reply(SmsConsent::OptedOut, reply);
            assert_eq!((t.to, t.answer), (SmsConsent::OptedOut, None), "{reply:?}");
        }
        let start = on_reply(SmsConsent::OptedOut, Reply::Start);
        assert_eq!(
            (start.to, start.event, start.answer),
            (
                SmsConsent::OptedIn,
                ConsentEventKind::Resubscribed,
                Some(MessageKind::StartConfirmation)
            )
        );
        assert_eq!(
            on_reply(SmsConsent::OptedIn, Reply::Start).event,
            ConsentEventKind::Ignored
        );
    }

    #[test]
    fn an_unclear_reply_is_held_and_answered_with_nothing() {
        for state in [SmsConsent::None, SmsConsent::Requested, SmsConsent::OptedIn] {
            let t = on_reply(state, Reply::MaybeStop);
            assert_eq!(
                (t.to, t.event, t.answer),
                (state, ConsentEventKind::Held, None)
            );
        }
    }
}
