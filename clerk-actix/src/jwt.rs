//! Decoding JWTs (without verifying them) and recognising Clerk's token kinds.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use crate::byte_search;
use crate::error::{TokenErrorReason, TokenVerificationError, unlikely};
use crate::payload::{Header, JsonObject, Layout, Payload};

/// JWT `cat` header values Clerk uses to tell token categories apart.
pub(crate) mod category {
    pub(crate) const SESSION_TOKEN: &str = "cl_B7d4PD111AAA";
    pub(crate) const M2M_TOKEN: &str = "cl_B7d4PD333AAA";
    pub(crate) const IGNORE: &str = "cl_I7d4PD111III";
}

// Clerk's `base64url.parse(.., { loose: true })`: URL-safe alphabet, padding optional.
const BASE64URL_LOOSE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A decoded, not yet verified JWT.
pub(crate) struct DecodedJwt<'t> {
    /// `<header>.<payload>`, the bytes the signature covers.
    pub(crate) signing_input: &'t str,
    /// Shared with this thread's copy of the last header that verified (see [`LAST_HEADER`]).
    pub(crate) header: Arc<Header>,
    pub(crate) payload: Payload,
    pub(crate) signature: Vec<u8>,
}

impl fmt::Debug for DecodedJwt<'_> {
    // Never print the token or signature: a token in a log line is a credential in a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedJwt")
            .field("alg", &self.header.get("alg"))
            .field("kid", &self.header.get("kid"))
            .finish_non_exhaustive()
    }
}

impl<'t> DecodedJwt<'t> {
    /// Splits and decodes a compact JWS. Errors carry Clerk's `token-invalid` messages.
    pub(crate) fn decode(token: &'t str) -> Result<Self, TokenVerificationError> {
        let form = || {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalid,
                "Invalid JWT form. A JWT consists of three parts separated by dots.",
            )
        };
        // The split stops at the second dot: a fourth segment leaves a dot in the signature,
        // which is not base64url, so the signature's text is searched for one only when
        // decoding fails (where the form error comes first, as in Clerk's `decodeJwt`).
        let bytes = token.as_bytes();
        let Some(first) = first_dot(bytes) else {
            return Err(unlikely(form));
        };
        let Some(second) = first_dot(&bytes[first + 1..]).map(|at| first + 1 + at) else {
            return Err(unlikely(form));
        };
        // A dot is ASCII, so both are character boundaries.
        let (header, payload, signature) = (
            &token[..first],
            &token[first + 1..second],
            &token[second + 1..],
        );
        let decoded = || {
            Some((
                decode_header(header)?,
                decode_object(payload)?,
                decode_segment(signature)?,
            ))
        };
        let Some((header_json, payload_json, signature)) = decoded() else {
            if signature.contains('.') {
                return Err(unlikely(form));
            }
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenInvalid,
                    "Invalid JWT. The header, payload or signature could not be decoded.",
                )
            }));
        };
        Ok(Self {
            signing_input: &token[..header.len() + 1 + payload.len()],
            header: header_json,
            payload: payload_json,
            signature,
        })
    }

    /// Remembers this token's header as the one its thread decodes next without work: called
    /// once its signature verified, so only a signed header (a real instance's) takes the slot.
    pub(crate) fn remember_header(&self) {
        let segment =
            first_dot(self.signing_input.as_bytes()).map_or("", |at| &self.signing_input[..at]);
        LAST_HEADER.with_borrow_mut(|last| match last {
            Some((text, _)) if **text == *segment => {}
            _ => *last = Some((segment.into(), Arc::clone(&self.header))),
        });
    }

    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get_str(name)
    }

    /// The `cat` header when it is a string; a non-string `cat` counts as an unknown category.
    pub(crate) fn category(&self) -> Option<&str> {
        match self.header.get("cat") {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => Some(""),
        }
    }

    /// A `cat` header other than session token or "ignore" (JWT templates, M2M, unknown).
    pub(crate) fn has_non_session_category(&self) -> bool {
        self.category()
            .is_some_and(|cat| cat != category::SESSION_TOKEN && cat != category::IGNORE)
    }

    /// An OAuth access token in JWT form (RFC 9068 `typ`).
    pub(crate) fn is_oauth_jwt(&self) -> bool {
        matches!(
            self.header_str("typ"),
            Some("at+jwt" | "application/at+jwt")
        )
    }

    /// An M2M token in JWT form (`sub` starting with `mch_`).
    pub(crate) fn is_m2m_jwt(&self) -> bool {
        self.payload
            .get_str("sub")
            .is_some_and(|sub| sub.starts_with("mch_"))
    }
}

