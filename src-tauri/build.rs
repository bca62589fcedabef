//! Reads the top-level `tauri.conf.json` and the capabilities beside this crate.

#[allow(
    clippy::expect_used,
    reason = "a build script fails the build by panicking"
)]
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build configuration is valid");
}
