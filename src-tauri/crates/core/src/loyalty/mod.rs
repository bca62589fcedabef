//! The points programme: the ledger, earning, the enrolment pass, the dry run of the date settings,
//! points expiry, the POS balances (one-time import and mirroring), rewards with their mirror check
//! and redemptions, and adjustments by hand.

pub mod adjustments;
pub mod date_setting_reach;
pub mod earning;
pub mod enrollment;
pub mod expiry;
pub mod ledger;
pub mod mirror_check;
pub mod pos_points;
pub mod redemptions;
pub mod rewards;
