//! Each thread's own copies of the few tokens it reads most, in front of the shared cache.
//!
//! A hit in the shared cache locks a shard, counts the hit and takes a reference to the stored
//! claims, which are writes. When two workers answer requests carrying the same token (one
//! client's burst of calls, a poller), they write the same cache lines on every request, and
//! each write moves the line from one core to the other. Two threads reading one cached token
//! took 0.89 µs per hit against 0.23-0.29 µs for one thread alone (`cargo bench --bench verify
//! -- cached_verify_shared`). So a token that this thread finds in the shared cache twice
//! within its last few shared hits gets a copy here, with claims of its own: from then on its
//! hits write nothing another core reads.
//!
//! The answers are the shared cache's:
//! * A copy is read only while its key is current and its time checks pass, the same checks
//!   as a shared entry; a copy that fails them is dropped and the lookup goes on to the shared
//!   cache, which words the answer (or misses).
//! * A copy belongs to one cache, so to one configuration. A changed configuration comes with
//!   a new cache, and this thread's copies of the old one are dropped at its next lookup.
//! * At most [`SLOTS`] copies per thread, replaced in turn.

use std::cell::RefCell;

use super::Stored;

/// Copies per thread.
const SLOTS: usize = 4;
/// Tags of the last shared hits a thread remembers: a token found again among them is copied.
/// Tokens used in turn by more clients than this are never copied, so a large working set does
/// not churn the slots (each copy costs a decoded claims' worth of allocations).
const RECENT: usize = 8;

struct Front {
    /// The id of the cache the copies and tags belong to (0: none yet).
    cache: u64,
    slots: Vec<Slot>,
    /// The slot the next copy replaces once all are taken.
    next: usize,
    recent: [u64; RECENT],
    next_recent: usize,
    #[cfg(any(test, feature = "fuzzing"))]
    hits: u64,
}

struct Slot {
    token: Box<[u8]>,
    stored: Stored,
}

impl Front {
    const EMPTY: Self = Self {
        cache: 0,
        slots: Vec::new(),
        next: 0,
        recent: [0; RECENT],
        next_recent: 0,
        #[cfg(any(test, feature = "fuzzing"))]
        hits: 0,
    };

    /// Drops what belongs to another cache.
    fn serve(&mut self, cache: u64) {
        if self.cache != cache {
            *self = Self {
                cache,
                ..Self::EMPTY
            };
        }
    }
}

thread_local! {
    static FRONT: RefCell<Front> = const { RefCell::new(Front::EMPTY) };
}

/// Runs `f` on this thread's front, unless it is in use or gone (while the thread exits): then
/// the front is skipped, never a panic.
fn with_front<R>(f: impl FnOnce(&mut Front) -> R) -> Option<R> {
    FRONT
        .try_with(|front| front.try_borrow_mut().ok().map(|mut front| f(&mut front)))
        .ok()
        .flatten()
}

/// What a front miss remembers for [`Sighting::promote`].
pub(super) struct Sighting {
    cache: u64,
    tag: u64,
}

impl Sighting {
    /// Called on a valid shared hit: whether this thread had another shared hit on the token
    /// among its last [`RECENT`], i.e. whether to copy it into the front now.
    pub(super) fn promote(self) -> bool {
        with_front(|front| {
            front.serve(self.cache);
            if let Some(at) = front.recent.iter().position(|&tag| tag == self.tag) {
                front.recent[at] = 0;
                return true;
            }
            let at = front.next_recent;
            front.recent[at] = self.tag;
            front.next_recent = (at + 1) % RECENT;
            false
        })
        .unwrap_or(false)
    }
}

/// A few bytes from the end of the token, where the signature is (its last character carries
/// only 2 bits). Only a hint for [`Sighting::promote`]: equal tags of different tokens copy a
/// token early, and copies are found by the whole token.
fn tag(token: &[u8]) -> u64 {
    let end = token.len().saturating_sub(1);
    let start = end.saturating_sub(8);
    let bits = token[start..end]
        .iter()
        .fold(0u64, |tag, &byte| (tag << 8) | u64::from(byte));
    bits | 1 << 63
}

