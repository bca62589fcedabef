//! The Personas explorer's queries on a real SQLite file filled through the sync's own code path:
//! search by phone in any format, e-mail, name without accents or case, and POS id; filters; sorting;
//! the detail with its running balance; and splitting a wrong merge with the points recomputed.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use canopy_core::base::pos_kind::Integration;
use canopy_core::consent::ConsentSource;
use canopy_core::personas::detail::{detail, split};
use canopy_core::personas::query::PersonaSource;
use canopy_core::personas::query::{list, PersonaQuery, PersonaRow, PersonaSort};
use canopy_core::sources::signups::{sign_up, SignupInput};
use canopy_core::sources::sync::{save_page, CursorWrite, PageContext};
use canopy_core::storage::db::Database;
use serde_json::{json, Value};

fn customer(id: u64, first: &str, last: &str, phone: &str, email: &str, member: bool) -> Value {
    json!({"customer": {
        "id": id, "first_name": first, "last_name": last, "telephone": phone, "email": email,
        "loyalty_member": member, "marketing_opt_in": member, "customer_type": "recreational",
        "updated_at": format!("2026-11-0{}T10:00:00Z", 1 + id % 9),
    }})
}

fn ticket(id: u64, customer: u64, cents: u64, day: u32) -> Value {
    json!({"ticket": {
        "id": id, "customer_id": customer, "total": cents, "subtotal": cents, "discounts": [],
        "closed_at": format!("2026-11-{day:02}T12:00:00Z"), "updated_at": format!("2026-11-{day:02}T12:05:00Z"),
        "voided": false,
    }})
}

struct Store {
    _dir: tempfile::TempDir,
    db: Database,
}

/// Five shoppers; Ana and Bea share a phone (a family), so they merge; Bea and Zoë buy. Settled,
/// as a sync's closing pass leaves them.
fn store() -> Store {
    let store = unsettled_store();
    store
        .db
        .write(|tx| canopy_core::personas::pending::settle(tx, chrono::Utc::now()))
        .expect("settled");
    store
}

/// [`store`] as its pages leave it while the sync still runs: nothing settled yet.
fn unsettled_store() -> Store {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(dir.path().join("p.db")).expect("db");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO credentials (id, integration, store_name, status, created_at)
             VALUES ('c1', 'posabit', 'Capitol Hill', 'active', '2026-01-01T00:00:00Z')",
            [],
        )?;
        Ok(())
    })
    .expect("credential");
    let credential = canopy_core::integrations::credentials::list(&db, Integration::Posabit)
        .expect("list")
        .remove(0);
    let plans = credential.streams();
    let page = PageContext::with_defaults(Integration::Posabit, "c1", "2026-11-29T00:00:00Z");
    let customers = [
        customer(
            1_000_001,
            "Zoë",
            "García",
            "2065550100",
            "zoe@example.com",
            true,
        ),
        customer(
            1_000_002,
            "Ana",
            "Ñúñez",
            "(425) 555-0111",
            "ana@example.com",
            true,
        ),
        customer(
            1_000_003,
            "Bea",
            "Ñúñez",
            "425.555.0111",
            "bea@example.com",
            true,
        ),
        customer(
            1_000_004,
            "Carl",
            "Olsen",
            "5035550122",
            "carl@example.com",
            false,
        ),
        customer(
            1_000_005,
            "Dee",
            "Garcia",
            "5035550133",
            "dee@example.com",
            false,
        ),
    ];
    let tickets = [
        ticket(9_001, 1_000_003, 5_000, 20),
        ticket(9_002, 1_000_003, 2_500, 21),
        ticket(9_003, 1_000_001, 1_000, 22),
    ];
    db.write(|tx| {
        save_page(
            tx,
            canopy_core::pos::schema(Integration::Posabit),
            &page,
            &plans[0],
            &customers,
            CursorWrite::Newest,
        )?;
        save_page(
            tx,
            canopy_core::pos::schema(Integration::Posabit),
            &page,
            &plans[1],
            &tickets,
            CursorWrite::Newest,
        )?;
        Ok(())
    })
    .expect("pages");
    Store { _dir: dir, db }
}

