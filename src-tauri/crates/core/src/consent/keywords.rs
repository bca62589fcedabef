//! What a shopper's text reply means. The FCC counts any reasonable way of saying stop as a
//! revocation (FCC 24-24), the carriers add their keywords (CTIA), and dispensaries text in English
//! and Spanish, so a reply is read the way a person would: letters folded (full-width, accents,
//! case), words picked out of the punctuation, stop words found anywhere, and phrases such as
//! "stop texting me" or "no más". A reply that might mean stop but might not ("When does the sale
//! end?") is held for review rather than guessed either way.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// What a reply means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Join: YES (or Y, SÍ) to a double opt-in request.
    Yes,
    /// Stop: revokes consent, whatever the state.
    Stop,
    /// START or UNSTOP: the shopper's own act that rejoins after a stop.
    Start,
    /// HELP or INFO: answered with who is texting and how to stop.
    Help,
    /// Might mean stop: the persona gets no more texts until someone reviews it.
    MaybeStop,
    /// Anything else.
    Other,
}

/// Words that mean stop wherever they appear (FCC's and the carriers' keywords, in English and
/// Spanish).
const STOP_WORDS: &[&str] = &[
    "stop",
    "stopall",
    "unsubscribe",
    "unsub",
    "optout",
    "revoke",
    "alto",
    "parar",
    "basta",
    "desuscribir",
    "desuscribirme",
];

/// Words that mean stop in a short reply ("END", "cancel please") but may be about something
/// else in a sentence ("When does the sale end?").
const SHORT_STOP_WORDS: &[&str] = &[
    "end", "quit", "cancel", "cancelar", "halt", "terminar", "para",
];

/// The most words a reply may have for a [`SHORT_STOP_WORDS`] word to mean stop.
const SHORT_REPLY_WORDS: usize = 3;

/// Phrases (as folded words) that mean stop wherever they appear.
const STOP_PHRASES: &[&[&str]] = &[
    &["opt", "out"],
    &["no", "more"],
    &["no", "mas"],
    &["remove", "me"],
    &["take", "me", "off"],
    &["leave", "me", "alone"],
    &["dont", "text"],
    &["do", "not", "text"],
    &["dont", "message"],
    &["do", "not", "message"],
    &["no", "texts"],
    &["stop", "texting"],
    &["no", "quiero"],
    &["ya", "no"],
    &["de", "baja"],
    &["no", "me", "envies"],
];

/// Whole replies that decline, to a request that asked for YES.
const DECLINES: &[&[&str]] = &[
    &["no"],
    &["nope"],
    &["no", "thanks"],
    &["no", "thank", "you"],
    &["no", "gracias"],
];

/// Whole replies that rejoin.
const STARTS: &[&[&str]] = &[&["start"], &["unstop"], &["yes", "start"]];

/// Words that ask for help when a short reply starts with them.
const HELP_WORDS: &[&str] = &["help", "info", "ayuda"];

/// Words that say yes when a short reply starts with them.
const YES_WORDS: &[&str] = &["yes", "y", "si", "yep", "yeah", "yea"];

/// Classifies a reply.
pub fn classify(body: &str) -> Reply {
    let owned = words(body);
    let words: Vec<&str> = owned.iter().map(String::as_str).collect();
    if words.is_empty() {
        return Reply::Other;
    }
    let short = words.len() <= SHORT_REPLY_WORDS;
    if means_stop(&words) || (short && words.iter().any(|w| SHORT_STOP_WORDS.contains(w))) {
        return Reply::Stop;
    }
    if STARTS.iter().any(|start| words == *start) {
        return Reply::Start;
    }
    if words.iter().any(|w| SHORT_STOP_WORDS.contains(w)) {
        return Reply::MaybeStop;
    }
    if short && HELP_WORDS.contains(&words[0]) {
        return Reply::Help;
    }
    if short && YES_WORDS.contains(&words[0]) {
        return Reply::Yes;
    }
    if words.len() == 1 && looks_like_stop(words[0]) {
        return Reply::Stop;
    }
    Reply::Other
}

/// A stop word or phrase anywhere, or a whole reply that declines.
fn means_stop(words: &[&str]) -> bool {
    words.iter().any(|w| STOP_WORDS.contains(w))
        || STOP_PHRASES
            .iter()
            .any(|phrase| words.windows(phrase.len()).any(|run| run == *phrase))
        || DECLINES.contains(&words)
}

/// A one-word reply a reasonable person reads as stop: a slip of one letter ("stpo", "sotp",
/// "stopp") or stop with letters repeated ("stoooop").
fn looks_like_stop(word: &str) -> bool {
    let squeezed: String = word.chars().fold(String::new(), |mut run, c| {
        if !run.ends_with(c) {
            run.push(c);
        }
        run
    });
    squeezed == "stop" || squeezed == "unsubscribe" || within_one_edit(word, "stop")
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return true;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (&a[prefix..], &b[prefix..]);
    match rest_a.len().cmp(&rest_b.len()) {
        std::cmp::Ordering::Equal => {
            rest_a[1..] == rest_b[1..]
                || (rest_a.len() >= 2
                    && rest_a[0] == rest_b[1]
                    && rest_a[1] == rest_b[0]
                    && rest_a[2..] == rest_b[2..])
        }
        std::cmp::Ordering::Greater => rest_a.len() == rest_b.len() + 1 && rest_a[1..] == *rest_b,
        std::cmp::Ordering::Less => rest_b.len() == rest_a.len() + 1 && *rest_a == rest_b[1..],
    }
}