/// This thread's copy of `token` in `cache`, if it `holds` now: `take` of it. Otherwise the
/// lookup goes on to the shared cache, with what [`Sighting::promote`] needs.
pub(super) fn find<T>(
    cache: u64,
    token: &[u8],
    holds: impl Fn(&Stored) -> bool,
    take: impl Fn(&Stored) -> T,
) -> Result<T, Sighting> {
    let found = with_front(|front| {
        if front.cache != cache {
            return None;
        }
        let at = front.slots.iter().position(|slot| *slot.token == *token)?;
        if !holds(&front.slots[at].stored) {
            // The shared cache answers (and drops its own entry if the token expired).
            front.slots.swap_remove(at);
            return None;
        }
        #[cfg(any(test, feature = "fuzzing"))]
        {
            front.hits += 1;
        }
        Some(take(&front.slots[at].stored))
    });
    found.flatten().ok_or_else(|| Sighting {
        cache,
        tag: tag(token),
    })
}

/// Keeps `stored` (a copy sharing nothing with the shared entry) as this thread's copy of
/// `token` in `cache`.
pub(super) fn insert(cache: u64, token: &[u8], stored: Stored) {
    with_front(|front| {
        front.serve(cache);
        let slot = Slot {
            token: Box::from(token),
            stored,
        };
        if front.slots.len() < SLOTS {
            front.slots.push(slot);
        } else {
            let at = front.next;
            front.slots[at] = slot;
            front.next = (at + 1) % SLOTS;
        }
    });
}

/// The hits this thread's front answered for `cache`.
#[cfg(any(test, feature = "fuzzing"))]
pub(super) fn hits(cache: u64) -> u64 {
    with_front(|front| if front.cache == cache { front.hits } else { 0 }).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::SessionClaims;
    use crate::verify::ClaimTimes;
    use serde_json::json;

    fn stored() -> Stored {
        let claims = SessionClaims::from_payload(
            json!({"sub": "user_1", "exp": 2e9, "iat": 1e9})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .expect("claims");
        let times = ClaimTimes::read(
            &crate::payload::Payload::parse(br#"{"exp": 2e9, "iat": 1e9}"#.to_vec())
                .expect("payload"),
        )
        .expect("times");
        Stored {
            claims,
            session_kind: true,
            kid: None,
            generation: 0,
            times,
        }
    }

    fn held(cache: u64, token: &str) -> bool {
        find(cache, token.as_bytes(), |_| true, |_| ()).is_ok()
    }

    #[test]
    fn a_thread_holds_at_most_four_copies_replaced_in_turn() {
        let cache = u64::MAX - 1;
        for i in 0..6 {
            insert(cache, format!("t{i}").as_bytes(), stored());
        }
        let held_now: Vec<bool> = (0..6).map(|i| held(cache, &format!("t{i}"))).collect();
        assert_eq!(held_now, [false, false, true, true, true, true]);
        assert_eq!(with_front(|front| front.slots.len()), Some(SLOTS));
    }

    #[test]
    fn a_copy_that_no_longer_holds_is_dropped() {
        let cache = u64::MAX - 2;
        insert(cache, b"t", stored());
        assert!(find(cache, b"t", |_| false, |_| ()).is_err());
        assert!(!held(cache, "t"), "gone, not kept for later");
    }

    #[test]
    fn only_a_second_sighting_among_the_recent_ones_promotes() {
        let cache = u64::MAX - 3;
        let sight = |token: &str| Sighting {
            cache,
            tag: tag(token.as_bytes()),
        };
        assert!(!sight("aaaaaaaaaaaa").promote());
        for i in 0..RECENT - 1 {
            assert!(!sight(&format!("{i:06}-other")).promote());
        }
        assert!(sight("aaaaaaaaaaaa").promote(), "seen again in time");
        assert!(!sight("bbbbbbbbbbbb").promote());
        for i in 0..RECENT {
            assert!(!sight(&format!("{i:06}-again")).promote());
        }
        assert!(!sight("bbbbbbbbbbbb").promote(), "pushed out by newer ones");
    }

    #[test]
    fn a_token_shorter_than_a_tag_is_fine() {
        for token in ["", "a", "ab.c"] {
            assert_ne!(tag(token.as_bytes()), 0);
            assert!(find(u64::MAX - 4, token.as_bytes(), |_| true, |_| ()).is_err());
        }
    }
}
