//! Commands of the Personas page.

use canopy_core::personas::detail::PersonaDetail;
use canopy_core::personas::export::ExportProgress;
use canopy_core::personas::query::{PersonaPage, PersonaQuery};
use canopy_core::sources::import::{ImportProgress, ImportSummary};
use canopy_core::sources::signups::{ConsentWording, SignupInput, CONSENT_WORDING};
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// A page of personas matching the query.
#[tauri::command]
pub async fn list_personas(
    state: State<'_, AppState>,
    query: PersonaQuery,
) -> Result<PersonaPage, Error> {
    state.console()?.personas(query).await
}

/// One persona in full.
#[tauri::command]
pub async fn get_persona(state: State<'_, AppState>, id: i64) -> Result<PersonaDetail, Error> {
    state.console()?.persona(id).await
}

/// Splits a wrongly merged source record into its own persona.
#[tauri::command]
pub async fn split_source_record(state: State<'_, AppState>, record_id: i64) -> Result<i64, Error> {
    state.console()?.split_source_record(record_id).await
}

/// The local signup form: creates or merges a `loyalty`-sourced persona.
#[tauri::command]
pub async fn sign_up(state: State<'_, AppState>, input: SignupInput) -> Result<i64, Error> {
    Ok(state.console()?.sign_up(input).await?.persona_id)
}

/// The consent wording the signup form shows, with its version.
#[tauri::command]
pub fn signup_consent_wording() -> ConsentWording {
    CONSENT_WORDING
}

/// Support's decision on a reply held for review: `is_stop` opts the phone out, else the hold ends.
#[tauri::command]
pub async fn resolve_held_reply(
    state: State<'_, AppState>,
    persona_id: i64,
    is_stop: bool,
) -> Result<(), Error> {
    state
        .console()?
        .resolve_held_reply(persona_id, is_stop)
        .await
}

/// Exports the personas of the current search and filters as CSV to `path` (picked by the user),
/// with progress on `on_progress`; returns the rows written.
#[tauri::command]
pub async fn export_personas(
    state: State<'_, AppState>,
    query: PersonaQuery,
    path: std::path::PathBuf,
    on_progress: tauri::ipc::Channel<ExportProgress>,
) -> Result<u64, Error> {
    state
        .console()?
        .export_personas(query, path, move |progress| {
            let _ = on_progress.send(progress);
        })
        .await
}

/// Imports personas from the CSV file at `path` (picked by the user), with progress on
/// `on_progress`; answers what was created, merged and skipped.
#[tauri::command]
pub async fn import_personas(
    state: State<'_, AppState>,
    path: std::path::PathBuf,
    on_progress: tauri::ipc::Channel<ImportProgress>,
) -> Result<ImportSummary, Error> {
    state
        .console()?
        .import_personas(path, move |progress| {
            let _ = on_progress.send(progress);
        })
        .await
}
