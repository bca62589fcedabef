//! When a text may be handed to the gateway: inside 8 am – 9 pm (TCPA, 47 CFR § 64.1200(c)(1)) and
//! inside the stricter window of the recipient's state, in the recipient's local time, for every
//! place the recipient may be — the state of their address, the zones of their phone's area code,
//! and the store's zone. The state rules are data ([`STATE_RULES`], each row with its source);
//! area codes are data too (`area_codes.txt`, with its source and date).

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// How long before a window closes Canopy stops handing texts over, so a text decided on just
/// before the close is with the gateway before it (the gateway's request timeout is 30 s).
pub const HANDOFF_MARGIN: Duration = Duration::minutes(1);

/// Federal quiet hours: texts only from 8:00 to 21:00 local time, every day.
const FEDERAL: (u16, u16) = (8 * 60, 21 * 60);

/// A state's rule, stricter than federal. Times are minutes after midnight, local time.
#[derive(Debug, Clone, Copy)]
pub struct StateRule {
    /// The two-letter code.
    pub state: &'static str,
    /// The window on each weekday, Monday first; `None`: no texts that day.
    pub hours: [Option<(u16, u16)>; 7],
    /// No texts on holidays either (the federal holidays stand in for the state's own list).
    pub closed_on_holidays: bool,
    /// At most this many texts to one person in 24 hours.
    pub per_24_hours: Option<u32>,
    /// Where the rule comes from.
    pub source: &'static str,
}

const fn every_day(start: u16, end: u16) -> [Option<(u16, u16)>; 7] {
    [Some((start, end)); 7]
}

const fn but_sunday(start: u16, end: u16) -> [Option<(u16, u16)>; 7] {
    let mut hours = [Some((start, end)); 7];
    hours[6] = None;
    hours
}

const H8: u16 = 8 * 60;
const H9: u16 = 9 * 60;
const H10: u16 = 10 * 60;
const H20: u16 = 20 * 60;
const H21: u16 = 21 * 60;

