//! Opt-in retries for read requests.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use super::ApiError;

/// When and how often the client retries a failed `GET`.
///
/// Retries are off unless a policy is given to
/// [`ClerkClientBuilder::retry`](super::ClerkClientBuilder::retry), and they never apply to
/// writes (`POST`, `PATCH`, `PUT`, `DELETE`): a write that timed out may have happened.
/// A `GET` is retried after:
/// - `429 Too Many Requests`: waits `Retry-After` seconds when Clerk sends it (giving up at
///   once if that wait would exceed the time budget), else backs off;
/// - any `5xx` and connection failures: exponential backoff with jitter.
///
/// Other errors (4xx, timeouts, undecodable bodies) are returned at once. Both the number of
/// attempts and the total time (including waits) are bounded.
///
/// ```
/// use std::time::Duration;
/// use clerk_actix::client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(4)
///     .initial_backoff(Duration::from_millis(200))
///     .max_elapsed(Duration::from_secs(10));
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 500 ms doubling up to 10 s, at most 30 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Total attempts, the first one included (at least 1).
    ///
    /// ```
    /// let policy = clerk_actix::client::RetryPolicy::default().max_attempts(5);
    /// # let _ = policy;
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before the first retry; it doubles on each retry.
    ///
    /// ```
    /// let policy = clerk_actix::client::RetryPolicy::default()
    ///     .initial_backoff(std::time::Duration::from_millis(100));
    /// # let _ = policy;
    /// ```
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Upper bound of one backoff (not of a `Retry-After` wait, which only the time budget bounds).
    ///
    /// ```
    /// let policy = clerk_actix::client::RetryPolicy::default()
    ///     .max_backoff(std::time::Duration::from_secs(2));
    /// # let _ = policy;
    /// ```
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Time budget for all attempts and waits together.
    ///
    /// ```
    /// let policy = clerk_actix::client::RetryPolicy::default()
    ///     .max_elapsed(std::time::Duration::from_secs(5));
    /// # let _ = policy;
    /// ```
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn budget(&self) -> Duration {
        self.max_elapsed
    }

    /// How long to wait before attempt `attempt + 1`, or `None` if `error` is not retryable.
    pub(crate) fn delay_after(&self, error: &ApiError, attempt: u32) -> Option<Duration> {
        match error {
            ApiError::Api {
                status: 429,
                retry_after: Some(wait),
                ..
            } => Some(*wait),
            ApiError::Api { status, .. } if *status == 429 || *status >= 500 => {
                Some(self.backoff(attempt))
            }
            ApiError::Transport { .. } => Some(self.backoff(attempt)),
            _ => None,
        }
    }

    /// Exponential backoff with "equal jitter": a random point in `[d/2, d]`, so that many
    /// workers hitting the same limit do not retry in lockstep.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let half = full / 2;
        half + half.mul_f64(jitter_fraction())
    }
}

/// A number in `[0, 1)` that differs between calls; not cryptographic, only for spreading
/// retries. `RandomState` is randomly keyed per instance, which avoids a `rand` dependency.
fn jitter_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, retry_after: Option<Duration>) -> ApiError {
        ApiError::Api {
            status,
            errors: Vec::new(),
            trace_id: None,
            retry_after,
        }
    }

    #[test]
    fn retry_after_is_honoured_on_429() {
        let policy = RetryPolicy::default();
        let wait = policy.delay_after(&api(429, Some(Duration::from_secs(7))), 1);
        assert_eq!(wait, Some(Duration::from_secs(7)));
    }

    #[test]
    fn only_transient_errors_are_retried() {
        let policy = RetryPolicy::default();
        assert!(policy.delay_after(&api(429, None), 1).is_some());
        assert!(policy.delay_after(&api(503, None), 1).is_some());
        let transport = ApiError::Transport {
            kind: super::super::TransportErrorKind::Connect,
            message: "refused".into(),
        };
        assert!(policy.delay_after(&transport, 1).is_some());
        assert_eq!(policy.delay_after(&api(404, None), 1), None);
        assert_eq!(policy.delay_after(&api(422, None), 1), None);
        assert_eq!(policy.delay_after(&ApiError::Timeout, 1), None);
        let decode = ApiError::Decode {
            status: 200,
            reason: "x".into(),
        };
        assert_eq!(policy.delay_after(&decode, 1), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let second = policy.backoff(2);
            assert!((Duration::from_millis(100)..=Duration::from_millis(200)).contains(&second));
            let capped = policy.backoff(30);
            assert!((Duration::from_millis(175)..=Duration::from_millis(350)).contains(&capped));
        }
        let samples: std::collections::HashSet<_> = (0..20).map(|_| policy.backoff(1)).collect();
        assert!(samples.len() > 1, "jitter should vary");
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }
}
