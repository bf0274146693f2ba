//! The one limiter for every place a password is checked (page and API sign-in, token creation,
//! and the re-checks behind a session: new token, password change, account deletion) and for
//! sign-ups, per client address and per account.
//!
//! Each attempt is counted before the password is checked (so that parallel guesses cannot slip
//! past the count) and a success takes it back. Past the allowed number, each further attempt
//! must wait: the first wait, doubled for every further failure, up to the longest wait. A
//! refused attempt is not counted, so hammering does not lengthen the wait, and the wait never
//! exceeds the longest one: an attacker can slow a person down but not lock them out for good.
//! A success resets the account's count, and the address it came from is remembered (the last
//! few per account): the account's wait does not apply there, so someone failing from elsewhere
//! cannot keep the owner out (the address's own count still applies). Counts are forgotten after twice the longest wait
//! without an attempt. Each table holds at most [`MAX_ENTRIES`] keys (stale ones are dropped
//! first, then the quietest), so memory stays bounded. Per process, in memory.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys each table holds at most.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// How many attempts are allowed and how long the waits are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Failed password checks per client address before waits start.
    pub(crate) per_address: u32,
    /// Failed password checks per account before waits start.
    pub(crate) per_account: u32,
    /// Sign-ups per client address before waits start.
    pub(crate) sign_ups: u32,
    /// The first wait.
    pub(crate) first_wait: Duration,
    /// The longest wait.
    pub(crate) max_wait: Duration,
}

/// Who is asked to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Over {
    /// The client address failed too often.
    Address,
    /// The account's password was failed too often.
    Account,
    /// The client address signed up too often.
    SignUps,
}

/// A refusal: try again after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooMany {
    /// How long to wait.
    pub(crate) wait: Duration,
    /// Which count is over.
    pub(crate) over: Over,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    last: Instant,
}

impl Entry {
    /// How long an attempt at `now` must still wait, if at all.
    fn wait(&self, allowed: u32, limits: &Limits, now: Instant) -> Option<Duration> {
        if self.count < allowed {
            return None;
        }
        let doublings = (self.count - allowed).min(20);
        let wait = limits
            .first_wait
            .saturating_mul(1 << doublings)
            .min(limits.max_wait);
        (self.last + wait)
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }
}

struct Table<K>(HashMap<K, Entry>);

impl<K: Hash + Eq + Clone> Table<K> {
    fn new() -> Self {
        Table(HashMap::new())
    }

    /// The entry for `key`, unless it has been forgotten.
    fn get(&mut self, key: &K, now: Instant, forget: Duration) -> Option<Entry> {
        let entry = *self.0.get(key)?;
        if now.saturating_duration_since(entry.last) >= forget {
            self.0.remove(key);
            return None;
        }
        Some(entry)
    }

    fn count(&mut self, key: &K, now: Instant, forget: Duration) {
        let count = self.get(key, now, forget).map_or(0, |e| e.count);
        if count == 0 && self.0.len() >= MAX_ENTRIES {
            self.0
                .retain(|_, e| now.saturating_duration_since(e.last) < forget);
            if self.0.len() >= MAX_ENTRIES {
                // Still full of live keys: drop the one with the fewest attempts, oldest first.
                if let Some(quietest) = self
                    .0
                    .iter()
                    .min_by_key(|(_, e)| (e.count, e.last))
                    .map(|(k, _)| k.clone())
                {
                    self.0.remove(&quietest);
                }
            }
        }
        self.0.insert(
            key.clone(),
            Entry {
                count: count.saturating_add(1),
                last: now,
            },
        );
    }
}

struct Tables {
    addresses: Table<IpAddr>,
    accounts: Table<String>,
    sign_ups: Table<IpAddr>,
    /// Per account, the last few addresses its password was right from.
    known: HashMap<String, Vec<IpAddr>>,
}

/// Addresses remembered per account as ones its owner signed in from.
const KNOWN_ADDRESSES: usize = 4;

/// See the module documentation.
pub(crate) struct Attempts {
    limits: Limits,
    tables: Mutex<Tables>,
}

