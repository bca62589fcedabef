//! Commands of Settings → Company Account → Retail Stores and their Store Mappings.

use canopy_core::base::pos_kind::Integration;
use canopy_core::stores::{MappableKey, RetailStore, StoreInput};
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// Every retail store.
#[tauri::command]
pub async fn list_stores(state: State<'_, AppState>) -> Result<Vec<RetailStore>, Error> {
    state.console()?.stores().await
}

/// The time zones the store form offers (the ones `create_store` accepts).
#[tauri::command]
pub async fn list_store_timezones(state: State<'_, AppState>) -> Result<Vec<String>, Error> {
    Ok(state.console()?.store_timezones())
}

/// Creates a retail store.
#[tauri::command]
pub async fn create_store(
    state: State<'_, AppState>,
    input: StoreInput,
) -> Result<RetailStore, Error> {
    state.console()?.create_store(input).await
}

/// Changes a retail store.
#[tauri::command]
pub async fn update_store(
    state: State<'_, AppState>,
    id: i64,
    input: StoreInput,
) -> Result<RetailStore, Error> {
    state.console()?.update_store(id, input).await
}

/// Deletes a retail store.
#[tauri::command]
pub async fn delete_store(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    state.console()?.delete_store(id).await
}

/// Every mappable key, its mapping and its suggested store.
#[tauri::command]
pub async fn list_mappable_keys(state: State<'_, AppState>) -> Result<Vec<MappableKey>, Error> {
    state.console()?.mappable_keys().await
}

/// Saves which key of `integration` sells for the store (none clears it).
#[tauri::command]
pub async fn save_store_mapping(
    state: State<'_, AppState>,
    store_id: i64,
    integration: Integration,
    key_id: Option<String>,
) -> Result<(), Error> {
    state
        .console()?
        .save_mapping(store_id, integration, key_id)
        .await
}
