//! The verified-token cache: a session token that passed full verification once is accepted
//! again for the cost of a map lookup instead of an RSA verification.
//!
//! What makes a cached answer identical to a fresh verification:
//!
//! * **Exact token.** Entries are keyed by the full token, compared byte for byte. (A SHA-256
//!   key would be as safe and smaller, but hashing a 1 KiB token costs half a microsecond on
//!   every request; a seeded fast hash of the token's last 64 bytes only picks the bucket,
//!   equality is exact.)
//! * **Same configuration.** The cache lives inside one options snapshot (`ClerkOptions`); a
//!   configuration change builds a new snapshot with an empty cache, so authorized parties,
//!   audience, skew, size limit and key source can never differ between the verification that
//!   stored an entry and the request that reads it.
//! * **Same key.** An entry records the JWKS generation it was verified under and its `kid`. A
//!   read asks the key source whether that kid is still there in that generation; any change of
//!   the key set (rotation, removal, or just a refresh) drops the entry.
//! * **Time is re-checked.** `exp`, `nbf` and `iat` run on every read with the current clock and
//!   skew, through the same code as a full verification. An expired entry is removed when read
//!   and is the first to go when space is needed, so no entry outlives its token in use.
//! * **Only successes are stored.** Caching failures would let anyone fill the cache with
//!   garbage tokens and push real sessions out. A failure costs what it always cost: rejected
//!   tokens fail before any RSA work (shape, `alg`, `kid`) or pay one verification, which is the
//!   price of a correct answer. Filling the cache needs validly signed tokens, i.e. sessions.
//!
//! A token is stored on its second full verification, not its first: building and later
//! evicting an entry costs about a third of an RSA check, wasted on tokens used only once.
//!
//! Bounded by entries and by an estimate of the bytes held. Sharded mutexes keep the two workers
//! of a small server from waiting on each other (contention is counted); eviction is FIFO with a
//! second chance for entries read since their last pass, O(1) amortised, expired entries first.
//!
//! In front of the shared cache, each thread keeps copies of the few tokens it reads most
//! ([`front`]), so that workers answering the same token write no shared memory per request.
//! A copy is read under the same checks as a shared entry, and at most four per thread exist
//! beyond the bounds above.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use crate::claims::{SessionClaims, Verified};
use crate::error::{TokenErrorReason, TokenVerificationError};
use crate::payload::Payload;
use crate::verify::{ClaimTimes, KeySource, TokenValidation};

mod front;

/// Limits of the verified-token cache of one [`Clerk`](crate::Clerk) configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenCacheLimits {
    /// Most tokens held; 0 turns the cache off.
    pub(crate) max_entries: usize,
    /// Most bytes held (an estimate of the memory of stored claims and bookkeeping).
    pub(crate) max_bytes: usize,
}

impl Default for TokenCacheLimits {
    fn default() -> Self {
        Self {
            max_entries: 16_384,
            // About 3.5 KiB per entry for a typical session token (the token, its decoded claims
            // and bookkeeping), so the entry bound is the one that binds.
            max_bytes: 64 << 20,
        }
    }
}

/// The map key: the token itself, shared with the eviction queue. Hashed and compared as bytes,
/// so a header value can be looked up before it is known to be text: a stored token is text, so
/// bytes equal to one are too.
#[derive(Clone, PartialEq, Eq)]
struct TokenKey(Arc<str>);

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state);
    }
}

