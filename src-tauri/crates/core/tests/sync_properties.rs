//! Property: however the POS's records are split into pages, in whatever order the customers and
//! sales streams interleave, and whatever earlier pages are delivered again, the database ends the
//! same — personas, links, purchases, ledger, redemptions of a mirrored reward (and their reversal
//! when a sale is voided later) and cursors.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use canopy_core::base::pos_kind::Integration;
use canopy_core::pos::streams::StreamPlan;
use canopy_core::sources::sync::fingerprint::{fingerprint, Fingerprint};
use canopy_core::sources::sync::{save_page, CursorWrite, PageContext};
use canopy_core::storage::db::Database;
use canopy_sandbox::generator::{posabit_customer, posabit_ticket};
use proptest::prelude::*;
use serde_json::{json, Value};

const SEED: u64 = 99;
const CUSTOMERS: u64 = 70;
const SALES: u64 = 90;

/// The customers stream as the POS orders it: every customer, then later versions of some (renamed,
/// a new phone, now loyalty members).
fn customer_records() -> Vec<Value> {
    let mut records: Vec<Value> = (0..CUSTOMERS)
        .map(|i| posabit_customer(SEED, 0, i, CUSTOMERS))
        .collect();
    for (n, index) in [3u64, 11, 23, 40, 41].into_iter().enumerate() {
        let mut changed = records[index as usize].clone();
        changed["last_name"] = json!(format!("Renamed{n}"));
        changed["telephone"] = json!(format!("206555{:04}", 1000 + n));
        // Joining the loyalty programme later: their sales earn whichever arrives first.
        changed["loyalty_member"] = json!(true);
        changed["updated_at"] = json!(format!("2026-06-0{}T00:00:00.000+00:00", n + 1));
        records.push(changed);
    }
    records
        .into_iter()
        .map(|r| json!({ "customer": r }))
        .collect()
}

/// The reward the store offers, named as some of the generated sales' discounts are.
const REWARD: &str = "10% Off Everything";

/// The sales stream: every sale, then voided versions of the first sales that redeemed the reward.
fn sale_records() -> Vec<Value> {
    let mut records: Vec<Value> = (0..SALES)
        .map(|i| posabit_ticket(SEED, 0, i, SALES, CUSTOMERS))
        .collect();
    let redeeming: Vec<Value> = records
        .iter()
        .filter(|t| {
            t["discounts"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["name"] == REWARD))
        })
        .take(2)
        .cloned()
        .collect();
    for (n, mut voided) in redeeming.into_iter().enumerate() {
        voided["voided"] = json!(true);
        voided["updated_at"] = json!(format!("2026-07-0{}T00:00:00.000+00:00", n + 1));
        records.push(voided);
    }
    records
        .into_iter()
        .map(|t| json!({ "ticket": t }))
        .collect()
}

/// Splits `records` at the given cut points (taken modulo its length).
fn split(records: &[Value], cuts: &[usize]) -> Vec<Vec<Value>> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| c % records.len())
        .filter(|c| *c > 0)
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut pages = Vec::new();
    let mut start = 0;
    for point in points.into_iter().chain([records.len()]) {
        pages.push(records[start..point].to_vec());
        start = point;
    }
    pages
}

struct Store {
    _dir: tempfile::TempDir,
    db: Database,
    plans: Vec<StreamPlan>,
}

fn store() -> Store {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(dir.path().join("p.db")).expect("db");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO credentials (id, integration, store_name, status, created_at)
             VALUES ('c1', 'posabit', 'Capitol Hill', 'active', '2026-01-01T00:00:00Z')",
            [],
        )?;
        tx.execute(
            "INSERT INTO rewards (name, name_key, points, kind, value, starts_on, created_at, updated_at)
             VALUES (?1, lower(?1), 25, 'percent_off', 10, '2020-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [REWARD],
        )?;
        Ok(())
    })
    .expect("credential");
    let credentials =
        canopy_core::integrations::credentials::list(&db, Integration::Posabit).expect("list");
    let plans = credentials[0].streams();
    Store {
        _dir: dir,
        db,
        plans,
    }
}

