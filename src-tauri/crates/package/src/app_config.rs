//! The values a package takes from the root `tauri.conf.json`: the one app configuration.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// The app's name, version, identifier, descriptions and icons.
#[derive(Debug)]
pub struct AppConfig {
    /// The product's name (`productName`).
    pub product_name: String,
    /// Its version.
    pub version: String,
    /// Its reverse-DNS identifier.
    pub identifier: String,
    /// One line saying what it is.
    pub short_description: String,
    /// A paragraph saying what it is.
    pub long_description: String,
    /// The icon files, relative to the configuration's folder.
    pub icons: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    product_name: String,
    version: String,
    identifier: String,
    bundle: Bundle,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    icon: Vec<String>,
    short_description: String,
    long_description: String,
}

impl AppConfig {
    /// Reads the configuration at `path`.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a Tauri configuration", path.display()))?;
        Ok(AppConfig {
            product_name: file.product_name,
            version: file.version,
            identifier: file.identifier,
            short_description: file.bundle.short_description,
            long_description: file.bundle.long_description,
            icons: file.bundle.icon,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_configuration_names_the_package() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tauri.conf.json");
        let config = AppConfig::read(&root).expect("the root configuration reads");
        assert_eq!(config.product_name, "Canopy");
        assert_eq!(
            config.version,
            env!("CARGO_PKG_VERSION"),
            "one version for crates and app"
        );
        assert!(config
            .icons
            .iter()
            .all(|icon| root.with_file_name(icon).exists()));
    }
}
