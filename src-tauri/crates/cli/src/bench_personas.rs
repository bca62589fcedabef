//! `canopy-cli bench personas`: the Personas explorer's queries against a million personas.
//!
//! The database is filled with generated POSaBIT customers and sales written through the sync's
//! own page-saving code (no HTTP, so filling is quick), then every kind of query the table sends is
//! timed: search by phone, e-mail, name (with and without accents), POS id; each filter; each sort;
//! a page deep in the list. Figures are the backend's (SQLite) latency per query: median and p95.

use std::time::{Duration, Instant};

use canopy_core::base::pos_kind::Integration;
use canopy_core::consent::SmsConsent;
use canopy_core::personas::query::{list, PersonaQuery, PersonaSort, PersonaSource};
use canopy_core::sources::sync::{save_page, CursorWrite, PageContext};
use canopy_core::storage::db::Database;
use canopy_sandbox::generator::{posabit_customer, posabit_ticket};
use serde_json::{json, Value};

const SEED: u64 = 20_240_101;
const PAGE: u64 = 500;

fn fill(db: &Database, personas: u64) -> anyhow::Result<()> {
    let fail = |e: canopy_core::Error| anyhow::anyhow!(e.message);
    db.write(|tx| {
        tx.execute(
            "INSERT INTO credentials (id, integration, store_name, status, created_at)
             VALUES ('bench', 'posabit', 'Bench', 'active', '2026-01-01T00:00:00Z')",
            [],
        )?;
        Ok(())
    })
    .map_err(fail)?;
    let credential = canopy_core::integrations::credentials::list(db, Integration::Posabit)
        .map_err(fail)?
        .remove(0);
    let plans = credential.streams();
    let page = PageContext::with_defaults(Integration::Posabit, "bench", "2026-11-29T00:00:00Z");
    let started = Instant::now();
    for start in (0..personas).step_by(PAGE as usize) {
        let end = (start + PAGE).min(personas);
        let customers: Vec<Value> = (start..end)
            .map(|i| json!({ "customer": posabit_customer(SEED, 0, i, personas) }))
            .collect();
        let sales: Vec<Value> = (start..end)
            .map(|i| json!({ "ticket": posabit_ticket(SEED, 0, i, personas, personas) }))
            .collect();
        db.write(|tx| {
            save_page(
                tx,
                canopy_core::pos::schema(Integration::Posabit),
                &page,
                &plans[0],
                &customers,
                CursorWrite::Nothing,
            )?;
            save_page(
                tx,
                canopy_core::pos::schema(Integration::Posabit),
                &page,
                &plans[1],
                &sales,
                CursorWrite::Nothing,
            )?;
            Ok(())
        })
        .map_err(fail)?;
        if (end / PAGE).is_multiple_of(200) {
            eprintln!(
                "  {end} customers and sales written ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    // As a sync's closing pass does: favorite stores and last purchases, once.
    db.write(|tx| canopy_core::personas::pending::settle(tx, chrono::Utc::now()))
        .map_err(fail)?;
    Ok(())
}

/// Median and 95th percentile of `samples`.
fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

/// Runs the benchmark on `personas` personas, in the database at `db` when given (kept and reused).
pub fn personas(personas: u64, db: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let path = db.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("canopy-bench-personas-{personas}.db"))
    });
    let db = Database::open(&path).map_err(|e| anyhow::anyhow!(e.message))?;
    let existing: i64 = db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM source_records", [], |r| r.get(0))?))
        .map_err(|e| anyhow::anyhow!(e.message))?;
    if existing == 0 {
        println!(
            "Filling {} with {personas} customers and as many sales…",
            path.display()
        );
        let started = Instant::now();
        fill(&db, personas)?;
        println!("  filled in {:.0} s", started.elapsed().as_secs_f64());
    }
    let total: i64 = db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM personas", [], |r| r.get(0))?))
        .map_err(|e| anyhow::anyhow!(e.message))?;
    println!(
        "Personas explorer queries on {total} personas (backend latency per query, 40 runs each)"
    );

    // Search texts taken from the data, so every search finds someone.
    let step = (personas / 200).max(1);
    let sample: Vec<Value> = (0..personas)
        .step_by(step as usize)
        .map(|i| posabit_customer(SEED, 0, i, personas))
        .filter(|c| {
            let phone = c["telephone"].as_str().unwrap_or_default();
            let email = c["email"].as_str().unwrap_or_default();
            let last = c["last_name"].as_str().unwrap_or_default();
            phone.len() == 10 && email.contains('@') && last.chars().count() >= 3
        })
        .take(40)
        .collect();
    let text = |v: &Value, f: &str| v[f].as_str().unwrap_or_default().to_string();
    // The cursor the table scrolls on with after the block that ends half-way down.
    let halfway = list(
        &db,
        &PersonaQuery {
            offset: (total / 2) as u32 - 100,
            limit: 100,
            ..PersonaQuery::default()
        },
    )
    .map_err(|e| anyhow::anyhow!(e.message))?
    .next;
    type Make = Box<dyn Fn(usize) -> PersonaQuery>;
    let base = || PersonaQuery {
        limit: 100,
        ..PersonaQuery::default()
    };
    let cases: Vec<(&str, Make)> = vec![
        (
            "search: phone (formatted)",
            Box::new({
                let s = sample.clone();
                move |i| {
                    let p = text(&s[i], "telephone");
                    PersonaQuery {
                        search: Some(format!("({}) {}-{}", &p[..3], &p[3..6], &p[6..])),
                        ..base()
                    }
                }
            }),
        ),
        (
            "search: e-mail start",
            Box::new({
                let s = sample.clone();
                move |i| PersonaQuery {
                    search: Some(
                        text(&s[i], "email")
                            .split('@')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                            + "@",
                    ),
                    ..base()
                }
            }),
        ),
        (
            "search: last name start",
            Box::new({
                let s = sample.clone();
                move |i| PersonaQuery {
                    search: Some(text(&s[i], "last_name").chars().take(3).collect()),
                    ..base()
                }
            }),
        ),
        (
            "search: first + last name",
            Box::new({
                let s = sample.clone();
                move |i| PersonaQuery {
                    search: Some(format!(
                        "{} {}",
                        text(&s[i], "first_name"),
                        text(&s[i], "last_name").chars().take(2).collect::<String>()
                    )),
                    ..base()
                }
            }),
        ),
        (
            "search: POS id",
            Box::new({
                let s = sample.clone();
                move |i| PersonaQuery {
                    search: Some(s[i]["id"].to_string()),
                    ..base()
                }
            }),
        ),
        (
            "filter: members",
            Box::new(move |_| PersonaQuery {
                member: Some(true),
                ..base()
            }),
        ),
        (
            "filter: opted in, source posabit",
            Box::new(move |_| PersonaQuery {
                email_opt_in: Some(true),
                source: Some(PersonaSource::Posabit),
                ..base()
            }),
        ),
        (
            "filter: SMS not asked yet",
            Box::new(move |_| PersonaQuery {
                sms_consent: Some(SmsConsent::None),
                ..base()
            }),
        ),
        (
            "sort: points, descending",
            Box::new(move |_| PersonaQuery {
                sort: Some(PersonaSort::Points),
                descending: Some(true),
                ..base()
            }),
        ),
        (
            "sort: last purchase",
            Box::new(move |_| PersonaQuery {
                sort: Some(PersonaSort::LastPurchase),
                descending: Some(true),
                ..base()
            }),
        ),
        (
            "scroll: page at 50% (offset)",
            Box::new(move |_| PersonaQuery {
                offset: (total / 2) as u32,
                ..base()
            }),
        ),
        (
            "scroll: on past 50% (cursor)",
            Box::new(move |_| PersonaQuery {
                after: halfway.clone(),
                ..base()
            }),
        ),
    ];
    println!(
        "  {:<36} {:>9} {:>9} {:>8}",
        "query", "median", "p95", "rows"
    );
    for (name, make) in cases {
        let mut times = Vec::new();
        let mut rows = 0;
        for run in 0..40 {
            let query = make(run % sample.len());
            let started = Instant::now();
            let page = list(&db, &query).map_err(|e| anyhow::anyhow!(e.message))?;
            times.push(started.elapsed());
            rows = rows.max(page.rows.len());
        }
        let (median, p95) = percentiles(times);
        println!(
            "  {name:<36} {:>7.1}ms {:>7.1}ms {rows:>8}",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
