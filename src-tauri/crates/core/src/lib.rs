//! Canopy's product logic, free of any Tauri dependency: the local database, the keychain, the POS
//! connectors and the sync engine. The desktop shell and the CLI are thin front ends over
//! [`console::Console`].
//!
//! The folders are layers; each imports only the ones listed before it:
//! `base` → `storage` → `pos` → `config` → `consent` → `personas` → `integrations` → `stores` →
//! `loyalty` → `sources` → `support` → `console`. `bindings` (the UI's TypeScript types) sees them all.

pub mod base;
pub mod bindings;
pub mod config;
pub mod consent;
pub mod console;
pub mod integrations;
pub mod loyalty;
pub mod personas;
pub mod pos;
pub mod sources;
pub mod storage;
pub mod stores;
pub mod support;

pub use base::error::{Error, ErrorCode, Result};
pub use base::pos_kind::Integration;
pub use base::secret::Secret;
