//! Clerk's `normalizePath`: JavaScript `decodeURI`, then `//+` collapsed to `/`.
//!
//! Decoding first means `/%61dmin` is matched as `/admin`, as the framework router would route it;
//! keeping the reserved characters encoded means `%2F` never becomes a segment separator.

use std::borrow::Cow;

use super::MalformedUrl;

/// Characters `decodeURI` leaves percent-encoded (its reserved set plus `#`).
const RESERVED: &[u8] = b";/?:@&=+$,#";

/// Normalises a raw request path for route matching. Borrows when there is nothing to change,
/// so the common path (no `%`, no `//`) does not allocate.
pub(crate) fn normalize_path(path: &str) -> Result<Cow<'_, str>, MalformedUrl> {
    let decoded = decode_uri(path)?;
    if !decoded.contains("//") {
        return Ok(decoded);
    }
    let mut collapsed = String::with_capacity(decoded.len());
    let mut previous_was_slash = false;
    for c in decoded.chars() {
        let is_slash = c == '/';
        if !(is_slash && previous_was_slash) {
            collapsed.push(c);
        }
        previous_was_slash = is_slash;
    }
    Ok(Cow::Owned(collapsed))
}

/// ECMAScript `decodeURI`: decodes `%XX` sequences that form UTF-8, except reserved characters,
/// which stay exactly as written (hex case included). Anything else malformed is an error.
fn decode_uri(input: &str) -> Result<Cow<'_, str>, MalformedUrl> {
    let Some(first_escape) = input.find('%') else {
        return Ok(Cow::Borrowed(input));
    };
    let bytes = input.as_bytes();
    let mut decoded = String::with_capacity(input.len());
    decoded.push_str(&input[..first_escape]);
    let mut i = first_escape;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            // Copy up to the next escape; `%` is ASCII, so the slice ends on a char boundary.
            let end = input[i..]
                .find('%')
                .map_or(input.len(), |offset| i + offset);
            decoded.push_str(&input[i..end]);
            i = end;
            continue;
        }
        let start = i;
        let malformed = MalformedUrl { offset: start };
        let lead = escaped_byte(bytes, i).ok_or(malformed)?;
        i += 3;
        if lead.is_ascii() {
            if RESERVED.contains(&lead) {
                decoded.push_str(&input[start..i]);
            } else {
                decoded.push(char::from(lead));
            }
            continue;
        }
        let length = lead.leading_ones() as usize;
        if !(2..=4).contains(&length) {
            return Err(malformed);
        }
        let mut sequence = [lead, 0, 0, 0];
        for slot in sequence.iter_mut().take(length).skip(1) {
            let continuation = escaped_byte(bytes, i).ok_or(malformed)?;
            if continuation & 0xC0 != 0x80 {
                return Err(malformed);
            }
            *slot = continuation;
            i += 3;
        }
        // Rejects overlong forms, surrogates and values above U+10FFFF, as `decodeURI` does.
        let character = std::str::from_utf8(&sequence[..length]).map_err(|_| malformed)?;
        decoded.push_str(character);
    }
    Ok(Cow::Owned(decoded))
}

/// The byte written as `%XX` at `at`, if there is one.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let [b'%', high, low] = *bytes.get(at..at + 3)? else {
        return None;
    };
    let digit = |b: u8| char::from(b).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(path: &str) -> String {
        normalize_path(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into_owned()
    }

    #[test]
    fn untouched_paths_are_borrowed() {
        assert!(matches!(
            normalize_path("/a/b/c"),
            Ok(Cow::Borrowed("/a/b/c"))
        ));
    }

    #[test]
    fn decodes_unreserved_escapes() {
        assert_eq!(normalized("/%61dmin"), "/admin");
        assert_eq!(normalized("/caf%C3%A9"), "/café");
        assert_eq!(normalized("/%F0%9F%98%80"), "/😀");
        assert_eq!(normalized("/a%20b"), "/a b");
        // `%` itself is not reserved: `%2525` decodes once, to `%25`.
        assert_eq!(normalized("/%2525"), "/%25");
    }

    #[test]
    fn reserved_escapes_stay_as_written() {
        assert_eq!(normalized("/a%2Fb"), "/a%2Fb");
        assert_eq!(normalized("/a%2fb"), "/a%2fb");
        for reserved in [
            "%3B", "%2F", "%3F", "%3A", "%40", "%26", "%3D", "%2B", "%24", "%2C", "%23",
        ] {
            let path = format!("/x{reserved}y");
            assert_eq!(normalized(&path), path);
        }
    }

    #[test]
    fn collapses_repeated_slashes_after_decoding() {
        assert_eq!(normalized("//api///admin"), "/api/admin");
        assert_eq!(normalized("/%2F/x"), "/%2F/x");
        assert_eq!(normalized("/a/%2F%2F"), "/a/%2F%2F");
    }

    #[test]
    fn malformed_escapes_are_errors_with_their_offset() {
        let cases = [
            ("/%E0%A4%A", 1),
            ("/%", 1),
            ("/%4", 1),
            ("/%zz", 1),
            ("/ok/%80", 4),       // continuation byte as lead
            ("/%C3", 1),          // truncated sequence
            ("/%C3%41", 1),       // not a continuation byte
            ("/%C0%AF", 1),       // overlong "/"
            ("/%ED%A0%80", 1),    // surrogate
            ("/%F4%90%80%80", 1), // above U+10FFFF
            ("/%F8%80%80%80", 1), // five-byte lead
        ];
        for (path, offset) in cases {
            assert_eq!(normalize_path(path), Err(MalformedUrl { offset }), "{path}");
        }
    }
}
