//! Personas, the local shopper records: the explorer's query, one persona's detail (with its
//! sources and split), matching and merging records into personas, favorite stores, the derived
//! fields a sync settles once a run, and CSV export.

pub mod detail;
pub mod export;
pub mod favorites;
pub mod matching;
pub mod pending;
pub mod query;