impl Store {
    fn deliver(&self, stream: usize, records: &[Value]) {
        let page = PageContext {
            profile_changes_since: Some(chrono::DateTime::UNIX_EPOCH),
            ..PageContext::with_defaults(Integration::Posabit, "c1", "2026-11-29T00:00:00Z")
        };
        self.db
            .write(|tx| {
                save_page(
                    tx,
                    canopy_core::pos::schema(Integration::Posabit),
                    &page,
                    &self.plans[stream],
                    records,
                    CursorWrite::Newest,
                )
            })
            .expect("page saved");
    }

    /// The database's rows and cursors once the run's derived fields are settled, as a sync's
    /// closing pass does.
    fn state(&self) -> (Fingerprint, Vec<(String, String)>) {
        self.db
            .write(|tx| canopy_core::personas::pending::settle(tx, chrono::Utc::now()))
            .expect("settled");
        let cursors = self
            .db
            .read(|c| {
                let mut statement =
                    c.prepare("SELECT stream, cursor FROM sync_cursors ORDER BY stream")?;
                let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .expect("cursors");
        (fingerprint(&self.db).expect("fingerprint"), cursors)
    }
}

fn reference() -> (Fingerprint, Vec<(String, String)>) {
    let store = store();
    store.deliver(0, &customer_records());
    store.deliver(1, &sale_records());
    store.state()
}

#[test]
fn the_reference_redeems_the_reward_and_gives_back_what_voided_sales_spent() {
    let (fingerprint, _) = reference();
    let store = store();
    store.deliver(0, &customer_records());
    store.deliver(1, &sale_records());
    let count = |sql: &str| -> i64 {
        store
            .db
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    };
    let redeemed = count("SELECT count(*) FROM redemptions");
    let reversed = count("SELECT count(*) FROM redemptions WHERE reversed_at IS NOT NULL");
    assert!(
        redeemed > reversed && reversed > 0,
        "{redeemed} redemptions, {reversed} reversed"
    );
    assert_eq!(
        count("SELECT count(*) FROM points_ledger WHERE kind = 'redeem'"),
        redeemed
    );
    assert_eq!(
        count("SELECT count(*) FROM points_ledger WHERE kind = 'adjust' AND transaction_id LIKE '%#%'"),
        reversed
    );
    assert!(fingerprint.rewards as i64 > redeemed);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_paging_interleaving_and_replay_gives_the_same_database(
        customer_cuts in proptest::collection::vec(0usize..200, 0..12),
        sale_cuts in proptest::collection::vec(0usize..200, 0..12),
        interleave in proptest::collection::vec(any::<bool>(), 30),
        replays in proptest::collection::vec((any::<bool>(), 0usize..100), 0..10),
    ) {
        let expected = reference();
        let store = store();
        let streams = [split(&customer_records(), &customer_cuts), split(&sale_records(), &sale_cuts)];
        let mut next = [0usize, 0];
        let mut delivered: Vec<(usize, usize)> = Vec::new();
        let mut turn = 0;
        while next[0] < streams[0].len() || next[1] < streams[1].len() {
            let want = usize::from(interleave[turn % interleave.len()]);
            let stream = if next[want] < streams[want].len() { want } else { 1 - want };
            store.deliver(stream, &streams[stream][next[stream]]);
            delivered.push((stream, next[stream]));
            next[stream] += 1;
            if let Some((replay, pick)) = replays.get(turn) {
                if *replay {
                    let (s, p) = delivered[pick % delivered.len()];
                    store.deliver(s, &streams[s][p]);
                }
            }
            turn += 1;
        }
        prop_assert_eq!(store.state(), expected);
    }
}
