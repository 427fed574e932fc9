//! Per-client rate limiting that stores no IP address.
//!
//! Clients are told apart by a keyed hash of their address (the key is random per process and
//! never leaves memory), so the limiter can neither log nor reveal who sent what.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket per client: `burst` requests at once, refilled at `per_minute`.
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    hasher: RandomState,
    buckets: Mutex<HashMap<u64, (f64, Instant)>>,
}

/// Buckets idle this long are forgotten.
const IDLE: Duration = Duration::from_secs(600);

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per client on average, in bursts of up to `burst`.
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            hasher: RandomState::new(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request's token; `Err(seconds)` says how long to wait before the next one.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let key = self.hasher.hash_one(client);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE);
        }
        let (tokens, last) = buckets.entry(key).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_client_waits() {
        let limiter = RateLimiter::new(60, 3);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(Some(ip), t0), Ok(()));
        }
        assert_eq!(limiter.check(Some(ip), t0), Err(1));
        assert_eq!(
            limiter.check(Some(other), t0),
            Ok(()),
            "clients are limited separately"
        );
        assert_eq!(limiter.check(Some(ip), t0 + Duration::from_secs(1)), Ok(()));
    }
}
