//! Logging to a daily-rotated file in the app's log directory (and to stderr).
//!
//! Secrets cannot reach the log by accident: they are `Secret` values, which print `<redacted>`.

use std::path::Path;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::EnvFilter;

/// How many daily log files are kept.
const KEPT_LOG_FILES: usize = 7;

/// Starts logging into `log_dir`; `RUST_LOG` overrides the default `info` level.
pub fn init(log_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(log_dir)?;
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("canopy")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(file.and(std::io::stderr))
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(())
}
