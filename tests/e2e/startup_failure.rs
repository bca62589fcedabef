//! The real app binary started on a damaged database: instead of exiting unseen, it shows a window
//! that names the problem and what to do (with the data and log folders), and logs it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use canopy_e2e::{app_binary, sandbox_chosen_in, target_dir, window_shown};

#[tokio::test]
async fn a_damaged_database_shows_what_happened_and_what_to_do() -> Result<()> {
    ensure!(
        std::env::var_os("DISPLAY").is_some(),
        "run through .ci/with-session, which provides a screen"
    );
    let data = tempfile::tempdir()?;
    let folder = sandbox_chosen_in(data.path())?;
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(folder.join("sandbox.db"), &garbage)?;
    let mut app = Command::new(app_binary())
        .env("XDG_DATA_HOME", data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("the app starts")?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let shown = loop {
        if window_shown("Canopy could not start")? {
            break true;
        }
        if Instant::now() > deadline || app.try_wait()?.is_some() {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let shot = target_dir().join("e2e-screenshots/startup-failure.png");
    std::fs::create_dir_all(shot.parent().context("folder")?)?;
    let _ = Command::new("import")
        .args(["-window", "root"])
        .arg(&shot)
        .status();
    let _ = app.kill();
    let _ = app.wait();
    ensure!(shown, "no window said Canopy could not start");
    let logs = std::fs::read_dir(folder.join("logs"))?
        .filter_map(|entry| entry.ok())
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
        .collect::<String>();
    ensure!(
        logs.contains("is damaged or is not Canopy's"),
        "the log says why: {logs}"
    );
    ensure!(
        std::fs::read(folder.join("sandbox.db"))? == garbage,
        "the file is left as it was"
    );
    Ok(())
}
