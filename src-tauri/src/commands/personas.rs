//! Commands of the Personas page.

use canopy_core::personas::{PersonaPage, PersonaQuery};
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// A page of personas matching the query.
#[tauri::command]
pub async fn list_personas(
    state: State<'_, AppState>,
    query: PersonaQuery,
) -> Result<PersonaPage, Error> {
    state.console.personas(query).await
}
