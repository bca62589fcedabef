//! Commands of the Integrations page and its cards.

use canopy_core::credentials::{AddedCredential, Credential, Integration, NewPosabitCredential};
use canopy_core::sync::SyncSummary;
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// The credentials of one integration.
#[tauri::command]
pub async fn list_credentials(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<Vec<Credential>, Error> {
    state.console.credentials(integration).await
}

/// Verifies a POSaBIT key and stores it (key in the keychain only).
#[tauri::command]
pub async fn add_posabit_credential(
    state: State<'_, AppState>,
    input: NewPosabitCredential,
) -> Result<AddedCredential, Error> {
    state.console.add_posabit_credential(input).await
}

/// Sync now: pulls every POSaBIT credential's customers.
#[tauri::command]
pub async fn sync_posabit(state: State<'_, AppState>) -> Result<Vec<SyncSummary>, Error> {
    state.console.sync_posabit("manual").await
}
