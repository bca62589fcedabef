//! Files written whole: filled as `<file>.partial` beside the target and renamed over it only
//! once complete, so a crash, a full disk or a failed write leaves the old file or the new one —
//! never half of one, and no `.partial` left behind.

use std::fs::File;
use std::path::{Path, PathBuf};

/// What a file's filling can fail with (I/O, a CSV or zip writer, …).
pub type FillError = Box<dyn std::error::Error>;

/// Writes `path` whole with `fill`, which gets the new file and must leave it complete.
pub fn write_whole(
    path: &Path,
    fill: impl FnOnce(File) -> Result<(), FillError>,
) -> Result<(), FillError> {
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let written = File::create(&partial)
        .map_err(FillError::from)
        .and_then(fill)
        .and_then(|()| Ok(std::fs::rename(&partial, path)?));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_failed_fill_keeps_the_old_file_and_leaves_no_partial() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kept.json");
        write_whole(&path, |mut file| Ok(file.write_all(b"old")?)).expect("written");
        let failed = write_whole(&path, |mut file| {
            file.write_all(b"half")?;
            Err("the disk filled up".into())
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
        assert!(!dir.path().join("kept.json.partial").exists());
        write_whole(&path, |mut file| Ok(file.write_all(b"new")?)).expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
    }
}
