//! Commands that choose where Canopy's data comes from: the built-in sandbox or the real POS,
//! and real mode's addresses and tokens.

use canopy_core::console::endpoints::current_choice;
use canopy_core::console::mode::{save_choice, ConsoleMode};
use canopy_core::console::real_pos::{self, RealPosInput, RealPosSettings};
use canopy_core::console::AppStatus;
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// Puts Canopy in `mode` (saving real mode's settings first when given) and opens that mode's
/// database; answers the new status. When the new mode cannot open, the previous choice is put
/// back and reopened, and the error says why. The UI reloads afterwards.
#[tauri::command]
pub async fn choose_mode(
    state: State<'_, AppState>,
    mode: ConsoleMode,
    real: Option<RealPosInput>,
) -> Result<AppStatus, Error> {
    let previous = current_choice(state.data_dir())?;
    let choice = real_pos::choose(state.data_dir(), state.keychain(), mode, real)?;
    if let Err(error) = state.open(&choice).await {
        tracing::warn!(%mode, "the chosen mode could not open: {}", error.message);
        if let Some(previous) = previous {
            save_choice(state.data_dir(), &previous)?;
            state.open(&previous).await?;
        }
        return Err(error);
    }
    Ok(state.status())
}

/// Real mode's addresses, and whether its tokens are kept (never the tokens).
#[tauri::command]
pub async fn real_pos_settings(state: State<'_, AppState>) -> Result<RealPosSettings, Error> {
    real_pos::settings(state.data_dir(), state.keychain())
}
