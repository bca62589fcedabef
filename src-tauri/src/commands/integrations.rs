//! Commands of the Integrations page and its cards.

use canopy_core::base::pos_kind::Integration;
use canopy_core::config::integration_settings::{IntegrationSettings, Setting};
use canopy_core::consent::sms::opt_in::{SmsRun, SmsStatus};
use canopy_core::integrations::connect_state::IntegrationStatus;
use canopy_core::integrations::connection_check::ConnectionCheck;
use canopy_core::integrations::credentials::{AddedCredential, Credential};
use canopy_core::integrations::greenbits_credentials::GreenbitsCredentialEdit;
use canopy_core::integrations::greenbits_credentials::{
    GreenbitsLogin, GreenbitsLoginInput, NewGreenbitsCredential,
};
use canopy_core::integrations::posabit_credentials::NewPosabitCredential;
use canopy_core::integrations::setting_changes::SettingChange;
use canopy_core::loyalty::date_setting_reach::DryRun;
use canopy_core::pos::LocationChoice;
use canopy_core::storage::audit_log::{AuditArea, AuditEntry};
use canopy_core::{Error, Secret};
use tauri::State;

use crate::state::AppState;

/// The credentials of one integration.
#[tauri::command]
pub async fn list_credentials(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<Vec<Credential>, Error> {
    state.console()?.credentials(integration).await
}

/// Verifies a POSaBIT key and stores it (key in the keychain only).
#[tauri::command]
pub async fn add_posabit_credential(
    state: State<'_, AppState>,
    input: NewPosabitCredential,
) -> Result<AddedCredential, Error> {
    state.console()?.add_posabit_credential(input).await
}

/// Adds a built-in sandbox store as a POSaBIT credential; its key stays in the backend.
#[tauri::command]
pub async fn add_sandbox_credential(
    state: State<'_, AppState>,
    venue_id: u64,
    store_name: String,
) -> Result<AddedCredential, Error> {
    let key = state.sandbox_key(venue_id).ok_or_else(|| {
        Error::new(
            canopy_core::ErrorCode::NotFound,
            "That sandbox store does not exist.",
        )
        .with_hint("The built-in sandbox is only used when no real POS is configured.")
    })?;
    state
        .console()?
        .add_posabit_credential(NewPosabitCredential {
            store_name,
            key,
            market: None,
        })
        .await
}

/// Greenbits step 1: logs in; answers the pre-flight and the locations (the token stays here).
#[tauri::command]
pub async fn greenbits_login(
    state: State<'_, AppState>,
    input: GreenbitsLoginInput,
) -> Result<GreenbitsLogin, Error> {
    state.console()?.greenbits_login(input).await
}

/// Greenbits step 2: stores the credential with the picked locations.
#[tauri::command]
pub async fn add_greenbits_credential(
    state: State<'_, AppState>,
    input: NewGreenbitsCredential,
) -> Result<AddedCredential, Error> {
    state.console()?.add_greenbits_credential(input).await
}

/// Removes a credential; its key leaves the keychain, its data stays.
#[tauri::command]
pub async fn remove_credential(state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state.console()?.remove_credential(&id).await
}

/// Renames a POSaBIT credential or changes its Relevant market.
#[tauri::command]
pub async fn edit_posabit_credential(
    state: State<'_, AppState>,
    id: String,
    store_name: String,
    market: Option<String>,
) -> Result<Credential, Error> {
    state
        .console()?
        .edit_posabit_credential(&id, &store_name, market)
        .await
}

/// Changes which locations a Greenbits credential syncs and whether it serves medical patients.
#[tauri::command]
pub async fn edit_greenbits_credential(
    state: State<'_, AppState>,
    edit: GreenbitsCredentialEdit,
) -> Result<Credential, Error> {
    state.console()?.edit_greenbits_credential(edit).await
}

/// Logs a Greenbits credential in again with the user's password (used once, never kept).
#[tauri::command]
pub async fn log_in_greenbits_again(
    state: State<'_, AppState>,
    credential_id: String,
    password: Secret,
) -> Result<Credential, Error> {
    state
        .console()?
        .log_in_greenbits_again(&credential_id, password)
        .await
}

/// The locations a Greenbits credential's token reaches now.
#[tauri::command]
pub async fn greenbits_reachable_locations(
    state: State<'_, AppState>,
    credential_id: String,
) -> Result<Vec<LocationChoice>, Error> {
    state
        .console()?
        .greenbits_reachable_locations(&credential_id)
        .await
}

/// Test connection: a credential's pre-flight run again, with what changed since the last check.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    credential_id: String,
) -> Result<ConnectionCheck, Error> {
    state.console()?.test_connection(&credential_id).await
}

