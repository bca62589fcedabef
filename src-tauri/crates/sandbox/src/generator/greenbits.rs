//! Greenbits records: people (customers and patients), orders and discounts, as the V2 API
//! serialises them.

use chrono::Duration;
use serde_json::{json, Value};

use super::identity::{format_phone, identity, Kind};
use super::posabit::customer_identity_key;
use super::{stamp, Dice, Timeline};

const PERSON_STREAM: u64 = 4;
const ORDER_STREAM: u64 = 5;
const PATIENT_STREAM: u64 = 6;
const DISCOUNT_STREAM: u64 = 7;

/// Every how many Greenbits people one is a shopper who also buys at a POSaBIT store.
pub const SHARED_EVERY: u64 = 5;

/// A UUID-shaped id that carries `(tag, location, index)` so it can be looked up without a scan.
fn encoded_id(tag: u64, location: usize, index: u64) -> String {
    format!("{tag:08x}-{:04x}-4000-8000-{index:012x}", location & 0xffff)
}

fn decode_id(id: &str, tag: u64) -> Option<(usize, u64)> {
    let parts: Vec<&str> = id.split('-').collect();
    if parts.len() != 5 || u64::from_str_radix(parts[0], 16).ok()? != tag {
        return None;
    }
    Some((
        usize::from_str_radix(parts[1], 16).ok()?,
        u64::from_str_radix(parts[4], 16).ok()?,
    ))
}

/// The id of person `index` at location `location`.
pub fn person_id(location: usize, index: u64) -> String {
    encoded_id(PERSON_STREAM, location, index)
}

/// The `(location, index)` of a person id made by [`person_id`].
pub fn person_index(id: &str) -> Option<(usize, u64)> {
    decode_id(id, PERSON_STREAM)
}

/// The id of patient `index` at location `location`.
pub fn patient_id(location: usize, index: u64) -> String {
    encoded_id(PATIENT_STREAM, location, index)
}

/// The `(location, index)` of a patient id made by [`patient_id`].
pub fn patient_index(id: &str) -> Option<(usize, u64)> {
    decode_id(id, PATIENT_STREAM)
}

/// The id of discount `index` at location `location`.
pub fn discount_id(location: usize, index: u64) -> String {
    encoded_id(DISCOUNT_STREAM, location, index)
}

/// The `(location, index)` of a discount id made by [`discount_id`].
pub fn discount_index(id: &str) -> Option<(usize, u64)> {
    decode_id(id, DISCOUNT_STREAM)
}

/// Discount `index` at location `location` [invented list shape, see the sandbox README]: the
/// built-in coupon names first, each with the type and value its name says.
pub fn greenbits_discount(location: usize, index: u64) -> Value {
    let name = super::posabit::coupon_name(index as usize);
    let percent = name
        .split(|c: char| !c.is_ascii_digit())
        .find(|part| !part.is_empty())
        .and_then(|digits| digits.parse::<i64>().ok());
    let (kind, value) = if name.contains('%') {
        ("percent", percent)
    } else if name.starts_with('$') {
        ("amount", percent.map(|dollars| dollars * 100))
    } else {
        ("item", None)
    };
    json!({
        "id": discount_id(location, index),
        "name": name,
        "active": true,
        "discount_type": kind,
        "value": value,
    })
}

/// The id of order `index` at location `location`.
pub fn order_id(location: usize, index: u64) -> String {
    encoded_id(ORDER_STREAM, location, index)
}

/// The `(location, index)` of an order id made by [`order_id`].
pub fn order_index(id: &str) -> Option<(usize, u64)> {
    decode_id(id, ORDER_STREAM)
}

/// Where a person sits: location index, its company id, and whether the list is of patients.
#[derive(Debug, Clone, Copy)]
pub struct PersonList {
    /// The location's index in the sandbox's list.
    pub location: usize,
    /// The location's Greenbits company id.
    pub company_id: u64,
    /// True for the location's patient list, false for its customers.
    pub patients: bool,
    /// How many records the list has.
    pub len: u64,
}

