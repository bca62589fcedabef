//! The shopper behind a POS record: one pool of identities per seed, so the same shopper can appear
//! at several stores and in both POS systems. Realistic and deliberately nasty.

use chrono::{Datelike, NaiveDate};

use super::{history_end, Dice};

const FIRST_NAMES: &[&str] = &[
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Zoë",
    "Mateo",
    "Chloé",
    "Ethan",
    "Amara",
    "Lucas",
    "Sofía",
    "Owen",
    "Priya",
    "Caleb",
    "Hana",
    "Jonah",
    "Renée",
    "Isaac",
    "Leah",
    "Diego",
    "Nora",
    "Malik",
    "Ingrid",
    "Theo",
    "Ольга",
    "李",
    "Nguyễn Thị",
    "Siobhán",
];
const LAST_NAMES: &[&str] = &[
    "Nguyen",
    "García",
    "Smith",
    "O'Brien",
    "Kowalski",
    "Johnson",
    "Müller",
    "Patel",
    "Okafor",
    "Larsen",
    "Rossi",
    "Tanaka",
    "Brown",
    "Díaz",
    "Walker",
    "Cohen",
    "Silva",
    "Young",
    "Hughes",
    "Fitzgerald-Montgomery",
    "Иванова",
    "王",
];

/// Recreational, medical or employee, as POSaBIT's `customer_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 21+ adult-use shopper.
    Recreational,
    /// Medical patient (phone optional).
    Medical,
    /// Staff: earns no points.
    Employee,
}

impl Kind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Recreational => "recreational",
            Kind::Medical => "medical",
            Kind::Employee => "employee",
        }
    }
}

/// One shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Given name; sometimes non-Latin or very long.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Ten digits, an invalid digit string, or none.
    pub phone_digits: Option<String>,
    /// As typed at the counter: sometimes upper-case or padded with spaces.
    pub email: Option<String>,
    /// `YYYY-MM-DD`; sometimes under 21 or in the future.
    pub birth_date: Option<String>,
    /// Recreational, medical or employee.
    pub kind: Kind,
    /// Member of the POS loyalty programme.
    pub loyalty_member: bool,
    /// Ticked marketing opt-in.
    pub marketing_opt_in: bool,
    /// Explicitly opted out of marketing (wins over any opt-in).
    pub opted_out: bool,
    /// Signed "Customer Consent" at signup.
    pub consent_signature: bool,
    /// The POS loyalty balance.
    pub loyalty_points: i64,
}

/// Stream tag of the identity pool.
const IDENTITY_STREAM: u64 = 1;

fn phone_digits(dice: &mut Dice) -> String {
    let area = 200 + dice.below(800);
    let exchange = 200 + dice.below(800);
    format!("{area}{exchange:03}{:04}", dice.below(10_000))
}