impl Borrow<[u8]> for TokenKey {
    fn borrow(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl TokenKey {
    fn same_allocation(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How many bytes at the end of a token the hashes read: base64url of 48 bytes of the RSA
/// signature, uniformly random for every token that can be stored (the full token is 1 KiB, and
/// hashing it all costs more than the rest of a hit).
const HASHED_TAIL: usize = 64;

/// The end of a token that its hashes read (see [`HASHED_TAIL`]).
fn hashed_tail(token: &[u8]) -> &[u8] {
    &token[token.len().saturating_sub(HASHED_TAIL)..]
}

/// Hashes the map's keys by their tail only: a bucket is picked by the signature's last bytes,
/// and equality still compares whole tokens. Only verified tokens are stored, so nobody can
/// fill one bucket: tails that collide need signatures that verify.
#[derive(Clone, Default)]
struct TailHashing(foldhash::quality::RandomState);

impl std::hash::BuildHasher for TailHashing {
    type Hasher = TailHasher;
    fn build_hasher(&self) -> TailHasher {
        TailHasher(self.0.build_hasher())
    }
}

/// See [`TailHashing`]. A key hashes as its length, then `write` of its bytes.
struct TailHasher(foldhash::quality::FoldHasher<'static>);

impl Hasher for TailHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(hashed_tail(bytes));
    }
    fn write_usize(&mut self, length: usize) {
        self.0.write_usize(length);
    }
}

/// Picks a shard from bytes near the end of the token: the RSA signature, uniformly random for
/// every token that can be stored (the very last character carries only 2 bits).
fn shard_of(bytes: &[u8], shards: usize) -> usize {
    let at = |back: usize| {
        bytes
            .len()
            .checked_sub(back)
            .map_or(0, |i| usize::from(bytes[i]))
    };
    (at(2) * 64 + at(3)) % shards
}

/// What a verification left to reuse, and what decides whether it still holds.
#[derive(Clone)]
struct Stored {
    /// The verified payload, decoded into Clerk's claims (shared: reading it is a refcount).
    claims: SessionClaims,
    /// Whether the token also passes the request-level session-token checks (not an OAuth or
    /// M2M token, no non-session category), so a header token can skip them on a hit.
    session_kind: bool,
    /// The `kid` of the verifying key (`None` for a PEM key, which needs none).
    kid: Option<Box<str>>,
    /// The key-set generation the token was verified under.
    generation: u64,
    /// `exp`, `nbf` and `iat`, checked on every read.
    times: ClaimTimes,
}

impl Stored {
    /// Whether the key that verified the token is still the current one for `generation`
    /// (seen just before the lookup): any change of the key set drops what was stored.
    fn key_current(&self, keys: &KeySource, generation: u64) -> bool {
        self.generation == generation && keys.still_current(self.kid.as_deref(), generation)
    }
}

struct Entry {
    /// The same allocation as the map key: tells a queued key of this entry from a stale one.
    key: TokenKey,
    stored: Stored,
    /// Read since the eviction hand last passed it (second chance).
    referenced: bool,
    bytes: usize,
}

#[derive(Default)]
struct Shard {
    /// Seeded per process, so bucket collisions cannot be precomputed (and only verified tokens
    /// are ever inserted, which an attacker cannot choose freely anyway).
    map: HashMap<TokenKey, Entry, TailHashing>,
    /// Insertion order; may hold tokens already removed from `map` (skipped when popped).
    order: VecDeque<TokenKey>,
    bytes: usize,
    hits: u64,
    misses: u64,
    evictions: u64,
}

impl Shard {
    fn remove(&mut self, token: &[u8]) {
        if let Some(entry) = self.map.remove(token) {
            self.bytes -= entry.bytes;
        }
    }

    /// Makes room for `incoming` bytes under the shard's limits.
    fn evict_for(&mut self, incoming: usize, max_entries: usize, max_bytes: usize, now_ms: f64) {
        // Each token gets at most one second chance per call, so this ends.
        let mut budget = self.order.len() * 2;
        while (self.map.len() + 1 > max_entries || self.bytes + incoming > max_bytes) && budget > 0
        {
            budget -= 1;
            let Some(token) = self.order.pop_front() else {
                break;
            };
            // A stale queue item: its entry was removed (and maybe stored again, queued anew).
            let Some(entry) = self
                .map
                .get_mut(&token)
                .filter(|entry| entry.key.same_allocation(&token))
            else {
                continue;
            };
            if entry.referenced && entry.stored.times.expires_at_ms() > now_ms {
                entry.referenced = false;
                self.order.push_back(token);
                continue;
            }
            self.remove(token.borrow());
            self.evictions += 1;
        }
        // Tokens of entries removed on read pile up in `order`; drop them once they dominate.
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order.retain(|token| {
                map.get(token)
                    .is_some_and(|entry| entry.key.same_allocation(token))
            });
        }
    }
}

/// One cache line per shard, so two workers on two shards never share one.
#[repr(align(128))]
struct PaddedShard(Mutex<Shard>);

/// Counters of the cache (for tests, benchmarks and the fuzzing harness).
#[cfg(any(test, feature = "fuzzing"))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenCacheStats {
    pub(crate) entries: usize,
    pub(crate) bytes: usize,
    /// Including those the calling thread's front answered (see [`front`]).
    pub(crate) hits: u64,
    pub(crate) front_hits: u64,
    pub(crate) misses: u64,
    pub(crate) evictions: u64,
    /// Times a thread found a shard locked by another and had to wait.
    pub(crate) contended: u64,
}

/// What a lookup found.
pub(crate) enum Lookup<'t> {
    /// A stored verification that still holds: the result to return.
    Hit(Result<Verified, TokenVerificationError>),
    /// Verify in full, then hand the ticket to [`TokenCache::store`].
    Miss(MissTicket<'t>),
}

/// A lookup before the answer is shaped for its caller: `T` is what a caller takes from a valid
/// entry while the shard is locked.
enum Found<T> {
    Valid(T),
    TimeError(TokenVerificationError),
    /// The key-set generation seen before the lookup (`None`: cache off).
    Miss(Option<u64>),
}

/// Carries a miss to [`TokenCache::store`]: the token, and the key-set generation seen before its
/// key was looked up, so a rotation during verification cannot be missed (`None`: cache off).
pub(crate) struct MissTicket<'t> {
    token: &'t str,
    generation: Option<u64>,
}