thread_local! {
    /// The header segment of the last token whose signature verified on this thread, decoded.
    ///
    /// Every session token of an instance carries the same header (`alg`, `kid`, `typ`) until
    /// its key rotates, so a token never seen before still has a header seen before: taking the
    /// parsed one skips its base64url, its JSON and their allocations. Decoding is a function of
    /// the text, so equal text gives an equal header. Per thread (an actix worker is one), so
    /// reading it takes no lock and shares no cache line; one slot, so it is bounded.
    static LAST_HEADER: RefCell<Option<(Box<str>, Arc<Header>)>> = const { RefCell::new(None) };
}

/// The header segment decoded: this thread's last verified header if the text is the same.
fn decode_header(segment: &str) -> Option<Arc<Header>> {
    let remembered = LAST_HEADER.with_borrow(|last| match last {
        Some((text, header)) if **text == *segment => Some(Arc::clone(header)),
        _ => None,
    });
    remembered.or_else(|| decode_object(segment).map(Arc::new))
}

/// Base64url-decodes one segment and parses it as a JSON object, rejecting duplicate keys
/// (a duplicate claim is ambiguous: two parsers could each see a different value).
fn decode_object<L: Layout>(segment: &str) -> Option<JsonObject<L>> {
    JsonObject::parse(decode_segment(segment)?)
}

/// Base64url-decodes one segment of a token, padding optional (Clerk's loose decoding).
pub(crate) fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    decode_canonical(segment.as_bytes()).or_else(|| BASE64URL_LOOSE.decode(segment).ok())
}

/// Each base64url character's six bits at the place they take in a four-character group, one
/// table per place; [`NOT_BASE64URL`] for every other byte (`=` included), in every table.
static BASE64URL_BITS: [[u32; 256]; 4] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut tables = [[NOT_BASE64URL; 256]; 4];
    let mut place = 0;
    while place < 4 {
        let mut i = 0;
        while i < alphabet.len() {
            tables[place][alphabet[i] as usize] = (i as u32) << (18 - 6 * place);
            i += 1;
        }
        place += 1;
    }
    tables
};
/// Above the 24 bits a group decodes to, so it survives the OR of a group's four entries.
const NOT_BASE64URL: u32 = 1 << 31;

/// The common case of [`decode_segment`], without the general engine's per-chunk checks: only
/// base64url characters, then no padding or exactly the padding the length calls for. Anything
/// else answers `None` and goes to `BASE64URL_LOOSE`, so this never decides whether a segment is
/// accepted; where it answers, it answers what that engine would (trailing bits ignored too).
fn decode_canonical(segment: &[u8]) -> Option<Vec<u8>> {
    let segment = match segment {
        [text @ .., b'=', b'='] if text.len() % 4 == 2 => text,
        [text @ .., b'='] if text.len() % 4 == 3 => text,
        _ => segment,
    };
    let tail = segment.len() % 4;
    if tail == 1 {
        return None;
    }
    let [first, second, third, fourth] = &BASE64URL_BITS;
    let mut out = Vec::with_capacity(segment.len() / 4 * 3 + tail.saturating_sub(1));
    let mut seen = 0;
    let (quads, rest) = segment.as_chunks::<4>();
    // 64 groups at a time through a buffer on the stack: decoding straight into `out` would
    // need it zeroed first, and a zeroed allocation is a `calloc`, which glibc serves without
    // its per-thread cache (twice per token, through the general allocator).
    let mut block = [0u8; 192];
    for groups in quads.chunks(64) {
        let (triples, _) = block.as_chunks_mut::<3>();
        for ([a, b, c, d], triple) in groups.iter().zip(triples) {
            let bits = first[usize::from(*a)]
                | second[usize::from(*b)]
                | third[usize::from(*c)]
                | fourth[usize::from(*d)];
            seen |= bits;
            triple.copy_from_slice(&bits.to_be_bytes()[1..]);
        }
        out.extend_from_slice(&block[..groups.len() * 3]);
    }
    if let [a, b, ref more @ ..] = *rest {
        let bits = first[usize::from(a)]
            | second[usize::from(b)]
            | more.first().map_or(0, |&c| third[usize::from(c)]);
        seen |= bits;
        out.extend_from_slice(&bits.to_be_bytes()[1..rest.len()]);
    }
    (seen & NOT_BASE64URL == 0).then_some(out)
}

/// Where the first `.` of `bytes` is, read eight bytes at a time. A session token's dots are
/// about 100 and 550 bytes in; `str::split`'s general character search took more instructions
/// and more lines of code to get there, on every token the cache has not seen.
fn first_dot(bytes: &[u8]) -> Option<usize> {
    byte_search::position(bytes, |word| byte_search::equal(word, b'.'), |b| b == b'.')
}

