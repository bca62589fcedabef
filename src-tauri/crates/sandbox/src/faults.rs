//! Fault injection: rules switchable at run time, per endpoint and per credential, each firing on
//! the Nth matching request (for a count of requests), with a seeded probability, or in a time window.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::generator::mix;

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 Too Many Requests with `Retry-After`.
    RateLimit {
        /// Seconds the client is told to wait.
        retry_after_secs: u64,
    },
    /// A server error (500, 502 or 503); with a `count`, a burst of them.
    ServerError {
        /// The status to answer.
        status: u16,
    },
    /// The answer is delayed.
    Slow {
        /// How long, in milliseconds.
        delay_ms: u64,
    },
    /// The connection is dropped after half of the body was produced (the client sees a broken
    /// answer, or a broken body when the head was already flushed).
    ResetMidBody,
    /// The body is cut in half: the JSON never closes.
    TruncatedJson,
    /// The body is replaced with text that is not JSON at all.
    MalformedJson,
    /// The first record of the page has an unreadable id and `updated_at` (the page itself is fine).
    BadRecord,
    /// The page also repeats the last record of the previous page.
    DuplicateRecords,
    /// Before answering, an already-listed record is updated and a new one inserted, as if a clerk
    /// were working while the client pages through.
    ChangeWhilePaging,
    /// A real rate limit: 429 with `Retry-After: 1` once the credential has made `per_second`
    /// requests in the last second.
    RateLimitAbove {
        /// The requests a second the POS answers.
        per_second: u32,
        /// Whether good answers say what is left of the window (`RateLimit-Limit`,
        /// `RateLimit-Remaining`, `RateLimit-Reset` in seconds, as the IETF draft has them).
        #[serde(default)]
        headers: bool,
    },
    /// Before answering, the first `records` records of the list are edited — in a list sorted by
    /// `updated_at` they move to its end, and every record after them moves up — as if a batch job
    /// ran while the client pages through.
    MoveToEnd {
        /// How many records move.
        records: u64,
    },
    /// The credential is revoked from this request on: 401 until the sandbox is reset.
    RevokeToken,
    /// The credential loses a permission from this request on: 403 until the sandbox is reset.
    RemovePermission {
        /// The permission's wire name, e.g. `enhanced_customer_data` or `view_patients`.
        permission: String,
    },
}

/// When a rule fires. With no field set it fires on every matching request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    /// Fire on the Nth matching request (from 1)…
    pub nth: Option<u64>,
    /// …and on the `count - 1` requests after it (a burst). Default 1.
    pub count: Option<u64>,
    /// Fire with this probability (0..=1), drawn from `seed`.
    pub probability: Option<f64>,
    /// Seed of the probability draws.
    pub seed: u64,
    /// Fire only this many milliseconds after the rule was set…
    pub from_ms: Option<u64>,
    /// …and until this many milliseconds after it.
    pub until_ms: Option<u64>,
}

/// A fault rule as the admin API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// What happens.
    pub fault: FaultKind,
    /// Only requests whose path starts with this (e.g. `/api/v3/venue/customers`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Only requests made with this credential (a POSaBIT venue token, a Greenbits token or user name).
    #[serde(default)]
    pub credential: Option<String>,
    /// When it fires.
    #[serde(default)]
    pub trigger: Trigger,
}

/// A rule in force, with its counters.
#[derive(Debug, Clone)]
struct ActiveRule {
    id: u64,
    rule: FaultRule,
    set_at: Instant,
    matched: u64,
    fired: u64,
}

/// A rule as the admin API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleStatus {
    /// The rule's id (for deleting it).
    pub id: u64,
    /// The rule.
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Requests it matched so far.
    pub matched: u64,
    /// Times it fired so far.
    pub fired: u64,
}

/// Every rule in force.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Vec<ActiveRule>,
    next_id: u64,
}

impl FaultBook {
    /// Adds a rule; returns its id.
    pub fn add(&mut self, rule: FaultRule) -> u64 {
        self.next_id += 1;
        self.rules.push(ActiveRule {
            id: self.next_id,
            rule,
            set_at: Instant::now(),
            matched: 0,
            fired: 0,
        });
        self.next_id
    }

