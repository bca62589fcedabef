//! Which POS a record, credential or setting belongs to: the closed set of POS kinds Canopy ships,
//! their stored names and the names the seeds print. Behaviour per POS lives behind
//! the connectors in `pos`; only names and labels are matched here.

use super::stored_name::stored_name;

stored_name! {
    /// A POS kind Canopy integrates with, in the order the cards show them (`ALL`).
    pub enum Integration {
        /// POSaBIT.
        Posabit => "posabit",
        /// Greenbits.
        Greenbits => "greenbits",
    }
}

impl Integration {
    /// The POS's name as the seeds write it (`POSaBIT`).
    pub fn label(self) -> &'static str {
        match self {
            Integration::Posabit => "POSaBIT",
            Integration::Greenbits => "Greenbits",
        }
    }
}
