//! Harness for end-to-end tests: the real `canopy` binary in a real WebKit window under Xvfb,
//! driven through tauri-driver and WebKitWebDriver.
//!
//! Run through `.ci/test`, which builds the binary and provides the display, a private D-Bus
//! session and an unlocked gnome-keyring. Each [`Session`] gives the app its own data folder.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub mod steps;

/// How long an element or text may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The workspace's `target/` folder. Read at run time (cargo sets both variables for tests), so a
/// test binary reused from another checkout still looks in this one.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    manifest
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../target")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The app's data folder inside a session's scratch folder.
const DATA_FOLDER: &str = "data/dev.canopy.console";

/// Makes the app's data folder under `xdg_data_home` with the sandbox chosen (no first-start
/// question), and returns it.
pub fn sandbox_chosen_in(xdg_data_home: &Path) -> Result<PathBuf> {
    let folder = xdg_data_home.join("dev.canopy.console");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("console-mode.json"), r#"{"mode":"sandbox"}"#)?;
    Ok(folder)
}

/// The app binary the tests drive.
pub fn app_binary() -> PathBuf {
    target_dir().join("debug/canopy")
}

/// A running app under WebDriver.
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    data: tempfile::TempDir,
}

impl Session {
    /// Starts tauri-driver and, through it, the app binary with a fresh data folder.
    pub async fn start() -> Result<Self> {
        Session::start_with(&app_binary(), None).await
    }

    /// Starts `binary` under tauri-driver with a fresh data folder, holding a hard link to (or a
    /// copy of) `database` as the sandbox's database, the sandbox chosen, when one is given.
    pub async fn start_with(binary: &Path, database: Option<&Path>) -> Result<Self> {
        Session::start_themed(binary, database, None).await
    }

    /// Starts the app binary like [`Session::start`], under the GTK theme `theme` (e.g.
    /// `Adwaita:dark`, which WebKit reports as `prefers-color-scheme: dark`).
    pub async fn start_in_theme(theme: &str) -> Result<Self> {
        Session::start_themed(&app_binary(), None, Some(theme)).await
    }