/// Person `index` of `list`.
///
/// Every `SHARED_EVERY`th customer is the same shopper as POSaBIT customer `index` of venue
/// `location % venues` (when that customer exists; `posabit` is `(venues, customers per venue)`),
/// so matching across POS systems can be tested. Patients are medical; 40% have no phone.
pub fn greenbits_person(seed: u64, list: PersonList, index: u64, posabit: (usize, u64)) -> Value {
    let (venues, customers_per_venue) = posabit;
    let PersonList {
        location,
        company_id,
        patients: patient,
        len,
    } = list;
    let key = if patient {
        (1 << 61) | customer_identity_key(location, index)
    } else if venues > 0 && index.is_multiple_of(SHARED_EVERY) && index < customers_per_venue {
        customer_identity_key(location % venues, index)
    } else {
        (1 << 60) | customer_identity_key(location, index)
    };
    let mut person = identity(seed, key);
    let stream = if patient {
        PATIENT_STREAM
    } else {
        PERSON_STREAM
    };
    let mut dice = Dice::new(seed, stream, location, index);
    if patient {
        person.kind = Kind::Medical;
        if dice.chance(40) {
            person.phone_digits = None;
        }
    } else if person.kind == Kind::Medical {
        person.kind = Kind::Recreational;
    }
    let updated = Timeline::new(len).at(index);
    json!({
        "id": if patient { patient_id(location, index) } else { person_id(location, index) },
        "company_id": company_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone_digits.as_deref().map(|d| format_phone(d, dice.next())),
        "birth_date": person.birth_date,
        "loyalty_id": person.loyalty_member.then(|| format!("GB{:010}", dice.below(10_000_000_000))),
        "customer_group": if person.kind == Kind::Employee { "Employee" } else if patient { "Medical" } else { "Recreational" },
        "medical_id": patient.then(|| format!("MED-{:07}", dice.below(10_000_000))),
        "medical_id_expiration": patient.then(|| stamp(updated + Duration::days(365)).chars().take(10).collect::<String>()),
        "caregiver": patient && dice.chance(5),
        "patient": patient,
        "loyalty_points": person.loyalty_points,
        "created_at": stamp(updated - Duration::days(dice.below(700) as i64)),
        "updated_at": stamp(updated),
    })
}

const PRODUCTS: &[(&str, u64)] = &[
    ("Northern Lights 1/8", 3_800),
    ("Indica Gummies 10pk", 2_000),
    ("Live Resin Cart 0.5g", 4_000),
    ("Topical Balm", 3_200),
];

/// Order `index` at location `location` of `len` orders, made by one of `people` people.
pub fn greenbits_order(seed: u64, location: usize, index: u64, len: u64, people: u64) -> Value {
    let mut dice = Dice::new(seed, ORDER_STREAM, location, index);
    let person = (people > 0 && !dice.chance(8)).then(|| person_id(location, dice.below(people)));
    let line_items: Vec<Value> = (0..1 + dice.below(3))
        .map(|_| {
            let (name, price) = PRODUCTS[dice.below(PRODUCTS.len() as u64) as usize];
            let discounts: Vec<Value> = if dice.chance(12) {
                let names = super::posabit::COUPON_NAMES;
                vec![json!({ "name": names[dice.below(names.len() as u64) as usize], "amount": price / 10 })]
            } else {
                Vec::new()
            };
            json!({ "name": name, "price": price, "quantity": 1 + dice.below(2), "discounts": discounts, "taxes": [{ "name": "Excise", "amount": price * 37 / 100 }] })
        })
        .collect();
    let total: u64 = line_items
        .iter()
        .map(|i| {
            let gross = i["price"].as_u64().unwrap_or(0) * i["quantity"].as_u64().unwrap_or(0);
            let off: u64 = i["discounts"]
                .as_array()
                .map(|d| d.iter().filter_map(|x| x["amount"].as_u64()).sum())
                .unwrap_or(0);
            gross.saturating_sub(off)
        })
        .sum();
    let updated = Timeline::new(len).at(index);
    json!({
        "id": order_id(location, index),
        "person_id": person,
        "total": total,
        "line_items": line_items,
        "completed_at": stamp(updated - Duration::minutes(dice.below(30) as i64)),
        "updated_at": stamp(updated),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_invert_and_do_not_collide_between_kinds() {
        assert_eq!(person_index(&person_id(3, 1_999_999)), Some((3, 1_999_999)));
        assert_eq!(order_index(&order_id(1, 42)), Some((1, 42)));
        assert_eq!(person_index(&order_id(1, 42)), None);
    }

    #[test]
    fn some_people_are_posabit_shoppers_and_phones_vary_in_format() {
        let list = PersonList {
            location: 0,
            company_id: 5001,
            patients: false,
            len: 200,
        };
        let people: Vec<Value> = (0..200)
            .map(|i| greenbits_person(9, list, i, (2, 300)))
            .collect();
        let shared = crate::generator::posabit_customer(9, 0, 10, 300);
        assert_eq!(people[10]["last_name"], shared["last_name"]);
        assert_eq!(people[10]["email"], shared["email"]);
        let phones: Vec<&str> = people.iter().filter_map(|p| p["phone"].as_str()).collect();
        assert!(phones.iter().any(|p| p.starts_with('(')));
        assert!(phones.iter().any(|p| p.starts_with("+1 ")));
        assert!(phones.iter().any(|p| p.contains('.')));
        assert!(people.iter().all(|p| p["patient"] == false));
        let patients = PersonList {
            patients: true,
            ..list
        };
        let patient = greenbits_person(9, patients, 3, (2, 300));
        assert_eq!(
            (
                patient["patient"].clone(),
                patient["customer_group"].clone()
            ),
            (json!(true), json!("Medical"))
        );
        assert_eq!(patient_index(patient["id"].as_str().unwrap()), Some((0, 3)));
    }
}
