//! A secret value that cannot be printed, logged or serialised by accident.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret (a POS key, a token). `Debug`, `Display` and `Serialize` all print `<redacted>`;
/// only [`Secret::expose`] gives the value, and only where it is sent to the POS or the keychain.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// What a secret prints as, everywhere.
pub const REDACTED: &str = "<redacted>";

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself. Call it only at the edge that needs it (HTTP auth, keychain write).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printing_path_redacts() {
        let secret = Secret::new("sk_live_123");
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            format!("\"{REDACTED}\"")
        );
        assert_eq!(secret.expose(), "sk_live_123");
    }
}
