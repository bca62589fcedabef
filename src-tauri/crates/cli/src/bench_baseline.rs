//! The bare transfer `bench sync` measures the sync against, in the same run and against the same
//! sandbox: every page of every stream of the credential fetched and decoded through the same
//! connector, its records inserted as raw JSON into one index-free table, one transaction a page —
//! no identity, no personas, no ledger, no cursor.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_core::integrations::credentials::Credential;
use canopy_core::pos::streams::{Paging, Position};
use canopy_core::pos::Connector;
use canopy_core::storage::db::Database;
use canopy_core::Secret;

use crate::bench::fail;

/// What the bare transfer did.
pub struct Baseline {
    /// Records fetched and inserted.
    pub records: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// Transfers every stream of `credential` into `dir/baseline.db`.
pub async fn measure(
    connector: Arc<dyn Connector>,
    credential: &Credential,
    secret: &Secret,
    dir: &Path,
) -> anyhow::Result<Baseline> {
    let db = Database::open(dir.join("baseline.db")).map_err(fail)?;
    db.write(|tx| {
        tx.execute_batch("CREATE TABLE bench_raw (stream TEXT NOT NULL, record TEXT NOT NULL)")?;
        Ok(())
    })
    .map_err(fail)?;
    let started = Instant::now();
    let mut records = 0u64;
    for plan in connector.schema().streams(&credential.stream_scope()) {
        let (mut page, mut offset) = (1u64, 0u64);
        loop {
            let position = match plan.paging {
                Paging::OffsetScan => Position::Offset(offset),
                Paging::Incremental | Paging::Full => Position::Page { after: None, page },
            };
            let fetched = connector
                .fetch_page(secret, &plan, &position)
                .await
                .map_err(fail)?;
            let rows: Vec<String> = fetched.records.iter().map(ToString::to_string).collect();
            let stream = plan.stream.as_str();
            db.write(|tx| {
                let mut insert = tx.prepare_cached("INSERT INTO bench_raw VALUES (?1, ?2)")?;
                for row in &rows {
                    insert.execute([stream, row.as_str()])?;
                }
                Ok(())
            })
            .map_err(fail)?;
            records += rows.len() as u64;
            if !fetched.more || rows.is_empty() {
                break;
            }
            page += 1;
            offset += rows.len() as u64;
        }
    }
    Ok(Baseline {
        records,
        elapsed: started.elapsed(),
    })
}