/// What [`TokenCache::session_claims`] found for a header token.
pub(crate) enum HeaderLookup {
    /// Verified before and valid now: the claims.
    Hit(SessionClaims),
    /// Not in the cache: verify in full. The key-set generation seen before the lookup, for
    /// [`HeaderLookup::ticket`] (`None`: cache off).
    Miss(Option<u64>),
    /// In the cache but not a valid session token now (a time check fails, or not a session
    /// token): the full path looks it up again to word the answer exactly.
    Other,
}

impl HeaderLookup {
    /// The [`MissTicket`] of a [`HeaderLookup::Miss`] for `token`, the header's bytes as text,
    /// so its verification does not look the token up a second time.
    pub(crate) fn ticket(self, token: &str) -> Option<MissTicket<'_>> {
        match self {
            Self::Miss(generation) => Some(MissTicket { token, generation }),
            Self::Hit(..) | Self::Other => None,
        }
    }
}

/// The verified-token cache of one options snapshot (see the module docs).
pub(crate) struct TokenCache {
    /// Names this cache to the threads' fronts (see [`front`]); never 0, never reused.
    id: u64,
    shards: Box<[PaddedShard]>,
    max_entries_per_shard: usize,
    max_bytes_per_shard: usize,
    contended: AtomicU64,
    /// Admission on second sight: fingerprints of tokens verified once (see
    /// [`Self::seen_before`]).
    seen: Box<[SeenBucket]>,
    seen_hasher: foldhash::quality::RandomState,
}

