//! Tauri commands, one file per UI area. Each is async (never on the main thread), calls
//! `canopy-core` and returns its `{code, message, hint?}` error unchanged.

pub mod app;
pub mod desktop;
pub mod integrations;
pub mod mode;
pub mod personas;
pub mod rewards;
pub mod stores;
pub mod support;
pub mod sync;
