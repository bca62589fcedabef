//! Talking to a POS politely: a pace between a credential's requests that follows the POS — it
//! quickens while answers come clean, halves when the POS asks to slow down (429) and never goes
//! past the ceiling — and retries of transient failures with exponential backoff that honours the
//! POS's `Retry-After`.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::base::error::{Error, ErrorCode, Result};
use crate::pos::rate_budget::RateBudget;

/// How a run retries transient failures and paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub base_delay: Duration,
    /// The longest a retry waits, `Retry-After` included.
    pub max_delay: Duration,
    /// The time between two requests of one credential a run starts with.
    pub min_request_gap: Duration,
    /// The least time between two requests the pace may quicken to: the ceiling the user sets
    /// (its inverse is the most requests a second).
    pub fastest_request_gap: Duration,
}

impl RetryPolicy {
    /// What a desktop console uses against a real POS: 6 attempts from 0.5 s up to a minute;
    /// each credential starts at 5 requests a second and may quicken to 10.
    pub fn standard() -> Self {
        RetryPolicy {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            min_request_gap: Duration::from_millis(200),
            fastest_request_gap: Duration::from_millis(100),
        }
    }

    /// This policy with its ceiling at `per_second` requests a second (the pace starts no faster).
    pub fn with_ceiling(mut self, per_second: u32) -> Self {
        self.fastest_request_gap = Duration::from_secs(1) / per_second.max(1);
        self.min_request_gap = self.min_request_gap.max(self.fastest_request_gap);
        self
    }

    /// The wait before retry number `retry` (from 1) after `error`.
    pub fn delay(&self, retry: u32, error: &Error) -> Duration {
        let backoff = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let asked = error.retry_after_secs.map(Duration::from_secs);
        asked.unwrap_or(backoff).min(self.max_delay)
    }
}

/// Clean answers in a row before the pace quickens.
const CLEAN_STREAK: u32 = 10;

/// The slowest the pace falls to, however often the POS asks to slow down.
const SLOWEST_GAP: Duration = Duration::from_secs(5);

/// Keeps a credential's requests apart: the gap shrinks by a fifth after each streak of clean
/// answers (never below the policy's fastest) and doubles each time the POS answers 429.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    fastest: Duration,
    clean: u32,
    next: Option<Instant>,
}

impl Pacer {
    /// A pacer for `policy`, starting at its `min_request_gap`.
    pub fn new(policy: &RetryPolicy) -> Self {
        Pacer::starting_at(policy, policy.min_request_gap)
    }

    /// A pacer for `policy` that starts at `gap` (a pace learned earlier in the run), within the
    /// policy's ceiling.
    pub fn starting_at(policy: &RetryPolicy, gap: Duration) -> Self {
        Pacer {
            gap: gap.max(policy.fastest_request_gap),
            fastest: policy.fastest_request_gap,
            clean: 0,
            next: None,
        }
    }

    /// The time between two requests now.
    pub fn gap(&self) -> Duration {
        self.gap
    }

    /// Waits until the next request may go.
    pub async fn wait(&mut self) {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.next = Some(Instant::now() + self.gap);
    }

    /// A clean answer: after a streak of them the pace quickens by a quarter, up to the ceiling.
    pub fn answered(&mut self) {
        self.clean += 1;
        if self.clean >= CLEAN_STREAK {
            self.clean = 0;
            self.gap = (self.gap * 4 / 5).max(self.fastest);
        }
    }

    /// What the POS said of its window on a good answer: with no request left in it, the next one
    /// waits until the window starts again, and the pace does not quicken meanwhile.
    pub fn heed(&mut self, budget: Option<RateBudget>) {
        if let Some(RateBudget {
            remaining: 0,
            reset,
        }) = budget
        {
            self.clean = 0;
            let reopens = Instant::now() + reset;
            self.next = Some(self.next.map_or(reopens, |next| next.max(reopens)));
        }
    }

    /// The POS asked to slow down: the pace halves (the gap doubles, from at least a
    /// millisecond, at most to five seconds) and the streak starts again.
    pub fn slowed_down(&mut self) {
        self.clean = 0;
        self.gap = (self.gap.max(Duration::from_millis(1)) * 2).min(SLOWEST_GAP);
    }
}

