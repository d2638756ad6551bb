//! The JSON session tokens are made of, parsed without serde: objects, arrays, strings without
//! escapes, integers of up to 18 digits, `true`, `false` and `null`, at most 32 levels deep.
//!
//! Anything else (an escape, a fraction or exponent, a longer integer, `-0`, deeper nesting, or
//! text that is not JSON at all) makes [`object`] answer `None`, and serde_json parses the text
//! instead; so this parser never decides whether a text is accepted, it only gets there faster
//! for the plain case. What it builds is what the serde path builds from the same text, except
//! that the strings of the layout's members stay where they are in the text (serde_json's are
//! copied out): read from there, they are the same strings.
//! serde_json spends most of a payload's parse on generic machinery: a UTF-8 check and a
//! scratch-buffer decision per string, and a visitor call per value.

use serde_json::{Map, Number, Value};

use crate::byte_search;

use super::{Layout, OrgClaim, OrgObject, Parsed, Slot, Span, StringMember, Text};

const MAX_DEPTH: u32 = 32;

/// The object `json` holds, parsed as [`super::ObjectVisitor`] parses it, or `None` when the
/// text is not plain (see the module docs) or not one object with distinct top-level keys.
pub(super) fn object<L: Layout>(text: &str) -> Option<Parsed<L::Typed>> {
    // Strings are sliced at their quotes, which are on character boundaries.
    let mut plain = Plain {
        text,
        at: 0,
        depth: 0,
    };
    plain.whitespace();
    let parsed = plain.members::<L>()?;
    plain.whitespace();
    (plain.at == text.len()).then_some(parsed)
}

