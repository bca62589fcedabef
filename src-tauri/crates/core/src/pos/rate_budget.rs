//! What a POS says of its rate limit on a good answer: how many requests are left in its window and
//! when the window starts again. Read from the IETF `RateLimit-Remaining` / `RateLimit-Reset`
//! headers or the common `X-RateLimit-*` ones (whose reset may be a Unix time), so the pacer can
//! wait for the window instead of running into a 429.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The longest Canopy waits for a window to reopen on a POS's word (a reset further off is read as
/// this, so a wrong header cannot stall a sync).
const LONGEST_WAIT: Duration = Duration::from_secs(60);

/// A reset above this is a Unix time rather than a number of seconds.
const UNIX_TIME_FROM: u64 = 1_000_000_000;

/// Requests left in the POS's window, and how long until it starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    /// Requests the POS still answers in this window.
    pub remaining: u64,
    /// Until the window starts again.
    pub reset: Duration,
}

impl RateBudget {
    /// The budget an answer's headers give, when they give both figures; `now_unix` is the current
    /// Unix time in seconds (for a reset given as one).
    pub fn from_headers(headers: &HeaderMap, now_unix: u64) -> Option<RateBudget> {
        let number = |names: [&str; 2]| {
            names.iter().find_map(|name| {
                headers
                    .get(*name)?
                    .to_str()
                    .ok()?
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
            })
        };
        let remaining = number(["ratelimit-remaining", "x-ratelimit-remaining"])?;
        let reset = number(["ratelimit-reset", "x-ratelimit-reset"])?;
        let seconds = if reset >= UNIX_TIME_FROM as f64 {
            (reset - now_unix as f64).max(0.0)
        } else {
            reset
        };
        Some(RateBudget {
            remaining: remaining as u64,
            reset: Duration::from_secs_f64(seconds.min(LONGEST_WAIT.as_secs_f64())),
        })
    }

    /// The budget of an answer received now.
    pub fn of(response: &reqwest::Response) -> Option<RateBudget> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        RateBudget::from_headers(response.headers(), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn both_header_families_are_read_and_a_unix_reset_becomes_a_wait() {
        assert_eq!(
            RateBudget::from_headers(
                &headers(&[("ratelimit-remaining", "3"), ("ratelimit-reset", "0.25")]),
                0
            ),
            Some(RateBudget {
                remaining: 3,
                reset: Duration::from_millis(250)
            })
        );
        assert_eq!(
            RateBudget::from_headers(
                &headers(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1765000007")
                ]),
                1_765_000_000
            ),
            Some(RateBudget {
                remaining: 0,
                reset: Duration::from_secs(7)
            })
        );
    }

    #[test]
    fn missing_or_wrong_headers_give_no_budget_and_a_far_reset_is_capped() {
        assert_eq!(RateBudget::from_headers(&headers(&[]), 0), None);
        assert_eq!(
            RateBudget::from_headers(&headers(&[("ratelimit-remaining", "5")]), 0),
            None
        );
        assert_eq!(
            RateBudget::from_headers(
                &headers(&[("ratelimit-remaining", "-1"), ("ratelimit-reset", "1")]),
                0
            ),
            None
        );
        assert_eq!(
            RateBudget::from_headers(
                &headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "86400")]),
                0
            )
            .map(|b| b.reset),
            Some(LONGEST_WAIT)
        );
    }
}
