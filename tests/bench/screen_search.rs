//! How long the Personas page takes, in the real window, from the keystroke that completes a search
//! to the first page of results on screen — measured inside the page (the edit's `input` event to
//! the first animation frame after the table shows the new results), so WebDriver's own latency is
//! not counted. It includes the search field's 120 ms debounce.
//!
//! ```sh
//! ./target/release/canopy-cli bench personas --personas 1000000 --db /tmp/p1m.db   # once
//! cargo build --release -p canopy
//! .ci/with-session cargo run -p canopy-e2e --example screen_search -- /tmp/p1m.db
//! ```
//! (The timing runs in the page, so the example itself needs no release build. An optional second
//! argument names the app binary; the default is the release build, `target/release/canopy`.)

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use canopy_e2e::{target_dir, within, Session};

/// Name searches typed, as a support person would (the generator's names); a phone and an e-mail
/// start (up to its `@`) are taken from the first page on screen.
const NAME_SEARCHES: &[(&str, &str)] = &[
    ("last-name start", "Garc"),
    ("first name + last-name start", "ava ngu"),
];
/// Timed runs per search (after one warm-up).
const RUNS: usize = 15;

/// Types the whole search as one edit (as a paste, or the last keystroke of a quick typist: no
/// earlier partial search is in flight) and times it in the page: from just before the `input`
/// event to the first animation frame after the table shows the expected results (the count and
/// first row a settled warm-up run showed).
const TYPE_AND_TIME: &str = r#"
const [text, wantedCount, wantedRow] = arguments;
const input = document.querySelector("input[name='persona_search']");
const shown = () => [
  document.querySelector("[data-testid='persona-count']")?.textContent,
  document.querySelector("[data-testid='persona-row']")?.textContent,
];
window.__bench = { t0: null, t1: null };
const observer = new MutationObserver(() => {
  const [count, row] = shown();
  if (count === wantedCount && row === wantedRow) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__bench.t1 = performance.now(); });
  }
});
observer.observe(document.querySelector("main") ?? document.body, { childList: true, characterData: true, subtree: true });
window.__bench.t0 = performance.now();
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, text);
input.dispatchEvent(new Event("input", { bubbles: true }));
"#;

/// What the page shows once a search settled: the count and the first row's text.
const SHOWN: &str = r#"
return [
  document.querySelector("[data-testid='persona-count']")?.textContent ?? null,
  document.querySelector("[data-testid='persona-row']")?.textContent ?? null,
];
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

/// The count and first row a search settles on (a warm-up run, given time to settle).
async fn settled(session: &Session, unfiltered: &str, text: &str) -> Result<(String, String)> {
    reset(session, unfiltered).await?;
    session.set_value("persona_search", text).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let shown = within(session.client.execute(SHOWN, vec![])).await?;
    match (shown[0].as_str(), shown[1].as_str()) {
        (Some(count), Some(row)) => Ok((count.to_string(), row.to_string())),
        _ => bail!("the search for {text:?} shows no persona"),
    }
}

/// One timed search: milliseconds from the edit to the expected results on screen.
async fn time_search(
    session: &Session,
    unfiltered: &str,
    text: &str,
    expected: &(String, String),
) -> Result<f64> {
    reset(session, unfiltered).await?;
    within(session.client.execute(
        TYPE_AND_TIME,
        vec![
            text.into(),
            expected.0.clone().into(),
            expected.1.clone().into(),
        ],
    ))
    .await?;
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
            bail!("the search for {text:?} never showed its results");
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
    println!("Personas page of {unfiltered}; {RUNS} runs per search after a settled warm-up");
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
    // An e-mail start is read as one when it holds the `@`.
    let email = email.as_str().context("an e-mail on the first page")?;
    let email = format!("{}@", email.split('@').next().unwrap_or(email));
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
        let expected = settled(session, &unfiltered, text).await?;
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            times.push(time_search(session, &unfiltered, text, &expected).await?);
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
