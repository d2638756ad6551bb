//! A JWT's header and claims, read once. The members this crate checks are parsed as the token
//! is decoded; the others stay JSON text until something asks for them (`SessionClaims::raw`, a
//! handshake's cookie list), so a request that never reads a custom claim never builds a map.
//!
//! A `serde_json::Map` of a session token's payload costs about forty allocations (every key
//! and string value, and the B-tree nodes) and a string comparison per key and level, on every
//! request with a token the cache has not seen.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

mod plain;

/// Which members of a JSON object are parsed as it is decoded; any other name is looked up in
/// the map parsed on demand.
pub(crate) trait Layout {
    /// The members parsed at once.
    const NAMES: &'static [&'static str];
    /// The position of `name` in [`Self::NAMES`].
    fn index(name: &str) -> Option<usize>;

    /// Members read into a type of their own instead of a `Value` (they are not in `NAMES`).
    type Typed: Clone + Default;
    /// Reads the value of member `name` into `typed` if it is one of those; `Ok(false)`: it is
    /// not, and the value is still to be read.
    fn read_typed<'de, A: MapAccess<'de>>(
        name: &str,
        access: &mut A,
        typed: &mut Self::Typed,
    ) -> Result<bool, A::Error>;
    /// [`Self::read_typed`] for the plain-JSON parser; `None`: not plain after all.
    fn read_typed_plain(
        name: &str,
        plain: &mut plain::Plain<'_>,
        typed: &mut Self::Typed,
    ) -> Option<bool>;
    /// [`Self::Typed`] of an object that is a map already.
    fn typed_from_map(map: &Map<String, Value>) -> Self::Typed;
}

/// A JWT payload: the claims of the time, party and audience checks, what `SessionClaims`
/// reads, and `iss` (the cookie flow reads it to pick suffixed cookies). The organization of a
/// v2 token (`o`) is read as an [`OrgClaim`].
#[derive(Clone, Copy)]
pub(crate) struct Claims;

/// A JWT header (JOSE header): the parameters the prechecks and the key lookup read.
#[derive(Clone, Copy)]
pub(crate) struct HeaderParameters;

/// A decoded JWT payload.
pub(crate) type Payload = JsonObject<Claims>;

/// A decoded JWT header.
pub(crate) type Header = JsonObject<HeaderParameters>;

impl Layout for Claims {
    const NAMES: &'static [&'static str] = &CLAIMS;
    fn index(name: &str) -> Option<usize> {
        claim_index(name)
    }

    type Typed = OrgClaim;
    fn read_typed<'de, A: MapAccess<'de>>(
        name: &str,
        access: &mut A,
        org: &mut OrgClaim,
    ) -> Result<bool, A::Error> {
        if name != "o" {
            return Ok(false);
        }
        *org = access.next_value()?;
        Ok(true)
    }
    fn read_typed_plain(
        name: &str,
        plain: &mut plain::Plain<'_>,
        org: &mut OrgClaim,
    ) -> Option<bool> {
        if name != "o" {
            return Some(false);
        }
        *org = plain.org()?;
        Some(true)
    }
    fn typed_from_map(map: &Map<String, Value>) -> OrgClaim {
        OrgClaim::from_value(map.get("o"))
    }
}

impl Layout for HeaderParameters {
    const NAMES: &'static [&'static str] = &["alg", "kid", "typ", "cat", "crit"];
    fn index(name: &str) -> Option<usize> {
        Some(match name {
            "alg" => 0,
            "kid" => 1,
            "typ" => 2,
            "cat" => 3,
            "crit" => 4,
            _ => return None,
        })
    }

    type Typed = ();
    fn read_typed<'de, A: MapAccess<'de>>(
        _: &str,
        _: &mut A,
        (): &mut (),
    ) -> Result<bool, A::Error> {
        Ok(false)
    }
    fn read_typed_plain(_: &str, _: &mut plain::Plain<'_>, (): &mut ()) -> Option<bool> {
        Some(false)
    }
    fn typed_from_map(_: &Map<String, Value>) {}
}

const CLAIMS: [&str; 18] = [
    "sub",
    "sid",
    "sts",
    "v",
    "org_id",
    "org_role",
    "org_slug",
    "org_permissions",
    "fea",
    "pla",
    "fva",
    "act",
    "exp",
    "nbf",
    "iat",
    "azp",
    "aud",
    "iss",
];

