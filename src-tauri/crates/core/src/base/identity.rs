//! Normalisation of the contact fields personas are matched on (rules in `POS-APIS.md`).

/// A US phone number in E.164 (`+1XXXXXXXXXX`), or `None` when the input is not a valid US number.
///
/// Non-digits are stripped; eleven digits starting with 1 lose the 1; a valid number is ten digits
/// whose first digit is neither 0 nor 1.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        11 if digits.starts_with('1') => &digits[1..],
        10 => digits.as_str(),
        _ => return None,
    };
    if national.starts_with(['0', '1']) {
        return None;
    }
    Some(format!("+1{national}"))
}

/// A trimmed, lower-cased e-mail address, or `None` when it is blank or has no `@` between text.
/// `+tags` and dots are kept: they are part of the address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    if local.is_empty() || domain.is_empty() || email.contains(char::is_whitespace) {
        return None;
    }
    Some(email)
}

/// A name folded for search: accents removed, lower case, single spaces (`" Zoë  GARCÍA"` →
/// `"zoe garcia"`); `None` when nothing is left.
pub fn fold_name(raw: &str) -> Option<String> {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let folded: String = raw
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    let words: Vec<&str> = folded.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `text` with every e-mail address and phone-like run of digits masked, for messages that quote
/// what another system said (a POS's error can echo the shopper it was asked about).
pub fn mask_contacts(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim();
            let digits = bare.chars().filter(char::is_ascii_digit).count();
            if bare.contains('@') && bare.contains('.') {
                word.replace(bare, "[e-mail]")
            } else if digits >= 7 {
                word.replace(bare, "[phone]")
            } else {
                word.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_in_quoted_text_are_masked() {
        assert_eq!(
            mask_contacts("no customer with q[telephone_eq]=+12065550100 or zoe@example.com here"),
            "no customer with [phone] or [e-mail] here"
        );
        assert_eq!(mask_contacts("page 2 of 10"), "page 2 of 10");
    }

    #[test]
    fn names_fold_accents_case_and_spaces() {
        assert_eq!(fold_name(" Zoë  GARCÍA ").as_deref(), Some("zoe garcia"));
        assert_eq!(fold_name("Ñúñez").as_deref(), Some("nunez"));
        assert_eq!(fold_name("   "), None);
    }

    #[test]
    fn phones_in_every_common_format_normalise_to_the_same_e164() {
        for raw in [
            "(555) 231-2222",
            "+1 555 231 2222",
            "555.231.2222",
            "5552312222",
            "1-555-231-2222",
            " 555 231 2222 ",
        ] {
            assert_eq!(
                normalize_phone(raw).as_deref(),
                Some("+15552312222"),
                "{raw}"
            );
        }
    }

    #[test]
    fn invalid_phones_are_rejected() {
        for raw in [
            "",
            "12345",
            "0552312222",
            "1552312222",
            "25552312222",
            "555-231-222",
            "phone",
        ] {
            assert_eq!(normalize_phone(raw), None, "{raw}");
        }
    }

    #[test]
    fn emails_are_trimmed_and_lowercased_but_keep_tags_and_dots() {
        assert_eq!(
            normalize_email("  Ava.Smith+VIP@Example.COM ").as_deref(),
            Some("ava.smith+vip@example.com")
        );
        for raw in [
            "",
            "   ",
            "no-at-sign",
            "@example.com",
            "ava@",
            "a b@example.com",
        ] {
            assert_eq!(normalize_email(raw), None, "{raw}");
        }
    }
}
