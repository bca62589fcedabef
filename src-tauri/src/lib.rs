//! The Canopy desktop shell: builds the Tauri app, wires `canopy-core` into managed state and
//! exposes one command file per UI area. It holds no product logic of its own.

mod commands;
mod desktop;
mod logging;
mod schedule;
mod startup_failure;
mod state;

use tauri::Manager;

/// Linux WebKit settings that avoid a blank window on machines without GPU compositing.
/// Applied only when the user has not set them, before GTK starts.
fn apply_webkit_workarounds() {
    #[cfg(target_os = "linux")]
    for variable in [
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "WEBKIT_DISABLE_DMABUF_RENDERER",
    ] {
        if std::env::var_os(variable).is_none() {
            std::env::set_var(variable, "1");
        }
    }
}

/// Starts the console; returns when the app quits (the last window closed, or Quit in the tray).
pub fn run() {
    apply_webkit_workarounds();
    let app = tauri::Builder::default()
        // First, so a second launch hands over to this one before doing anything else.
        // (also how the window comes back when the tray is missing).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            desktop::open_window(app);
        }))
        .plugin(tauri_plugin_dialog::init())
        // The window opens where and as large as it was last closed.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .menu(desktop::help_menu::menu)
        .on_menu_event(|app, event| desktop::on_menu_event(app, event.id().as_ref()))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let keep = window
                    .try_state::<state::AppState>()
                    .is_some_and(|state| state.closing_keeps_running());
                if keep {
                    api.prevent_close();
                    let _ = window.hide();
                    tracing::info!("window closed; Canopy keeps syncing in the tray");
                }
            }
        })
        .setup(|app| {
            match state::AppState::start(app.handle()) {
                Ok(state) => {
                    match desktop::tray::install(app.handle()) {
                        Ok(()) => state.set_in_tray(),
                        Err(error) => tracing::warn!(%error, "no tray: closing the window quits"),
                    }
                    app.manage(state);
                }
                Err(error) => startup_failure::show(app.handle(), error.as_ref()),
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::mode::choose_mode,
            commands::desktop::desktop_preferences,
            commands::desktop::save_desktop_preferences,
            commands::support::support_bundle_contents,
            commands::support::save_support_bundle,
            commands::mode::real_pos_settings,
            commands::app::list_notifications,
            commands::app::api_tracking,
            commands::app::reveal_api_key,
            commands::app::presenter_mode,
            commands::app::set_presenter_mode,
            commands::app::log_ui_error,
            commands::app::loyalty_settings,
            commands::app::save_loyalty_settings,
            commands::integrations::list_credentials,
            commands::integrations::add_posabit_credential,
            commands::integrations::add_sandbox_credential,
            commands::integrations::greenbits_login,
            commands::integrations::add_greenbits_credential,
            commands::sync::sync_integration,
            commands::sync::cancel_sync,
            commands::sync::read_whole_lists_next_sync,
            commands::sync::pace_ceiling,
            commands::sync::set_pace_ceiling,
            commands::sync::sync_history,
            commands::sync::rejected_records,
            commands::sync::sync_health,
            commands::sync::sync_interval,
            commands::sync::set_sync_interval,
            commands::integrations::remove_credential,
            commands::integrations::rotate_posabit_key,
            commands::integrations::test_connection,
            commands::integrations::edit_greenbits_credential,
            commands::integrations::greenbits_reachable_locations,
            commands::integrations::log_in_greenbits_again,
            commands::integrations::edit_posabit_credential,
            commands::integrations::integration_status,
            commands::integrations::set_age_gate,
            commands::integrations::connect_integration,
            commands::integrations::disconnect_integration,
            commands::integrations::integration_settings,
            commands::integrations::change_setting,
            commands::integrations::audit_log,
            commands::integrations::export_audit_log,
            commands::integrations::dry_run_setting,
            commands::integrations::sms_only_members,
            commands::integrations::sms_status,
            commands::integrations::send_sms_opt_ins_now,
            commands::stores::list_stores,
            commands::stores::list_store_timezones,
            commands::stores::create_store,
            commands::stores::update_store,
            commands::stores::delete_store,
            commands::stores::list_mappable_keys,
            commands::stores::save_store_mapping,
            commands::personas::list_personas,
            commands::personas::get_persona,
            commands::personas::split_source_record,
            commands::personas::sign_up,
            commands::personas::signup_consent_wording,
            commands::personas::resolve_held_reply,
            commands::personas::export_personas,
            commands::personas::import_personas,
            commands::rewards::list_rewards,
            commands::rewards::save_reward,
            commands::rewards::retire_reward,
            commands::rewards::check_reward_mirrors,
            commands::rewards::redemption_counts,
            commands::rewards::overdrawn_personas,
            commands::rewards::adjust_points,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"));
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => {
            eprintln!("Canopy could not start: {error}");
            std::process::exit(1);
        }
    }
}