    /// Removes a rule; returns whether it existed.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules and their counters.
    pub fn list(&self) -> Vec<RuleStatus> {
        self.rules
            .iter()
            .map(|r| RuleStatus {
                id: r.id,
                rule: r.rule.clone(),
                matched: r.matched,
                fired: r.fired,
            })
            .collect()
    }

    /// The faults that fire for a request to `path` made with `credentials`, counting the request.
    pub fn fire(&mut self, path: &str, credentials: &[String]) -> Vec<FaultKind> {
        let mut fired = Vec::new();
        for active in &mut self.rules {
            let rule = &active.rule;
            if rule
                .endpoint
                .as_deref()
                .is_some_and(|e| !path.starts_with(e))
            {
                continue;
            }
            if rule
                .credential
                .as_ref()
                .is_some_and(|c| !credentials.contains(c))
            {
                continue;
            }
            active.matched += 1;
            if triggers(
                &rule.trigger,
                active.id,
                active.matched,
                active.set_at.elapsed(),
            ) {
                active.fired += 1;
                fired.push(rule.fault.clone());
            }
        }
        fired
    }
}

fn triggers(trigger: &Trigger, rule_id: u64, matched: u64, elapsed: Duration) -> bool {
    if let Some(nth) = trigger.nth {
        let count = trigger.count.unwrap_or(1).max(1);
        if matched < nth || matched >= nth + count {
            return false;
        }
    }
    let elapsed_ms = elapsed.as_millis() as u64;
    if trigger.from_ms.is_some_and(|from| elapsed_ms < from)
        || trigger.until_ms.is_some_and(|until| elapsed_ms >= until)
    {
        return false;
    }
    if let Some(probability) = trigger.probability {
        let draw = mix(trigger.seed ^ mix(rule_id ^ mix(matched))) as f64 / u64::MAX as f64;
        return draw < probability;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(trigger: Trigger) -> FaultRule {
        FaultRule {
            fault: FaultKind::ServerError { status: 503 },
            endpoint: Some("/api/v3/venue/customers".into()),
            credential: Some("k1".into()),
            trigger,
        }
    }

    fn fired(book: &mut FaultBook, path: &str, credential: &str, times: u64) -> Vec<bool> {
        (0..times)
            .map(|_| !book.fire(path, &[credential.to_string()]).is_empty())
            .collect()
    }

    #[test]
    fn nth_with_count_fires_a_burst_and_only_for_its_endpoint_and_credential() {
        let mut book = FaultBook::default();
        book.add(rule(Trigger {
            nth: Some(2),
            count: Some(3),
            ..Trigger::default()
        }));
        assert_eq!(
            fired(&mut book, "/api/v3/venue/tickets", "k1", 3),
            [false; 3]
        );
        assert_eq!(
            fired(&mut book, "/api/v3/venue/customers", "k2", 3),
            [false; 3]
        );
        assert_eq!(
            fired(&mut book, "/api/v3/venue/customers", "k1", 6),
            [false, true, true, true, false, false]
        );
    }

    #[test]
    fn probability_is_seeded_and_roughly_right() {
        let draws = |seed| {
            let mut book = FaultBook::default();
            book.add(rule(Trigger {
                probability: Some(0.3),
                seed,
                ..Trigger::default()
            }));
            fired(&mut book, "/api/v3/venue/customers", "k1", 1_000)
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let hits = draws(7).iter().filter(|f| **f).count();
        assert!((220..380).contains(&hits), "{hits}");
    }

    #[test]
    fn a_window_opens_and_closes() {
        let mut book = FaultBook::default();
        book.add(rule(Trigger {
            until_ms: Some(60_000),
            ..Trigger::default()
        }));
        book.add(rule(Trigger {
            from_ms: Some(60_000),
            ..Trigger::default()
        }));
        let faults = book.fire("/api/v3/venue/customers", &["k1".into()]);
        assert_eq!(faults.len(), 1, "only the rule whose window is open fires");
    }
}
