//! Deterministic shopper generator.
//!
//! Every record is a pure function of `(seed, venue index, record index)`, so page N of a venue's
//! customer list is computed directly, without materialising pages 1..N-1, and the same seed always
//! serves the same data.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

/// The instant the generated history starts; record `i` was last updated `i` minutes after it.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// How far apart consecutive records' `updated_at` stamps are.
pub const UPDATE_STEP_SECONDS: i64 = 60;

/// A small, fast, well-mixed hash (SplitMix64) used as the generator's only source of randomness.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stream of pseudo-random numbers for one record.
struct Dice(u64);

impl Dice {
    fn new(seed: u64, venue: usize, index: u64) -> Self {
        Dice(mix(seed ^ mix(venue as u64 ^ mix(index))))
    }
    fn next(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True `percent` times out of a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ava", "Liam", "Maya", "Noah", "Zoë", "Mateo", "Chloé", "Ethan", "Amara", "Lucas", "Sofía",
    "Owen", "Priya", "Caleb", "Hana", "Jonah", "Renée", "Isaac", "Leah", "Diego", "Nora", "Malik",
    "Ingrid", "Theo",
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
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Seattle", "WA", "98101"),
    ("Spokane", "WA", "99201"),
    ("Portland", "OR", "97205"),
    ("Eugene", "OR", "97401"),
    ("Denver", "CO", "80202"),
];

/// A POSaBIT customer exactly as the V3 API serialises it inside `{"customer": …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PosabitCustomer {
    /// POSaBIT's integer id, unique across the sandbox.
    pub id: u64,
    /// Given name; may contain any Unicode letters.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Digits only when present.
    pub telephone: Option<String>,
    /// As typed at the counter: sometimes upper-case or padded.
    pub email: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// `M`, `F` or `X`.
    pub gender: Option<String>,
    /// Signed up for the POS loyalty programme.
    pub loyalty_member: bool,
    /// Ticked marketing opt-in at the counter.
    pub marketing_opt_in: bool,
    /// Street address.
    pub address_1: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Two-letter state.
    pub state: Option<String>,
    /// ZIP code.
    pub zip_code: Option<String>,
    /// ISO 8601 with offset.
    pub created_at: String,
    /// ISO 8601 with offset; strictly increasing with the record index.
    pub updated_at: String,
    /// [invented] `recreational`, `medical` or `employee`.
    pub customer_type: String,
    /// [invented] the POS loyalty balance.
    pub loyalty_points: i64,
    /// [invented] signed "Customer Consent" at signup.
    pub consent_signature: bool,
}

/// The id of the record at `index` in the venue at `venue_index`.
pub fn posabit_customer_id(venue_index: usize, index: u64) -> u64 {
    (venue_index as u64 + 1) * 10_000_000 + index + 1
}

/// The `updated_at` instant of the record at `index`.
pub fn updated_at(index: u64) -> DateTime<Utc> {
    epoch() + Duration::seconds(index as i64 * UPDATE_STEP_SECONDS)
}

/// The index of the first record updated strictly after `instant` (records are ordered by update).
pub fn first_index_updated_after(instant: DateTime<Utc>) -> u64 {
    let seconds = (instant - epoch()).num_seconds();
    if seconds < 0 {
        return 0;
    }
    (seconds / UPDATE_STEP_SECONDS + 1) as u64
}

fn phone_digits(dice: &mut Dice) -> String {
    let area = 200 + dice.below(800);
    let exchange = 200 + dice.below(800);
    let line = dice.below(10_000);
    format!("{area}{exchange:03}{line:04}")
}