    async fn start_themed(
        binary: &Path,
        database: Option<&Path>,
        theme: Option<&str>,
    ) -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run the end-to-end tests through .ci/test, which starts Xvfb");
        }
        if !binary.exists() {
            bail!(
                "{} is missing: run `cargo build --workspace` first (.ci/test does)",
                binary.display()
            );
        }
        let data = tempfile::tempdir()?;
        if let Some(database) = database {
            let folder = sandbox_chosen_in(&data.path().join("data"))?;
            let target = folder.join("sandbox.db");
            if std::fs::hard_link(database, &target).is_err() {
                std::fs::copy(database, &target)
                    .with_context(|| format!("copying {}", database.display()))?;
            }
        }
        let (port, native_port) = (free_port()?, free_port()?);
        let mut driver = Command::new("tauri-driver");
        if let Some(theme) = theme {
            driver.env("GTK_THEME", theme);
        }
        let driver = driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("XDG_DATA_HOME", data.path().join("data"))
            .env("XDG_CACHE_HOME", data.path().join("cache"))
            .env("XDG_CONFIG_HOME", data.path().join("config"))
            .stdout(Stdio::null())
            .spawn()
            .context("tauri-driver could not start (is it installed? .ci/setup installs it)")?;
        let mut session = PendingDriver {
            driver: Some(driver),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary.canonicalize()? }),
        );
        let mut builder = ClientBuilder::native();
        builder.capabilities(capabilities);
        let url = format!("http://127.0.0.1:{port}");
        let client = tokio::time::timeout(Duration::from_secs(90), builder.connect(&url))
            .await
            .context("the app did not come up under WebDriver within 90 s")??;
        Ok(Session {
            client,
            driver: session.driver.take().context("driver")?,
            data,
        })
    }

    /// Waits for an element matching `css`.
    pub async fn element(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css} within {PATIENCE:?}"))
    }

    /// Waits for an element matching `css` that has stopped moving (the same place on three reads
    /// in a row), so a click lands where it is, not where it was before late content pushed it.
    pub async fn settled_element(&self, css: &str) -> Result<Element> {
        let place = "const e = document.querySelector(arguments[0]); \
            if (!e) return null; const r = e.getBoundingClientRect(); \
            return [r.top, r.left, r.width, r.height, window.scrollY].join(',');";
        let deadline = Instant::now() + PATIENCE;
        let (mut last, mut same) = (serde_json::Value::Null, 0);
        while same < 2 {
            let now = within(self.client.execute(place, vec![css.into()])).await?;
            same = if !now.is_null() && now == last {
                same + 1
            } else {
                0
            };
            last = now;
            if Instant::now() > deadline {
                bail!("{css} never stopped moving (last at {last})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.element(css).await
    }

    /// Waits until the page's visible text contains `needle`, and returns that text.
    pub async fn text_appears(&self, needle: &str) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = within(async { self.client.find(Locator::Css("body")).await?.text().await })
                .await?;
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("the page never showed {needle:?}; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The visible text of the first element matching `css`, once there is one.
    pub async fn text_of(&self, css: &str) -> Result<String> {
        within(self.element(css).await?.text()).await
    }

    /// Clicks the first button whose text is `label`.
    pub async fn click_button(&self, label: &str) -> Result<()> {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        let button = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("no button labelled {label:?}"))?;
        within(button.click())
            .await
            .with_context(|| format!("clicking {label:?}"))
    }

    /// Opens the page labelled `label` from the left navigation and waits until its title shows
    /// and every read it started has answered.
    pub async fn open_page(&self, label: &str) -> Result<()> {
        self.click_button(label).await?;
        let settled = "return document.querySelector('.topbar h1')?.textContent === arguments[0] \
            && document.querySelector('main.content')?.getAttribute('aria-busy') === 'false';";
        let deadline = Instant::now() + PATIENCE;
        while within(self.client.execute(settled, vec![label.into()])).await?
            != serde_json::Value::Bool(true)
        {
            if Instant::now() > deadline {
                bail!("the {label} page never finished loading");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Picks the option labelled `label` in the select named `name`, once that option is there
    /// (a select's options can render after the select itself).
    pub async fn select_option(&self, name: &str, label: &str) -> Result<()> {
        let xpath = format!("//select[@name='{name}']/option[normalize-space(.)='{label}']");
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("the select {name} never offered {label:?}"))?;
        let select = self.element(&format!("select[name='{name}']")).await?;
        within(select.select_by_label(label))
            .await
            .with_context(|| format!("picking {label:?} in {name}"))?;
        Ok(())
    }

    /// Replaces the value of the input named `name` with `text`, as a user does: select all,
    /// delete, type. (WebDriver's clear() fires no input event, so React would put the old value
    /// back on its next render.)
    pub async fn fill(&self, name: &str, text: &str) -> Result<()> {
        const SELECT_ALL_AND_DELETE: &str = "\u{E009}a\u{E000}\u{E003}";
        let input = self.element(&format!("input[name='{name}']")).await?;
        within(input.send_keys(SELECT_ALL_AND_DELETE))
            .await
            .with_context(|| format!("clearing {name}"))?;
        if text.is_empty() {
            return Ok(());
        }
        within(input.send_keys(text))
            .await
            .with_context(|| format!("typing into {name}"))
    }

    /// Sets the value of the input named `name` the way a user's edit does (React sees an `input`
    /// event). For date fields: WebKitGTK's date input does not take typed keys reliably.
    pub async fn set_value(&self, name: &str, value: &str) -> Result<()> {
        self.element(&format!("input[name='{name}']")).await?;
        let script = "const [name, value] = arguments; \
            const input = document.querySelector(`input[name='${name}']`); \
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value); \
            input.dispatchEvent(new Event('input', { bubbles: true }));";
        within(self.client.execute(script, vec![name.into(), value.into()])).await?;
        Ok(())
    }

    /// Saves the whole X screen (the real window, as a user sees it) under
    /// `target/e2e-screenshots/`, and fails when the window on screen is blank.
    ///
    /// (WebDriver's own screenshot is not used: with WebKit's compositing disabled it never answers.)
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = target_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&dir)?;
        // The DOM can be ahead of the pixels on screen: give WebKit a moment to paint.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()?;
        if !status.success() {
            bail!("ImageMagick's import could not capture the screen");
        }
        let share = non_background_share(&path)?;
        if share < 0.003 {
            bail!(
                "the window on screen looks blank: only {:.2}% of {} differs from the background",
                share * 100.0,
                path.display()
            );
        }
        Ok(path)
    }

    /// Opens an integration card (`posabit`, `greenbits`) from the Integrations page.
    pub async fn open_card(&self, integration: &str) -> Result<()> {
        self.click_button("Integrations").await?;
        let tile = format!("[data-testid='tile-{integration}']");
        within(self.element(&tile).await?.click()).await?;
        Ok(())
    }

    /// The app's data folder (its databases, mode choice and logs).
    pub fn data_folder(&self) -> PathBuf {
        self.data.path().join(DATA_FOLDER)
    }

    /// Presses *Explore with the sandbox* on the first start and waits for the window to have
    /// reloaded on the sandbox.
    pub async fn choose_sandbox(&self) -> Result<()> {
        self.text_appears("Where should Canopy get its data?")
            .await?;
        self.choose_and_wait_for_reload("[data-testid='choose-sandbox']")
            .await
    }

    /// Clicks the element matching `css`, which changes the mode, and waits until the window
    /// has reloaded and shows the Integrations page again.
    pub async fn choose_and_wait_for_reload(&self, css: &str) -> Result<()> {
        within(
            self.client
                .execute("window.__canopyBeforeReload = true;", vec![]),
        )
        .await?;
        within(self.element(css).await?.click()).await?;
        let reloaded = "return window.__canopyBeforeReload === undefined \
            && document.querySelector(\"[data-testid='tile-posabit']\") !== null;";
        let deadline = Instant::now() + PATIENCE;
        while within(self.client.execute(reloaded, vec![])).await? != serde_json::Value::Bool(true)
        {
            if Instant::now() > deadline {
                bail!("the window did not reload after the mode changed");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Every file under the app's data folder (database, WAL, logs) whose bytes contain `needle`.
    pub fn data_files_containing(&self, needle: &str) -> Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        let mut pending = vec![self.data.path().to_path_buf()];
        let mut seen_files = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    seen_files += 1;
                    let bytes = std::fs::read(&path)?;
                    if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(path);
                    }
                }
            }
        }
        if seen_files < 2 {
            bail!(
                "the app's data folder holds {seen_files} files: the database and log are missing"
            );
        }
        Ok(found)
    }

    /// All of the page's text, including what clipped cells hide from WebDriver's visible text.
    pub async fn page_text(&self) -> Result<String> {
        let text = within(
            self.client
                .execute("return document.body.textContent;", vec![]),
        )
        .await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// How many elements match `css` right now.
    pub async fn count_elements(&self, css: &str) -> Result<usize> {
        Ok(within(self.client.find_all(Locator::Css(css))).await?.len())
    }

    /// Waits until exactly `count` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, count: usize) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.count_elements(css).await?;
            if found == count {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{css} matched {found} elements, never {count}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Scrolls the first element matching `css` into view.
    pub async fn scroll_to(&self, css: &str) -> Result<()> {
        let script = "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});";
        within(self.client.execute(script, vec![css.into()])).await?;
        Ok(())
    }

    /// Searches the Personas page for `search`, waits for exactly one match and opens it.
    pub async fn open_persona(&self, search: &str) -> Result<()> {
        self.fill("persona_search", search).await?;
        let deadline = Instant::now() + PATIENCE;
        let count = self.element("[data-testid='persona-count']").await?;
        while within(count.text()).await? != "1 persona" {
            if Instant::now() > deadline {
                bail!("the search for {search} never narrowed to one persona");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        within(
            self.element("[data-testid='persona-row'] td")
                .await?
                .click(),
        )
        .await?;
        Ok(())
    }

    /// Opens the first row of the Personas page and waits for its detail to load.
    pub async fn open_first_persona(&self) -> Result<()> {
        self.click_button("Personas").await?;
        within(
            self.element("[data-testid='persona-row'] td")
                .await?
                .click(),
        )
        .await?;
        self.element("[data-testid='persona-detail'] .facts")
            .await?;
        Ok(())
    }

    /// Closes the open persona's detail (its ✕ button).
    pub async fn close_persona(&self) -> Result<()> {
        within(
            self.element("button[aria-label='Close the persona']")
                .await?
                .click(),
        )
        .await
    }

    /// Calls a backend command from inside the window, as the UI does, and returns its JSON answer.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> Result<String> {
        let script = "const [command, args, done] = arguments; \
            window.__TAURI_INTERNALS__.invoke(command, args).then((v) => done(JSON.stringify(v)), (e) => done(JSON.stringify(e)));";
        let answer = within(
            self.client
                .execute_async(script, vec![command.into(), args]),
        )
        .await?;
        Ok(answer.as_str().unwrap_or_default().to_string())
    }

    /// Closes the app and stops tauri-driver.
    pub async fn stop(mut self) -> Result<()> {
        let closed = within(self.client.clone().close()).await;
        terminate(&mut self.driver);
        // Closing the session can leave the app hidden in its tray: it must not outlive its test
        // (the next test's launch would hand over to it and exit).
        stop_processes_with(&format!(
            "XDG_DATA_HOME={}",
            self.data.path().join("data").display()
        ));
        closed
    }
}

/// Runs one WebDriver call, failing instead of hanging when the driver stops answering.
pub async fn within<T>(
    call: impl std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
) -> Result<T> {
    Ok(tokio::time::timeout(PATIENCE, call)
        .await
        .context("WebDriver did not answer in time")??)
}

/// Whether a top-level window titled `title` is on the X screen.
pub fn window_shown(title: &str) -> Result<bool> {
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .context("xwininfo runs (x11-utils)")?;
    Ok(String::from_utf8_lossy(&tree.stdout).contains(title))
}

/// The share of pixels that differ clearly from the most common colour: near 0 for a blank window.
pub fn non_background_share(png_path: &Path) -> Result<f64> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path)?));
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer)?;
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buffer[..info.buffer_size()].chunks(channels).collect();
    let mut counts = std::collections::HashMap::<&[u8], usize>::new();
    for pixel in &pixels {
        *counts.entry(&pixel[..3.min(channels)]).or_default() += 1;
    }
    let background = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(c, _)| *c)
        .context("empty image")?;
    let differing = pixels
        .iter()
        .filter(|p| {
            p[..3.min(channels)]
                .iter()
                .zip(background)
                .any(|(a, b)| a.abs_diff(*b) > 40)
        })
        .count();
    Ok(differing as f64 / pixels.len() as f64)
}