/// The states whose telephone-solicitation laws are stricter than the TCPA's hours, from
/// `design/COMPLIANCE.md` (public 2025 compliance guides; verify a row before relying on it).
pub const STATE_RULES: &[StateRule] = &[
    StateRule {
        state: "FL",
        hours: every_day(H8, H20),
        closed_on_holidays: false,
        per_24_hours: Some(3),
        source: "Florida Telephone Solicitation Act, Fla. Stat. § 501.059(8)",
    },
    StateRule {
        state: "OK",
        hours: every_day(H8, H20),
        closed_on_holidays: false,
        per_24_hours: Some(3),
        source: "Oklahoma Telephone Solicitation Act, 15 O.S. § 775C.4",
    },
    StateRule {
        state: "MD",
        hours: every_day(H8, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "Maryland Stop the Spam Calls Act, Md. Com. Law § 14-4502",
    },
    StateRule {
        state: "MS",
        hours: but_sunday(H8, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "Miss. Code § 77-3-725",
    },
    StateRule {
        state: "NJ",
        hours: every_day(H8, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "N.J. Stat. § 56:8-130",
    },
    StateRule {
        state: "MA",
        hours: every_day(H8, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "940 CMR 19.04",
    },
    StateRule {
        state: "AL",
        hours: but_sunday(H8, H20),
        closed_on_holidays: true,
        per_24_hours: None,
        source: "Ala. Code § 8-19A-3",
    },
    StateRule {
        state: "LA",
        hours: but_sunday(H8, H20),
        closed_on_holidays: true,
        per_24_hours: None,
        source: "La. R.S. 45:844.17",
    },
    StateRule {
        state: "CT",
        hours: every_day(H9, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "Conn. Gen. Stat. § 42-288a",
    },
    StateRule {
        state: "NV",
        hours: every_day(H9, H20),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "NRS 228.590",
    },
    StateRule {
        state: "KY",
        hours: every_day(H10, H21),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "KRS 367.46955",
    },
    StateRule {
        state: "MI",
        hours: every_day(H9, H21),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "MCL 445.111b",
    },
    StateRule {
        state: "MN",
        hours: every_day(H9, H21),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "Minn. Stat. § 325E.27",
    },
    StateRule {
        state: "NM",
        hours: every_day(H9, H21),
        closed_on_holidays: false,
        per_24_hours: None,
        source: "N.M. Stat. § 57-12-22",
    },
    StateRule {
        state: "TX",
        hours: [
            Some((H9, H21)),
            Some((H9, H21)),
            Some((H9, H21)),
            Some((H9, H21)),
            Some((H9, H21)),
            Some((H9, H21)),
            Some((12 * 60, H21)),
        ],
        closed_on_holidays: false,
        per_24_hours: None,
        source: "Tex. Bus. & Com. Code § 301.051",
    },
    StateRule {
        state: "RI",
        hours: [
            Some((H9, 18 * 60)),
            Some((H9, 18 * 60)),
            Some((H9, 18 * 60)),
            Some((H9, 18 * 60)),
            Some((H9, 18 * 60)),
            Some((H10, 17 * 60)),
            None,
        ],
        closed_on_holidays: true,
        per_24_hours: None,
        source: "R.I. Gen. Laws § 5-61-3.4",
    },
    StateRule {
        state: "PA",
        hours: [
            Some((H8, H21)),
            Some((H8, H21)),
            Some((H8, H21)),
            Some((H8, H21)),
            Some((H8, H21)),
            Some((H8, H21)),
            Some((13 * 60 + 30, H21)),
        ],
        closed_on_holidays: true,
        per_24_hours: None,
        source: "73 P.S. § 2245.2",
    },
];

/// One place the recipient may be: a state (when known) and a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The state whose rules apply.
    pub state: Option<String>,
    /// The zone its local time is read in.
    pub zone: Tz,
}

/// The rule of `state`, when it is stricter than federal.
pub fn rule_of(state: &str) -> Option<&'static StateRule> {
    STATE_RULES.iter().find(|rule| rule.state == state)
}

/// Area code → (state, zones), read once from `area_codes.txt`.
static AREA_CODES: LazyLock<HashMap<&'static str, (&'static str, Vec<Tz>)>> = LazyLock::new(|| {
    include_str!("area_codes.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (code, state) = (fields.next()?, fields.next()?);
            let zones = fields.filter_map(|zone| zone.parse().ok()).collect();
            Some((code, (state, zones)))
        })
        .collect()
});

/// State → every zone its area codes use.
static STATE_ZONES: LazyLock<HashMap<&'static str, Vec<Tz>>> = LazyLock::new(|| {
    let mut zones: HashMap<&'static str, Vec<Tz>> = HashMap::new();
    for (state, area_zones) in AREA_CODES.values() {
        let known = zones.entry(state).or_default();
        for zone in area_zones {
            if !known.contains(zone) {
                known.push(*zone);
            }
        }
    }
    zones
});

/// The state and zones of a US phone's area code (E.164 `+1NPA…`).
pub fn area_code_of(phone: &str) -> Option<(&'static str, &'static [Tz])> {
    let code = phone
        .strip_prefix("+1")
        .filter(|rest| rest.len() == 10)?
        .get(..3)?;
    AREA_CODES
        .get(code)
        .map(|(state, zones)| (*state, zones.as_slice()))
}

/// Every place the recipient of a text to `phone` may be: the zones of the phone's area code (in
/// its state), the zones of each address state the POS gave, and the store's state and zone.
pub fn places_for(
    phone: &str,
    address_states: &[String],
    store: Option<(&str, &str)>,
) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    let mut add = |place: Place| {
        if !places.contains(&place) {
            places.push(place);
        }
    };
    if let Some((state, zones)) = area_code_of(phone) {
        for zone in zones {
            add(Place {
                state: Some(state.to_string()),
                zone: *zone,
            });
        }
    }
    for state in address_states {
        let state = state.trim().to_uppercase();
        for zone in STATE_ZONES.get(state.as_str()).into_iter().flatten() {
            add(Place {
                state: Some(state.clone()),
                zone: *zone,
            });
        }
    }
    if let Some((state, zone)) = store {
        if let Ok(zone) = zone.parse() {
            add(Place {
                state: Some(state.trim().to_uppercase()).filter(|s| !s.is_empty()),
                zone,
            });
        }
    }
    places
}

