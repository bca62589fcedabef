//! Reads the top-level `tauri.conf.json` and the capabilities beside this crate.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build configuration is valid");
}