/// Replaces a POSaBIT credential's key with a new one for the same venue.
#[tauri::command]
pub async fn rotate_posabit_key(
    state: State<'_, AppState>,
    id: String,
    key: Secret,
) -> Result<AddedCredential, Error> {
    state.console()?.rotate_posabit_key(&id, key).await
}

/// The integration's state and minimum-settings checklist.
#[tauri::command]
pub async fn integration_status(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<IntegrationStatus, Error> {
    state.console()?.integration_status(integration).await
}

/// Ticks or unticks the Loyalty section's age-gate attestation.
#[tauri::command]
pub async fn set_age_gate(
    state: State<'_, AppState>,
    integration: Integration,
    attested: bool,
) -> Result<IntegrationStatus, Error> {
    state.console()?.set_age_gate(integration, attested).await
}

/// Connect: refused, with what is missing, until the minimum settings hold.
#[tauri::command]
pub async fn connect_integration(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<IntegrationStatus, Error> {
    state.console()?.connect(integration).await
}

/// Disconnect: syncs stop, data stays.
#[tauri::command]
pub async fn disconnect_integration(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<IntegrationStatus, Error> {
    state.console()?.disconnect(integration).await
}

/// An integration's additional settings.
#[tauri::command]
pub async fn integration_settings(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<IntegrationSettings, Error> {
    state.console()?.settings(integration).await
}

/// Changes one additional setting (audited; guarded ones need the warning acknowledged).
#[tauri::command]
pub async fn change_setting(
    state: State<'_, AppState>,
    integration: Integration,
    change: SettingChange,
) -> Result<IntegrationSettings, Error> {
    state.console()?.change_setting(integration, change).await
}

/// The audit log, newest first, of one integration and one area when given (read-only: nothing
/// edits it).
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    integration: Option<Integration>,
    area: Option<AuditArea>,
) -> Result<Vec<AuditEntry>, Error> {
    state.console()?.audit_log(integration, area).await
}

/// Writes the whole audit log as CSV at `path`; answers how many entries.
#[tauri::command]
pub async fn export_audit_log(
    state: State<'_, AppState>,
    path: std::path::PathBuf,
) -> Result<usize, Error> {
    state.console()?.export_audit_log(path).await
}

/// Who a date setting would reach if saved with `date`, per store (the dry run before saving).
#[tauri::command]
pub async fn dry_run_setting(
    state: State<'_, AppState>,
    integration: Integration,
    setting: Setting,
    date: String,
) -> Result<DryRun, Error> {
    state.console()?.dry_run(integration, setting, date).await
}

/// How many loyalty members removing the SMS opt-in setting would lose.
#[tauri::command]
pub async fn sms_only_members(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<i64, Error> {
    state.console()?.sms_only_members(integration).await
}

/// Where the integration's SMS opt-in requests stand.
#[tauri::command]
pub async fn sms_status(
    state: State<'_, AppState>,
    integration: Integration,
) -> Result<SmsStatus, Error> {
    state.console()?.sms_status(integration).await
}

/// Runs the SMS double opt-in job now (it also runs every five minutes): replies, then requests.
#[tauri::command]
pub async fn send_sms_opt_ins_now(state: State<'_, AppState>) -> Result<SmsRun, Error> {
    state
        .console()?
        .run_sms_opt_ins(&canopy_core::base::clock::SystemClock)
        .await
}