/// The position of `name` in [`CLAIMS`].
fn claim_index(name: &str) -> Option<usize> {
    Some(match name {
        "sub" => 0,
        "sid" => 1,
        "sts" => 2,
        "v" => 3,
        "org_id" => 4,
        "org_role" => 5,
        "org_slug" => 6,
        "org_permissions" => 7,
        "fea" => 8,
        "pla" => 9,
        "fva" => 10,
        "act" => 11,
        "exp" => 12,
        "nbf" => 13,
        "iat" => 14,
        "azp" => 15,
        "aud" => 16,
        "iss" => 17,
        _ => return None,
    })
}

/// A JSON object without duplicate top-level keys, its members of layout `L` parsed.
pub(crate) struct JsonObject<L: Layout> {
    /// `L::NAMES.len()` slots. Boxed: a payload is moved through a request's verification, and
    /// waits inside futures.
    known: Box<[Option<Value>]>,
    typed: L::Typed,
    raw: RawJson,
}

impl<L: Layout> Clone for JsonObject<L> {
    fn clone(&self) -> Self {
        Self {
            known: self.known.clone(),
            typed: self.typed.clone(),
            raw: self.raw.clone(),
        }
    }
}

impl<L: Layout> JsonObject<L> {
    /// Parses `json` as a JSON object and nothing after it, rejecting a duplicate top-level key
    /// (two parsers could each see a different value). Accepts exactly the text that parsing
    /// into a `Map` with such a check accepts: values not kept are still parsed in full, numbers
    /// out of range and invalid escapes included.
    pub(crate) fn parse(json: Vec<u8>) -> Option<Self> {
        let (known, typed, members) =
            plain::object::<L>(&json).or_else(|| serde_object::<L>(&json))?;
        Some(Self {
            known,
            typed,
            raw: RawJson {
                json,
                members,
                map: OnceLock::new(),
            },
        })
    }

    /// A payload that is a map already (claims built in code, or a fuzz input).
    pub(crate) fn from_map(map: Map<String, Value>) -> Self {
        Self {
            known: L::NAMES
                .iter()
                .map(|name| map.get(*name).cloned())
                .collect(),
            typed: L::typed_from_map(&map),
            raw: RawJson {
                json: Vec::new(),
                members: map.len(),
                map: OnceLock::from(map),
            },
        }
    }

    /// The claim `name`, as `Map::get` would find it.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        match L::index(name) {
            Some(index) => self.known[index].as_ref(),
            None => self.raw.map().get(name),
        }
    }

    /// The claim `name` when it is a string.
    pub(crate) fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Moves a checked claim out; `get` no longer sees it, the raw claims still do.
    pub(crate) fn take(&mut self, name: &'static str) -> Option<Value> {
        let index = L::index(name);
        debug_assert!(index.is_some(), "{name} is not parsed eagerly");
        self.known[index?].take()
    }

    /// All the claims, as a map.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.raw.into_map()
    }

    /// The members as text (or map), without the parsed ones.
    pub(crate) fn into_raw(self) -> RawJson {
        self.raw
    }
}

/// Checks that the plain-JSON parser accepts only what serde_json accepts and reads it alike,
/// for `json` as a payload and as a header (for the fuzzing harness).
#[cfg(feature = "fuzzing")]
pub(crate) fn assert_plain_parser_agrees(json: &[u8]) {
    fn check<L: Layout>(json: &[u8])
    where
        L::Typed: PartialEq + fmt::Debug,
    {
        if let Some(plain) = plain::object::<L>(json) {
            let serde = serde_object::<L>(json);
            assert_eq!(Some(plain), serde, "the plain parser read this otherwise");
        }
    }
    check::<Claims>(json);
    check::<HeaderParameters>(json);
}

impl Payload {
    /// Moves the organization claim (`o`) out, as read while decoding; the raw claims keep it.
    pub(crate) fn take_org(&mut self) -> OrgClaim {
        std::mem::take(&mut self.typed)
    }
}

impl<L: Layout> fmt::Debug for JsonObject<L> {
    // Claims name a user and a session: left out, as everywhere else in this crate's `Debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonObject")
            .field("members", &self.raw.members)
            .finish_non_exhaustive()
    }
}

/// Every member of an object: its JSON text, parsed into a map on first use.
#[derive(Clone)]
pub(crate) struct RawJson {
    /// Empty when the object was a map to begin with (`map` is set then). A `Vec`, not a boxed
    /// slice: the base64url decoder's buffer is a little longer than the text, and shrinking it
    /// would cost a `realloc` on every decoded token.
    json: Vec<u8>,
    /// How many top-level members there are.
    members: usize,
    map: OnceLock<Map<String, Value>>,
}

