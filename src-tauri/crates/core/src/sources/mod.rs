//! Where personas come from and go to: POS syncs, local signups, CSV imports and the outbox that
//! pushes local contacts back to the POS.

pub mod import;
pub mod outbox;
pub mod signups;
pub mod sync;