/// The key of a client address: IPv6 by its /64 (one household or host is given a whole /64),
/// an IPv4-mapped IPv6 address as IPv4.
pub(crate) fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// The key of an account: its email as typed, trimmed and lower-cased (unknown emails are
/// counted too, so that the answers do not tell which accounts exist).
pub(crate) fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Attempts {
    /// A limiter with these limits.
    pub(crate) fn new(limits: Limits) -> Self {
        Attempts {
            limits,
            tables: Mutex::new(Tables {
                addresses: Table::new(),
                accounts: Table::new(),
                sign_ups: Table::new(),
                known: HashMap::new(),
            }),
        }
    }

    /// The longest wait.
    pub(crate) fn max_wait(&self) -> Duration {
        self.limits.max_wait
    }

    fn forget(&self) -> Duration {
        self.limits
            .max_wait
            .saturating_mul(2)
            .max(Duration::from_secs(1))
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves only counts behind: they are still usable.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a password check about to be made for `account` from `address`, or refuses it.
    pub(crate) fn begin_password(
        &self,
        address: IpAddr,
        account: &str,
        now: Instant,
    ) -> Result<(), TooMany> {
        let (address, account) = (address_key(address), account_key(account));
        let forget = self.forget();
        let limits = &self.limits;
        let mut tables = self.tables();
        let by_address = tables
            .addresses
            .get(&address, now, forget)
            .and_then(|e| e.wait(limits.per_address, limits, now));
        // The account's wait does not hold back an address its password was right from before:
        // the owner signs in from home while someone elsewhere keeps failing (the address's own
        // count still holds).
        let known = tables
            .known
            .get(&account)
            .is_some_and(|a| a.contains(&address));
        let by_account = tables
            .accounts
            .get(&account, now, forget)
            .and_then(|e| e.wait(limits.per_account, limits, now))
            .filter(|_| !known);
        let refusal = match (by_address, by_account) {
            (Some(a), Some(b)) if b > a => Some((b, Over::Account)),
            (Some(a), _) => Some((a, Over::Address)),
            (None, Some(b)) => Some((b, Over::Account)),
            (None, None) => None,
        };
        if let Some((wait, over)) = refusal {
            return Err(TooMany { wait, over });
        }
        tables.addresses.count(&address, now, forget);
        tables.accounts.count(&account, now, forget);
        Ok(())
    }

    /// The password was right: the account's count starts over and the address's attempt is
    /// taken back.
    pub(crate) fn password_ok(&self, address: IpAddr, account: &str) {
        let (address, account) = (address_key(address), account_key(account));
        let mut tables = self.tables();
        tables.accounts.0.remove(&account);
        if let Some(entry) = tables.addresses.0.get_mut(&address) {
            entry.count = entry.count.saturating_sub(1);
        }
        if !tables.known.contains_key(&account) && tables.known.len() >= MAX_ENTRIES {
            // Full: start over (at worst the owner waits like anyone else, as after a restart).
            tables.known.clear();
        }
        let addresses = tables.known.entry(account).or_default();
        addresses.retain(|a| *a != address);
        if addresses.len() >= KNOWN_ADDRESSES {
            addresses.remove(0);
        }
        addresses.push(address);
    }

    /// Counts a sign-up from `address`, or refuses it.
    pub(crate) fn begin_sign_up(&self, address: IpAddr, now: Instant) -> Result<(), TooMany> {
        let address = address_key(address);
        let forget = self.forget();
        let limits = &self.limits;
        let mut tables = self.tables();
        if let Some(wait) = tables
            .sign_ups
            .get(&address, now, forget)
            .and_then(|e| e.wait(limits.sign_ups, limits, now))
        {
            return Err(TooMany {
                wait,
                over: Over::SignUps,
            });
        }
        tables.sign_ups.count(&address, now, forget);
        Ok(())
    }
}

/// A wait for people: "45 seconds", "1 minute", "15 minutes" (rounded up).
pub(crate) fn wait_in_words(wait: Duration) -> String {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if seconds < 60 {
        let s = seconds.max(1);
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        let m = seconds.div_ceil(60);
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn limits() -> Limits {
        Limits {
            per_address: 20,
            per_account: 5,
            sign_ups: 10,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(900),
        }
    }

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const AWAY: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));

    #[test]
    fn an_account_waits_longer_after_each_failure_but_never_past_the_longest_wait() {
        let attempts = Attempts::new(limits());
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(attempts.begin_password(HOME, "ann@example.org", t0).is_ok());
        }
        // The address does not matter: the account is over, in any case.
        let refused = attempts
            .begin_password(AWAY, " ANN@example.org", t0)
            .unwrap_err();
        assert_eq!(refused.over, Over::Account);
        assert_eq!(refused.wait, Duration::from_secs(1));
        // Refused attempts are not counted; after the wait one more is checked, then 2 s.
        let t1 = t0 + Duration::from_secs(1);
        assert!(attempts.begin_password(HOME, "ann@example.org", t1).is_ok());
        let refused = attempts
            .begin_password(HOME, "ann@example.org", t1)
            .unwrap_err();
        assert_eq!(refused.wait, Duration::from_secs(2));
        // Many more failures: the wait stops at the longest one.
        let mut t = t1;
        for _ in 0..30 {
            t += Duration::from_secs(900);
            assert!(attempts.begin_password(HOME, "ann@example.org", t).is_ok());
        }
        let refused = attempts
            .begin_password(HOME, "ann@example.org", t)
            .unwrap_err();
        assert_eq!(refused.wait, Duration::from_secs(900));
        // A success resets the account.
        attempts.password_ok(HOME, "ann@example.org");
        assert!(attempts.begin_password(AWAY, "ann@example.org", t).is_ok());
        // Other accounts are not affected by ann's count.
        assert!(attempts.begin_password(AWAY, "bob@example.org", t0).is_ok());
    }

    #[test]
    fn the_owners_known_address_is_not_held_back_by_someone_elses_failures() {
        let attempts = Attempts::new(limits());
        let t0 = Instant::now();
        assert!(attempts.begin_password(HOME, "ann@example.org", t0).is_ok());
        attempts.password_ok(HOME, "ann@example.org");
        for _ in 0..5 {
            assert!(attempts.begin_password(AWAY, "ann@example.org", t0).is_ok());
        }
        assert!(
            attempts
                .begin_password(AWAY, "ann@example.org", t0)
                .is_err()
        );
        assert!(attempts.begin_password(HOME, "ann@example.org", t0).is_ok());
        attempts.password_ok(HOME, "ann@example.org");
        // But the known address still has its own count.
        let t1 = t0 + Duration::from_secs(1);
        for i in 0..20 {
            assert!(
                attempts.begin_password(HOME, "ann@example.org", t1).is_ok(),
                "{i}"
            );
        }
        let refused = attempts
            .begin_password(HOME, "ann@example.org", t1)
            .unwrap_err();
        assert_eq!(refused.over, Over::Address);
    }

    #[test]
    fn an_address_that_guesses_many_accounts_waits() {
        let attempts = Attempts::new(limits());
        let t0 = Instant::now();
        for i in 0..20 {
            assert!(
                attempts
                    .begin_password(HOME, &format!("p{i}@example.org"), t0)
                    .is_ok()
            );
        }
        let refused = attempts
            .begin_password(HOME, "new@example.org", t0)
            .unwrap_err();
        assert_eq!(refused.over, Over::Address);
        assert!(attempts.begin_password(AWAY, "new@example.org", t0).is_ok());
        // The counts are forgotten after a quiet spell of twice the longest wait.
        let later = t0 + Duration::from_secs(1800);
        assert!(
            attempts
                .begin_password(HOME, "new@example.org", later)
                .is_ok()
        );
    }

    #[test]
    fn sign_ups_per_address_are_limited() {
        let attempts = Attempts::new(limits());
        let t0 = Instant::now();
        let results: Vec<bool> = (0..15)
            .map(|_| attempts.begin_sign_up(HOME, t0).is_ok())
            .collect();
        assert_eq!(results.iter().filter(|ok| **ok).count(), 10);
        assert!(attempts.begin_sign_up(AWAY, t0).is_ok());
    }

    #[test]
    fn ipv6_addresses_count_by_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap_or(HOME);
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap_or(HOME);
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap_or(AWAY);
        assert_eq!(address_key(mapped), HOME);
    }

    #[test]
    fn the_tables_stay_bounded() {
        let attempts = Attempts::new(Limits {
            per_address: u32::MAX,
            ..limits()
        });
        let t0 = Instant::now();
        for i in 0..(MAX_ENTRIES + 50) {
            let _ = attempts.begin_password(AWAY, &format!("p{i}@example.org"), t0);
        }
        assert!(attempts.tables().accounts.0.len() <= MAX_ENTRIES);
    }

    #[test]
    fn waits_read_as_words() {
        assert_eq!(wait_in_words(Duration::from_millis(1500)), "2 seconds");
        assert_eq!(wait_in_words(Duration::from_secs(60)), "1 minute");
        assert_eq!(wait_in_words(Duration::from_secs(61)), "2 minutes");
        assert_eq!(wait_in_words(Duration::from_secs(900)), "15 minutes");
    }
}