thread_local! {
    /// Draws of the slot a new fingerprint replaces in a full bucket (see
    /// [`TokenCache::seen_before`]).
    static SEEN_DRAWS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Slots per bucket of the fingerprint table: 32-bit fingerprints, sixteen to a cache line.
const SEEN_WAYS: usize = 16;

/// A bucket of the fingerprint table, a cache line of its own. Every token never seen before
/// reads one bucket at a random place in the table, likely a cache miss each time: one line,
/// in a table as small as it can be. (Eight-byte slots took twice the memory, and without the
/// alignment a bucket lay across two lines.)
#[repr(align(64))]
struct SeenBucket([AtomicU32; SEEN_WAYS]);

impl SeenBucket {
    fn empty() -> Self {
        Self(std::array::from_fn(|_| AtomicU32::new(0)))
    }
}

impl TokenCache {
    pub(crate) fn new(limits: TokenCacheLimits) -> Self {
        // Up to 16 shards of at least 1024 entries: enough that two workers rarely meet on one
        // lock, few enough that keys spread evenly (a shard that fills before the others evicts
        // while the cache as a whole still has room). Per-shard limits round down, so the totals
        // never exceed the configured ones.
        let shards = (limits.max_entries / 1024).clamp(1, 16);
        // Four fingerprint slots per entry (4 bytes each; 256 KiB by default): a token comes back
        // for its second verification long before other tokens have taken its bucket.
        let seen_buckets = if limits.max_entries == 0 {
            0
        } else {
            (limits.max_entries.saturating_mul(4))
                .clamp(1024, 1 << 22)
                .next_power_of_two()
                / SEEN_WAYS
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            shards: (0..shards).map(|_| PaddedShard(Mutex::default())).collect(),
            max_entries_per_shard: limits.max_entries / shards,
            max_bytes_per_shard: limits.max_bytes / shards,
            contended: AtomicU64::new(0),
            seen: (0..seen_buckets).map(|_| SeenBucket::empty()).collect(),
            seen_hasher: foldhash::quality::RandomState::default(),
        }
    }

    /// Whether `token` was verified before (and, if not, remember that it now was).
    ///
    /// A cache entry costs a few dozen allocations to build and as many frees to evict, about
    /// as much as a third of an RSA check; a token that is never used again (a one-off client,
    /// a flood of distinct tokens) would pay that for nothing and push useful entries out. So a
    /// token is stored only on its second full verification.
    ///
    /// The fingerprint table is lossy, which changes what is cached, never an answer: a
    /// fingerprint collision admits a token early, and a fingerprint pushed out delays one. A
    /// token's bucket holds sixteen fingerprints (one cache line); a new one takes an empty slot,
    /// else a random one, and an admitted token frees its slot. A fingerprint is 32 bits, so a
    /// token matches another's by chance about once in 2^27 first sights. With one slot per
    /// token and no freeing, two tokens hashed to the same slot and used in turn pushed each
    /// other out forever (1 403 of 10 000 tokens used round-robin were never cached).
    fn seen_before(&self, token: &str) -> bool {
        use std::hash::BuildHasher as _;
        let hash = self.seen_hasher.hash_one(hashed_tail(token.as_bytes()));
        // The high half picks the fingerprint, the low bits the bucket; never 0 (an empty slot).
        let fingerprint = (hash >> 32) as u32 | 1;
        let bucket = &self.seen[(hash as usize) & (self.seen.len() - 1)].0;
        let held: [u32; SEEN_WAYS] = std::array::from_fn(|way| bucket[way].load(Ordering::Relaxed));
        if let Some(way) = held.iter().position(|&held| held == fingerprint) {
            // Admitted (the caller stores it now): the slot is free for the next newcomer.
            let _ =
                bucket[way].compare_exchange(fingerprint, 0, Ordering::Relaxed, Ordering::Relaxed);
            return true;
        }
        // A full bucket loses a random fingerprint. (Not a rotating one: tokens used in turn
        // would move in step with the rotation and each push out the next one forever.)
        let way = held.iter().position(|&held| held == 0).unwrap_or_else(|| {
            // A count per thread, not one shared by the workers: a token never seen before
            // would otherwise move the counter's cache line between cores on every request.
            let draw = SEEN_DRAWS.with(|draws| {
                draws.set(draws.get().wrapping_add(1));
                draws.get()
            });
            self.seen_hasher.hash_one(draw) as usize % SEEN_WAYS
        });
        bucket[way].store(fingerprint, Ordering::Relaxed);
        false
    }

    fn enabled(&self) -> bool {
        self.max_entries_per_shard > 0 && self.max_bytes_per_shard > 0
    }

    fn shard(&self, token: &[u8]) -> MutexGuard<'_, Shard> {
        let mutex = &self.shards[shard_of(token, self.shards.len())].0;
        // A panic while holding the lock cannot leave a wrong entry behind (entries are inserted
        // whole, after verification), only stale bookkeeping, so a poisoned shard stays usable.
        match mutex.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                self.contended.fetch_add(1, Ordering::Relaxed);
                mutex
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
            }
        }
    }

    /// Looks `token` up for a full verification (`verifyToken`): a hit gives the verified payload,
    /// or the time error it has now.
    pub(crate) fn lookup<'t>(
        &self,
        token: &'t str,
        keys: &KeySource,
        validation: &TokenValidation,
        now_ms: f64,
    ) -> Lookup<'t> {
        let claims = |stored: &Stored| stored.claims.clone();
        match self.find(token.as_bytes(), keys, validation, now_ms, claims) {
            Found::Valid(claims) => Lookup::Hit(Ok(Verified::Cached(claims))),
            Found::TimeError(err) => Lookup::Hit(Err(err)),
            Found::Miss(generation) => Lookup::Miss(MissTicket { token, generation }),
        }
    }

    /// Looks up a session token in the `Authorization` header, skipping decoding and claim
    /// parsing on a hit. `token` is the header's token as bytes, not yet checked to be text: a
    /// match with a stored token is.
    pub(crate) fn session_claims(
        &self,
        token: &[u8],
        keys: &KeySource,
        validation: &TokenValidation,
        now_ms: f64,
    ) -> HeaderLookup {
        let claims = |stored: &Stored| stored.session_kind.then(|| stored.claims.clone());
        match self.find(token, keys, validation, now_ms, claims) {
            Found::Valid(Some(claims)) => HeaderLookup::Hit(claims),
            Found::Miss(generation) => HeaderLookup::Miss(generation),
            Found::Valid(None) | Found::TimeError(_) => HeaderLookup::Other,
        }
    }

    /// A hit re-runs the time checks at `now_ms` and confirms with `keys` that the verifying key
    /// is still current (which also lets a stale JWKS refresh in the background).
    fn find<T>(
        &self,
        token: &[u8],
        keys: &KeySource,
        validation: &TokenValidation,
        now_ms: f64,
        take: impl Fn(&Stored) -> T,
    ) -> Found<T> {
        if !self.enabled() {
            return Found::Miss(None);
        }
        let generation = keys.generation();
        // The same checks as below, on this thread's own copy if it has one.
        let holds = |stored: &Stored| {
            stored.key_current(keys, generation) && stored.times.check(validation, now_ms).is_ok()
        };
        let sighting = match front::find(self.id, token, holds, &take) {
            Ok(found) => return Found::Valid(found),
            Err(sighting) => sighting,
        };
        let miss = || Found::Miss(Some(generation));
        let mut shard = self.shard(token);
        let Some(entry) = shard.map.get_mut(token) else {
            shard.misses += 1;
            return miss();
        };
        // Verified under another key set, or its key left the set: the key may be gone.
        if !entry.stored.key_current(keys, generation) {
            shard.remove(token);
            shard.misses += 1;
            return miss();
        }
        if let Err(err) = entry.stored.times.check(validation, now_ms) {
            if err.reason() == TokenErrorReason::TokenExpired {
                shard.remove(token);
            }
            shard.hits += 1;
            return Found::TimeError(err);
        }
        // Written only when it changes: a hot token read by every worker keeps its cache line
        // shared instead of bouncing between cores.
        if !entry.referenced {
            entry.referenced = true;
        }
        let found = Found::Valid(take(&entry.stored));
        // This thread's second hit on the token in a short while: from now on its own front
        // answers, with a copy of its own (made after the lock is released).
        let promoted = sighting.promote().then(|| entry.stored.clone());
        shard.hits += 1;
        drop(shard);
        if let Some(mut stored) = promoted {
            // Claims of its own: their reference count is then written by this thread only.
            stored.claims = stored.claims.detached();
            front::insert(self.id, token, stored);
        }
        found
    }

    /// Stores a successful full verification of the token behind `ticket`.
    /// Stored on the token's second full verification only (see [`Self::seen_before`]).
    /// `session_kind`: the token passes the request-level checks of a session token (see
    /// `Entry::session_kind`).
    pub(crate) fn store(
        &self,
        ticket: MissTicket<'_>,
        keys: &KeySource,
        kid: Option<&str>,
        payload: &Payload,
        session_kind: bool,
        now_ms: f64,
    ) {
        let MissTicket {
            token,
            generation: Some(generation),
        } = ticket
        else {
            return;
        };
        // The key set changed while this token was being verified: the key may be gone already.
        if keys.generation() != generation || !self.seen_before(token) {
            return;
        }
        let Some(times) = ClaimTimes::read(payload) else {
            return;
        };
        // Claims Clerk's layout cannot read are rare and never cached: the full path reports them.
        let Ok(claims) = SessionClaims::from_verified(payload.clone()) else {
            return;
        };
        let bytes = entry_bytes(token, &claims, kid);
        if bytes > self.max_bytes_per_shard {
            return;
        }
        let key = TokenKey(Arc::from(token));
        let entry = Entry {
            key: key.clone(),
            stored: Stored {
                claims,
                session_kind,
                kid: kid.map(Box::from),
                generation,
                times,
            },
            referenced: false,
            bytes,
        };
        let mut shard = self.shard(token.as_bytes());
        shard.remove(token.as_bytes());
        shard.evict_for(
            bytes,
            self.max_entries_per_shard,
            self.max_bytes_per_shard,
            now_ms,
        );
        if shard.map.len() < self.max_entries_per_shard
            && shard.bytes + bytes <= self.max_bytes_per_shard
        {
            shard.bytes += bytes;
            shard.map.insert(key.clone(), entry);
            shard.order.push_back(key);
        }
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn stats(&self) -> TokenCacheStats {
        let front_hits = front::hits(self.id);
        let mut stats = TokenCacheStats {
            hits: front_hits,
            front_hits,
            contended: self.contended.load(Ordering::Relaxed),
            ..TokenCacheStats::default()
        };
        for shard in &self.shards[..] {
            let shard = shard.0.lock().unwrap_or_else(|p| p.into_inner());
            stats.entries += shard.map.len();
            stats.bytes += shard.bytes;
            stats.hits += shard.hits;
            stats.misses += shard.misses;
            stats.evictions += shard.evictions;
        }
        stats
    }
}

