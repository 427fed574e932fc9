//! Per-client limits that store no IP address: submissions and moves between screens per
//! client, and failed admin logins.
//!
//! Clients are told apart by a keyed hash of their address (the key is random per process and
//! never leaves memory), so the limiter can neither log nor reveal who sent what. IPv6 clients
//! are keyed by their /64, which is what one subscriber gets. The buckets are governor's GCRA
//! cells in a sharded map: O(1) per request however many clients were seen; idle clients are
//! pruned, and past [`MAX_CLIENTS`] new clients share one bucket, so memory stays bounded.

use governor::clock::{Clock, DefaultClock, Reference};
use governor::{Quota, RateLimiter};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Moves between screens (one question per screen without JavaScript) per client and minute:
/// a response takes a dozen or two, so this lets several respondents behind one address step
/// at a brisk pace while a client that only posts moves gets a page rendered at most 5 times a
/// second.
pub const MOVES_PER_MINUTE: u32 = 300;

/// Moves a client may post at once before [`MOVES_PER_MINUTE`] applies.
pub const MOVES_BURST: u32 = 100;

/// Most clients tracked at once (about 100 bytes each); beyond it, new clients share a bucket.
pub const MAX_CLIENTS: usize = 100_000;

/// Idle clients are pruned at most this often, so pruning never runs per request.
const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// The key every client over [`MAX_CLIENTS`] shares.
const OVERFLOW: u64 = 0;

type Keyed<C> = RateLimiter<
    u64,
    governor::state::keyed::DashMapStateStore<u64>,
    C,
    governor::middleware::NoOpMiddleware<<C as Clock>::Instant>,
>;

/// The anonymous key of a client: a keyed hash of its IPv4 address or its IPv6 /64.
#[derive(Debug)]
pub struct ClientKeys {
    hasher: RandomState,
}

impl Default for ClientKeys {
    fn default() -> Self {
        ClientKeys {
            hasher: RandomState::new(),
        }
    }
}

impl ClientKeys {
    /// The key of `client`; None (no address known) is one client of its own.
    pub fn key(&self, client: Option<IpAddr>) -> u64 {
        let network = client.map(|ip| match ip {
            IpAddr::V4(v4) => u128::from(v4.to_bits()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => u128::from(v4.to_bits()),
                None => (v6.to_bits() >> 64 << 64) | 1,
            },
        });
        // Never the overflow key by accident.
        self.hasher.hash_one(network).max(1)
    }
}

/// A token bucket per client: `burst` requests at once, refilled at a steady rate.
pub struct ClientLimiter<C: Clock = DefaultClock> {
    limiter: Keyed<C>,
    clock: C,
    /// When the limiter was made; prune times are measured from it.
    start: C::Instant,
    /// Nanoseconds after `start` of the last prune.
    pruned_at: AtomicU64,
}

impl ClientLimiter<DefaultClock> {
    /// `per_minute` requests per client on average, in bursts of up to `burst`.
    pub fn new(per_minute: u32, burst: u32) -> ClientLimiter {
        ClientLimiter::with_clock(per_minute, burst, DefaultClock::default())
    }
}

impl<C: Clock + Clone> ClientLimiter<C> {
    /// The same limiter on another clock (tests use a fake one).
    pub fn with_clock(per_minute: u32, burst: u32, clock: C) -> ClientLimiter<C> {
        let period = Duration::from_secs(60) / per_minute.max(1);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        ClientLimiter {
            limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()),
            start: clock.now(),
            clock,
            pruned_at: AtomicU64::new(0),
        }
    }

    /// Takes one of `key`'s tokens; `Err(seconds)` says how long to wait before the next one.
    pub fn check(&self, key: u64) -> Result<(), u64> {
        let key = self.bounded(key);
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }

    /// Clients tracked now.
    pub fn clients(&self) -> usize {
        self.limiter.len()
    }

    /// `key`, or the shared overflow key when the map is full even after pruning idle clients.
    fn bounded(&self, key: u64) -> u64 {
        if self.limiter.len() < MAX_CLIENTS {
            return key;
        }
        let now = self.elapsed_nanos();
        let last = self.pruned_at.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= PRUNE_EVERY.as_nanos() as u64;
        if due
            && self
                .pruned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        if self.limiter.len() < MAX_CLIENTS {
            key
        } else {
            OVERFLOW
        }
    }

    fn elapsed_nanos(&self) -> u64 {
        self.clock.now().duration_since(self.start).as_u64()
    }
}

/// Failed admin logins per client: a guessing client is answered 429 before its guess is even
/// checked, while a client that never fails is never slowed.
pub struct LoginGuard<C: Clock = DefaultClock> {
    failures: ClientLimiter<C>,
    /// Clients that used up their failures, and (in `clock` nanoseconds) until when.
    blocked: Mutex<HashMap<u64, u64>>,
    clock: C,
    /// When the guard was made; block times are measured from it.
    start: C::Instant,
}

