//! Finding the first of a few byte values in a text, eight bytes at a time: the JSON strings
//! and the dots of a token the cache has not seen are read this way, on every such request.

const ONES: u64 = u64::from_le_bytes([1; 8]);

/// The high bit of each byte of `word` below `limit`. A byte that is not below can be flagged
/// only after one that is (the subtraction's borrow runs that way), so the lowest flag is
/// always a true one.
pub(crate) fn below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & (ONES << 7)
}

/// The high bit of each byte of `word` equal to `byte` (the same caveat as [`below`]).
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}

/// Where the first byte of `bytes` that `wanted` accepts is. `flags` marks the same bytes in a
/// little-endian word, as [`below`] and [`equal`] do; the last few bytes are read one by one.
#[inline(always)]
pub(crate) fn position(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    wanted: impl Fn(u8) -> bool,
) -> Option<usize> {
    let (words, rest) = bytes.as_chunks::<8>();
    for (index, &word) in words.iter().enumerate() {
        let found = flags(u64::from_le_bytes(word));
        if found != 0 {
            // Little-endian: the lowest flagged byte is the first in the text.
            return Some(index * 8 + found.trailing_zeros() as usize / 8);
        }
    }
    let found = rest.iter().position(|&b| wanted(b))?;
    Some(bytes.len() - rest.len() + found)
}
