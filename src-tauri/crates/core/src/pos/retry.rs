//! Talking to a POS politely: a per-credential pace between requests, and retries of transient
//! failures with exponential backoff that honours the POS's `Retry-After`.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::base::error::{Error, Result};

/// How a run retries transient failures and paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub base_delay: Duration,
    /// The longest a retry waits, `Retry-After` included.
    pub max_delay: Duration,
    /// The least time between two requests of one credential (its rate limit).
    pub min_request_gap: Duration,
}

impl RetryPolicy {
    /// What a desktop console uses against a real POS: 6 attempts from 0.5 s up to a minute, at
    /// most 5 requests a second per credential.
    pub fn standard() -> Self {
        RetryPolicy {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            min_request_gap: Duration::from_millis(200),
        }
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

/// Keeps a credential's requests at least `min_request_gap` apart.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    next: Option<Instant>,
}

impl Pacer {
    /// A pacer for `policy`.
    pub fn new(policy: &RetryPolicy) -> Self {
        Pacer {
            gap: policy.min_request_gap,
            next: None,
        }
    }

    /// Waits until the next request may go.
    pub async fn wait(&mut self) {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.next = Some(Instant::now() + self.gap);
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
        match request().await {
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
    use crate::base::error::ErrorCode;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            min_request_gap: Duration::ZERO,
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
}
