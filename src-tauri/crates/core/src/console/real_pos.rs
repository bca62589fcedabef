//! Real mode's settings as the app edits them — the addresses kept with the mode choice in the
//! data folder, the POSaBIT integrator token and the SMS gateway's token in the keychain — and the
//! choice of mode itself.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::endpoints::{
    current_choice, environment_names_real_pos, environment_overrides, POSABIT_INTEGRATOR_ENTRY,
    POSABIT_URL_VARIABLE, SMS_GATEWAY_ENTRY,
};
use super::mode::{save_choice, ConsoleMode, ModeChoice, RealPosAddresses};
use crate::base::error::{Error, ErrorCode, Result};
use crate::base::secret::Secret;
use crate::storage::keychain::SecretStore;

/// Real mode's settings as the UI shows them: no token crosses, only whether one is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RealPosSettings {
    /// The addresses entered.
    pub addresses: RealPosAddresses,
    /// Whether the POSaBIT integrator token is in the keychain.
    pub posabit_token_saved: bool,
    /// Whether the SMS gateway's token is in the keychain.
    pub sms_token_saved: bool,
    /// The environment variables overriding an address (an operator's set-up), by name.
    pub environment_overrides: Vec<String>,
}

/// Real mode's settings as the user enters them. A token left out keeps the saved one.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RealPosInput {
    /// The addresses.
    pub addresses: RealPosAddresses,
    /// A new POSaBIT integrator token.
    #[ts(optional)]
    pub posabit_token: Option<String>,
    /// A new SMS gateway token.
    #[ts(optional)]
    pub sms_token: Option<String>,
}

/// The real-mode settings kept for `data_dir`.
pub fn settings(data_dir: &Path, keychain: &dyn SecretStore) -> Result<RealPosSettings> {
    let addresses = current_choice(data_dir)?
        .map(|choice| choice.real)
        .unwrap_or_default();
    Ok(RealPosSettings {
        addresses,
        posabit_token_saved: keychain.get(POSABIT_INTEGRATOR_ENTRY)?.is_some(),
        sms_token_saved: keychain.get(SMS_GATEWAY_ENTRY)?.is_some(),
        environment_overrides: environment_overrides(),
    })
}

/// Puts `data_dir` in `mode`, saving `real` first when given (addresses checked, tokens to the
/// keychain); returns the choice now kept. Refused when the environment forces real mode and
/// `mode` is the sandbox.
pub fn choose(
    data_dir: &Path,
    keychain: &dyn SecretStore,
    mode: ConsoleMode,
    real: Option<RealPosInput>,
) -> Result<ModeChoice> {
    if mode == ConsoleMode::Sandbox && environment_names_real_pos() {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!("{POSABIT_URL_VARIABLE} is set, so Canopy runs on your POS."),
        )
        .with_hint(format!(
            "Start Canopy without {POSABIT_URL_VARIABLE} to use the sandbox."
        )));
    }
    let mut choice = current_choice(data_dir)?.unwrap_or(ModeChoice {
        mode,
        real: RealPosAddresses::default(),
    });
    if let Some(input) = real {
        let addresses = input.addresses.validated()?;
        keep_token(keychain, POSABIT_INTEGRATOR_ENTRY, input.posabit_token)?;
        keep_token(keychain, SMS_GATEWAY_ENTRY, input.sms_token)?;
        choice.real = addresses;
    }
    choice.mode = mode;
    save_choice(data_dir, &choice)?;
    tracing::info!(%mode, "console mode chosen");
    Ok(choice)
}

/// Stores a newly entered token (blank or absent: the saved one stays).
fn keep_token(keychain: &dyn SecretStore, entry: &str, entered: Option<String>) -> Result<()> {
    match entered.as_deref().map(str::trim) {
        None | Some("") => Ok(()),
        Some(token) => keychain.put(entry, &Secret::new(token)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::keychain::MemorySecretStore;

    fn input(posabit_token: Option<&str>) -> RealPosInput {
        RealPosInput {
            addresses: RealPosAddresses {
                posabit_url: "https://pos.example/api".into(),
                greenbits_url: "https://gb.example/api".into(),
                sms_url: Some("https://sms.example".into()),
            },
            posabit_token: posabit_token.map(str::to_string),
            sms_token: Some("sms-token".into()),
        }
    }

    #[test]
    fn real_settings_keep_addresses_in_the_folder_and_tokens_in_the_keychain() {
        let dir = tempfile::tempdir().expect("dir");
        let keychain = MemorySecretStore::default();
        choose(
            dir.path(),
            &keychain,
            ConsoleMode::Real,
            Some(input(Some("integrator"))),
        )
        .expect("chosen");
        let kept =
            std::fs::read_to_string(dir.path().join(super::super::mode::MODE_FILE)).expect("file");
        assert!(kept.contains("pos.example") && !kept.contains("integrator"));
        assert!(!kept.contains("sms-token"));
        assert_eq!(
            keychain.get(POSABIT_INTEGRATOR_ENTRY).expect("get"),
            Some(Secret::new("integrator"))
        );
        let shown = settings(dir.path(), &keychain).expect("settings");
        assert!(shown.posabit_token_saved && shown.sms_token_saved);
        assert_eq!(shown.addresses.posabit_url, "https://pos.example/api");

        // A blank token keeps the saved one; switching to the sandbox keeps the addresses.
        choose(
            dir.path(),
            &keychain,
            ConsoleMode::Real,
            Some(input(Some(" "))),
        )
        .expect("kept");
        assert_eq!(
            keychain.get(POSABIT_INTEGRATOR_ENTRY).expect("get"),
            Some(Secret::new("integrator"))
        );
        let sandbox = choose(dir.path(), &keychain, ConsoleMode::Sandbox, None).expect("switch");
        assert_eq!(sandbox.real.posabit_url, "https://pos.example/api");
    }

    #[test]
    fn a_wrong_address_saves_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let keychain = MemorySecretStore::default();
        let mut wrong = input(Some("integrator"));
        wrong.addresses.greenbits_url = "gb.example".into();
        let error = choose(dir.path(), &keychain, ConsoleMode::Real, Some(wrong)).expect_err("no");
        assert_eq!(error.code, ErrorCode::Validation);
        assert_eq!(keychain.get(POSABIT_INTEGRATOR_ENTRY).expect("get"), None);
        assert_eq!(current_choice(dir.path()).expect("read"), None);
    }
}