/// Checks that each dot-separated part of `token` decodes as the loose engine alone decodes it
/// (for the fuzzing harness).
#[cfg(feature = "fuzzing")]
pub(crate) fn assert_segment_decoding_agrees(token: &str) {
    for segment in token.split('.') {
        assert_eq!(
            decode_segment(segment),
            BASE64URL_LOOSE.decode(segment).ok(),
            "the fast base64url path and the engine disagree"
        );
    }
}

/// Clerk's `isJwtFormat`: three non-empty base64url segments.
pub(crate) fn is_jwt_format(token: &str) -> bool {
    let mut count = 0;
    for part in token.split('.') {
        count += 1;
        if part.is_empty()
            || !part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    count == 3
}

/// `JSON.stringify(value)` as used in Clerk's messages; `undefined` for a missing value.
pub(crate) fn js_stringify(value: Option<&Value>) -> String {
    value.map_or_else(|| "undefined".to_owned(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_dot_is_found_wherever_it_is() {
        let bytewise = |bytes: &[u8]| bytes.iter().position(|&b| b == b'.');
        // Bytes next to a dot's value, with its low bits, and a dot's value with the high bit.
        let fillers = [
            b'a', b'-', b'/', b',', b'\x00', 0x2f, 0x2d, 0xae, 0x6e, 0xff, 0x01, b'_',
        ];
        for length in 0..40 {
            for place in 0..=length {
                for shift in 0..fillers.len() {
                    let mut text: Vec<u8> = (0..length)
                        .map(|j| fillers[(j + shift) % fillers.len()])
                        .collect();
                    if place < length {
                        text[place] = b'.';
                        if place + 2 < length {
                            text[place + 2] = b'.';
                        }
                    }
                    assert_eq!(first_dot(&text), bytewise(&text), "{text:?}");
                }
            }
        }
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn decodes_three_segments() {
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","kid":"k"}"#),
            b64(r#"{"sub":"user_1"}"#),
            b64("sig")
        );
        let jwt = DecodedJwt::decode(&token).unwrap();
        assert_eq!(jwt.header_str("kid"), Some("k"));
        assert_eq!(jwt.payload.get("sub").unwrap(), "user_1");
        assert_eq!(jwt.signature, b"sig");
        assert!(token.starts_with(jwt.signing_input));
        assert_eq!(jwt.signing_input.matches('.').count(), 1);
    }

    #[test]
    fn a_verified_header_is_decoded_once_per_thread() {
        let header = b64(r#"{"alg":"RS256","kid":"k","typ":"JWT"}"#);
        let token = |sub: &str| format!("{header}.{}.{}", b64(sub), b64("sig"));
        let (first, second) = (token(r#"{"sub":"a"}"#), token(r#"{"sub":"b"}"#));
        let first = DecodedJwt::decode(&first).unwrap();
        // Decoding alone remembers nothing: only a header whose signature verified is kept.
        assert!(!Arc::ptr_eq(
            &first.header,
            &DecodedJwt::decode(&second).unwrap().header
        ));
        first.remember_header();
        let again = DecodedJwt::decode(&second).unwrap();
        assert!(Arc::ptr_eq(&first.header, &again.header));
        assert_eq!(again.header_str("kid"), Some("k"));
        assert_eq!(again.payload.get("sub").unwrap(), "b");
        // Other text is decoded as itself, even when it differs only in padding.
        let other = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","kid":"k2"}"#),
            b64("{}"),
            b64("s")
        );
        assert_eq!(
            DecodedJwt::decode(&other).unwrap().header_str("kid"),
            Some("k2")
        );
        let padded = format!("{header}=.{}.{}", b64("{}"), b64("s"));
        let padded = DecodedJwt::decode(&padded);
        assert!(!padded.is_ok_and(|jwt| Arc::ptr_eq(&jwt.header, &first.header)));
        // Another thread has its own slot, empty until a header verifies there.
        let second = token(r#"{"sub":"c"}"#);
        let elsewhere = std::thread::spawn(move || {
            let jwt = DecodedJwt::decode(&second).unwrap();
            jwt.header_str("kid").map(str::to_owned)
        });
        assert_eq!(elsewhere.join().unwrap().as_deref(), Some("k"));
    }

    #[test]
    fn rejects_wrong_shapes() {
        // Upstream's `decodeJwt` vectors: null, undefined, '', 'whatever', a number.
        for token in [
            "",
            "null",
            "undefined",
            "42",
            "a",
            "a.b",
            "a.b.c.d",
            "whatever",
        ] {
            let err = DecodedJwt::decode(token).unwrap_err();
            assert_eq!(err.reason(), TokenErrorReason::TokenInvalid);
            assert!(err.message().contains("three parts"), "{token}");
        }
        // A fourth segment after three that decode, or after a header that does not.
        let (header, payload, sig) = (b64(r#"{"alg":"RS256"}"#), b64("{}"), b64("s"));
        for token in [
            format!("{header}.{payload}.{sig}.{sig}"),
            format!("{header}.{payload}.{sig}."),
            format!("{header}.{payload}.."),
            format!("!!.{payload}.{sig}.{sig}"),
        ] {
            let err = DecodedJwt::decode(&token).unwrap_err();
            assert!(err.message().contains("three parts"), "{token}");
        }
        for token in [
            format!("!!.{}.{}", b64("{}"), b64("s")),
            format!("{}.{}.{}", b64("[1]"), b64("{}"), b64("s")),
            format!("{}.{}.{}", b64("{}"), b64("not json"), b64("s")),
            format!("{}.{}.{}", b64(r#"{"a":1,"a":2}"#), b64("{}"), b64("s")),
            format!("{}.{}.{}", b64("{}"), b64(r#"{"sub":"a"} x"#), b64("s")),
            format!("{}.{}.%%", b64("{}"), b64("{}")),
        ] {
            let err = DecodedJwt::decode(&token).unwrap_err();
            assert!(err.message().contains("could not be decoded"), "{token}");
        }
    }

    #[test]
    fn classifies_categories_and_machine_jwts() {
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","typ":"at+jwt","cat":"cl_B7d4PD222AAA"}"#),
            b64(r#"{"sub":"mch_123"}"#),
            b64("s")
        );
        let jwt = DecodedJwt::decode(&token).unwrap();
        assert!(jwt.is_oauth_jwt());
        assert!(jwt.is_m2m_jwt());
        assert!(jwt.has_non_session_category());
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"cat":7}"#),
            b64(r#"{"sub":1}"#),
            b64("s")
        );
        let jwt = DecodedJwt::decode(&token).unwrap();
        assert!(
            jwt.has_non_session_category(),
            "non-string cat is an unknown category"
        );
        assert!(!jwt.is_m2m_jwt());
    }

    #[test]
    fn segments_decode_as_the_loose_engine_decodes_them() {
        // Random text over the alphabet, its neighbours in other alphabets, padding and a
        // non-ASCII character, compared with the engine alone: the same bytes or the same refusal.
        let symbols: Vec<char> =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.é \0"
                .chars()
                .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        let (mut fast, mut refused) = (0, 0);
        for round in 0..50_000 {
            // Half of the rounds draw from the alphabet only, so most of those take the fast path.
            let pool = if round % 2 == 0 { 64 } else { symbols.len() };
            // Mostly short; three rounds in eight (from the alphabet, padded or not, or not
            // only from it) up to 700 characters, past the 256 decoded per block.
            let length = if round % 8 < 3 { next(700) } else { next(48) };
            let mut segment: String = (0..length).map(|_| symbols[next(pool)]).collect();
            if round % 4 == 0 {
                // The padding its length calls for (none, "=" or "=="; nothing fixes a 1).
                segment.push_str(&"=="[..(4 - segment.len() % 4) % 4 % 3]);
            }
            let expected = BASE64URL_LOOSE.decode(&segment).ok();
            assert_eq!(decode_segment(&segment), expected, "{segment:?}");
            fast += usize::from(decode_canonical(segment.as_bytes()).is_some());
            refused += usize::from(expected.is_none());
        }
        assert!(
            fast > 15_000 && refused > 15_000,
            "fast {fast}, refused {refused}"
        );
        // Trailing bits are ignored, as the engine is configured to.
        assert_eq!(decode_segment("QR"), Some(b"A".to_vec()));
        assert_eq!(decode_segment("QUF"), Some(b"AA".to_vec()));
        assert_eq!(decode_segment("QUE="), Some(b"AA".to_vec()));
        // The padding the length calls for is read here; any other is left to the engine.
        assert!(decode_canonical(b"QUE=").is_some() && decode_canonical(b"QQ==").is_some());
        for other in ["QQ=", "QUE==", "QUFB=", "QQ===", "=", "Q=Q="] {
            assert_eq!(decode_canonical(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn jwt_format() {
        assert!(is_jwt_format("a.b.c"));
        assert!(!is_jwt_format("a.b"));
        assert!(!is_jwt_format("a..c"));
        assert!(!is_jwt_format("a.b.c="));
        assert!(!is_jwt_format("mt_123"));
    }
}
