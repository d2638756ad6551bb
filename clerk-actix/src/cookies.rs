//! `Cookie` header parsing with the exact rules of the `cookie` npm package Clerk uses.
//!
//! Pairs are split on `;`, name and value on the first `=`, both trimmed; one pair of surrounding
//! double quotes is stripped; a value containing `%` is percent-decoded (on failure the raw value
//! is kept). The first occurrence of a name wins, so a duplicate cookie cannot override one set
//! earlier in the header.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// The cookies of one request, borrowed from its `Cookie` header(s).
#[derive(Debug, Default)]
pub(crate) struct Cookies<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Cookies<'a> {
    /// Parses one `Cookie` header value.
    #[cfg(test)]
    pub(crate) fn parse(header: &'a str) -> Self {
        let mut cookies = Self::default();
        cookies.extend(header);
        cookies
    }

    /// Adds the pairs of another `Cookie` header (HTTP/2 may split cookies over several).
    pub(crate) fn extend(&mut self, header: &'a str) {
        for pair in header.split(';') {
            // A segment without `=` is skipped, as the npm parser does.
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = name.trim_matches(is_cookie_whitespace);
            if name.is_empty() {
                continue;
            }
            let value = value.trim_matches(is_cookie_whitespace);
            self.pairs.push((name, value));
        }
    }

    /// The value of the first cookie named `name`, decoded.
    pub(crate) fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| decode(value))
    }

    /// Clerk's `getSuffixedOrUnSuffixedCookie`: `<name>_<suffix>` when the request uses suffixed
    /// cookies, else `<name>`. Never a fallback from one to the other.
    pub(crate) fn pick(&self, name: &str, suffix: &str, suffixed: bool) -> Option<Cow<'a, str>> {
        if suffixed {
            self.suffixed(name, suffix)
        } else {
            self.get(name)
        }
    }

    /// The value of `<name>_<suffix>` (never of `<name>`).
    pub(crate) fn suffixed(&self, name: &str, suffix: &str) -> Option<Cow<'a, str>> {
        if suffix.is_empty() {
            return None;
        }
        self.pairs
            .iter()
            .find(|(n, _)| {
                n.len() == name.len() + 1 + suffix.len()
                    && n.starts_with(name)
                    && n[name.len()..].starts_with('_')
                    && n.ends_with(suffix)
            })
            .map(|(_, value)| decode(value))
    }
}

fn is_cookie_whitespace(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn decode(raw: &str) -> Cow<'_, str> {
    let unquoted = raw
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(raw);
    if !unquoted.contains('%') {
        return Cow::Borrowed(unquoted);
    }
    // `decodeURIComponent` fails on malformed escapes and on invalid UTF-8; the raw value is kept then.
    if has_malformed_escape(unquoted) {
        return Cow::Borrowed(unquoted);
    }
    match percent_decode_str(unquoted).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => Cow::Borrowed(unquoted),
    }
}

fn has_malformed_escape(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let valid = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !valid {
                return true;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_npm_cookie_package() {
        let c = Cookies::parse(r#"a=1; b = two ;c="quoted"; d=%7Bx%7D; e=%E0%A4%A; f; g=x=y"#);
        assert_eq!(c.get("a").as_deref(), Some("1"));
        assert_eq!(c.get("b").as_deref(), Some("two"));
        assert_eq!(c.get("c").as_deref(), Some("quoted"));
        assert_eq!(c.get("d").as_deref(), Some("{x}"));
        assert_eq!(
            c.get("e").as_deref(),
            Some("%E0%A4%A"),
            "malformed escape keeps the raw value"
        );
        assert_eq!(c.get("f"), None);
        assert_eq!(c.get("g").as_deref(), Some("x=y"));
    }

    #[test]
    fn first_duplicate_wins() {
        let c = Cookies::parse("__session=first; __session=second");
        assert_eq!(c.get("__session").as_deref(), Some("first"));
    }

    #[test]
    fn invalid_utf8_after_decoding_keeps_raw() {
        let c = Cookies::parse("x=%FF%FE");
        assert_eq!(c.get("x").as_deref(), Some("%FF%FE"));
    }

    #[test]
    fn suffixed_lookup() {
        let c = Cookies::parse("__session=plain; __session_abc=suffixed; __client_uat=1");
        assert_eq!(
            c.pick("__session", "abc", true).as_deref(),
            Some("suffixed")
        );
        assert_eq!(c.pick("__session", "abc", false).as_deref(), Some("plain"));
        assert_eq!(
            c.pick("__client_uat", "abc", true),
            None,
            "no fallback to the unsuffixed cookie"
        );
        assert_eq!(c.suffixed("__client_uat", "abc"), None);
        assert_eq!(c.suffixed("__session", ""), None);
        assert_eq!(c.suffixed("__session", "ab"), None);
    }

    #[test]
    fn multiple_headers_accumulate_and_first_wins() {
        let mut c = Cookies::parse("a=1");
        c.extend("a=2; b=3");
        assert_eq!(c.get("a").as_deref(), Some("1"));
        assert_eq!(c.get("b").as_deref(), Some("3"));
    }
}
