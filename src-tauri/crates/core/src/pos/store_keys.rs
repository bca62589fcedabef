//! Store keys: what a credential's records come through and what a retail store is mapped to —
//! the credential itself, or, for a POS with several locations per credential, each location.

use super::{capabilities, LocationChoice};
use crate::base::pos_kind::Integration;

/// One mappable key of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreKey {
    /// The key: the credential id, or [`location_key`] of one of its locations.
    pub key: String,
    /// The store or location name.
    pub label: String,
    /// Its state, where known.
    pub state: Option<String>,
    /// The POS location, for a POS with several per credential.
    pub location: Option<u64>,
}

/// The key of one location of a multi-location credential.
pub fn location_key(credential_id: &str, location_id: u64) -> String {
    format!("{credential_id}:{location_id}")
}

/// The POS location a store key names, if it names one.
pub fn location_of(store_key: &str) -> Option<u64> {
    store_key
        .rsplit_once(':')
        .and_then(|(_, location)| location.parse().ok())
}

/// The keys of one credential of `integration`: one per location where its POS has several per
/// credential, else the credential itself (labelled with `store_name` and `state`).
pub fn store_keys(
    integration: Integration,
    credential_id: &str,
    store_name: &str,
    state: Option<&str>,
    locations: &[LocationChoice],
) -> Vec<StoreKey> {
    if capabilities(integration).locations {
        locations
            .iter()
            .map(|location| StoreKey {
                key: location_key(credential_id, location.id),
                label: location.name.clone(),
                state: location.state.clone(),
                location: Some(location.id),
            })
            .collect()
    } else {
        vec![StoreKey {
            key: credential_id.to_string(),
            label: store_name.to_string(),
            state: state.map(str::to_string),
            location: None,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_venue_credential_is_its_own_key_and_a_multi_location_one_has_one_per_location() {
        let locations = [
            LocationChoice {
                id: 5001,
                name: "Downtown".into(),
                state: Some("WA".into()),
            },
            LocationChoice {
                id: 5002,
                name: "Uptown".into(),
                state: None,
            },
        ];
        let single = store_keys(Integration::Posabit, "c1", "Main St", Some("WA"), &[]);
        assert_eq!(single.len(), 1);
        assert_eq!((single[0].key.as_str(), single[0].location), ("c1", None));
        let several = store_keys(Integration::Greenbits, "c2", "Evergreen", None, &locations);
        let keys: Vec<_> = several.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["c2:5001", "c2:5002"]);
        assert_eq!(location_of(&several[1].key), Some(5002));
        assert_eq!(location_of("c1"), None);
    }
}
