//! The one error type that crosses every boundary, down to the UI: `{code, message, hint?}`.

use serde::Serialize;
use ts_rs::TS;

use super::stored_name::stored_name;

stored_name! {
    /// What kind of failure happened: a closed set the UI switches on, stored in
    /// `sync_runs.error_code`.
    pub enum ErrorCode {
        /// The user's input is not acceptable; the message says which field and why.
        Validation => "validation",
        /// No OS keychain answered, or it is locked.
        KeychainUnavailable => "keychain_unavailable",
        /// The POS refused the credentials (HTTP 401).
        PosAuthFailed => "pos_auth_failed",
        /// The POS accepted the credentials but a permission is missing (HTTP 403).
        PosPermissionMissing => "pos_permission_missing",
        /// The POS could not be reached, or answered with something unusable.
        PosUnreachable => "pos_unreachable",
        /// The POS asked us to slow down (HTTP 429).
        RateLimited => "rate_limited",
        /// The change clashes with existing data (e.g. a name already in use).
        Conflict => "conflict",
        /// The thing asked for does not exist.
        NotFound => "not_found",
        /// The user stopped the operation (a sync cancelled at a page boundary).
        Cancelled => "cancelled",
        /// The disk (or the database's size limit) is full: nothing more could be saved.
        DiskFull => "disk_full",
        /// A bug or an unexpected local failure.
        Internal => "internal",
    }
}

/// An error with a machine-readable code, a sentence for the user and, where useful, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(rename = "AppError")]
#[error("{message}")]
pub struct Error {
    /// The kind of failure.
    pub code: ErrorCode,
    /// What happened, in the user's words. Never contains a secret.
    pub message: String,
    /// What the user can do about it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How long the POS asked Canopy to wait before trying again (`Retry-After`), in seconds.
    #[ts(skip)]
    #[serde(skip)]
    pub retry_after_secs: Option<u64>,
}

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with no hint.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            hint: None,
            retry_after_secs: None,
        }
    }

    /// Adds what the user can do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether trying the same request again later may succeed: timeouts, dropped connections,
    /// unreadable answers, 5xx and 429.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::PosUnreachable | ErrorCode::RateLimited
        )
    }

    /// Whether the credential itself is refused (wrong key, missing permission): retrying cannot help.
    pub fn stops_the_credential(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::PosAuthFailed | ErrorCode::PosPermissionMissing | ErrorCode::Cancelled
        )
    }

    /// A validation error about the user's input.
    pub fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Validation, message)
    }

    /// An unexpected local failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return Error::new(
                ErrorCode::DiskFull,
                "The disk is full: Canopy could not save what it received.",
            )
            .with_hint(
                "Free some space on this computer, then try again. Everything saved before is kept, and a sync goes on from its last saved page.",
            );
        }
        Error::internal(format!("The local database failed: {error}")).with_hint(
            "Try again; if it keeps failing, restart Canopy and send the log file to support.",
        )
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(error: tokio::task::JoinError) -> Self {
        Error::internal(format!("A background task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for code in [
            ErrorCode::Validation,
            ErrorCode::KeychainUnavailable,
            ErrorCode::PosAuthFailed,
            ErrorCode::PosPermissionMissing,
            ErrorCode::PosUnreachable,
            ErrorCode::RateLimited,
            ErrorCode::Conflict,
            ErrorCode::NotFound,
            ErrorCode::Cancelled,
            ErrorCode::DiskFull,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn serialises_as_code_message_and_optional_hint() {
        let plain = serde_json::to_value(Error::validation("Key is empty.")).unwrap();
        assert_eq!(
            plain,
            serde_json::json!({"code": "validation", "message": "Key is empty."})
        );
        let hinted = serde_json::to_value(Error::internal("x").with_hint("y")).unwrap();
        assert_eq!(hinted["hint"], "y");
    }
}
