//! The points programme: the ledger, the enrolment pass, points expiry and the POS balances
//! (one-time import and mirroring).

pub mod earning;
pub mod enrollment;
pub mod expiry;
pub mod ledger;
pub mod pos_points;