impl LoginGuard<DefaultClock> {
    /// 10 failures at once, then one more every 6 seconds.
    pub fn new() -> LoginGuard {
        LoginGuard::with_clock(DefaultClock::default())
    }
}

impl Default for LoginGuard<DefaultClock> {
    fn default() -> Self {
        LoginGuard::new()
    }
}

impl<C: Clock + Clone> LoginGuard<C> {
    /// The guard on another clock (tests use a fake one).
    pub fn with_clock(clock: C) -> LoginGuard<C> {
        LoginGuard {
            failures: ClientLimiter::with_clock(10, 10, clock.clone()),
            blocked: Mutex::new(HashMap::new()),
            start: clock.now(),
            clock,
        }
    }

    fn now(&self) -> u64 {
        self.clock.now().duration_since(self.start).as_u64()
    }

    /// `Err(seconds)` while `key` must wait before its credentials are checked again.
    pub fn admit(&self, key: u64) -> Result<(), u64> {
        let now = self.now();
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        match blocked.get(&key) {
            Some(&until) if until > now => Err((until - now).div_ceil(1_000_000_000).max(1)),
            _ => Ok(()),
        }
    }

    /// Counts a failed login; once the client's failures run out it is blocked for a while.
    pub fn failed(&self, key: u64) {
        if let Err(wait_secs) = self.failures.check(key) {
            let now = self.now();
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            blocked.retain(|_, until| *until > now);
            if blocked.len() < MAX_CLIENTS {
                blocked.insert(key, now + wait_secs * 1_000_000_000);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_burst_is_allowed_then_the_client_waits() {
        let clock = FakeRelativeClock::default();
        let limiter = ClientLimiter::with_clock(60, 3, clock.clone());
        let keys = ClientKeys::default();
        let ip = keys.key(Some("192.0.2.7".parse().unwrap()));
        let other = keys.key(Some("192.0.2.8".parse().unwrap()));
        for _ in 0..3 {
            assert_eq!(limiter.check(ip), Ok(()));
        }
        assert_eq!(limiter.check(ip), Err(1));
        assert_eq!(
            limiter.check(other),
            Ok(()),
            "clients are limited separately"
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(limiter.check(ip), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let keys = ClientKeys::default();
        let a = keys.key(Some("2001:db8:1:2::1".parse().unwrap()));
        let b = keys.key(Some("2001:db8:1:2:ffff::9".parse().unwrap()));
        let c = keys.key(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a, b, "one /64 is one client");
        assert_ne!(a, c);
        let mapped = keys.key(Some("::ffff:192.0.2.7".parse().unwrap()));
        assert_eq!(mapped, keys.key(Some("192.0.2.7".parse().unwrap())));
        assert_ne!(keys.key(None), OVERFLOW);
    }

    #[test]
    fn memory_stays_bounded_however_many_clients_come() {
        let clock = FakeRelativeClock::default();
        let limiter = ClientLimiter::with_clock(60, 2, clock.clone());
        for key in 1..=(MAX_CLIENTS as u64 + 5_000) {
            let _ = limiter.check(key);
        }
        assert!(
            limiter.clients() <= MAX_CLIENTS + 1,
            "{} clients tracked",
            limiter.clients()
        );
        // Once they are idle long enough to be indistinguishable from new, they are pruned.
        clock.advance(Duration::from_secs(120));
        let _ = limiter.check(7_777_777);
        assert!(limiter.clients() < 10, "{} clients left", limiter.clients());
    }

    #[test]
    fn a_guessing_client_is_blocked_and_an_honest_one_never_is() {
        let clock = FakeRelativeClock::default();
        let guard = LoginGuard::with_clock(clock.clone());
        let (guesser, honest) = (11, 22);
        for _ in 0..10 {
            assert_eq!(guard.admit(guesser), Ok(()));
            guard.failed(guesser);
        }
        assert_eq!(guard.admit(guesser), Ok(()), "ten failures are allowed");
        guard.failed(guesser);
        let wait = guard.admit(guesser).unwrap_err();
        assert!((1..=6).contains(&wait), "waits {wait} s");
        assert_eq!(guard.admit(honest), Ok(()));
        clock.advance(Duration::from_secs(wait));
        assert_eq!(
            guard.admit(guesser),
            Ok(()),
            "one more guess after the wait"
        );
        guard.failed(guesser);
        guard.failed(guesser);
        assert!(
            guard.admit(guesser).is_err(),
            "a guess every six seconds at most"
        );
    }
}