/// Lower-cases a name to ASCII letters, for generated e-mail addresses.
fn ascii_fold(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ë' | 'ễ' => Some('e'),
            'í' => Some('i'),
            'ü' => Some('u'),
            'á' => Some('a'),
            'ị' => Some('i'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    if folded.is_empty() {
        "shopper".into()
    } else {
        folded
    }
}

/// The identity with pool key `key`.
pub fn identity(seed: u64, key: u64) -> Identity {
    let mut dice = Dice::new(seed, IDENTITY_STREAM, 0, key);
    let mut first_name = dice.pick(FIRST_NAMES).to_string();
    let last_name = dice.pick(LAST_NAMES).to_string();
    if dice.chance(1) {
        first_name =
            format!("{first_name} Maximiliana-Alexandrina-Konstantina de la Santísima Trinidad");
    }
    let kind = match dice.below(100) {
        0..=79 => Kind::Recreational,
        80..=94 => Kind::Medical,
        _ => Kind::Employee,
    };
    let phone_digits = match dice.below(100) {
        _ if kind == Kind::Medical && dice.chance(40) => None,
        0..=4 => None,
        5..=7 => Some(format!("{}", dice.below(1_000_000))),
        _ => Some(phone_digits(&mut dice)),
    };
    let email = if dice.chance(12) {
        None
    } else {
        let base = format!(
            "{}.{}{}@example.com",
            ascii_fold(&first_name),
            ascii_fold(&last_name),
            key % 1_000_000_007
        );
        Some(match dice.below(10) {
            0 => base.to_uppercase(),
            1 => format!("  {base} "),
            _ => base,
        })
    };
    let today = history_end().date_naive();
    let birth_year = match dice.below(200) {
        0 => today.year() + 4, // a typo'd future birth date
        1..=4 => today.year() - 18 - dice.below(3) as i32, // under 21
        _ => today.year() - 21 - dice.below(55) as i32,
    };
    let birth_date = NaiveDate::from_ymd_opt(
        birth_year,
        1 + dice.below(12) as u32,
        1 + dice.below(28) as u32,
    )
    .map(|d| d.format("%Y-%m-%d").to_string());
    let loyalty_member = dice.chance(60);
    let opted_out = dice.chance(5);
    Identity {
        first_name,
        last_name,
        phone_digits,
        email,
        birth_date: if dice.chance(3) { None } else { birth_date },
        kind,
        loyalty_member,
        marketing_opt_in: !opted_out && dice.chance(45),
        opted_out,
        consent_signature: !opted_out && dice.chance(30),
        loyalty_points: if loyalty_member && kind != Kind::Employee {
            dice.below(2_500) as i64
        } else {
            0
        },
    }
}

/// `5551112222` written the many ways people type phones into a POS.
pub fn format_phone(digits: &str, style: u64) -> String {
    if digits.len() != 10 {
        return digits.to_string();
    }
    let (a, b, c) = (&digits[0..3], &digits[3..6], &digits[6..]);
    match style % 6 {
        0 => format!("({a}) {b}-{c}"),
        1 => format!("+1 {a} {b} {c}"),
        2 => format!("{a}.{b}.{c}"),
        3 => format!("{a} {b} {c}"),
        4 => format!("1{a}{b}{c}"),
        _ => format!("{a}-{b}-{c}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_holds_every_nasty_case() {
        let pool: Vec<Identity> = (0..5_000).map(|k| identity(3, k)).collect();
        assert!(pool.iter().any(|i| i.phone_digits.is_none()));
        assert!(pool
            .iter()
            .any(|i| i.phone_digits.as_ref().is_some_and(|p| p.len() != 10)));
        assert!(pool.iter().any(|i| i.email.is_none()));
        assert!(pool
            .iter()
            .any(|i| i.email.as_ref().is_some_and(|e| e.starts_with(' '))));
        assert!(pool
            .iter()
            .any(|i| i.email.as_ref().is_some_and(|e| e.contains("EXAMPLE"))));
        assert!(pool.iter().any(|i| i.first_name.chars().count() > 60));
        assert!(pool.iter().any(|i| !i.first_name.is_ascii()));
        assert!(pool
            .iter()
            .any(|i| i.kind == Kind::Employee && i.loyalty_points == 0));
        assert!(pool
            .iter()
            .any(|i| i.kind == Kind::Medical && i.phone_digits.is_none()));
        assert!(pool.iter().any(|i| i.opted_out && !i.marketing_opt_in));
        assert!(pool.iter().any(|i| i.consent_signature));
        let year = |i: &Identity| {
            i.birth_date
                .as_ref()
                .and_then(|d| d[..4].parse::<i32>().ok())
        };
        assert!(
            pool.iter().any(|i| year(i).is_some_and(|y| y > 2026)),
            "future birth dates"
        );
        assert!(
            pool.iter()
                .any(|i| year(i).is_some_and(|y| (2006..=2008).contains(&y))),
            "under 21"
        );
    }

    #[test]
    fn phones_come_in_many_formats() {
        let formats: Vec<String> = (0..6).map(|s| format_phone("5551112222", s)).collect();
        assert_eq!(
            formats,
            [
                "(555) 111-2222",
                "+1 555 111 2222",
                "555.111.2222",
                "555 111 2222",
                "15551112222",
                "555-111-2222"
            ]
        );
    }
}
