//! The integration cards: credentials (keychain secret plus a row; one card flow per POS), the Connect state
//! (age gate, checklist), changes to the additional settings with their audit log, and the
//! notifications the bell shows.

pub mod connect_state;
pub mod connection_check;
pub mod credentials;
pub mod desktop_notices;
pub mod greenbits_credentials;
pub mod notifications;
pub mod posabit_credentials;
pub mod setting_changes;
