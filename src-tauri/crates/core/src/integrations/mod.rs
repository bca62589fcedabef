//! The integration cards: credentials per POS (keychain secret plus a row), the Connect state
//! (age gate, checklist), changes to the additional settings with their audit log, and the
//! notifications the bell shows.

pub mod connect_state;
pub mod credentials;
pub mod greenbits_credentials;
pub mod notifications;
pub mod setting_changes;
