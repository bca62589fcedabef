//! A hostile CSV import (fault campaign, part 4), alone in its test binary so the process's peak
//! memory is the import's: a file of ten million rows with a 1 GB line and non-UTF-8 bytes among
//! them is read in a real SQLite file with memory under 200 MB and a small answer, every bad line
//! listed by its number.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use std::io::Write;

use canopy_core::sources::import::import_csv;
use canopy_core::storage::db::Database;

/// Rows in the file besides the header.
const ROWS: u64 = 10_000_000;
/// One row in this many is a shopper to save; the rest have no phone or e-mail.
const GOOD_EVERY: u64 = 200;
/// The long line's length: 1 GB.
const LONG_LINE: usize = 1 << 30;

/// The process's peak resident memory so far, in bytes (`VmHWM`).
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb * 1024
}

/// Writes the file: header, a 1 GB line (line 2), a line with non-UTF-8 bytes (line 3), then rows.
fn write_file(path: &std::path::Path) {
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("file"));
    out.write_all(b"first_name,last_name,phone,email\n")
        .expect("header");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..LONG_LINE / chunk.len() {
        out.write_all(&chunk).expect("long line");
    }
    out.write_all(b"\n").expect("newline");
    out.write_all(b"Ren\xe9e,Caf\xe9,2065550111,\n")
        .expect("latin-1 line");
    for i in 0..ROWS - 2 {
        if i % GOOD_EVERY == 0 {
            writeln!(out, "Ana{i},Lee,,shopper{i}@example.com").expect("row");
        } else {
            writeln!(out, "Walk{i},In,,").expect("row");
        }
    }
    out.flush().expect("flushed");
}

#[test]
fn ten_million_rows_a_1_gb_line_and_non_utf8_bytes_import_in_flat_memory_with_a_small_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shoppers.csv");
    write_file(&path);
    let db = Database::open(dir.path().join("canopy.db")).expect("db");
    let before = peak_memory();

    let mut reports = 0u64;
    let summary = import_csv(&db, &path, |_| reports += 1).expect("imported");
    let peak = peak_memory();
    println!(
        "rows {} created {} rejected {}; peak memory {} MB (before the import {} MB); {reports} progress reports",
        summary.rows,
        summary.created,
        summary.rejected,
        peak >> 20,
        before >> 20
    );
    assert!(peak < 200 << 20, "peak memory {} MB", peak >> 20);

    let good = (ROWS - 2).div_ceil(GOOD_EVERY);
    assert_eq!(summary.rows, ROWS);
    assert_eq!(summary.created, good);
    assert_eq!(summary.rejected, ROWS - good);
    assert_eq!(
        summary.errors.len(),
        100,
        "the answer keeps the first 100 bad lines"
    );
    assert_eq!(summary.errors[0].line, 2);
    assert_eq!(summary.errors[0].reason, "longer than 64 KB");
    assert_eq!(summary.errors[1].line, 3);
    assert!(summary.errors[1].reason.starts_with("not UTF-8 text"));
    // Line 4 is the first good row; every other row after it has no contact.
    assert_eq!(summary.errors[2].line, 5);
    assert_eq!(
        summary.errors[2].reason,
        "no phone or e-mail to know the shopper by"
    );
    let answer = serde_json::to_string(&summary).expect("json");
    assert!(
        answer.len() < 16 * 1024,
        "the answer is {} bytes",
        answer.len()
    );

    let personas: u64 = db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM personas", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(personas, good);
}
