//! Reading header values as text on the hot path.

use actix_web::http::header::{HeaderName, HeaderValue};

// Header names the `http` crate does not predefine. Looking a header up by `&str` builds a
// `HeaderName` first, and for these names that copies the name into a fresh allocation on
// every request; a constant does not.
pub(crate) const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
pub(crate) const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub(crate) const SEC_FETCH_DEST: HeaderName = HeaderName::from_static("sec-fetch-dest");

/// Exactly `HeaderValue::to_str`: the value when every byte is visible ASCII or a tab.
///
/// `to_str` checks byte by byte with an early exit, which the compiler cannot vectorise; on a
/// 1 KiB session token that loop cost as much as the rest of a cached authentication. Folding
/// the test over all bytes lets it run 32 bytes at a time.
pub(crate) fn visible_ascii(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let visible = bytes.iter().fold(true, |ok, &b| {
        ok & (((0x20..0x7f).contains(&b)) | (b == b'\t'))
    });
    // Visible ASCII is always UTF-8; the conversion re-checks that in a fast ASCII pass.
    visible.then(|| std::str::from_utf8(bytes).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_to_str_on_every_byte() {
        for byte in 0..=u8::MAX {
            let raw = [b'a', byte, b'z'];
            let Ok(value) = HeaderValue::from_bytes(&raw) else {
                continue;
            };
            assert_eq!(
                visible_ascii(&value),
                value.to_str().ok(),
                "byte {byte:#04x}"
            );
        }
        let long = HeaderValue::from_str(&"x".repeat(4096)).unwrap();
        assert_eq!(visible_ascii(&long).map(str::len), Some(4096));
        let mut bytes = vec![b'x'; 4096];
        bytes[4000] = 0x80;
        let late_high_byte = HeaderValue::from_bytes(&bytes).unwrap();
        assert_eq!(visible_ascii(&late_high_byte), None);
    }
}