/// Runs `request` until it succeeds, fails for good, or runs out of attempts; transient failures
/// are retried after [`RetryPolicy::delay`]. Returns the answer and how many retries it took.
pub async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    pacer: &mut Pacer,
    mut request: F,
) -> (Result<T>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut retries = 0;
    loop {
        pacer.wait().await;
        let outcome = request().await;
        match &outcome {
            Ok(_) => pacer.answered(),
            Err(error) if error.code == ErrorCode::RateLimited => pacer.slowed_down(),
            Err(_) => {}
        }
        match outcome {
            Err(error) if error.is_transient() && retries + 1 < policy.attempts => {
                retries += 1;
                let delay = policy.delay(retries, &error);
                tracing::info!(
                    retry = retries,
                    delay_ms = delay.as_millis() as u64,
                    "transient POS failure, retrying: {}",
                    error.message
                );
                tokio::time::sleep(delay).await;
            }
            outcome => return (outcome, retries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            min_request_gap: Duration::ZERO,
            fastest_request_gap: Duration::ZERO,
        }
    }

    #[test]
    fn backoff_doubles_and_retry_after_wins_within_the_cap() {
        let unreachable = Error::new(ErrorCode::PosUnreachable, "down");
        let delays: Vec<_> = (1..=4).map(|r| policy().delay(r, &unreachable)).collect();
        assert_eq!(delays, [100, 200, 400, 800].map(Duration::from_millis));
        let mut limited = Error::new(ErrorCode::RateLimited, "slow down");
        limited.retry_after_secs = Some(3);
        assert_eq!(policy().delay(1, &limited), Duration::from_secs(3));
        limited.retry_after_secs = Some(600);
        assert_eq!(policy().delay(1, &limited), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_and_permanent_ones_are_not() {
        let mut pacer = Pacer::new(&policy());
        let mut calls = 0;
        let (answer, retries) = with_retries(&policy(), &mut pacer, || {
            calls += 1;
            let fail = calls < 3;
            async move {
                if fail {
                    Err(Error::new(ErrorCode::PosUnreachable, "reset"))
                } else {
                    Ok(calls)
                }
            }
        })
        .await;
        assert_eq!((answer.unwrap(), retries), (3, 2));

        let mut calls = 0;
        let (answer, retries) = with_retries(&policy(), &mut pacer, || {
            calls += 1;
            async { Err::<(), _>(Error::new(ErrorCode::PosAuthFailed, "wrong key")) }
        })
        .await;
        assert_eq!(
            (answer.unwrap_err().code, retries, calls),
            (ErrorCode::PosAuthFailed, 0, 1)
        );

        let (answer, retries) = with_retries(&policy(), &mut pacer, || async {
            Err::<(), _>(Error::new(ErrorCode::PosUnreachable, "down"))
        })
        .await;
        assert_eq!(
            (answer.unwrap_err().code, retries),
            (ErrorCode::PosUnreachable, 3)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_requests() {
        let mut pacer = Pacer::new(&RetryPolicy {
            min_request_gap: Duration::from_millis(250),
            ..policy()
        });
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_window_holds_the_next_request_until_it_starts_again() {
        let mut pacer = Pacer::new(&RetryPolicy {
            min_request_gap: Duration::from_millis(100),
            ..policy()
        });
        let start = Instant::now();
        pacer.wait().await;
        pacer.heed(Some(RateBudget {
            remaining: 3,
            reset: Duration::from_secs(2),
        }));
        pacer.wait().await;
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(100),
            "requests left: the pace holds"
        );
        pacer.heed(Some(RateBudget {
            remaining: 0,
            reset: Duration::from_millis(700),
        }));
        pacer.heed(None);
        pacer.wait().await;
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(800),
            "none left: wait for the window"
        );
    }

    /// A POS that allows `limit` requests in any second: whether one sent at `now` is refused.
    struct Limiter {
        limit: usize,
        sent: std::collections::VecDeque<Instant>,
    }

    impl Limiter {
        fn refuses(&mut self, now: Instant) -> bool {
            while self
                .sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                self.sent.pop_front();
            }
            if self.sent.len() >= self.limit {
                return true;
            }
            self.sent.push_back(now);
            false
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_pace_quickens_to_near_the_pos_limit_with_few_refusals_and_never_past_the_ceiling()
    {
        let policy = RetryPolicy {
            min_request_gap: Duration::from_millis(200),
            fastest_request_gap: Duration::from_millis(10),
            ..policy()
        };
        let mut pacer = Pacer::new(&policy);
        let mut pos = Limiter {
            limit: 20,
            sent: Default::default(),
        };
        let (mut refused, mut answered) = (0, 0);
        let start = Instant::now();
        while answered < 2_000 {
            pacer.wait().await;
            if pos.refuses(Instant::now()) {
                refused += 1;
                pacer.slowed_down();
            } else {
                answered += 1;
                pacer.answered();
            }
        }
        let rate = f64::from(answered) / start.elapsed().as_secs_f64();
        assert!(rate > 12.0 && rate <= 20.0, "{rate:.1} answers a second");
        assert!(refused * 100 < answered * 5, "{refused} refusals");

        // Without refusals the pace stops at the ceiling.
        let mut pacer = Pacer::new(&RetryPolicy {
            fastest_request_gap: Duration::from_millis(100),
            ..policy
        });
        for _ in 0..200 {
            pacer.answered();
        }
        assert_eq!(pacer.gap(), Duration::from_millis(100));
        assert_eq!(
            RetryPolicy::standard().with_ceiling(2).fastest_request_gap,
            Duration::from_millis(500)
        );
    }
}
