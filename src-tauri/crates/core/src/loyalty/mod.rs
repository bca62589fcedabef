//! The points programme: the ledger, earning, the enrolment pass, the dry run of the date settings,
//! points expiry and the POS balances (one-time import and mirroring).

pub mod date_setting_reach;
pub mod earning;
pub mod enrollment;
pub mod expiry;
pub mod ledger;
pub mod pos_points;
