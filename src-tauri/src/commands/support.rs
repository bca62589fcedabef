//! Commands of Settings → Support: the support bundle, shown before it is saved.

use std::path::PathBuf;

use canopy_core::support::bundle::{About, BundleEntry};
use canopy_core::Error;
use tauri::{AppHandle, Manager, State};

use crate::state::AppState;

/// What the bundle says about the running app.
fn about(app: &AppHandle, state: &AppState) -> About {
    About {
        app_version: app.package_info().version.to_string(),
        mode: state
            .status()
            .mode
            .map_or_else(|| "none".to_string(), |mode| mode.to_string()),
    }
}

/// The files a support bundle would hold now, for the user to see before saving.
#[tauri::command]
pub async fn support_bundle_contents(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<BundleEntry>, Error> {
    let bundle = state
        .console()?
        .support_bundle(about(&app, &state), app.path().app_log_dir().ok())
        .await?;
    Ok(bundle.entries())
}

/// Gathers the support bundle and saves it as a zip at `path`; answers what it holds.
#[tauri::command]
pub async fn save_support_bundle(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
) -> Result<Vec<BundleEntry>, Error> {
    let bundle = state
        .console()?
        .support_bundle(about(&app, &state), app.path().app_log_dir().ok())
        .await?;
    bundle.save(&path)?;
    tracing::info!(path = %path.display(), "support bundle saved");
    Ok(bundle.entries())
}
