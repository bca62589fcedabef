//! Checkpointing the write-ahead log off the writer's path.
//!
//! SQLite's own automatic checkpoint runs inside the committing write, so a long sync spent about
//! 40% of its time copying pages from the log into the database file while holding the writer.
//! Here the writer only notes how long the log has grown (the WAL hook); past [`SOFT_FRAMES`] of
//! new frames it wakes a thread of its own connection that copies them (a passive checkpoint, which
//! never blocks the writer or readers). A log copied in full restarts from its beginning on the
//! next write. A log that keeps growing because writes never pause passes [`HARD_FRAMES`]; the
//! writer then checkpoints itself, which copies only what the thread has not yet copied and lets
//! the log restart, so it stays bounded.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;

use rusqlite::hooks::Wal;
use rusqlite::{Connection, OpenFlags};

/// New log frames (pages of 4 KiB) after which the thread is woken.
pub const SOFT_FRAMES: i32 = 2_000;
/// Log frames after which the writer checkpoints itself (about 64 MiB of log).
pub const HARD_FRAMES: i32 = 16_000;

thread_local! {
    /// Frames in the log after the last commit on this thread (set by the WAL hook, which runs
    /// inside the commit on the committing thread).
    static FRAMES_AFTER_COMMIT: Cell<i32> = const { Cell::new(0) };
}

/// The WAL hook: notes how many frames the log holds after a commit.
fn note_frames(_wal: &Wal, frames: std::os::raw::c_int) -> rusqlite::Result<()> {
    FRAMES_AFTER_COMMIT.with(|cell| cell.set(frames));
    Ok(())
}

/// Hands the writer's commits to SQLite's WAL hook instead of its automatic checkpoint.
pub fn watch(writer: &Connection) {
    writer.wal_hook(Some(note_frames));
}

/// What the writer does after a commit that left the log at some length.
#[derive(Debug, PartialEq, Eq)]
pub enum AfterCommit {
    /// Nothing to do yet.
    Nothing,
    /// Wake the checkpoint thread.
    Nudge,
    /// Checkpoint on the writer itself, so the log restarts.
    CheckpointHere,
}

/// Keeps the checkpoint thread and the log length it was last woken at.
pub struct Checkpointer {
    path: PathBuf,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    nudge: Option<SyncSender<()>>,
    woken_at: i32,
}

impl Checkpointer {
    /// A checkpointer for the database at `path`; its thread starts on first need.
    pub fn new(path: &Path) -> Self {
        Checkpointer {
            path: path.to_path_buf(),
            state: Mutex::new(State::default()),
        }
    }

    /// Reads what the last commit on this thread left in the log and decides what follows.
    pub fn after_commit(&self) -> AfterCommit {
        let frames = FRAMES_AFTER_COMMIT.with(|cell| cell.replace(0));
        let mut state = super::lock(&self.state);
        if frames < state.woken_at {
            // The log restarted since.
            state.woken_at = 0;
        }
        if frames >= HARD_FRAMES {
            state.woken_at = 0;
            return AfterCommit::CheckpointHere;
        }
        if frames - state.woken_at < SOFT_FRAMES {
            return AfterCommit::Nothing;
        }
        state.woken_at = frames;
        let path = self.path.clone();
        let nudge = state.nudge.get_or_insert_with(|| spawn(path));
        match nudge.try_send(()) {
            // A full channel means the thread has a wake-up waiting already.
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => state.nudge = None,
        }
        AfterCommit::Nudge
    }
}

/// Starts the thread that checkpoints whenever it is woken, until its checkpointer is dropped.
fn spawn(path: PathBuf) -> SyncSender<()> {
    let (nudge, woken) = sync_channel(1);
    let started = std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || checkpoint_when_woken(&path, &woken));
    if let Err(e) = started {
        // The writer's own checkpoints at HARD_FRAMES still bound the log.
        tracing::warn!("no checkpoint thread: {e}");
    }
    nudge
}

fn checkpoint_when_woken(path: &Path, woken: &Receiver<()>) {
    let connection = match Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(connection) => connection,
        Err(e) => {
            tracing::warn!("the checkpoint thread could not open the database: {e}");
            return;
        }
    };
    while woken.recv().is_ok() {
        if let Err(e) = passive(&connection) {
            tracing::warn!("background checkpoint failed: {e}");
        }
    }
}

/// Copies what the log holds into the database file without waiting on anyone.
pub fn passive(connection: &Connection) -> rusqlite::Result<()> {
    // The pragma answers a row (busy, frames in the log, frames copied) that nothing here needs.
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::db::Database;
    use std::time::{Duration, Instant};

    fn after(checkpointer: &Checkpointer, frames: i32) -> AfterCommit {
        FRAMES_AFTER_COMMIT.with(|cell| cell.set(frames));
        checkpointer.after_commit()
    }

    #[test]
    fn the_thread_is_woken_every_soft_step_and_the_writer_checkpoints_past_the_hard_limit() {
        let dir = tempfile::tempdir().unwrap();
        let checkpointer = Checkpointer::new(&dir.path().join("c.db"));
        assert_eq!(after(&checkpointer, 10), AfterCommit::Nothing);
        assert_eq!(after(&checkpointer, SOFT_FRAMES), AfterCommit::Nudge);
        assert_eq!(after(&checkpointer, SOFT_FRAMES + 10), AfterCommit::Nothing);
        assert_eq!(after(&checkpointer, 2 * SOFT_FRAMES), AfterCommit::Nudge);
        assert_eq!(
            after(&checkpointer, HARD_FRAMES),
            AfterCommit::CheckpointHere
        );
        // The log restarted: counting starts again from its beginning.
        assert_eq!(after(&checkpointer, 50), AfterCommit::Nothing);
        assert_eq!(after(&checkpointer, SOFT_FRAMES + 50), AfterCommit::Nudge);
    }

    #[test]
    fn commits_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let db = Database::open(&path).unwrap();
        db.write(|tx| Ok(tx.execute_batch("CREATE TABLE filler (body BLOB)")?))
            .unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        // About 2.5 × SOFT_FRAMES pages of 4 KiB, well under HARD_FRAMES: only the thread copies.
        for _ in 0..50 {
            db.write(|tx| {
                tx.execute(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
                     INSERT INTO filler SELECT zeroblob(4000) FROM n",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::fs::metadata(&path).unwrap().len() < before + 10_000_000 {
            assert!(Instant::now() < deadline, "no checkpoint reached the file");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
