//! Support tooling: the support bundle, which hands support what went wrong — versions, settings,
//! credentials without secrets, recent runs and their rejected records, the last log lines and
//! the shapes of POS answers — with no secret and no shopper's data in it.

pub mod bundle;
pub mod shapes;
