//! Commands that choose where Canopy's data comes from: the built-in sandbox or the real POS,
//! and real mode's addresses and tokens.

use canopy_core::console::mode::ConsoleMode;
use canopy_core::console::real_pos::{self, RealPosInput, RealPosSettings};
use canopy_core::console::AppStatus;
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// Puts Canopy in `mode` (saving real mode's settings first when given) and opens that mode's
/// database; answers the new status. The UI reloads afterwards.
#[tauri::command]
pub async fn choose_mode(
    state: State<'_, AppState>,
    mode: ConsoleMode,
    real: Option<RealPosInput>,
) -> Result<AppStatus, Error> {
    let choice = real_pos::choose(state.data_dir(), state.keychain(), mode, real)?;
    state.open(&choice).await?;
    Ok(state.status())
}

/// Real mode's addresses, and whether its tokens are kept (never the tokens).
#[tauri::command]
pub async fn real_pos_settings(state: State<'_, AppState>) -> Result<RealPosSettings, Error> {
    real_pos::settings(state.data_dir(), state.keychain())
}