pub(crate) struct Plain<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl<'a> Plain<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The top-level object, its members read as layout `L` reads them.
    fn members<L: Layout>(&mut self) -> Option<Parsed<L::Typed>> {
        let mut known: Box<[Option<Slot>]> = L::NAMES.iter().map(|_| None).collect();
        let mut typed = L::Typed::default();
        // The keys outside the layout, for the duplicate check: the first few on the stack (a
        // session token has one, `o`), so that the usual payload allocates nothing for them.
        let mut few = [""; 8];
        let mut more: Vec<&str> = Vec::new();
        let mut others = 0;
        let mut members = 0;
        self.entries(|plain, key| {
            members += 1;
            match L::index(key) {
                Some(index) if known[index].is_some() => return None,
                Some(index) => known[index] = Some(plain.slot()?),
                None => {
                    if few[..others.min(few.len())].contains(&key) || more.contains(&key) {
                        return None;
                    }
                    if !L::read_typed_plain(key, plain, &mut typed)? {
                        plain.skip()?;
                    }
                    match few.get_mut(others) {
                        Some(slot) => *slot = key,
                        None => more.push(key),
                    }
                    others += 1;
                }
            }
            Some(())
        })?;
        Some((known, typed, members))
    }

    /// Walks an object, calling `member` with each key when its value is next.
    fn entries(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.delimited(b'{', b'}', |plain| {
            let key = plain.string()?;
            plain.whitespace();
            plain.eat(b':')?;
            plain.whitespace();
            member(plain, key)
        })
    }

    /// Walks an array, calling `item` when each element is next.
    fn items(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.delimited(b'[', b']', item)
    }

    /// `open`, elements separated by commas (`element` reads one), `close`; one level deeper.
    fn delimited(
        &mut self,
        open: u8,
        close: u8,
        mut element: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.nest()?;
        self.eat(open)?;
        self.whitespace();
        if self.eat(close).is_none() {
            loop {
                self.whitespace();
                element(self)?;
                self.whitespace();
                match self.peek()? {
                    b',' => self.at += 1,
                    byte if byte == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A string without escapes and control characters.
    fn string(&mut self) -> Option<&'a str> {
        // Both ends are ASCII quotes, so the span is on character boundaries.
        self.string_span()?.of(self.text)
    }

    /// [`Self::string`], as where it lies in the text.
    fn string_span(&mut self) -> Option<Span> {
        self.eat(b'"')?;
        let start = self.at;
        let length = string_end(&self.text.as_bytes()[start..])?;
        self.at = start + length;
        self.eat(b'"')?;
        Some(Span {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(start + length).ok()?,
        })
    }

    /// A member of the layout: a string stays in the text.
    fn slot(&mut self) -> Option<Slot> {
        Some(match self.peek()? {
            b'"' => Slot::Text {
                span: self.string_span()?,
                value: Default::default(),
            },
            _ => Slot::Value(self.value()?),
        })
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at += word.len())
    }

    /// `-?(0|[1-9][0-9]*)` of at most 18 digits (so it fits both `u64` and `i64`), not `-0`
    /// (serde_json makes that a float), not followed by a fraction or exponent.
    fn integer(&mut self) -> Option<Number> {
        let negative = self.peek()? == b'-';
        if negative {
            self.at += 1;
        }
        // Read and summed in one pass; a nineteenth digit stops it.
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut value = 0u64;
        while let Some(&digit @ b'0'..=b'9') = bytes.get(self.at) {
            if self.at - start == 18 {
                return None;
            }
            value = value * 10 + u64::from(digit - b'0');
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (bytes[start] == b'0' && digits > 1) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        match (negative, value) {
            (false, value) => Some(Number::from(value)),
            (true, 0) => None,
            (true, value) => Some(Number::from(-i64::try_from(value).ok()?)),
        }
    }

    /// A value, as `Value` deserializes it.
    fn value(&mut self) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?.to_owned()),
            b'{' => {
                let mut map = Map::new();
                self.entries(|plain, key| {
                    // A repeated key inside a value keeps its last value, as in `Value`.
                    map.insert(key.to_owned(), plain.value()?);
                    Some(())
                })?;
                Value::Object(map)
            }
            b'[' => {
                let mut items = Vec::new();
                self.items(|plain| {
                    items.push(plain.value()?);
                    Some(())
                })?;
                Value::Array(items)
            }
            b't' => self.literal("true").map(|()| Value::Bool(true))?,
            b'f' => self.literal("false").map(|()| Value::Bool(false))?,
            b'n' => self.literal("null").map(|()| Value::Null)?,
            _ => Value::Number(self.integer()?),
        })
    }

    /// A value read and dropped.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.entries(|plain, _| plain.skip()),
            b'[' => self.items(Self::skip),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.integer().map(drop),
        }
    }

    /// The organization claim (`o`), as its serde `Deserialize` reads it.
    pub(super) fn org(&mut self) -> Option<OrgClaim> {
        match self.peek()? {
            b'{' => {
                let mut org = OrgObject::default();
                self.entries(|plain, key| match org.member_mut(key) {
                    Some(member) => {
                        *member = plain.string_member()?;
                        Some(())
                    }
                    None => plain.skip(),
                })?;
                Some(OrgClaim::Object(org))
            }
            b'n' => self.literal("null").map(|()| OrgClaim::Absent),
            _ => self.skip().map(|()| OrgClaim::NotAnObject),
        }
    }

    fn string_member(&mut self) -> Option<StringMember> {
        match self.peek()? {
            b'"' => Some(StringMember::Text(Text::Span(self.string_span()?))),
            b'n' => self.literal("null").map(|()| StringMember::Absent),
            _ => self.skip().map(|()| StringMember::NotAString),
        }
    }
}