/// Whether a text may be handed over at `now`: some place is known, and `now` is inside the
/// window in every one of them (federal and the place's state, less [`HANDOFF_MARGIN`] at the end).
pub fn may_send_at(places: &[Place], now: DateTime<Utc>) -> bool {
    !places.is_empty() && places.iter().all(|place| open_at(place, now))
}

/// The fewest texts any of the places allows in 24 hours.
pub fn per_24_hours(places: &[Place]) -> Option<u32> {
    places
        .iter()
        .filter_map(|place| place.state.as_deref().and_then(rule_of))
        .filter_map(|rule| rule.per_24_hours)
        .min()
}

/// Whether `now` is inside the window at `place`.
fn open_at(place: &Place, now: DateTime<Utc>) -> bool {
    let local = now.with_timezone(&place.zone);
    let rule = place.state.as_deref().and_then(rule_of);
    if rule.is_some_and(|r| r.closed_on_holidays) && is_federal_holiday(local.date_naive()) {
        return false;
    }
    let day = local.weekday().num_days_from_monday() as usize;
    let (start, end) = match rule.map(|r| r.hours[day]) {
        None => FEDERAL,
        Some(None) => return false,
        Some(Some((start, end))) => (start.max(FEDERAL.0), end.min(FEDERAL.1)),
    };
    let second = i64::from(local.num_seconds_from_midnight());
    second >= i64::from(start) * 60 && second + HANDOFF_MARGIN.num_seconds() < i64::from(end) * 60
}

/// The US federal holidays (5 U.S.C. § 6103) on their observed dates: they stand in for the state
/// holidays of the states closed on holidays.
pub fn is_federal_holiday(date: NaiveDate) -> bool {
    let year = date.year();
    let fixed = |month, day| observed(NaiveDate::from_ymd_opt(year, month, day));
    let nth = |month, weekday, n| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    let last_monday_of_may = (1..=5)
        .rev()
        .find_map(|n| NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, n));
    [
        fixed(1, 1),
        nth(1, Weekday::Mon, 3),
        nth(2, Weekday::Mon, 3),
        last_monday_of_may,
        fixed(6, 19),
        fixed(7, 4),
        nth(9, Weekday::Mon, 1),
        nth(10, Weekday::Mon, 2),
        fixed(11, 11),
        nth(11, Weekday::Thu, 4),
        fixed(12, 25),
    ]
    .contains(&Some(date))
        || observed(NaiveDate::from_ymd_opt(year + 1, 1, 1)) == Some(date)
}