fn names(store: &Store, query: PersonaQuery) -> Vec<String> {
    list(&store.db, &PersonaQuery { limit: 50, ..query })
        .expect("list")
        .rows
        .into_iter()
        .map(|r| r.first_name.unwrap_or_default())
        .collect()
}

fn search(store: &Store, text: &str) -> Vec<String> {
    names(
        store,
        PersonaQuery {
            search: Some(text.into()),
            ..PersonaQuery::default()
        },
    )
}

#[test]
fn a_phone_in_any_format_finds_the_same_persona() {
    let store = store();
    for text in [
        "(206) 555-0100",
        "+1 206 555 0100",
        "206.555.0100",
        "1-206-555-0100",
        "2065550100",
    ] {
        assert_eq!(search(&store, text), ["Zoë"], "{text}");
    }
    assert_eq!(
        search(&store, "425-555-0111"),
        ["Ana"],
        "the family merged into one persona"
    );
}

#[test]
fn names_match_by_prefix_without_accents_or_case() {
    let store = store();
    assert_eq!(search(&store, "zoe"), ["Zoë"]);
    assert_eq!(search(&store, "ZOË"), ["Zoë"]);
    assert_eq!(
        search(&store, "garc"),
        ["Dee", "Zoë"],
        "García and Garcia, ordered by name"
    );
    assert_eq!(search(&store, "zoe gar"), ["Zoë"]);
    assert_eq!(search(&store, "nunez"), ["Ana"]);
    assert!(search(&store, "xavier").is_empty());
}

#[test]
fn an_email_start_and_a_pos_id_find_their_persona() {
    let store = store();
    assert_eq!(search(&store, "CARL@"), ["Carl"]);
    assert_eq!(search(&store, "dee@example.com"), ["Dee"]);
    assert_eq!(
        search(&store, "1000003"),
        ["Ana"],
        "Bea's POS record is on Ana's persona"
    );
}