/// Stops tauri-driver with SIGTERM: only its signal handler also stops WebKitWebDriver.
fn terminate(driver: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// Stops every other process started with `variable` (such as `XDG_DATA_HOME=/tmp/…`) in its
/// environment, and waits until they are gone (killing them after ten seconds, giving up after
/// fifteen).
fn stop_processes_with(variable: &str) {
    let matching = || -> Vec<String> {
        let own = std::process::id().to_string();
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let pid = entry.file_name().to_str()?.to_string();
                if pid == own || !pid.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let environ = std::fs::read(entry.path().join("environ")).ok()?;
                environ
                    .split(|b| *b == 0)
                    .any(|v| v == variable.as_bytes())
                    .then_some(pid)
            })
            .collect()
    };
    let started = Instant::now();
    loop {
        let left = matching();
        let waited = started.elapsed();
        if left.is_empty() || waited > Duration::from_secs(15) {
            return;
        }
        let signal = if waited > Duration::from_secs(10) {
            "-KILL"
        } else {
            "-TERM"
        };
        for pid in &left {
            let _ = Command::new("kill").args([signal, pid]).status();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stops tauri-driver if start-up fails half-way.
struct PendingDriver {
    driver: Option<Child>,
}

impl Drop for PendingDriver {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.as_mut() {
            terminate(driver);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            terminate(&mut self.driver);
        }
    }
}