/// Generates the POSaBIT customer at `index` of the venue at `venue_index`.
pub fn posabit_customer(seed: u64, venue_index: usize, index: u64) -> PosabitCustomer {
    let mut dice = Dice::new(seed, venue_index, index);
    let first_name = dice.pick(FIRST_NAMES).to_string();
    let last_name = dice.pick(LAST_NAMES).to_string();
    let customer_type = match dice.below(100) {
        0..=79 => "recreational",
        80..=94 => "medical",
        _ => "employee",
    };
    let telephone = if customer_type == "medical" && dice.chance(40) {
        None
    } else if index > 0 && index % 23 == 0 {
        // A family member sharing the previous shopper's phone.
        posabit_customer(seed, venue_index, index - 1).telephone
    } else if dice.chance(3) {
        Some(format!("{}", dice.below(1_000_000)))
    } else {
        Some(phone_digits(&mut dice))
    };
    let email = if dice.chance(12) {
        None
    } else {
        let base = format!(
            "{}.{}{}@example.com",
            ascii_fold(&first_name),
            ascii_fold(&last_name),
            index
        );
        Some(match dice.below(10) {
            0 => base.to_uppercase(),
            1 => format!("  {base} "),
            _ => base,
        })
    };
    let birth_year = 1950 + dice.below(55) as i32;
    let date_of_birth = NaiveDate::from_ymd_opt(
        birth_year,
        1 + dice.below(12) as u32,
        1 + dice.below(28) as u32,
    )
    .map(|d| d.format("%Y-%m-%d").to_string());
    let (city, state, zip) = CITIES[dice.below(CITIES.len() as u64) as usize];
    let created = updated_at(index) - Duration::days(30 + dice.below(700) as i64);
    let loyalty_member = dice.chance(60);
    PosabitCustomer {
        id: posabit_customer_id(venue_index, index),
        first_name,
        last_name,
        telephone,
        email,
        date_of_birth,
        gender: Some(dice.pick(&["M", "F", "X"]).to_string()),
        loyalty_member,
        marketing_opt_in: dice.chance(45),
        address_1: Some(format!(
            "{} {} St",
            100 + dice.below(9_000),
            dice.pick(&["Pine", "Oak", "Cedar", "Alder"])
        )),
        city: Some(city.to_string()),
        state: Some(state.to_string()),
        zip_code: Some(zip.to_string()),
        created_at: created.to_rfc3339(),
        updated_at: updated_at(index).to_rfc3339(),
        customer_type: customer_type.to_string(),
        loyalty_points: if loyalty_member {
            dice.below(2_500) as i64
        } else {
            0
        },
        consent_signature: dice.chance(30),
    }
}

/// Lower-cases a name and drops everything but ASCII letters, for generated e-mail addresses.
fn ascii_fold(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'é' | 'è' => Some('e'),
            'í' => Some('i'),
            'ü' => Some('u'),
            'ë' => Some('e'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_record_and_other_seed_other_record() {
        assert_eq!(posabit_customer(7, 0, 42), posabit_customer(7, 0, 42));
        assert_ne!(posabit_customer(7, 0, 42), posabit_customer(8, 0, 42));
    }

    #[test]
    fn updated_at_orders_records_and_inverts_exactly() {
        for index in [0_u64, 1, 59, 1_000_000] {
            let at = updated_at(index);
            assert_eq!(first_index_updated_after(at), index + 1);
            assert_eq!(first_index_updated_after(at - Duration::seconds(1)), index);
        }
        assert_eq!(first_index_updated_after(epoch() - Duration::days(3)), 0);
    }

    #[test]
    fn telephones_are_digits_only_and_some_are_shared_or_missing() {
        let records: Vec<_> = (0..500).map(|i| posabit_customer(1, 0, i)).collect();
        assert!(records
            .iter()
            .filter_map(|r| r.telephone.as_deref())
            .all(|t| t.chars().all(|c| c.is_ascii_digit())));
        assert!(records.iter().any(|r| r.telephone.is_none()));
        assert_eq!(records[23].telephone, records[22].telephone);
        assert!(records
            .iter()
            .any(|r| r.email.as_deref().is_some_and(|e| e.starts_with(' '))));
    }
}