/// An estimate of the heap an entry holds: the token, its claims (as text, and as the map
/// `SessionClaims::raw` may build while the entry is held) and as decoded by `SessionClaims`
/// (a quarter more), and the fixed bookkeeping.
fn entry_bytes(token: &str, claims: &SessionClaims, kid: Option<&str>) -> usize {
    const FIXED: usize = size_of::<Entry>() + 2 * size_of::<TokenKey>() + 256;
    let claims = claims.heap_bytes();
    FIXED + token.len() + 16 + claims + claims / 4 + kid.map_or(0, |kid| kid.len() + 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::VerifyingKey;
    use serde_json::json;

    const NOW_MS: f64 = 1_700_000_000_000.0;

    fn pem_keys() -> KeySource {
        let pem = include_str!("../../tests/fixtures/clerk-js/pem_public_signing_key.pem");
        KeySource::Pem(VerifyingKey::from_pem(pem).expect("fixture PEM"))
    }

    fn payload(exp_s: f64) -> Payload {
        let claims =
            json!({"sub": "user_1", "exp": exp_s, "iat": NOW_MS / 1000.0 - 10.0, "sid": "sess_1"});
        Payload::parse(claims.to_string().into_bytes()).expect("an object")
    }

    /// Verifies `token` twice (a token is admitted on its second verification).
    fn fill(cache: &TokenCache, keys: &KeySource, token: &str, exp_s: f64) {
        for _ in 0..2 {
            let Lookup::Miss(ticket) =
                cache.lookup(token, keys, &TokenValidation::default(), NOW_MS)
            else {
                panic!("{token} should not be cached yet");
            };
            cache.store(ticket, keys, None, &payload(exp_s), true, NOW_MS);
        }
    }

    fn is_hit(cache: &TokenCache, keys: &KeySource, token: &str, now_ms: f64) -> bool {
        matches!(
            cache.lookup(token, keys, &TokenValidation::default(), now_ms),
            Lookup::Hit(Ok(_))
        )
    }

    fn assert_expired(cache: &TokenCache, keys: &KeySource, token: &str, now_ms: f64) {
        match cache.lookup(token, keys, &TokenValidation::default(), now_ms) {
            Lookup::Hit(Err(err)) => assert_eq!(err.reason(), TokenErrorReason::TokenExpired),
            _ => panic!("{token} read at {now_ms} must give the expiry error"),
        }
    }

    #[test]
    fn keys_hash_by_their_tail_and_compare_in_full() {
        use std::hash::BuildHasher as _;
        let hashing = TailHashing::default();
        let tail = "t".repeat(HASHED_TAIL);
        let (a, b) = (format!("aaaa{tail}"), format!("bbbb{tail}"));
        let hash = |token: &str| hashing.hash_one(TokenKey(Arc::from(token)));
        assert_eq!(hash(&a), hash(&b));
        // What a lookup hashes (the header's bytes) hashes as the stored key does.
        assert_eq!(hashing.hash_one(a.as_bytes()), hash(&a));
        assert_ne!(hash(&a), hash(&format!("{tail}a")));
        assert_ne!(hash(&a), hash(&format!("aaa{tail}")), "the length counts");
        let mut map = HashMap::with_hasher(hashing);
        map.insert(TokenKey(Arc::from(a.as_str())), 1);
        map.insert(TokenKey(Arc::from(b.as_str())), 2);
        assert_eq!(map.get(a.as_bytes()), Some(&1));
        assert_eq!(map.get(b.as_bytes()), Some(&2));
        assert_eq!(map.get(format!("cccc{tail}").as_bytes()), None);
    }

    #[test]
    fn a_stored_token_is_a_hit_and_another_token_is_not() {
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        fill(&cache, &keys, "a.b.c", NOW_MS / 1000.0 + 60.0);
        assert!(is_hit(&cache, &keys, "a.b.c", NOW_MS));
        assert!(!is_hit(&cache, &keys, "a.b.d", NOW_MS), "one byte differs");
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.hits, stats.misses), (1, 1, 3));
    }

    #[test]
    fn a_working_set_used_in_turn_is_admitted_whole() {
        // 10 000 tokens used round-robin, as many sessions polling an API: nearly all are
        // admitted on their second verification, the rest soon after; none is kept out for good
        // by other tokens' fingerprints.
        let cache = TokenCache::new(TokenCacheLimits::default());
        let tokens: Vec<String> = (0..10_000).map(|i| format!("token-{i}")).collect();
        // An admitted token is stored by the caller and does not come back here.
        let mut waiting: Vec<&String> = tokens.iter().collect();
        let sight = |waiting: &mut Vec<&String>| waiting.retain(|t| !cache.seen_before(t));
        sight(&mut waiting);
        assert_eq!(waiting.len(), tokens.len(), "first sight admits nothing");
        sight(&mut waiting);
        // (A bucket may get more of the 10 000 than it has slots: those wait for a freed one.)
        assert!(
            waiting.len() <= 8,
            "second sight admits all but a few: {waiting:?}"
        );
        sight(&mut waiting);
        sight(&mut waiting);
        assert!(waiting.is_empty(), "and those soon after: {waiting:?}");
    }

    #[test]
    fn tokens_are_admitted_on_their_second_verification() {
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        let exp = NOW_MS / 1000.0 + 60.0;
        let verify_once = |token: &str| {
            let Lookup::Miss(ticket) =
                cache.lookup(token, &keys, &TokenValidation::default(), NOW_MS)
            else {
                return true;
            };
            cache.store(ticket, &keys, None, &payload(exp), true, NOW_MS);
            false
        };
        assert!(!verify_once("once"));
        assert!(!verify_once("twice"));
        assert!(!verify_once("twice"));
        assert_eq!(
            cache.stats().entries,
            1,
            "only the token verified twice is stored"
        );
        assert!(verify_once("twice"), "and then hit");
        assert!(!verify_once("once"), "the one-off token was not stored");
        assert_eq!(
            cache.stats().entries,
            2,
            "but it is on its second verification"
        );
    }

    #[test]
    fn time_is_checked_on_every_hit_and_expired_entries_go() {
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        let exp_s = NOW_MS / 1000.0 + 60.0;
        fill(&cache, &keys, "t", exp_s);
        let skew = TokenValidation::default().clock_skew.as_millis() as f64;
        assert!(is_hit(&cache, &keys, "t", exp_s * 1000.0 + skew - 1.0));
        assert_expired(&cache, &keys, "t", exp_s * 1000.0 + skew);
        assert_eq!(cache.stats().entries, 0, "expired entry removed");
    }

    #[test]
    fn disabled_cache_never_hashes_or_stores() {
        let cache = TokenCache::new(TokenCacheLimits {
            max_entries: 0,
            max_bytes: 1 << 20,
        });
        let keys = pem_keys();
        let Lookup::Miss(ticket) = cache.lookup("t", &keys, &TokenValidation::default(), NOW_MS)
        else {
            panic!("disabled cache cannot hit");
        };
        assert!(ticket.generation.is_none());
        cache.store(
            ticket,
            &keys,
            None,
            &payload(NOW_MS / 1000.0 + 60.0),
            true,
            NOW_MS,
        );
        assert_eq!(cache.stats().entries, 0);
    }

    #[test]
    fn entries_and_bytes_stay_bounded() {
        let limits = TokenCacheLimits {
            max_entries: 1000,
            max_bytes: 1 << 20,
        };
        let cache = TokenCache::new(limits);
        let keys = pem_keys();
        for i in 0..10_000 {
            fill(&cache, &keys, &format!("token-{i}"), NOW_MS / 1000.0 + 60.0);
            let stats = cache.stats();
            assert!(stats.entries <= limits.max_entries, "{stats:?}");
            assert!(stats.bytes <= limits.max_bytes, "{stats:?}");
        }
        let stats = cache.stats();
        assert!(stats.entries >= 900, "the cache is used: {stats:?}");
        assert_eq!(stats.evictions, 10_000 - stats.entries as u64);

        let tight = TokenCache::new(TokenCacheLimits {
            max_entries: 1000,
            max_bytes: 4096,
        });
        for i in 0..100 {
            fill(&tight, &keys, &format!("token-{i}"), NOW_MS / 1000.0 + 60.0);
        }
        let stats = tight.stats();
        assert!(stats.bytes <= 4096 && stats.entries > 0, "{stats:?}");
    }

    #[test]
    fn recently_read_entries_get_a_second_chance() {
        let cache = TokenCache::new(TokenCacheLimits {
            max_entries: 4,
            max_bytes: 1 << 20,
        });
        let keys = pem_keys();
        let exp = NOW_MS / 1000.0 + 60.0;
        for token in ["a", "b", "c", "d"] {
            fill(&cache, &keys, token, exp);
        }
        assert!(is_hit(&cache, &keys, "a", NOW_MS));
        fill(&cache, &keys, "e", exp);
        assert!(is_hit(&cache, &keys, "a", NOW_MS), "read entry survives");
        assert!(
            !is_hit(&cache, &keys, "b", NOW_MS),
            "oldest unread entry goes"
        );
    }

    #[test]
    fn expired_entries_are_evicted_before_read_ones() {
        let cache = TokenCache::new(TokenCacheLimits {
            max_entries: 2,
            max_bytes: 1 << 20,
        });
        let keys = pem_keys();
        let now_s = NOW_MS / 1000.0;
        fill(&cache, &keys, "short", now_s + 1.0);
        fill(&cache, &keys, "long", now_s + 600.0);
        assert!(is_hit(&cache, &keys, "short", NOW_MS));
        let later = NOW_MS + 120_000.0;
        for _ in 0..2 {
            let Lookup::Miss(ticket) =
                cache.lookup("new", &keys, &TokenValidation::default(), later)
            else {
                panic!("new token");
            };
            cache.store(ticket, &keys, None, &payload(now_s + 600.0), true, later);
        }
        assert!(is_hit(&cache, &keys, "long", later));
        assert!(is_hit(&cache, &keys, "new", later));
    }

    #[test]
    fn removal_on_read_does_not_let_the_order_queue_grow() {
        let cache = TokenCache::new(TokenCacheLimits {
            max_entries: 8,
            max_bytes: 1 << 20,
        });
        let keys = pem_keys();
        let now_s = NOW_MS / 1000.0;
        for i in 0..10_000 {
            let token = format!("t{i}");
            fill(&cache, &keys, &token, now_s + 1.0);
            // Read after expiry: removed from the map, its key left in the queue.
            let _ = cache.lookup(
                &token,
                &keys,
                &TokenValidation::default(),
                NOW_MS + 60_000.0,
            );
        }
        let shard = cache.shards[0].0.lock().unwrap();
        assert!(shard.order.len() <= 2 * 8 + 64 + 1, "{}", shard.order.len());
    }

    fn cached_claims(cache: &TokenCache, keys: &KeySource, token: &str) -> SessionClaims {
        match cache.lookup(token, keys, &TokenValidation::default(), NOW_MS) {
            Lookup::Hit(Ok(Verified::Cached(claims))) => claims,
            _ => panic!("{token} should be a cache hit"),
        }
    }

    #[test]
    fn a_thread_copies_a_token_it_keeps_reading() {
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        fill(&cache, &keys, "hot", NOW_MS / 1000.0 + 60.0);
        // Two shared hits: the second one makes this thread's copy.
        let first = cached_claims(&cache, &keys, "hot");
        let second = cached_claims(&cache, &keys, "hot");
        assert!(first.shares_allocation_with(&second), "both read the entry");
        assert_eq!(cache.stats().front_hits, 0);
        let third = cached_claims(&cache, &keys, "hot");
        let fourth = cached_claims(&cache, &keys, "hot");
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.front_hits), (4, 2));
        assert!(third.shares_allocation_with(&fourth), "both read the copy");
        assert!(
            !third.shares_allocation_with(&first),
            "the copy's claims are its own"
        );
        assert_eq!(third.user_id(), first.user_id());
        assert_eq!(third.session_id(), first.session_id());
        // Another thread reads the shared entry, not this thread's copy.
        let other = std::thread::scope(|scope| {
            scope
                .spawn(|| cached_claims(&cache, &keys, "hot"))
                .join()
                .expect("reader thread")
        });
        assert!(other.shares_allocation_with(&first));
        assert_eq!(cache.stats().front_hits, 2, "counted per thread");
    }

    #[test]
    fn a_copy_is_read_under_the_checks_of_the_shared_entry() {
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        let exp_s = NOW_MS / 1000.0 + 60.0;
        fill(&cache, &keys, "t", exp_s);
        for _ in 0..3 {
            cached_claims(&cache, &keys, "t");
        }
        assert_eq!(cache.stats().front_hits, 1);
        let skew = TokenValidation::default().clock_skew.as_millis() as f64;
        assert_expired(&cache, &keys, "t", exp_s * 1000.0 + skew);
        assert_eq!(cache.stats().entries, 0, "the shared entry went");
        assert!(
            matches!(
                cache.lookup("t", &keys, &TokenValidation::default(), NOW_MS),
                Lookup::Miss(_)
            ),
            "and so did the copy"
        );
        assert_eq!(cache.stats().front_hits, 1);
    }

    #[test]
    fn copies_belong_to_their_cache() {
        // A configuration change comes with a new cache: what this thread copied from the old
        // one answers nothing there.
        let keys = pem_keys();
        let old = TokenCache::new(TokenCacheLimits::default());
        fill(&old, &keys, "t", NOW_MS / 1000.0 + 60.0);
        for _ in 0..3 {
            cached_claims(&old, &keys, "t");
        }
        assert_eq!(old.stats().front_hits, 1);
        let new = TokenCache::new(TokenCacheLimits::default());
        assert!(matches!(
            new.lookup("t", &keys, &TokenValidation::default(), NOW_MS),
            Lookup::Miss(_)
        ));
        assert_eq!(new.stats().front_hits, 0);
    }

    #[test]
    fn a_working_set_read_in_turn_is_not_copied() {
        // More tokens than a thread remembers, read round-robin: every hit is a shared one,
        // none pays for a copy it would lose before its next use.
        let cache = TokenCache::new(TokenCacheLimits::default());
        let keys = pem_keys();
        let tokens: Vec<String> = (0..32).map(|i| format!("token-{i}")).collect();
        for token in &tokens {
            fill(&cache, &keys, token, NOW_MS / 1000.0 + 60.0);
        }
        for _ in 0..4 {
            for token in &tokens {
                cached_claims(&cache, &keys, token);
            }
        }
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.front_hits), (128, 0));
    }

    #[test]
    fn two_threads_share_the_cache() {
        let cache = Arc::new(TokenCache::new(TokenCacheLimits::default()));
        let keys = pem_keys();
        for i in 0..64 {
            fill(
                &cache,
                &keys,
                &format!("shared-{i}"),
                NOW_MS / 1000.0 + 60.0,
            );
        }
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (cache, keys) = (Arc::clone(&cache), keys.clone());
                std::thread::spawn(move || {
                    (0..20_000)
                        .filter(|i| is_hit(&cache, &keys, &format!("shared-{}", i % 64), NOW_MS))
                        .count()
                })
            })
            .collect();
        for worker in workers {
            assert_eq!(worker.join().unwrap(), 20_000);
        }
        assert_eq!(cache.stats().hits, 40_000);
    }
}