/// A fixed-date holiday on a Saturday is observed the Friday before, on a Sunday the Monday after.
fn observed(date: Option<NaiveDate>) -> Option<NaiveDate> {
    date.map(|d| match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("an unambiguous local time")
            .with_timezone(&Utc)
    }

    fn place(state: &str, zone: Tz) -> Place {
        Place {
            state: Some(state.into()),
            zone,
        }
    }

    #[test]
    fn federal_hours_hold_where_no_state_is_stricter() {
        let wa = [place("WA", chrono_tz::America::Los_Angeles)];
        assert!(!may_send_at(
            &wa,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 7, 59)
        ));
        assert!(may_send_at(
            &wa,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 8, 0)
        ));
        assert!(may_send_at(
            &wa,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 20, 58)
        ));
        // The handoff margin: a text decided on at 20:59 could reach the gateway after 21:00.
        assert!(!may_send_at(
            &wa,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 20, 59)
        ));
        assert!(!may_send_at(
            &[],
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 12, 0)
        ));
    }

    #[test]
    fn stricter_states_and_their_weekdays_apply() {
        let fl = [place("FL", chrono_tz::America::New_York)];
        assert!(!may_send_at(
            &fl,
            at(chrono_tz::America::New_York, 2026, 12, 2, 20, 30)
        ));
        let tx = [place("TX", chrono_tz::America::Chicago)];
        // Sunday 6 December 2026: Texas opens at noon.
        assert!(!may_send_at(
            &tx,
            at(chrono_tz::America::Chicago, 2026, 12, 6, 11, 0)
        ));
        assert!(may_send_at(
            &tx,
            at(chrono_tz::America::Chicago, 2026, 12, 6, 12, 0)
        ));
        let ms = [place("MS", chrono_tz::America::Chicago)];
        assert!(!may_send_at(
            &ms,
            at(chrono_tz::America::Chicago, 2026, 12, 6, 12, 0)
        ));
        let ri = [place("RI", chrono_tz::America::New_York)];
        assert!(!may_send_at(
            &ri,
            at(chrono_tz::America::New_York, 2026, 12, 2, 18, 0)
        ));
        assert!(may_send_at(
            &ri,
            at(chrono_tz::America::New_York, 2026, 12, 5, 16, 0)
        ));
        // Alabama is closed on holidays: Thanksgiving, 26 November 2026.
        let al = [place("AL", chrono_tz::America::Chicago)];
        assert!(!may_send_at(
            &al,
            at(chrono_tz::America::Chicago, 2026, 11, 26, 12, 0)
        ));
        assert!(may_send_at(
            &al,
            at(chrono_tz::America::Chicago, 2026, 11, 27, 12, 0)
        ));
        assert_eq!(per_24_hours(&fl), Some(3));
        assert_eq!(per_24_hours(&tx), None);
    }

    #[test]
    fn every_place_the_recipient_may_be_must_be_open() {
        // A Seattle store, a shopper with a Florida address and a New York phone.
        let places = places_for(
            "+12125550100",
            &["fl".to_string()],
            Some(("WA", "America/Los_Angeles")),
        );
        assert!(places.contains(&place("NY", chrono_tz::America::New_York)));
        assert!(
            places.contains(&place("FL", chrono_tz::America::Chicago)),
            "Florida's panhandle"
        );
        assert!(places.contains(&place("WA", chrono_tz::America::Los_Angeles)));
        // 10:30 in Seattle is 13:30 in New York: open everywhere.
        assert!(may_send_at(
            &places,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 10, 30)
        ));
        // 8:30 in Seattle is fine there, but 11:30 in New York and 10:30 in Pensacola too: open.
        assert!(may_send_at(
            &places,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 8, 30)
        ));
        // 17:30 in Seattle is 20:30 in Florida: past Florida's 8 pm.
        assert!(!may_send_at(
            &places,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 17, 30)
        ));
        // 7:30 in Seattle: closed at the store even though New York is open.
        assert!(!may_send_at(
            &places,
            at(chrono_tz::America::Los_Angeles, 2026, 12, 2, 7, 30)
        ));
    }

    #[test]
    fn an_area_code_spanning_zones_counts_each_of_them() {
        let (state, zones) = area_code_of("+12085550100").expect("Idaho's 208");
        assert_eq!(state, "ID");
        assert!(
            zones.contains(&chrono_tz::America::Los_Angeles)
                && zones.contains(&chrono_tz::America::Boise)
        );
        assert_eq!(area_code_of("+4420"), None);
        assert!(AREA_CODES.len() > 300, "{} area codes", AREA_CODES.len());
    }

    #[test]
    fn daylight_saving_days_move_the_window_with_the_clock() {
        let ny = [place("NY", chrono_tz::America::New_York)];
        // 8 March 2026, the spring change: 08:00 EDT is 12:00 UTC.
        assert!(may_send_at(
            &ny,
            Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap()
        ));
        assert!(!may_send_at(
            &ny,
            Utc.with_ymd_and_hms(2026, 3, 8, 11, 59, 0).unwrap()
        ));
        // 1 November 2026, the autumn change: 08:00 EST is 13:00 UTC.
        assert!(!may_send_at(
            &ny,
            Utc.with_ymd_and_hms(2026, 11, 1, 12, 30, 0).unwrap()
        ));
        assert!(may_send_at(
            &ny,
            Utc.with_ymd_and_hms(2026, 11, 1, 13, 0, 0).unwrap()
        ));
    }

    #[test]
    fn federal_holidays_fall_on_their_observed_dates() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        assert!(
            is_federal_holiday(day(2026, 7, 3)),
            "4 July 2026 is a Saturday"
        );
        assert!(is_federal_holiday(day(2026, 5, 25)), "Memorial Day");
        assert!(
            is_federal_holiday(day(2027, 12, 31)),
            "1 January 2028 is a Saturday"
        );
        assert!(!is_federal_holiday(day(2026, 7, 4)));
        assert!(!is_federal_holiday(day(2026, 12, 2)));
    }
}
