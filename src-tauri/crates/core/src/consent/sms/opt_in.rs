//! The SMS job: it reads the shoppers' replies first (so a stop lands before anything else is
//! sent) and queues their answers ([`replies`]), queues one request for each phone an SMS opt-in
//! setting reaches ([`requests`]), then hands the queued texts to the gateway one by one
//! ([`delivery`]), each checked at the moment it leaves: consent and the suppression list, the
//! recipient's hours in every place they may be, the state's daily cap, and an opt-out
//! confirmation's five minutes. One job runs at a time, across processes ([`JobLock`]).

mod delivery;
mod replies;
mod requests;
mod status;
mod texts;

use std::path::Path;

use rusqlite::{params, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{MessageKind, SmsGateway};
use crate::base::clock::Clock;
use crate::base::error::{Error, ErrorCode, Result};
use crate::base::pos_kind::Integration;
use crate::storage::db::Database;
use crate::storage::process_lock::ProcessLock;

pub(crate) use requests::request_eligibility_sql;
pub use status::{status, SmsStatus};

/// What one run of the job did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SmsRun {
    /// Replies read.
    pub replies: u32,
    /// Personas who confirmed (YES).
    pub confirmed: u32,
    /// Personas who opted out (a stop).
    pub opted_out: u32,
    /// Phones whose reply may mean stop, held for review.
    pub held_for_review: u32,
    /// Opt-in requests handed to the gateway.
    pub requested: u32,
    /// Answers (confirmations, HELP) handed to the gateway.
    pub answered: u32,
    /// Texts waiting for the recipient's hours (8 am – 9 pm, or the state's stricter window).
    pub waiting_for_window: u32,
    /// Texts waiting because the recipient's state allows no more today.
    pub waiting_for_cap: u32,
    /// Texts waiting because where the recipient is cannot be told (no known area code, address
    /// or store: map the store key).
    pub no_place: u32,
    /// Opt-out confirmations not sent because their five minutes had passed.
    pub expired: u32,
    /// Texts the gateway refused; tried again on the next run, up to three times.
    pub failed: u32,
    /// Texts given up after three refusals.
    pub given_up: u32,
    /// The gateway's last error, when a text failed.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

impl SmsRun {
    /// Whether the run changed anything a screen shows: a text sent or answered, a reply read,
    /// a request expired, failed or given up.
    pub fn changed_anything(&self) -> bool {
        [
            self.replies,
            self.confirmed,
            self.opted_out,
            self.held_for_review,
            self.requested,
            self.answered,
            self.expired,
            self.failed,
            self.given_up,
        ]
        .iter()
        .any(|count| *count > 0)
    }
}

/// Runs the job: replies and their answers, requests, then every queued text the moment allows.
/// Refused (named) while another run holds the job, in this process or another.
pub async fn run(db: &Database, gateway: &dyn SmsGateway, clock: &dyn Clock) -> Result<SmsRun> {
    let _lock = JobLock::acquire(db.path())?;
    let mut run = SmsRun::default();
    replies::read_replies(db, gateway, clock.now(), &mut run).await?;
    let now = clock.now();
    db.write_async(move |tx| requests::queue_requests(tx, now))
        .await?;
    delivery::deliver_queued(db, gateway, clock, &mut run).await?;
    Ok(run)
}

/// The SMS job's lock, shared across processes ([`ProcessLock`] named `sms`).
pub struct JobLock {
    /// The held lock: dropping it releases it.
    _held: ProcessLock,
}

impl JobLock {
    /// Takes the lock of the database at `db_path`, or says the job is already running.
    pub fn acquire(db_path: &Path) -> Result<Self> {
        ProcessLock::try_acquire(db_path, "sms")?
            .map(|held| JobLock { _held: held })
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Conflict,
                    "Text messages are already being sent (by the schedule, Send now, or another Canopy).",
                )
                .with_hint("Wait for that run to finish; it sends everything that is due.")
            })
    }
}

/// A text to queue.
pub(super) struct NewText<'a> {
    /// The persona it is for; `None` for an answer to a number Canopy does not know.
    pub persona: Option<i64>,
    /// What it is.
    pub kind: MessageKind,
    /// The setting that sends it (requests).
    pub integration: Option<Integration>,
    /// The recipient.
    pub phone: &'a str,
    /// What it says.
    pub body: &'a str,
    /// When it may no longer leave (an opt-out confirmation's five minutes).
    pub expires_at: Option<String>,
}

/// Queues a text; it leaves when [`delivery`] finds the moment right.
pub(super) fn queue(tx: &Transaction<'_>, text: &NewText<'_>, now: &str) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO sms_messages (persona_id, kind, integration, phone_e164, body, status, idempotency_key, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8)",
    )?
    .execute(params![
        text.persona,
        text.kind,
        text.integration,
        text.phone,
        text.body,
        format!("canopy-sms-{}", uuid::Uuid::new_v4()),
        now,
        text.expires_at
    ])?;
    Ok(tx.last_insert_rowid())
}