#[test]
fn filters_and_sorting_run_in_sqlite() {
    let store = store();
    sign_up(
        &store.db,
        &SignupInput {
            first_name: "Eve".into(),
            email: Some("eve@example.com".into()),
            ..SignupInput::default()
        },
    )
    .expect("signed up");
    assert_eq!(
        names(
            &store,
            PersonaQuery {
                source: Some(PersonaSource::Loyalty),
                ..Default::default()
            }
        ),
        ["Eve"]
    );
    assert_eq!(
        names(
            &store,
            PersonaQuery {
                source: Some(PersonaSource::Greenbits),
                ..Default::default()
            }
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            &store,
            PersonaQuery {
                member: Some(false),
                ..Default::default()
            }
        ),
        ["Dee", "Carl"]
    );
    assert_eq!(
        names(
            &store,
            PersonaQuery {
                email_opt_in: Some(true),
                member: Some(true),
                ..Default::default()
            }
        ),
        ["Zoë", "Ana"]
    );
    let by_points = names(
        &store,
        PersonaQuery {
            sort: Some(PersonaSort::Points),
            descending: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(&by_points[..2], ["Ana", "Zoë"], "75 points, then 10");
    let page = list(
        &store.db,
        &PersonaQuery {
            limit: 2,
            offset: 2,
            ..Default::default()
        },
    )
    .expect("page");
    assert_eq!(
        (page.total, page.total_capped, page.rows.len()),
        (5, false, 2)
    );
    let eve = list(
        &store.db,
        &PersonaQuery {
            search: Some("eve".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .expect("eve");
    assert_eq!(eve.rows[0].sourced_from, [PersonaSource::Loyalty]);
}

#[test]
fn a_wrong_merge_splits_off_with_its_sales_and_points() {
    let store = store();
    let ana = first_found(&store.db, "ana");
    let merged = detail(&store.db, ana.id).expect("detail");
    assert_eq!(merged.sources.len(), 2);
    assert_eq!(
        merged.sources[1].match_reason, "phone",
        "Bea joined on the shared phone"
    );
    assert_eq!(merged.persona.points, 75);
    assert_eq!(
        merged.ledger.iter().map(|e| e.balance).collect::<Vec<_>>(),
        [75, 50],
        "running balance, newest first"
    );
    let bea = split(&store.db, merged.sources[1].id).expect("split");

    let moved = detail(&store.db, bea).expect("bea");
    assert_eq!(moved.persona.first_name.as_deref(), Some("Bea"));
    assert_eq!(moved.sources[0].pos_id, "1000003");
    assert_eq!(moved.purchases.len(), 2, "her sales went with her");
    assert_eq!(moved.persona.points, 75, "and the points they earned");
    let left = detail(&store.db, ana.id).expect("ana");
    assert_eq!(
        (
            left.sources.len(),
            left.purchases.len(),
            left.persona.points
        ),
        (1, 0, 0)
    );
    assert_eq!(left.persona.last_purchase_at, None);
    let all: i64 = list(
        &store.db,
        &PersonaQuery {
            limit: 50,
            ..Default::default()
        },
    )
    .expect("all")
    .rows
    .iter()
    .map(|r| r.points)
    .sum();
    assert_eq!(all, 85, "no point lost or made by the split");
    let error = split(&store.db, left.sources[0].id).expect_err("nothing left to split from");
    assert!(error.message.contains("only record"));
}

/// The first persona a search for `search` finds.
fn first_found(db: &Database, search: &str) -> PersonaRow {
    list(
        db,
        &PersonaQuery {
            search: Some(search.into()),
            limit: 5,
            ..Default::default()
        },
    )
    .expect("search")
    .rows
    .remove(0)
}

/// A persona's balance as stored on its row (without pending points).
fn stored_balance(db: &Database, id: i64) -> i64 {
    db.read(|c| {
        Ok(c.query_row(
            "SELECT points_balance FROM personas WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?)
    })
    .expect("balance")
}

#[test]
fn a_running_syncs_points_show_before_they_settle_and_count_once() {
    let store = unsettled_store();
    let ana = first_found(&store.db, "ana");
    assert_eq!(ana.points, 75, "the list shows the pages' points at once");
    assert_eq!(stored_balance(&store.db, ana.id), 0, "not yet on the row");
    let adjusted = canopy_core::loyalty::adjustments::adjust(
        &store.db,
        &canopy_core::loyalty::adjustments::PointsAdjustment {
            persona_id: ana.id,
            points: 5,
            reason: "Welcome gift".into(),
        },
    )
    .expect("adjusted");
    assert_eq!(adjusted, 80, "an adjustment counts from the balance shown");
    let audited: String = store
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT old_value FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("audit");
    assert_eq!(audited, "75 points");

    // Splitting meanwhile recomputes both balances from the ledger, pending entries included.
    let merged = detail(&store.db, ana.id).expect("detail");
    let bea = split(&store.db, merged.sources[1].id).expect("split");
    let shown = |id| detail(&store.db, id).expect("detail").persona.points;
    assert_eq!((shown(ana.id), shown(bea)), (5, 75));
    store
        .db
        .write(|tx| canopy_core::personas::pending::settle(tx, chrono::Utc::now()))
        .expect("settled");
    assert_eq!(
        (shown(ana.id), shown(bea)),
        (5, 75),
        "settling adds nothing twice"
    );
    assert_eq!(
        [ana.id, bea].map(|id| stored_balance(&store.db, id)),
        [5, 75]
    );
}

#[test]
fn splitting_off_the_record_a_profile_came_from_takes_the_profile_from_the_one_left() {
    let store = store();
    let ana = first_found(&store.db, "ana");
    let merged = detail(&store.db, ana.id).expect("detail");
    let ana_record = merged
        .sources
        .iter()
        .find(|s| s.pos_id == "1000002")
        .expect("Ana's record")
        .id;
    let moved = split(&store.db, ana_record).expect("split");
    let left = detail(&store.db, ana.id).expect("left");
    assert_eq!(left.persona.first_name.as_deref(), Some("Bea"));
    assert_eq!(left.persona.email.as_deref(), Some("bea@example.com"));
    assert_eq!(left.sources[0].match_reason, "new");
    assert_eq!(left.persona.points, 75, "Bea's sales stay with Bea");
    assert_eq!(
        detail(&store.db, moved)
            .expect("ana")
            .persona
            .first_name
            .as_deref(),
        Some("Ana")
    );
}

#[test]
fn the_export_streams_the_filtered_rows_to_a_csv_file_and_reports_progress() {
    let store = store();
    let path = store._dir.path().join("members.csv");
    let mut reports = Vec::new();
    let rows = canopy_core::personas::export::export_csv(
        &store.db,
        &PersonaQuery {
            member: Some(true),
            sort: Some(PersonaSort::Points),
            descending: Some(true),
            ..Default::default()
        },
        &path,
        |p| reports.push(p),
    )
    .expect("exported");
    assert_eq!(rows, 2, "Ana (with Bea) and Zoë are members");
    let text = std::fs::read_to_string(&path).expect("file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], canopy_core::personas::export::HEADER);
    assert!(
        lines[1].contains("Ana,Ñúñez,'+14255550111,ana@example.com,true,75"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("Zoë,García"), "{}", lines[2]);
    assert_eq!(reports.last().map(|p| (p.done, p.total)), Some((2, 2)));
    assert!(!store._dir.path().join("members.csv.part").exists());

    let nowhere = store._dir.path().join("missing-folder").join("x.csv");
    let error = canopy_core::personas::export::export_csv(
        &store.db,
        &PersonaQuery::default(),
        &nowhere,
        |_| {},
    )
    .expect_err("no such folder");
    assert!(
        error.message.contains("could not write"),
        "{}",
        error.message
    );
}

#[test]
fn a_csv_import_merges_on_phone_or_email_keeps_good_lines_and_names_bad_ones() {
    use canopy_core::sources::import::import_csv;
    let store = store();
    let path = store._dir.path().join("shoppers.csv");
    std::fs::write(
        &path,
        "First Name,Last Name,Phone,Email,DOB,Member,Opt In,Notes\n\
         Zoe,,206-555-0100,,1990-01-01,yes,yes,merges on the phone\n\
         Imani,Okafor,(503) 555-0199,imani@example.com,03/04/1985,no,yes,new\n\
         \n\
         Bad,Phone,12345,,,,,\n\
         No,Contact,,,,,,\n\
         Maybe,Member,,maybe@example.com,,perhaps,,\n\
         \"Quoted, Name\",Test,,Quoted@Example.com,,,,new\n",
    )
    .expect("file");
    let mut reports = Vec::new();
    let summary = import_csv(&store.db, &path, |p| reports.push(p.done)).expect("imported");
    assert_eq!(
        (
            summary.rows,
            summary.created,
            summary.merged,
            summary.rejected
        ),
        (6, 2, 1, 3)
    );
    let errors: Vec<(u64, &str)> = summary
        .errors
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (5, "the phone is not a US phone number"),
            (6, "no phone or e-mail to know the shopper by"),
            (7, "loyalty_member “perhaps” is not yes or no"),
        ]
    );
    assert_eq!(reports.last(), Some(&6));

    let imported = names(
        &store,
        PersonaQuery {
            source: Some(PersonaSource::Import),
            ..PersonaQuery::default()
        },
    );
    assert_eq!(
        imported,
        ["Zoë", "Imani", "Quoted, Name"],
        "sorted by last name"
    );
    let zoe = first_found(&store.db, "2065550100");
    assert_eq!(
        zoe.first_name.as_deref(),
        Some("Zoë"),
        "a merge never overwrites"
    );
    assert_eq!(
        zoe.sourced_from,
        [PersonaSource::Posabit, PersonaSource::Import]
    );
    let zoe = detail(&store.db, zoe.id).expect("detail");
    assert_eq!(
        zoe.birth_date.as_deref(),
        Some("1990-01-01"),
        "what was missing is filled"
    );
    assert_eq!(
        (
            zoe.imports[0].file_name.as_str(),
            zoe.imports[0].line,
            zoe.imports[0].match_reason.as_str()
        ),
        ("shoppers.csv", 2, "phone")
    );
    let imani = search(&store, "imani@example.com");
    assert_eq!(imani, ["Imani"]);
    let imani_row = list(
        &store.db,
        &PersonaQuery {
            search: Some("imani@example.com".into()),
            limit: 1,
            ..PersonaQuery::default()
        },
    )
    .expect("list")
    .rows
    .remove(0);
    assert!(imani_row.email_opt_in && !imani_row.loyalty_member);
    assert_eq!(imani_row.sourced_from, [PersonaSource::Import]);
    let imani = detail(&store.db, imani_row.id).expect("detail");
    assert_eq!(imani.birth_date.as_deref(), Some("1985-03-04"));
    assert_eq!(imani.consent[0].source, ConsentSource::Import);

    let again = import_csv(&store.db, &path, |_| {}).expect("imported again");
    assert_eq!(
        (again.created, again.merged),
        (0, 3),
        "no persona is made twice"
    );

    let no_contact = store._dir.path().join("names.csv");
    std::fs::write(&no_contact, "first_name,last_name\nAda,Lovelace\n").expect("file");
    let refused = import_csv(&store.db, &no_contact, |_| {}).expect_err("refused");
    assert!(
        refused.message.contains("no phone or e-mail column"),
        "{}",
        refused.message
    );
    let missing =
        import_csv(&store.db, &store._dir.path().join("gone.csv"), |_| {}).expect_err("refused");
    assert!(
        missing.message.contains("could not read gone.csv"),
        "{}",
        missing.message
    );
}

/// Walks the whole list two rows at a time as the table scrolls: by each page's `next` where it
/// has one, else by offset. Returns the ids in order and how many pages came by cursor.
fn walk(store: &Store, query: &PersonaQuery) -> (Vec<i64>, usize) {
    let (mut ids, mut by_cursor, mut after) = (Vec::new(), 0, None);
    loop {
        let page = list(
            &store.db,
            &PersonaQuery {
                limit: 2,
                offset: ids.len() as u32,
                after: after.clone(),
                ..query.clone()
            },
        )
        .expect("page");
        by_cursor += usize::from(after.is_some());
        ids.extend(page.rows.iter().map(|r| r.id));
        if page.rows.len() < 2 {
            return (ids, by_cursor);
        }
        after = page.next;
    }
}

#[test]
fn scrolling_on_by_cursor_lists_the_same_rows_as_by_offset_in_every_order() {
    let store = store();
    // A persona without a name sorts first by name, and one without purchases first by date.
    sign_up(
        &store.db,
        &SignupInput {
            first_name: "Fay".into(),
            phone: Some("(206) 555-0199".into()),
            ..SignupInput::default()
        },
    )
    .expect("nameless signup");
    for sort in [
        PersonaSort::Name,
        PersonaSort::Created,
        PersonaSort::LastPurchase,
        PersonaSort::Points,
    ] {
        for descending in [false, true] {
            let query = PersonaQuery {
                sort: Some(sort),
                descending: Some(descending),
                ..PersonaQuery::default()
            };
            let whole: Vec<i64> = list(
                &store.db,
                &PersonaQuery {
                    limit: 50,
                    ..query.clone()
                },
            )
            .expect("whole")
            .rows
            .iter()
            .map(|r| r.id)
            .collect();
            assert_eq!(
                whole.len(),
                5,
                "four from the POS (two share a phone), one signup"
            );
            let (walked, by_cursor) = walk(&store, &query);
            assert_eq!(walked, whole, "{sort:?} descending={descending}");
            if !descending || matches!(sort, PersonaSort::Created | PersonaSort::Points) {
                assert!(
                    by_cursor > 0,
                    "{sort:?} descending={descending} scrolled by cursor"
                );
            }
        }
    }
    let refused = list(
        &store.db,
        &PersonaQuery {
            after: Some("[\"x\"]".into()),
            ..PersonaQuery::default()
        },
    )
    .expect_err("a cursor of another order");
    assert!(
        refused.message.contains("no longer valid"),
        "{}",
        refused.message
    );
}
