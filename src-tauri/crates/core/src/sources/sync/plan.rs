//! What a credential's sync reads: its streams in order, each with where its records land, and how
//! one page of each is fetched from the POS.

use serde_json::Value;

use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::base::secret::Secret;
use crate::integrations::credentials::Credential;
use crate::pos::greenbits::GreenbitsList;
use crate::stores::location_key;

use crate::pos::PosClients;

/// Records per page asked of POSaBIT (its maximum is 500).
pub const POSABIT_PAGE_SIZE: u64 = 500;
/// Records per page asked of Greenbits (the sandbox's maximum is 500).
pub const GREENBITS_PAGE_SIZE: u64 = 500;
/// How many records an offset scan re-reads at each page boundary, to survive records moving
/// while it pages.
pub const OFFSET_OVERLAP: u64 = 2;

/// The kind of record a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// Shoppers (POSaBIT customers, Greenbits people and patients); they carry the POS points
    /// balance too, so the points stream rides on them.
    Customer,
    /// Sales (POSaBIT tickets, Greenbits orders).
    Sale,
    /// POS coupons.
    Coupon,
}

/// How a stream moves through the POS's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// POSaBIT: `q[updated_at_gt]` from the stored high-water mark (minus an overlap).
    Incremental,
    /// Greenbits: the whole list by `offset`, changes found by comparing with what is stored; the
    /// cursor is the offset reached, so a stopped scan resumes.
    OffsetScan,
    /// The whole (short) list every run.
    Full,
}

/// Where a stream's pages come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// `GET /v3/venue/customers`.
    PosabitCustomers,
    /// `GET /v3/venue/tickets`.
    PosabitTickets,
    /// `GET /v2/venue/coupons`.
    PosabitCoupons,
    /// One of a Greenbits location's lists.
    Greenbits {
        /// The location (company id).
        location: u64,
        /// Which list.
        list: GreenbitsList,
    },
}

/// One stream of one credential.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// The stream's name as the history shows it: `customers`, `patients`, `sales`, `coupons`.
    pub stream: &'static str,
    /// The key of its cursor in `sync_cursors` (unique per credential).
    pub cursor_key: String,
    /// The mappable key its records come through.
    pub store_key: String,
    /// The store or location name, for progress and history.
    pub store_label: String,
    /// What it reads.
    pub feed: Feed,
    /// What its records are.
    pub kind: RecordKind,
    /// How it pages.
    pub paging: Paging,
}

/// The streams of `credential`, in the order they run: shoppers before their sales.
pub fn streams_of(credential: &Credential) -> Vec<StreamPlan> {
    match credential.integration {
        Integration::Posabit => {
            let plan = |stream, feed, kind, paging| StreamPlan {
                stream,
                cursor_key: stream.to_string(),
                store_key: credential.id.clone(),
                store_label: credential.store_name.clone(),
                feed,
                kind,
                paging,
            };
            vec![
                plan(
                    "customers",
                    Feed::PosabitCustomers,
                    RecordKind::Customer,
                    Paging::Incremental,
                ),
                plan(
                    "sales",
                    Feed::PosabitTickets,
                    RecordKind::Sale,
                    Paging::Incremental,
                ),
                plan(
                    "coupons",
                    Feed::PosabitCoupons,
                    RecordKind::Coupon,
                    Paging::Full,
                ),
            ]
        }
        Integration::Greenbits => {
            let mut plans = Vec::new();
            for location in &credential.locations {
                let mut lists = vec![("customers", GreenbitsList::People, RecordKind::Customer)];
                if credential.medical_patients {
                    lists.push(("patients", GreenbitsList::Patients, RecordKind::Customer));
                }
                lists.push(("sales", GreenbitsList::Orders, RecordKind::Sale));
                for (stream, list, kind) in lists {
                    plans.push(StreamPlan {
                        stream,
                        cursor_key: format!("{stream}@{}", location.id),
                        store_key: location_key(&credential.id, location.id),
                        store_label: location.name.clone(),
                        feed: Feed::Greenbits {
                            location: location.id,
                            list,
                        },
                        kind,
                        paging: Paging::OffsetScan,
                    });
                }
            }
            plans
        }
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// Page `page` (from 1) of the records updated after `after`.
    Page {
        /// The lower bound (exclusive), as ISO 8601.
        after: Option<String>,
        /// The page number.
        page: u64,
    },
    /// The record at `offset` (from 0).
    Offset(u64),
}

/// One page as fetched, before mapping.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// The records.
    pub records: Vec<Value>,
    /// Records from this page's start to the end of the list, where the POS says.
    pub remaining: Option<u64>,
    /// Whether the list goes on after this page.
    pub more: bool,
}

/// Fetches the page at `position` of `plan` with the credential's `secret`.
pub async fn fetch(
    clients: &PosClients,
    secret: &Secret,
    plan: &StreamPlan,
    position: &Position,
) -> Result<RawPage> {
    match (plan.feed, position) {
        (Feed::PosabitCustomers | Feed::PosabitTickets, Position::Page { after, page }) => {
            let posabit = &clients.posabit;
            let size = POSABIT_PAGE_SIZE;
            let listed = if plan.feed == Feed::PosabitCustomers {
                posabit
                    .customers_page(secret, *page, size, after.as_deref())
                    .await?
            } else {
                posabit
                    .tickets_page(secret, *page, size, after.as_deref())
                    .await?
            };
            Ok(RawPage {
                remaining: Some(listed.total_records.saturating_sub((page - 1) * size)),
                more: *page < listed.total_pages,
                records: listed.records,
            })
        }
        (Feed::PosabitCoupons, Position::Page { page, .. }) => {
            let records = clients
                .posabit
                .coupons_page(secret, *page, POSABIT_PAGE_SIZE)
                .await?;
            Ok(RawPage {
                remaining: None,
                more: records.len() as u64 >= POSABIT_PAGE_SIZE,
                records,
            })
        }
        (Feed::Greenbits { location, list }, Position::Offset(offset)) => {
            let listed = clients
                .greenbits
                .list_page(secret, location, list, *offset, GREENBITS_PAGE_SIZE)
                .await?;
            Ok(RawPage {
                remaining: Some(listed.total.saturating_sub(*offset)),
                more: offset + (listed.records.len() as u64) < listed.total
                    && !listed.records.is_empty(),
                records: listed.records,
            })
        }
        (feed, position) => Err(crate::base::error::Error::internal(format!(
            "A sync asked {feed:?} for {position:?}, which it cannot page by."
        ))),
    }
}
