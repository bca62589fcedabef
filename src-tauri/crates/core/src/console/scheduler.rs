//! The background schedule, for the app and any headless runner alike: sync every connected
//! integration every configured interval, run the SMS double opt-in job every five minutes and the
//! points expiry hourly. Whether a job is due comes from when it last ran on schedule, stored in
//! the database, so a job that fell due while Canopy was closed runs soon after it starts — not
//! an interval of uptime later.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::events::ConsoleEvent;
use super::Console;
use crate::base::clock::{db_timestamp, Clock};
use crate::base::error::Result;
use crate::base::pos_kind::Integration;
use crate::consent::sms::opt_in::SmsRun;
use crate::sources::sync::{SyncSummary, Trigger};
use crate::storage::app_settings;

/// How often the loop looks for due jobs.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// A job the schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Sync every connected, unfrozen integration.
    Sync,
    /// Send SMS opt-in requests and read replies (only with an SMS gateway).
    SmsOptIns,
    /// Expire points past their date.
    PointsExpiry,
}

impl Job {
    /// Every job, in the order a tick runs them.
    pub const ALL: [Job; 3] = [Job::Sync, Job::SmsOptIns, Job::PointsExpiry];

    /// The `app_settings` key of its last scheduled start.
    fn last_run_key(self) -> &'static str {
        match self {
            Job::Sync => "schedule.last_run.sync",
            Job::SmsOptIns => "schedule.last_run.sms_opt_ins",
            Job::PointsExpiry => "schedule.last_run.points_expiry",
        }
    }

    /// How long after its last start it is due again; `None` when it is off.
    fn every(self, sync_interval_minutes: u32) -> Option<Duration> {
        match self {
            Job::Sync if sync_interval_minutes == 0 => None,
            Job::Sync => Some(Duration::minutes(i64::from(sync_interval_minutes))),
            Job::SmsOptIns => Some(Duration::minutes(5)),
            Job::PointsExpiry => Some(Duration::hours(1)),
        }
    }
}

/// The schedule over one console.
pub struct Scheduler {
    console: Console,
    clock: Arc<dyn Clock>,
    syncs_paused: Arc<AtomicBool>,
}

impl Scheduler {
    /// A schedule for `console` reading the time from `clock`.
    pub fn new(console: Console, clock: Arc<dyn Clock>) -> Self {
        Scheduler {
            console,
            clock,
            syncs_paused: Arc::default(),
        }
    }

    /// The same schedule, skipping its syncs while `paused` is set (the tray's *Pause syncing*);
    /// SMS opt-ins and points expiry keep their turns.
    pub fn with_syncs_paused_by(mut self, paused: Arc<AtomicBool>) -> Self {
        self.syncs_paused = paused;
        self
    }

    /// When `job` last started on schedule.
    pub async fn last_run(&self, job: Job) -> Result<Option<DateTime<Utc>>> {
        self.console
            .blocking(move |db| db.read(|c| app_settings::get(c, job.last_run_key())))
            .await
            .map(|stored| {
                stored
                    .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                    .map(|t| t.with_timezone(&Utc))
            })
    }

    /// The jobs due at `now`: never run, or last started at least their interval ago (or in
    /// the future, when the clock was set back).
    pub async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Job>> {
        let interval = self.console.sync_interval().await?;
        let mut due = Vec::new();
        for job in Job::ALL {
            if job == Job::SmsOptIns && !self.console.sms_gateway_configured() {
                continue;
            }
            if job == Job::Sync && self.syncs_paused.load(Ordering::SeqCst) {
                continue;
            }
            let Some(every) = job.every(interval) else {
                continue;
            };
            let last = self.last_run(job).await?;
            if last.is_none_or(|last| now - last >= every || last > now) {
                due.push(job);
            }
        }
        Ok(due)
    }

    /// Runs the jobs due now, each recorded as started before it runs (a crash mid-job does not
    /// make it run again at once); returns what the UI should hear. Failures are logged and the
    /// job is tried at its next turn.
    pub async fn tick(&self) -> Vec<ConsoleEvent> {
        let now = self.clock.now();
        let due = match self.due(now).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!("could not read the schedule: {}", error.message);
                return Vec::new();
            }
        };
        let mut events = Vec::new();
        for job in due {
            let stamp = db_timestamp(now);
            let recorded = self
                .console
                .blocking(move |db| {
                    db.write(|tx| app_settings::put(tx, job.last_run_key(), Some(&stamp)))
                })
                .await;
            if let Err(error) = recorded {
                tracing::warn!(
                    ?job,
                    "could not record the scheduled run: {}",
                    error.message
                );
                continue;
            }
            events.extend(self.run(job, now).await);
        }
        events
    }

    async fn run(&self, job: Job, now: DateTime<Utc>) -> Vec<ConsoleEvent> {
        match job {
            Job::Sync => self
                .console
                .sync_connected(Trigger::Schedule)
                .await
                .into_iter()
                .map(|(integration, result)| sync_finished(integration, &result))
                .collect(),
            Job::SmsOptIns => {
                let outcome = self.console.run_sms_opt_ins(self.clock.as_ref()).await;
                let changed = outcome.as_ref().is_ok_and(SmsRun::changed_anything);
                log_outcome("SMS opt-in job", outcome);
                shoppers_changed(changed)
            }
            Job::PointsExpiry => {
                let outcome = self.console.expire_points(now).await;
                let changed = outcome.as_ref().is_ok_and(|run| run.points > 0);
                log_outcome("points expiry", outcome);
                shoppers_changed(changed)
            }
        }
    }

    /// Ticks now and then every [`TICK`] for as long as the runtime lives, handing each event to
    /// `announce`.
    pub async fn run_forever(self, announce: impl Fn(ConsoleEvent) + Send) {
        loop {
            for event in self.tick().await {
                announce(event);
            }
            tokio::time::sleep(TICK).await;
        }
    }
}

/// The event a scheduled sync of `integration` ends with; a sync that did not run is logged.
fn sync_finished(integration: Integration, result: &Result<Vec<SyncSummary>>) -> ConsoleEvent {
    let failed = match result {
        Ok(summaries) => summaries.iter().any(|s| s.error.is_some()),
        Err(error) => {
            tracing::warn!(
                ?integration,
                "scheduled sync did not run: {}",
                error.message
            );
            true
        }
    };
    ConsoleEvent::SyncFinished {
        integration,
        trigger: Trigger::Schedule,
        failed,
    }
}

/// The event a background job that `changed` shoppers ends with (none when it changed nothing).
fn shoppers_changed(changed: bool) -> Vec<ConsoleEvent> {
    if changed {
        vec![ConsoleEvent::ShoppersChanged]
    } else {
        Vec::new()
    }
}

/// Logs how a background job went.
fn log_outcome<T: std::fmt::Debug>(job: &str, outcome: Result<T>) {
    match outcome {
        Ok(run) => tracing::info!(?run, "{job} ran"),
        Err(error) => tracing::warn!("{job} failed: {}", error.message),
    }
}
