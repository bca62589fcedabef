//! `canopy-package`: Canopy's Linux packages — a `.deb` and an `.rpm` — made by the Tauri bundler
//! library (the code the Tauri CLI bundles with) from the root `tauri.conf.json` and the release
//! binaries, so the package's name, version, identifier and icons have one source. `.ci/package`
//! builds the binaries and runs it.
//!
//! AppImage and the updater's signed artefacts need tools the bundler downloads at build time
//! (linuxdeploy, …), which this machine cannot reach; they are made on a release machine with
//! `cargo tauri build` (see the README).

mod app_config;

use std::path::PathBuf;

use anyhow::{ensure, Context};
use clap::Parser;
use tauri_bundler::bundle::{
    bundle_project, AppCategory, BundleBinary, BundleSettings, DebianSettings, PackageSettings,
    PackageType, RpmSettings, SettingsBuilder,
};

use app_config::AppConfig;

/// Builds Canopy's .deb and .rpm from the release binaries.
#[derive(Debug, Parser)]
#[command(name = "canopy-package", version, about)]
struct Args {
    /// The app configuration.
    #[arg(long, value_name = "FILE", default_value = "tauri.conf.json")]
    config: PathBuf,
    /// Where the release binaries are; the packages go to its `bundle/` folder.
    #[arg(long, value_name = "DIR", default_value = "target/release")]
    release_dir: PathBuf,
}

/// What the app needs from Debian: WebKitGTK and GTK (which bring their own libraries), D-Bus for
/// the Secret Service keychain, and the indicator library the tray loads at run time.
const DEBIAN_DEPENDS: &[&str] = &[
    "libwebkit2gtk-4.1-0",
    "libgtk-3-0",
    "libdbus-1-3",
    "libayatana-appindicator3-1",
];
/// What Help → Open … folder uses to open a folder.
const DEBIAN_RECOMMENDS: &[&str] = &["xdg-utils"];
/// The same on RPM-based distributions.
const RPM_DEPENDS: &[&str] = &[
    "webkit2gtk4.1",
    "gtk3",
    "dbus-libs",
    "libayatana-appindicator-gtk3",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = AppConfig::read(&args.config)?;
    let root = args
        .config
        .canonicalize()?
        .parent()
        .context("the configuration's folder")?
        .to_path_buf();
    for binary in ["canopy", "canopy-cli"] {
        let path = args.release_dir.join(binary);
        ensure!(
            path.exists(),
            "{} is missing: build it first (`cargo build --release -p canopy -p canopy-cli`, which .ci/package runs)",
            path.display()
        );
    }
    let icons = config
        .icons
        .iter()
        .map(|icon| root.join(icon).display().to_string())
        .collect();
    let depends = |names: &[&str]| Some(names.iter().map(|n| (*n).to_string()).collect());
    let settings = SettingsBuilder::new()
        .project_out_directory(&args.release_dir)
        .package_types(vec![PackageType::Deb, PackageType::Rpm])
        .package_settings(PackageSettings {
            product_name: config.product_name.clone(),
            version: config.version.clone(),
            description: config.short_description.clone(),
            homepage: None,
            authors: Some(vec!["Canopy".into()]),
            default_run: Some("canopy".into()),
        })
        .bundle_settings(BundleSettings {
            identifier: Some(config.identifier.clone()),
            icon: Some(icons),
            category: Some(AppCategory::Business),
            short_description: Some(config.short_description.clone()),
            long_description: Some(config.long_description),
            deb: DebianSettings {
                depends: depends(DEBIAN_DEPENDS),
                recommends: depends(DEBIAN_RECOMMENDS),
                section: Some("misc".into()),
                priority: Some("optional".into()),
                ..DebianSettings::default()
            },
            rpm: RpmSettings {
                depends: depends(RPM_DEPENDS),
                release: "1".into(),
                ..RpmSettings::default()
            },
            ..BundleSettings::default()
        })
        .binaries(vec![
            BundleBinary::new("canopy".into(), true),
            BundleBinary::new("canopy-cli".into(), false),
        ])
        .build()?;
    for bundle in bundle_project(&settings)? {
        for path in bundle.bundle_paths {
            println!("{}", path.display());
        }
    }
    Ok(())
}
