//! Commands of Loyalty → Rewards (rewards, their mirror check and redemption counts) and of the
//! persona detail's manual point adjustment.

use canopy_core::console::MirrorReport;
use canopy_core::loyalty::adjustments::PointsAdjustment;
use canopy_core::loyalty::mirror_check::RedemptionCount;
use canopy_core::loyalty::redemptions::OverdrawnPersona;
use canopy_core::loyalty::rewards::{Reward, RewardInput};
use canopy_core::Error;
use tauri::State;

use crate::state::AppState;

/// Every reward, live ones first.
#[tauri::command]
pub async fn list_rewards(state: State<'_, AppState>) -> Result<Vec<Reward>, Error> {
    state.console()?.rewards().await
}

/// Creates a reward (`id` null) or changes one.
#[tauri::command]
pub async fn save_reward(
    state: State<'_, AppState>,
    id: Option<i64>,
    input: RewardInput,
) -> Result<Reward, Error> {
    state.console()?.save_reward(id, input).await
}

/// Retires a reward, keeping its history.
#[tauri::command]
pub async fn retire_reward(state: State<'_, AppState>, id: i64) -> Result<Reward, Error> {
    state.console()?.retire_reward(id).await
}

/// Checks every active reward against each connected POS's discount list.
#[tauri::command]
pub async fn check_reward_mirrors(state: State<'_, AppState>) -> Result<MirrorReport, Error> {
    state.console()?.reward_mirrors().await
}

/// Redemptions per reward and store between two days (`YYYY-MM-DD`, inclusive).
#[tauri::command]
pub async fn redemption_counts(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<Vec<RedemptionCount>, Error> {
    state.console()?.redemption_counts(from, to).await
}

/// Shoppers whose redemptions took them below zero points.
#[tauri::command]
pub async fn overdrawn_personas(
    state: State<'_, AppState>,
) -> Result<Vec<OverdrawnPersona>, Error> {
    state.console()?.overdrawn_personas().await
}

/// Adjusts a persona's points by hand with a reason; returns the new balance.
#[tauri::command]
pub async fn adjust_points(
    state: State<'_, AppState>,
    adjustment: PointsAdjustment,
) -> Result<i64, Error> {
    state.console()?.adjust_points(adjustment).await
}
