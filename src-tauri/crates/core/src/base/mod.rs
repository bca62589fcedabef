//! What every other layer builds on: errors, secret values, identity normalisation (phones,
//! e-mails, names), stored instants, the POS kinds and the
//! declaration of closed sets stored as text.

pub mod clock;
pub mod error;
pub mod identity;
pub mod pos_kind;
pub mod secret;
pub mod stored_name;
