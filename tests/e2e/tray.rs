//! The tray through a real system tray — trayer on the test's screen: closing the window (the
//! window manager's close request) keeps Canopy running in the tray, the tray's *Open Canopy*
//! brings the window back, and *Quit* ends the app.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use canopy_e2e::{app_binary, sandbox_chosen_in, target_dir};

/// A child process killed with the test.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X window and where it is on screen.
#[derive(Debug)]
struct XWindow {
    id: String,
    x: i32,
    y: i32,
    width: i32,
    height: i32,
}

/// The X windows whose line in `xwininfo -root -tree` holds `needle`.
fn windows(needle: &str) -> Result<Vec<XWindow>> {
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .context("xwininfo runs (x11-utils)")?;
    let text = String::from_utf8_lossy(&tree.stdout).into_owned();
    Ok(text
        .lines()
        .filter(|line| line.contains(needle))
        .filter_map(|line| {
            let id = line.split_whitespace().next()?.to_string();
            // "… 150x109+1128+27  +1128+27": size and place, then the absolute place.
            let mut fields = line.split_whitespace().rev();
            let absolute = fields.next()?;
            let size = fields.next()?.split('+').next()?;
            let (width, height) = size.split_once('x')?;
            let mut place = absolute.trim_start_matches('+').split('+');
            Some(XWindow {
                id,
                x: place.next()?.parse().ok()?,
                y: place.next()?.parse().ok()?,
                width: width.parse().ok()?,
                height: height.parse().ok()?,
            })
        })
        .collect())
}

/// Whether the X window `id` is on screen.
fn viewable(id: &str) -> Result<bool> {
    let info = Command::new("xwininfo").args(["-id", id]).output()?;
    Ok(String::from_utf8_lossy(&info.stdout).contains("Map State: IsViewable"))
}

async fn until(what: &str, mut check: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check()? {
        if Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

fn click_at(x: i32, y: i32) -> Result<()> {
    let status = Command::new("xdotool")
        .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
        .status()
        .context("xdotool runs")?;
    ensure!(status.success(), "xdotool click");
    Ok(())
}

/// The tray menu's window when it is on screen.
fn open_menu() -> Result<Option<XWindow>> {
    for window in windows("(\"canopy\" \"Canopy\")")? {
        let menu_sized = window.width > 50 && (50..400).contains(&window.height);
        if window.y > 0 && menu_sized && viewable(&window.id)? {
            return Ok(Some(window));
        }
    }
    Ok(None)
}

/// Clicks the tray icon and waits for its menu.
async fn show_tray_menu() -> Result<XWindow> {
    let icon = windows("tray-icon tray app canopy")?
        .into_iter()
        .next()
        .context("the tray icon")?;
    // No window manager stacks the tray above the window here: raise it by hand.
    if let Some(panel) = windows("(\"panel\" \"trayer\")")?.into_iter().next() {
        Command::new("xdotool")
            .args(["windowraise", &panel.id])
            .status()?;
    }
    // A click can land before GTK has seen the pointer enter the icon: click again until the
    // menu is up.
    for _ in 0..10 {
        click_at(icon.x + icon.width / 2, icon.y + icon.height / 2)?;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Some(menu) = open_menu()? {
                return Ok(menu);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    bail!("the tray menu never opened: {:?}", windows("Canopy")?)
}

/// Opens the tray menu and clicks its item number `item` (0 first; −1 the last).
async fn tray_menu(item: i32) -> Result<()> {
    let menu = show_tray_menu().await?;
    // Four items of about 25 pixels and a separator; the last item sits at the bottom.
    let row = if item < 0 {
        menu.y + menu.height - 14
    } else {
        menu.y + 16 + item * 25
    };
    click_at(menu.x + 40, row)
}

/// Asks the window to close, as a window manager's close button does (`WM_DELETE_WINDOW`).
fn request_close(id: &str) -> Result<()> {
    let script = "import sys\n\
        from Xlib import display, X, protocol\n\
        d = display.Display()\n\
        w = d.create_resource_object('window', int(sys.argv[1], 16))\n\
        protocols, delete = d.intern_atom('WM_PROTOCOLS'), d.intern_atom('WM_DELETE_WINDOW')\n\
        event = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))\n\
        w.send_event(event, event_mask=X.NoEventMask)\n\
        d.flush()\n";
    let status = Command::new("/usr/bin/python3")
        .args(["-c", script, id])
        .status()
        .context("python3-xlib runs")?;
    ensure!(status.success(), "sending WM_DELETE_WINDOW");
    Ok(())
}

fn log_text(data: &Path) -> String {
    std::fs::read_dir(data.join("dev.canopy.console/logs"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn closing_the_window_keeps_canopy_in_the_tray_until_quit() -> Result<()> {
    ensure!(
        std::env::var_os("DISPLAY").is_some(),
        "run through .ci/with-session, which provides a screen"
    );
    let data = tempfile::tempdir()?;
    sandbox_chosen_in(data.path())?;
    let _tray = Running(
        Command::new("trayer")
            .args([
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
            ])
            .args([
                "--height",
                "28",
                "--transparent",
                "false",
                "--SetDockType",
                "true",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("trayer starts (.ci/setup installs it)")?,
    );
    let mut app = Running(
        Command::new(app_binary())
            .env("XDG_DATA_HOME", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("the app starts")?,
    );
    until("the window and the tray icon", || {
        Ok(!windows("(\"canopy\" \"Canopy\")  1280x")?.is_empty()
            && !windows("tray-icon tray app canopy")?.is_empty())
    })
    .await?;
    let main = windows("(\"canopy\" \"Canopy\")  1280x")?
        .into_iter()
        .next()
        .context("the main window")?
        .id;

    request_close(&main)?;
    until("the window to hide", || Ok(!viewable(&main)?)).await?;
    until("the log to say why Canopy stays", || {
        Ok(log_text(data.path()).contains("Canopy keeps syncing in the tray"))
    })
    .await?;
    ensure!(
        app.0.try_wait()?.is_none(),
        "closing the window ended Canopy"
    );

    tray_menu(0).await?;
    until("Open Canopy to show the window", || viewable(&main)).await?;
    let shot = target_dir().join("e2e-screenshots/tray-menu.png");
    std::fs::create_dir_all(shot.parent().context("folder")?)?;
    tray_menu_screenshot(&shot).await?;

    tray_menu(-1).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = app.0.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            bail!("Quit in the tray did not end Canopy");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    ensure!(status.success(), "Quit ends Canopy cleanly: {status}");
    Ok(())
}

/// Opens the tray menu, saves a screenshot of it, and closes it again.
async fn tray_menu_screenshot(shot: &Path) -> Result<()> {
    show_tray_menu().await?;
    Command::new("import")
        .args(["-window", "root"])
        .arg(shot)
        .status()?;
    Command::new("xdotool").args(["key", "Escape"]).status()?;
    until("the tray menu to close", || Ok(open_menu()?.is_none())).await
}
