//! The words of Canopy's texts, as the carriers require them (CTIA): the program named, what it
//! sends and how often, "Msg & data rates may apply", how to get help and how to stop. Answers
//! carry no marketing.

use rusqlite::{Connection, OptionalExtension};

use crate::base::error::Result;
use crate::consent::sms::MessageKind;

/// Who signs a text when the shopper's store is not known.
const FALLBACK_PROGRAM: &str = "Canopy";

/// Who a text is from: the store's name and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The store's name (the program is "<store> Rewards").
    pub store: String,
    /// The store's address, when known.
    pub address: Option<String>,
}

/// The text of `kind` from `sender`.
pub fn body(kind: MessageKind, sender: &Sender) -> String {
    let program = format!("{} Rewards", sender.store);
    let terms = "Msg frequency varies. Msg & data rates may apply.";
    match kind {
        MessageKind::OptInRequest => format!(
            "{program}: reply YES to get texts from {} about deals and your loyalty rewards. {terms} Reply HELP for help, STOP to cancel.",
            sender.store
        ),
        MessageKind::Confirmation => format!(
            "{program}: you're in! You'll get texts about deals and your loyalty rewards. {terms} Reply HELP for help, STOP to cancel."
        ),
        MessageKind::OptOutConfirmation => format!(
            "{program}: you're unsubscribed and will get no more texts from us. Reply START to rejoin."
        ),
        MessageKind::StartConfirmation => format!(
            "{program}: you're back in and will get texts about deals and your loyalty rewards. {terms} Reply HELP for help, STOP to cancel."
        ),
        MessageKind::Help => {
            let contact = sender
                .address
                .as_deref()
                .map_or_else(|| format!("Ask at {}.", sender.store), |a| format!("Contact {}, {a}.", sender.store));
            format!("{program}: texts about deals and your loyalty rewards. {contact} {terms} Reply STOP to cancel.")
        }
    }
}

/// A persona's store: its favorite, else the store of its latest purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaStore {
    /// The store's name.
    pub name: String,
    /// Its address, when known.
    pub address: Option<String>,
    /// Its state (two letters).
    pub state: String,
    /// Its time zone.
    pub timezone: String,
}

/// The store of `persona` (none for an answer to a number Canopy does not know).
pub fn store_of(connection: &Connection, persona: Option<i64>) -> Result<Option<PersonaStore>> {
    let Some(persona) = persona else {
        return Ok(None);
    };
    Ok(connection
        .prepare_cached(
            "SELECT rs.name, rs.address, rs.state, rs.timezone FROM retail_stores rs
             WHERE rs.id = coalesce(
                 (SELECT favorite_store_id FROM personas WHERE id = ?1),
                 (SELECT m.store_id FROM purchases p JOIN store_mappings m ON m.key_id = p.store_key
                  WHERE p.persona_id = ?1 ORDER BY p.purchased_at DESC LIMIT 1))",
        )?
        .query_row([persona], |r| {
            Ok(PersonaStore {
                name: r.get(0)?,
                address: r.get(1)?,
                state: r.get(2)?,
                timezone: r.get(3)?,
            })
        })
        .optional()?)
}

/// Who signs a persona's texts: its store, else Canopy.
pub fn sender_of(connection: &Connection, persona: Option<i64>) -> Result<Sender> {
    Ok(store_of(connection, persona)?.map_or_else(
        || Sender {
            store: FALLBACK_PROGRAM.to_string(),
            address: None,
        },
        |store| Sender {
            store: store.name,
            address: store.address,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_names_the_program_and_how_to_stop_and_answers_carry_no_marketing() {
        let sender = Sender {
            store: "Capitol Hill".into(),
            address: Some("1500 Pine St, Seattle".into()),
        };
        for kind in MessageKind::ALL {
            let text = body(*kind, &sender);
            assert!(text.starts_with("Capitol Hill Rewards: "), "{text}");
            assert!(text.contains("STOP") || text.contains("START"), "{text}");
            assert!(text.len() <= 320, "two segments at most: {text}");
        }
        let request = body(MessageKind::OptInRequest, &sender);
        for words in [
            "reply YES",
            "Msg frequency varies",
            "Msg & data rates may apply",
            "HELP",
            "STOP",
        ] {
            assert!(request.contains(words), "{words}: {request}");
        }
        let help = body(MessageKind::Help, &sender);
        assert!(
            help.contains("1500 Pine St") && help.contains("Msg & data rates may apply"),
            "{help}"
        );
        let stopped = body(MessageKind::OptOutConfirmation, &sender);
        assert!(
            !stopped.contains("deals"),
            "no marketing in the stop confirmation: {stopped}"
        );
    }
}
