//! Which POS a record, credential or setting belongs to: the closed set of POS kinds Canopy ships,
//! their stored names and the names the seeds print. Behaviour per POS lives behind
//! the connectors in `pos`; only names and labels are matched here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A POS kind Canopy integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Integration {
    /// POSaBIT.
    Posabit,
    /// Greenbits.
    Greenbits,
}

impl Integration {
    /// The name as stored and as the seeds print it (`posabit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Integration::Posabit => "posabit",
            Integration::Greenbits => "greenbits",
        }
    }

    /// The POS's name as the seeds write it (`POSaBIT`).
    pub fn label(self) -> &'static str {
        match self {
            Integration::Posabit => "POSaBIT",
            Integration::Greenbits => "Greenbits",
        }
    }

    /// Every POS kind, in the order the cards show them.
    pub const ALL: [Integration; 2] = [Integration::Posabit, Integration::Greenbits];

    /// Reads the stored name back (`posabit`); anything else is a column type error.
    pub fn parse(text: &str) -> rusqlite::Result<Self> {
        match text {
            "posabit" => Ok(Integration::Posabit),
            "greenbits" => Ok(Integration::Greenbits),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                other.to_string(),
                rusqlite::types::Type::Text,
            )),
        }
    }
}
