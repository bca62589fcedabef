//! How long the Personas page takes, in the real window, from the last keystroke of a search to
//! the first page of results on screen — measured inside the page (the keystroke's `keydown` to the
//! first animation frame after the table shows the new results), so WebDriver's own latency is not
//! counted. It includes the search field's 120 ms debounce.
//!
//! ```sh
//! ./target/release/canopy-cli bench personas --personas 1000000 --db /tmp/p1m.db   # once
//! cargo build --release -p canopy
//! .ci/with-session cargo run --release -p canopy-e2e --example screen_search -- /tmp/p1m.db
//! ```
//! (An optional second argument names the app binary; the default is `target/release/canopy`.)

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use canopy_e2e::{target_dir, within, Session};

/// Name searches typed, as a support person would (the generator's names); a phone and an e-mail
/// start are taken from the first row on screen.
const NAME_SEARCHES: &[(&str, &str)] = &[
    ("last-name start", "Garc"),
    ("first name + last-name start", "ava ngu"),
];
/// Timed runs per search (after one warm-up).
const RUNS: usize = 15;

/// Installs the in-page stopwatch: the last keydown in the search field starts it; the first
/// animation frame after the count changes from `baseline` stops it.
const ARM: &str = r#"
const [baseline] = arguments;
const input = document.querySelector("input[name='persona_search']");
const count = document.querySelector("[data-testid='persona-count']");
window.__bench = { t0: null, t1: null };
const onKey = () => { window.__bench.t0 = performance.now(); };
input.addEventListener("keydown", onKey);
const observer = new MutationObserver(() => {
  const text = count.textContent;
  if (text !== baseline && text !== "Loading…" && document.querySelector("[data-testid='persona-row']")) {
    observer.disconnect();
    input.removeEventListener("keydown", onKey);
    requestAnimationFrame(() => { window.__bench.t1 = performance.now(); });
  }
});
observer.observe(count, { childList: true, characterData: true, subtree: true });
"#;

async fn count_text(session: &Session) -> Result<String> {
    within(
        session
            .element("[data-testid='persona-count']")
            .await?
            .text(),
    )
    .await
}

/// Empties the search and waits for the unfiltered count to come back.
async fn reset(session: &Session, unfiltered: &str) -> Result<()> {
    session.set_value("persona_search", "").await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count_text(session).await? != unfiltered {
        if std::time::Instant::now() > deadline {
            bail!("the unfiltered list never came back");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// One timed search: milliseconds from the last keystroke to the results on screen.
async fn time_search(session: &Session, unfiltered: &str, text: &str) -> Result<f64> {
    reset(session, unfiltered).await?;
    within(session.client.execute(ARM, vec![unfiltered.into()])).await?;
    let input = session.element("input[name='persona_search']").await?;
    within(input.send_keys(text)).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answer = within(session.client.execute(
            "return window.__bench.t1 === null ? null : window.__bench.t1 - window.__bench.t0;",
            vec![],
        ))
        .await?;
        if let Some(ms) = answer.as_f64() {
            return Ok(ms);
        }
        if std::time::Instant::now() > deadline {
            bail!("the search for {text:?} never showed results");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let database = PathBuf::from(
        args.next()
            .context("usage: screen_search DATABASE [APP_BINARY]")?,
    );
    let binary = args
        .next()
        .map_or_else(|| target_dir().join("release/canopy"), PathBuf::from);
    let session = Session::start_with(&binary, Some(&database)).await?;
    let outcome = run(&session).await;
    session.stop().await?;
    outcome
}

async fn run(session: &Session) -> Result<()> {
    session.click_button("Personas").await?;
    session.element("[data-testid='persona-row']").await?;
    let unfiltered = count_text(session).await?;
    println!("Personas page of {unfiltered}; {RUNS} runs per search after one warm-up");
    let first = |column: u32, pattern: &str| {
        format!(
            "return [...document.querySelectorAll(\"[data-testid='persona-row'] td:nth-child({column})\")]\
               .map((td) => td.textContent).find((t) => /{pattern}/.test(t)) ?? null;"
        )
    };
    let phone = within(
        session
            .client
            .execute(&first(2, r"^\(\d{3}\) \d{3}-\d{4}$"), vec![]),
    )
    .await?;
    let email = within(session.client.execute(&first(3, "@"), vec![])).await?;
    let phone = phone
        .as_str()
        .context("a phone on the first page")?
        .to_string();
    let email: String = email
        .as_str()
        .context("an e-mail on the first page")?
        .chars()
        .take(8)
        .collect();
    let mut searches: Vec<(&str, String)> =
        vec![("phone, formatted", phone), ("e-mail start", email)];
    searches.extend(
        NAME_SEARCHES
            .iter()
            .map(|(label, text)| (*label, text.to_string())),
    );
    println!(
        "{:<32} {:>10} {:>10} {:>10}",
        "search", "median ms", "p95 ms", "max ms"
    );
    for (label, text) in &searches {
        time_search(session, &unfiltered, text).await?;
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            times.push(time_search(session, &unfiltered, text).await?);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label:<32} {:>10.1} {:>10.1} {:>10.1}",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
    Ok(())
}