impl RawJson {
    pub(crate) fn map(&self) -> &Map<String, Value> {
        // The text parsed as an object once already, so this cannot fail; an empty map would
        // only hide custom claims, never grant anything.
        self.map
            .get_or_init(|| serde_json::from_slice(&self.json).unwrap_or_default())
    }

    fn into_map(self) -> Map<String, Value> {
        match self.map.into_inner() {
            Some(map) => map,
            None => serde_json::from_slice(&self.json).unwrap_or_default(),
        }
    }

    /// An estimate of the heap held, the map included (it may be built later, while cached):
    /// the text, and per claim a B-tree slot of about 64 bytes, a key and a value of about 16
    /// each, besides the characters the text holds already.
    pub(crate) fn heap_bytes(&self) -> usize {
        let text = self.json.len();
        let map_text = if text == 0 { 32 * self.members } else { text };
        text + self.members * 96 + map_text
    }
}

/// The parsed members, and how many members there are.
type Parsed<T> = (Box<[Option<Value>]>, T, usize);

/// `json` as one object and nothing after it, parsed by serde_json (any JSON it accepts).
fn serde_object<L: Layout>(json: &[u8]) -> Option<Parsed<L::Typed>> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = de.deserialize_map(ObjectVisitor::<L>(PhantomData)).ok()?;
    de.end().ok()?;
    Some(parsed)
}

struct ObjectVisitor<L>(PhantomData<L>);

impl<'de, L: Layout> Visitor<'de> for ObjectVisitor<L> {
    type Value = Parsed<L::Typed>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object without duplicate keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut known: Box<[Option<Value>]> = L::NAMES.iter().map(|_| None).collect();
        let mut typed = L::Typed::default();
        // Members not kept; a session token has none or one (`jti`), so a scan beats a set.
        let mut others: Vec<Cow<'de, str>> = Vec::new();
        let mut members = 0;
        while let Some(KeyText(key)) = access.next_key()? {
            members += 1;
            let duplicate = || de::Error::custom("duplicate key");
            match L::index(&key) {
                Some(index) if known[index].is_some() => return Err(duplicate()),
                Some(index) => known[index] = Some(access.next_value()?),
                None if others.contains(&key) => return Err(duplicate()),
                None => {
                    if !L::read_typed(&key, &mut access, &mut typed)? {
                        access.next_value_seed(Skip)?;
                    }
                    others.push(key);
                }
            }
        }
        Ok((known, typed, members))
    }
}

/// A key, borrowed from the text unless it has escapes.
struct KeyText<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(KeyText(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(KeyText(Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The organization claim of a v2 session token (`o`), as `SessionClaims` reads it: no map, and
/// only the five members it reads, each one string or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum OrgClaim {
    /// Absent or `null`.
    #[default]
    Absent,
    Object(OrgObject),
    /// Any other value: a type error when read.
    NotAnObject,
}

/// The members of an [`OrgClaim`] object that are read; a repeated member counts once, the last
/// time (as in a map).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OrgObject {
    pub(crate) id: StringMember,
    pub(crate) rol: StringMember,
    pub(crate) slg: StringMember,
    pub(crate) per: StringMember,
    pub(crate) fpm: StringMember,
}

/// A member that should be a string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum StringMember {
    /// Absent or `null`.
    #[default]
    Absent,
    Text(String),
    NotAString,
}

impl OrgClaim {
    /// The claim read from a map's value of `o`.
    fn from_value(value: Option<&Value>) -> Self {
        match value {
            None | Some(Value::Null) => Self::Absent,
            Some(Value::Object(members)) => {
                let mut org = OrgObject::default();
                for (name, value) in members {
                    if let Some(member) = org.member_mut(name) {
                        *member = match value {
                            Value::Null => StringMember::Absent,
                            Value::String(text) => StringMember::Text(text.clone()),
                            _ => StringMember::NotAString,
                        };
                    }
                }
                Self::Object(org)
            }
            Some(_) => Self::NotAnObject,
        }
    }
}

impl OrgObject {
    /// The member called `name`, if it is one that is read.
    fn member_mut(&mut self, name: &str) -> Option<&mut StringMember> {
        Some(match name {
            "id" => &mut self.id,
            "rol" => &mut self.rol,
            "slg" => &mut self.slg,
            "per" => &mut self.per,
            "fpm" => &mut self.fpm,
            _ => return None,
        })
    }
}

/// Which kind of value was read, for [`OrgClaim`] and [`StringMember`].
macro_rules! visit_scalars_as {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Self::Value, A::Error> {
            Skip.visit_seq(items)?;
            Ok($value)
        }
    };
}

