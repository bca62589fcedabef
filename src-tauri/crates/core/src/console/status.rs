//! What the shell shows about the app itself: sandbox or real POS, keychain health, where data
//! lives, and the sandbox's stores with what each one's key is missing.

use serde::Serialize;
use ts_rs::TS;

use crate::base::error::Error;
use crate::base::pos_kind::Integration;
use crate::console::mode::ConsoleMode;
use crate::pos::required_permissions;

/// A store of the built-in sandbox. Its key never crosses to the UI: adding it is done in the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SandboxStore {
    /// The simulated venue's POSaBIT id.
    #[ts(type = "number")]
    pub venue_id: u64,
    /// The simulated venue's name.
    pub venue_name: String,
    /// Its state.
    pub state: String,
    /// What is special about it, e.g. a missing permission.
    pub note: String,
}

/// What the UI shows in the shell: where data comes from and whether the keychain answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// The mode in use, or `null` before the user chose the sandbox or their POS.
    pub mode: Option<ConsoleMode>,
    /// True when the environment puts Canopy in real mode (the mode cannot be switched in the app).
    pub mode_set_by_environment: bool,
    /// True while the built-in sandbox stands in for the POS.
    pub sandbox: bool,
    /// The POSaBIT API base URL in use.
    pub posabit_url: String,
    /// Why the keychain is unusable, or `null` when it works.
    pub keychain_error: Option<Error>,
    /// Where the database and logs live.
    pub data_dir: String,
    /// The sandbox's POSaBIT stores (empty when a real POS is used).
    pub sandbox_stores: Vec<SandboxStore>,
}

impl SandboxStore {
    /// A sandbox venue whose key carries the `granted` permissions (POSaBIT's wire names); its
    /// note names the ones missing, in the seeds' words.
    pub fn new(venue_id: u64, venue_name: &str, state: &str, granted: &[&str]) -> Self {
        let required = required_permissions(Integration::Posabit);
        let missing: Vec<&str> = required
            .iter()
            .filter(|(wire, _, _)| !granted.contains(wire))
            .map(|(_, label, _)| *label)
            .collect();
        SandboxStore {
            venue_id,
            venue_name: venue_name.to_string(),
            state: state.to_string(),
            note: if missing.is_empty() {
                format!("All {} permissions granted", required.len())
            } else {
                format!("Missing {}", missing.join(", "))
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_store_says_which_permissions_its_key_lacks() {
        let all = [
            "menu_feed",
            "incoming_orders",
            "venue_data",
            "enhanced_customer_data",
        ];
        assert_eq!(
            SandboxStore::new(1, "A", "WA", &all).note,
            "All 4 permissions granted"
        );
        let lacking = SandboxStore::new(2, "B", "WA", &all[..3]);
        assert_eq!(lacking.note, "Missing Enhanced Customer Data Access");
    }
}
