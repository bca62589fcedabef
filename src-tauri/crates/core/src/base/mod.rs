//! What every other layer builds on: errors, secret values, identity normalisation (phones,
//! e-mails, names), stored instants and the POS kinds.

pub mod clock;
pub mod error;
pub mod identity;
pub mod pos_kind;
pub mod secret;