impl<'de> Deserialize<'de> for OrgClaim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrgVisitor;
        impl<'de> Visitor<'de> for OrgVisitor {
            type Value = OrgClaim;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            visit_scalars_as!(OrgClaim::NotAnObject);
            fn visit_str<E: de::Error>(self, _: &str) -> Result<OrgClaim, E> {
                Ok(OrgClaim::NotAnObject)
            }
            fn visit_unit<E: de::Error>(self) -> Result<OrgClaim, E> {
                Ok(OrgClaim::Absent)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<OrgClaim, A::Error> {
                let mut org = OrgObject::default();
                while let Some(KeyText(key)) = entries.next_key()? {
                    match org.member_mut(&key) {
                        Some(member) => *member = entries.next_value()?,
                        None => entries.next_value_seed(Skip)?,
                    }
                }
                Ok(OrgClaim::Object(org))
            }
        }
        deserializer.deserialize_any(OrgVisitor)
    }
}

impl<'de> Deserialize<'de> for StringMember {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = StringMember;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            visit_scalars_as!(StringMember::NotAString);
            fn visit_str<E: de::Error>(self, text: &str) -> Result<StringMember, E> {
                Ok(StringMember::Text(text.to_owned()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StringMember, E> {
                Ok(StringMember::Absent)
            }
            fn visit_map<A: MapAccess<'de>>(self, entries: A) -> Result<StringMember, A::Error> {
                Skip.visit_map(entries)?;
                Ok(StringMember::NotAString)
            }
        }
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// Parses any JSON value as `Value` would, without keeping it.
#[derive(Clone, Copy)]
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // `deserialize_any`, as `Value` uses: `deserialize_ignored_any` would skip numbers
        // without the range check that `Value` makes, and accept text `Map` refuses.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        while entries.next_key_seed(Skip)?.is_some() {
            entries.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the payload parser accepted before: a map, with duplicate top-level keys refused.
    fn map_parse(json: &[u8]) -> Option<Map<String, Value>> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let mut map = Map::new();
        struct Entries<'a>(&'a mut Map<String, Value>);
        impl<'de> Visitor<'de> for Entries<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
                while let Some((key, value)) = access.next_entry::<String, Value>()? {
                    if self.0.insert(key, value).is_some() {
                        return Err(de::Error::custom("duplicate key"));
                    }
                }
                Ok(())
            }
        }
        de.deserialize_map(Entries(&mut map)).ok()?;
        de.end().ok()?;
        Some(map)
    }

    fn same_as_a_map(text: &str) {
        // Where the plain parser answers, it builds what the serde path builds.
        if let Some(plain) = plain::object::<Claims>(text.as_bytes()) {
            assert_eq!(
                Some(plain),
                serde_object::<Claims>(text.as_bytes()),
                "{text}"
            );
        }
        let expected = map_parse(text.as_bytes());
        let parsed = Payload::parse(text.as_bytes().to_vec());
        assert_eq!(parsed.is_some(), expected.is_some(), "accepted? {text}");
        let (Some(parsed), Some(expected)) = (parsed, expected) else {
            return;
        };
        for name in CLAIMS.iter().copied().chain(["o", "jti", "custom", "x"]) {
            assert_eq!(parsed.get(name), expected.get(name), "{name} of {text}");
        }
        assert_eq!(
            parsed.typed,
            OrgClaim::from_value(expected.get("o")),
            "{text}"
        );
        assert_eq!(parsed.raw.members, expected.len(), "{text}");
        assert_eq!(parsed.to_owned_map(), expected, "{text}");
    }

    impl Payload {
        fn to_owned_map(&self) -> Map<String, Value> {
            self.raw.map().clone()
        }
    }

    #[test]
    fn accepts_and_reads_exactly_what_a_map_parse_does() {
        for text in [
            r#"{"sub":"user_1","exp":1,"iss":"https://x","custom":{"a":[1,2.5,null,true]}}"#,
            r#"{"azp":"http://localhost:3000","exp":1795721577,"fea":"o:invoices","fva":[0,-1],"iat":1795714377,"iss":"https://clerk.example","nbf":1795714367,"o":{"fpm":"3","id":"org_1","per":"read,write","rol":"admin","slg":"acme"},"sid":"sess_1","sts":"active","sub":"user_1","v":2}"#,
            "{}",
            " { } ",
            r#"{"s\u0075b":"escaped key","x":"\ud83d\ude00"}"#,
            r#"{"o":{"id":"a","id":"b"}}"#,
            // The organization claim, read without a map: every kind of value, at both levels.
            r#"{"o":null}"#,
            r#"{"o":"org_1"}"#,
            r#"{"o":[{"id":"a"},[1]]}"#,
            r#"{"o":7}"#,
            r#"{"o":-2.5e3}"#,
            r#"{"o":true}"#,
            r#"{"o":{}}"#,
            r#"{"o":{"id":null,"rol":1,"slg":true,"per":["a"],"fpm":{"a":[]}}}"#,
            r#"{"o":{"id":"a","id":5}}"#,
            r#"{"o":{"id":5,"id":"a","x":{"id":"nested"},"r\u006fl":"esc\u0061ped"}}"#,
            r#"{"o":{"id":"a"},"o":{"id":"b"}}"#,
            r#"{"o":{"id":"a"},"\u006f":null}"#,
            r#"{"o":{"id":"\ud800"}}"#,
            r#"{"o":{"x":1e400}}"#,
            r#"{"o":{"id":"a",}}"#,
            r#"{"o":[1,]}"#,
            // Refused: duplicates, at the top level, known or not, escaped or not.
            r#"{"sub":"a","sub":"b"}"#,
            r#"{"sub":"a","s\u0075b":"b"}"#,
            r#"{"iss":"a","iss":"b"}"#,
            r#"{"x":1,"y":2,"x":null}"#,
            r#"{"jti":"a","j\u0074i":"b"}"#,
            // Refused: not one object, or not JSON.
            "[]",
            "null",
            r#"{"sub":"a"} x"#,
            r#"{"sub":"a"}{}"#,
            r#"{"sub":"a",}"#,
            "{",
            "",
            // Refused by `Value` inside a claim nobody reads, so refused here too.
            r#"{"x":1e400}"#,
            r#"{"x":[-1e999]}"#,
            r#"{"x":"\ud800"}"#,
            r#"{"x":"\q"}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":tru}"#,
            // Large and tiny numbers that are fine.
            r#"{"x":18446744073709551616,"exp":1e300,"nbf":-0.0}"#,
        ] {
            same_as_a_map(text);
        }
        assert!(Payload::parse(b"{\"x\":\"\xff\"}".to_vec()).is_none());
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        same_as_a_map(&deep);
    }

    #[test]
    fn each_layout_finds_its_names_where_they_are() {
        fn check<L: Layout>() {
            for (index, name) in L::NAMES.iter().enumerate() {
                assert_eq!(L::index(name), Some(index));
            }
            assert_eq!(L::index("jti"), None);
            assert_eq!(L::index(""), None);
        }
        check::<Claims>();
        check::<HeaderParameters>();
    }

    #[test]
    fn a_header_reads_alike() {
        let text = br#"{"alg":"RS256","kid":"k","jku":"https://x","crit":["b64"]}"#;
        let header = Header::parse(text.to_vec()).unwrap();
        assert_eq!(header.get("alg"), Some(&json!("RS256")));
        assert_eq!(header.get("jku"), Some(&json!("https://x")));
        assert!(header.contains_key("crit"));
        assert_eq!(header.into_map(), map_parse(text).unwrap());
        assert!(Header::parse(br#"{"alg":"RS256","alg":"none"}"#.to_vec()).is_none());
    }

    #[test]
    fn a_map_payload_reads_alike() {
        let map = map_parse(br#"{"sub":"user_1","plan_tier":"gold","exp":5}"#).unwrap();
        let payload = Payload::from_map(map.clone());
        assert_eq!(payload.get("sub"), Some(&json!("user_1")));
        assert_eq!(payload.get("plan_tier"), Some(&json!("gold")));
        assert!(payload.contains_key("exp"));
        assert!(!payload.contains_key("nbf"));
        assert_eq!(payload.clone().into_map(), map);
        assert_eq!(payload.into_raw().map()["exp"], 5);
    }

    #[test]
    fn taken_claims_stay_in_the_raw_claims() {
        let text = br#"{"sub":"user_1","plan_tier":"gold"}"#;
        let mut payload = Payload::parse(text.to_vec()).unwrap();
        assert_eq!(payload.take("sub"), Some(json!("user_1")));
        assert_eq!(payload.get("sub"), None);
        let raw = payload.into_raw();
        assert_eq!(raw.map()["sub"], "user_1");
        assert!(raw.heap_bytes() >= text.len() * 2 + 2 * 96);
    }

    #[test]
    fn debug_shows_no_claim() {
        let payload = Payload::parse(br#"{"sub":"user_secret"}"#.to_vec()).unwrap();
        let debug = format!("{payload:?}");
        assert!(!debug.contains("user_secret"), "{debug}");
    }
}