/// The reply's words: compatibility-folded (full-width letters become ASCII), accents and case
/// dropped, apostrophes joined ("don't" is "dont"), split on everything else that is not a letter
/// or digit.
fn words(body: &str) -> Vec<String> {
    let folded: String = body
        .nfkc()
        .collect::<String>()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .filter(|c| !matches!(c, '\'' | '’' | '‘'))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{classify, Reply};

    /// Replies and what each must mean: keywords, phrases, Spanish, punctuation, full-width letters,
    /// slips of the keyboard, and lookalikes that must not opt anyone out.
    const CORPUS: &[(&str, Reply)] = &[
        // The FCC's words and the carriers', in any case and punctuation.
        ("STOP", Reply::Stop),
        ("stop", Reply::Stop),
        ("Stop.", Reply::Stop),
        ("Stop?", Reply::Stop),
        ("STOP!!!", Reply::Stop),
        ("  stop  ", Reply::Stop),
        ("\"STOP\"", Reply::Stop),
        ("STOP IT", Reply::Stop),
        ("please stop", Reply::Stop),
        ("Stop texting me", Reply::Stop),
        ("STOPALL", Reply::Stop),
        ("Unsubscribe", Reply::Stop),
        ("unsubscribe me please", Reply::Stop),
        ("OPTOUT", Reply::Stop),
        ("opt-out", Reply::Stop),
        ("Opt out", Reply::Stop),
        ("REVOKE", Reply::Stop),
        ("QUIT", Reply::Stop),
        ("quit it", Reply::Stop),
        ("END", Reply::Stop),
        ("end.", Reply::Stop),
        ("CANCEL", Reply::Stop),
        ("cancel please", Reply::Stop),
        // Phrases a reasonable person reads as stop.
        ("No more texts", Reply::Stop),
        ("no more", Reply::Stop),
        ("Remove me from this list", Reply::Stop),
        ("take me off your list", Reply::Stop),
        ("Don't text me again", Reply::Stop),
        ("do not text this number", Reply::Stop),
        ("leave me alone", Reply::Stop),
        ("I said stop, this is the third time", Reply::Stop),
        ("No", Reply::Stop),
        ("no thanks", Reply::Stop),
        // Spanish.
        ("ALTO", Reply::Stop),
        ("Parar", Reply::Stop),
        ("cancelar", Reply::Stop),
        ("No más", Reply::Stop),
        ("no mas mensajes", Reply::Stop),
        ("Ya no quiero mensajes", Reply::Stop),
        ("darme de baja", Reply::Stop),
        ("No, gracias", Reply::Stop),
        // Full-width letters and slips.
        ("ＳＴＯＰ", Reply::Stop),
        ("ｓｔｏｐ", Reply::Stop),
        ("stpo", Reply::Stop),
        ("sotp", Reply::Stop),
        ("stopp", Reply::Stop),
        ("stoooop", Reply::Stop),
        ("sto", Reply::Stop),
        // A stop wins over a yes in the same reply.
        ("YES STOP", Reply::Stop),
        ("yes... actually no more", Reply::Stop),
        // Joining.
        ("YES", Reply::Yes),
        ("yes", Reply::Yes),
        ("Y", Reply::Yes),
        ("Yes!", Reply::Yes),
        ("yes please", Reply::Yes),
        ("Sí", Reply::Yes),
        ("si", Reply::Yes),
        ("ＹＥＳ", Reply::Yes),
        // Rejoining after a stop, and help.
        ("START", Reply::Start),
        ("Unstop", Reply::Start),
        ("start.", Reply::Start),
        ("HELP", Reply::Help),
        ("help?", Reply::Help),
        ("INFO", Reply::Help),
        ("Ayuda", Reply::Help),
        // Unclear: might mean stop, held for review.
        ("When does the sale end?", Reply::MaybeStop),
        ("Can I cancel my order from yesterday?", Reply::MaybeStop),
        ("I want to quit getting these, how?", Reply::MaybeStop),
        // Lookalikes that must not opt anyone out.
        ("Stopped by the store yesterday?", Reply::Other),
        ("Is the sale ending?", Reply::Other),
        ("What time do you close tonight?", Reply::Other),
        ("Thanks! See you Friday", Reply::Other),
        ("How many points do I have", Reply::Other),
        ("Is the store open on Sunday", Reply::Other),
        ("Unstoppable deals!", Reply::Other),
        ("What's the weekend special", Reply::Other),
        ("Starting when?", Reply::Other),
        ("Yesterday I bought a pre-roll", Reply::Other),
        ("", Reply::Other),
        ("👍", Reply::Other),
    ];

    #[test]
    fn every_reply_in_the_corpus_means_what_a_person_would_read() {
        assert!(
            CORPUS.len() >= 60,
            "the corpus has {} replies",
            CORPUS.len()
        );
        let wrong: Vec<_> = CORPUS
            .iter()
            .filter(|(body, expected)| classify(body) != *expected)
            .map(|(body, expected)| {
                format!("{body:?}: expected {expected:?}, got {:?}", classify(body))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