/// Where the first `"`, `\\` or control character of `bytes` is: the end of a plain string's
/// text, or where it stops being plain. Most of a token's JSON is string text, so it is read
/// eight bytes at a time.
fn string_end(bytes: &[u8]) -> Option<usize> {
    byte_search::position(
        bytes,
        |word| {
            byte_search::equal(word, b'"')
                | byte_search::equal(word, b'\\')
                | byte_search::below(word, 0x20)
        },
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Claims, HeaderParameters};

    #[test]
    fn a_session_tokens_payload_and_header_are_plain() {
        let payload = r#"{"azp":"http://localhost:3000","exp":1795721577,"fea":"o:invoices","fva":[0,-1],"iat":1795714377,"iss":"https://clerk.example","nbf":1795714367,"o":{"fpm":"3","id":"org_1","per":"read,write","rol":"admin","slg":"acme"},"sid":"sess_1","sts":"active","sub":"user_1","v":2}"#;
        let (known, org, members) = object::<Claims>(payload).expect("plain");
        assert_eq!(members, 12);
        assert_eq!(
            known[Claims::index("fva").unwrap()],
            Some(Slot::Value(serde_json::json!([0, -1])))
        );
        // Strings stay in the text.
        let Some(Slot::Text { span, .. }) = &known[Claims::index("sub").unwrap()] else {
            panic!("sub is a span");
        };
        assert_eq!(span.of(payload), Some("user_1"));
        let OrgClaim::Object(OrgObject {
            id: StringMember::Text(Text::Span(span)),
            ..
        }) = org
        else {
            panic!("o.id is a span");
        };
        assert_eq!(span.of(payload), Some("org_1"));
        let header = r#" {"alg":"RS256","kid":"ins_2abc","typ":"JWT"} "#;
        assert!(object::<HeaderParameters>(header).is_some());
    }

    #[test]
    fn a_string_ends_at_its_first_quote_backslash_or_control_character() {
        let bytewise = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        };
        // Each of the ends, and bytes that only look near one, at every place in a word.
        let fillers = [
            b'a', b'!', b'#', b'[', b']', b' ', 0x7f, 0x80, 0xc3, 0xff, 0x21, 0x5d,
        ];
        let ends = [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'];
        for length in 0..40 {
            for place in 0..=length {
                for (i, &end) in ends.iter().enumerate() {
                    let mut text: Vec<u8> = (0..length)
                        .map(|j| fillers[(j + i) % fillers.len()])
                        .collect();
                    if place < length {
                        text[place] = end;
                        // A second end later on must not move the first.
                        if place + 3 < length {
                            text[place + 3] = ends[(i + 1) % ends.len()];
                        }
                    }
                    assert_eq!(string_end(&text), bytewise(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn integers_read_as_serde_reads_them_or_not_at_all() {
        let plain_exp = |number: &str| {
            let text = format!("{{\"exp\":{number},\"nbf\":1}}");
            object::<Claims>(&text)
                .map(|(known, _, _)| known[Claims::index("exp").unwrap()].clone())
        };
        let eighteen = "123456789012345678";
        for number in [
            "0",
            "7",
            "-1",
            "10",
            "1795795499",
            "-42",
            eighteen,
            "-999999999999999999",
        ] {
            let expected: Value = serde_json::from_str(number).unwrap();
            assert_eq!(
                plain_exp(number),
                Some(Some(Slot::Value(expected))),
                "{number}"
            );
        }
        let nineteen = format!("{eighteen}9");
        for number in [
            "-0",
            "01",
            "-01",
            "00",
            "1.5",
            "1e3",
            "1E3",
            "-",
            "",
            &nineteen,
            "-1234567890123456789",
        ] {
            assert_eq!(plain_exp(number), None, "{number}");
        }
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for text in [
            r#"{"sub":"a\"b"}"#,
            r#"{"s\u0075b":"a"}"#,
            r#"{"exp":1.5}"#,
            r#"{"exp":1e3}"#,
            r#"{"exp":-0}"#,
            r#"{"exp":0123}"#,
            r#"{"exp":1234567890123456789}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":1,}"#,
            r#"{"x":tru}"#,
            r#"{"x":nul}"#,
            r#"{"x":"tab	inside"}"#,
            "{\"x\":\"\u{e9}\"} x",
            r#"{"x":1}{}"#,
            r#"[]"#,
            r#"{"sub":"a","sub":"b"}"#,
            r#"{"x":1,"x":2}"#,
            "",
        ] {
            assert!(object::<Claims>(text).is_none(), "{text}");
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(40), "]".repeat(40));
        assert!(object::<Claims>(&deep).is_none());
        // Non-ASCII text without escapes is plain.
        assert!(object::<Claims>("{\"name\":\"Zoë\"}").is_some());
    }

    #[test]
    fn a_repeated_key_outside_the_layout_is_found_among_any_number_of_others() {
        // More keys than are kept on the stack, the empty key among them.
        let keys = ["k0", "k1", "k2", "k3", "", "k5", "k6", "o", "k8", "k9"];
        let object_of = |keys: &[&str]| {
            let members: Vec<String> = keys.iter().map(|k| format!("\"{k}\":1")).collect();
            format!("{{{}}}", members.join(","))
        };
        let distinct = object_of(&keys);
        assert_eq!(
            object::<Claims>(&distinct).map(|(_, _, n)| n),
            Some(keys.len())
        );
        for repeated in keys {
            for at in 0..=keys.len() {
                let mut with_repeat = keys.to_vec();
                with_repeat.insert(at, repeated);
                let text = object_of(&with_repeat);
                assert!(object::<Claims>(&text).is_none(), "{text}");
            }
        }
    }
}
