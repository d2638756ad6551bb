//! A JWT's header and claims, read once. The members this crate checks are parsed as the token
//! is decoded; the others stay JSON text until something asks for them (`SessionClaims::raw`, a
//! handshake's cookie list), so a request that never reads a custom claim never builds a map.
//! A string member without escapes is not copied either: it is read where it lies in the text
//! ([`Text::Span`]).
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
    /// `typed` with every [`Text`] it holds owned, `read` giving a span's string.
    #[cfg(any(test, feature = "fuzzing"))]
    fn owned_typed(typed: Self::Typed, read: &dyn Fn(Span) -> String) -> Self::Typed;
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
    #[inline(always)]
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
    #[cfg(any(test, feature = "fuzzing"))]
    fn owned_typed(org: OrgClaim, read: &dyn Fn(Span) -> String) -> OrgClaim {
        let OrgClaim::Object(mut org) = org else {
            return org;
        };
        for member in org.members_mut() {
            if let StringMember::Text(Text::Span(span)) = member {
                *member = StringMember::Text(Text::Owned(read(*span)));
            }
        }
        OrgClaim::Object(org)
    }
}

impl Layout for HeaderParameters {
    const NAMES: &'static [&'static str] = &["alg", "kid", "typ", "cat", "crit"];
    #[inline(always)]
    fn index(name: &str) -> Option<usize> {
        Some(match name.as_bytes() {
            b"alg" => 0,
            b"kid" => 1,
            b"typ" => 2,
            b"cat" => 3,
            b"crit" => 4,
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
    #[cfg(any(test, feature = "fuzzing"))]
    fn owned_typed((): (), _: &dyn Fn(Span) -> String) {}
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
///
/// Inlined, with the accessors of [`JsonObject`] that call it: the names the checks read are
/// constants, so their positions are found at compile time. As a call, each claim read took
/// a jump through a table, about one mispredicted branch each on a token never seen before.
#[inline(always)]
fn claim_index(name: &str) -> Option<usize> {
    // Byte-string patterns compile to a branch per byte; `str` patterns would be compared one
    // after the other, and thirteen of these names have the same length.
    Some(match name.as_bytes() {
        b"sub" => 0,
        b"sid" => 1,
        b"sts" => 2,
        b"v" => 3,
        b"org_id" => 4,
        b"org_role" => 5,
        b"org_slug" => 6,
        b"org_permissions" => 7,
        b"fea" => 8,
        b"pla" => 9,
        b"fva" => 10,
        b"act" => 11,
        b"exp" => 12,
        b"nbf" => 13,
        b"iat" => 14,
        b"azp" => 15,
        b"aud" => 16,
        b"iss" => 17,
        _ => return None,
    })
}

/// A JSON object without duplicate top-level keys, its members of layout `L` parsed.
pub(crate) struct JsonObject<L: Layout> {
    /// `L::NAMES.len()` slots. Boxed: a payload is moved through a request's verification, and
    /// waits inside futures.
    known: Box<[Option<Slot>]>,
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
        // serde_json refuses text that is not UTF-8 too (in a string, or as a stray byte), so
        // checking it first changes no answer, and lets strings be slices of the text.
        let json = String::from_utf8(json).ok()?;
        let (known, typed, members) =
            plain::object::<L>(&json).or_else(|| serde_object::<L>(json.as_bytes()))?;
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
                .map(|name| map.get(*name).cloned().map(Slot::Value))
                .collect(),
            typed: L::typed_from_map(&map),
            raw: RawJson {
                json: String::new(),
                members: map.len(),
                map: OnceLock::from(map),
            },
        }
    }

    /// The claim `name`, as `Map::get` would find it. (A string kept as text becomes a `Value`
    /// here, once: the checks on the hot path read strings with [`Self::get_str`].)
    #[inline(always)]
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        match L::index(name) {
            Some(index) => Some(match self.known[index].as_ref()? {
                Slot::Value(value) => value,
                Slot::Text { span, value } => {
                    value.get_or_init(|| Value::String(self.raw.text(*span).to_owned()))
                }
            }),
            None => self.raw.map().get(name),
        }
    }

    /// The claim `name` when it is a string.
    #[inline(always)]
    pub(crate) fn get_str(&self, name: &str) -> Option<&str> {
        self.str_claim(name).ok().flatten()
    }

    /// The claim `name` if it is a string, `Ok(None)` if it is absent or `null`, and
    /// `Err(WrongType)` if it is any other value.
    #[inline(always)]
    pub(crate) fn str_claim(&self, name: &str) -> Result<Option<&str>, WrongType> {
        let value = match L::index(name) {
            Some(index) => match &self.known[index] {
                None => return Ok(None),
                Some(Slot::Text { span, .. }) => return Ok(Some(self.raw.text(*span))),
                Some(Slot::Value(value)) => value,
            },
            None => match self.raw.map().get(name) {
                None => return Ok(None),
                Some(value) => value,
            },
        };
        match value {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text)),
            _ => Err(WrongType),
        }
    }

    #[inline(always)]
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        match L::index(name) {
            Some(index) => self.known[index].is_some(),
            None => self.raw.map().contains_key(name),
        }
    }

    /// Moves a checked claim out; `get` no longer sees it, the raw claims still do.
    #[inline(always)]
    pub(crate) fn take(&mut self, name: &'static str) -> Option<Value> {
        Some(match self.take_slot(name)? {
            Slot::Value(value) => value,
            Slot::Text { span, value } => value
                .into_inner()
                .unwrap_or_else(|| Value::String(self.raw.text(span).to_owned())),
        })
    }

    /// [`Self::take`] of a claim that should be a string: `Ok(None)` if it is absent or `null`,
    /// its [`Text`] if it is a string (still in the text when it was plain), `Err(WrongType)`
    /// otherwise.
    #[inline(always)]
    pub(crate) fn take_text(&mut self, name: &'static str) -> Result<Option<Text>, WrongType> {
        match self.take_slot(name) {
            None | Some(Slot::Value(Value::Null)) => Ok(None),
            Some(Slot::Text { span, .. }) => Ok(Some(Text::Span(span))),
            Some(Slot::Value(Value::String(text))) => Ok(Some(Text::Owned(text))),
            Some(Slot::Value(_)) => Err(WrongType),
        }
    }

    #[inline(always)]
    fn take_slot(&mut self, name: &'static str) -> Option<Slot> {
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
        let Ok(text) = std::str::from_utf8(json) else {
            return;
        };
        if let Some(plain) = plain::object::<L>(text) {
            let serde = serde_object::<L>(json);
            assert_eq!(
                Some(resolved::<L>(plain, text)),
                serde.map(|serde| resolved::<L>(serde, text)),
                "the plain parser read this otherwise"
            );
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

    /// A string read from this payload (see [`RawJson::resolve`]).
    pub(crate) fn resolve<'a>(&'a self, text: &'a Text) -> &'a str {
        self.raw.resolve(text)
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
    /// Empty when the object was a map to begin with (`map` is set then). A `String`, not a
    /// boxed `str`: the base64url decoder's buffer is a little longer than the text, and
    /// shrinking it would cost a `realloc` on every decoded token.
    json: String,
    /// How many top-level members there are.
    members: usize,
    map: OnceLock<Map<String, Value>>,
}

impl RawJson {
    pub(crate) fn map(&self) -> &Map<String, Value> {
        // The text parsed as an object once already, so this cannot fail; an empty map would
        // only hide custom claims, never grant anything.
        self.map
            .get_or_init(|| serde_json::from_slice(self.json.as_bytes()).unwrap_or_default())
    }

    fn into_map(self) -> Map<String, Value> {
        match self.map.into_inner() {
            Some(map) => map,
            None => serde_json::from_slice(self.json.as_bytes()).unwrap_or_default(),
        }
    }

    /// The string at `span` of the text. A span comes from parsing this text (a clone's text is
    /// the same), so it lies on character boundaries; the empty answer is never expected.
    pub(crate) fn text(&self, span: Span) -> &str {
        let text = span.of(&self.json);
        debug_assert!(text.is_some(), "a span read against another text");
        text.unwrap_or_default()
    }

    /// A string read from this object.
    pub(crate) fn resolve<'a>(&'a self, text: &'a Text) -> &'a str {
        match text {
            Text::Span(span) => self.text(*span),
            Text::Owned(text) => text,
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

/// A member of a [`Layout`]'s names, as parsed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Slot {
    Value(Value),
    /// A string without escapes, left in the text: most claims are strings, and a session
    /// token's would otherwise cost an allocation each, on every token decoded. `value` is its
    /// `Value`, made when [`JsonObject::get`] asks for one.
    Text {
        span: Span,
        value: OnceLock<Value>,
    },
}

/// Where a string without escapes lies in the JSON text it was read from (between its quotes).
///
/// Offsets are `u32`: with them a [`Slot`] is 56 bytes, and a payload's eighteen slots fit in
/// 1 008 bytes, which glibc's per-thread cache serves (up to 1 032); with `usize` offsets they
/// took 1 152, and every token decoded paid for the general allocator and its bins. A text too
/// long for `u32` offsets is not plain (the serde path reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    /// The string at this span of `text`; `None` if it does not lie on `text`'s characters.
    pub(crate) fn of(self, text: &str) -> Option<&str> {
        text.get(self.start as usize..self.end as usize)
    }
}

/// A string read from a JSON object: a [`Span`] of the object's text, or the string itself
/// (it had escapes, or the object was a map); [`RawJson::resolve`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    Span(Span),
    Owned(String),
}

impl Default for Text {
    fn default() -> Self {
        Self::Owned(String::new())
    }
}

/// A claim that should be a string (or `null`) is some other JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WrongType;

/// The parsed members, and how many members there are.
type Parsed<T> = (Box<[Option<Slot>]>, T, usize);

/// What a parse found, its strings read out of `text`: the two parsers' answers compare equal
/// when they read the same values, whether a string was left in the text or not.
#[cfg(any(test, feature = "fuzzing"))]
fn resolved<L: Layout>(
    (known, typed, members): Parsed<L::Typed>,
    text: &str,
) -> (Vec<Option<Value>>, L::Typed, usize) {
    let read = |span: Span| span.of(text).unwrap_or_default().to_owned();
    let known = known
        .into_vec()
        .into_iter()
        .map(|slot| {
            slot.map(|slot| match slot {
                Slot::Value(value) => value,
                Slot::Text { span, .. } => Value::String(read(span)),
            })
        })
        .collect();
    (known, L::owned_typed(typed, &read), members)
}

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
        let mut known: Box<[Option<Slot>]> = L::NAMES.iter().map(|_| None).collect();
        let mut typed = L::Typed::default();
        // Members not kept; a session token has none or one (`jti`), so a scan beats a set.
        let mut others: Vec<Cow<'de, str>> = Vec::new();
        let mut members = 0;
        while let Some(KeyText(key)) = access.next_key()? {
            members += 1;
            let duplicate = || de::Error::custom("duplicate key");
            match L::index(&key) {
                Some(index) if known[index].is_some() => return Err(duplicate()),
                Some(index) => known[index] = Some(Slot::Value(access.next_value()?)),
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
    Text(Text),
    NotAString,
}

impl StringMember {
    /// `Ok(None)` if absent or `null`, the text if a string, `Err(WrongType)` otherwise.
    pub(crate) fn into_text(self) -> Result<Option<Text>, WrongType> {
        match self {
            Self::Absent => Ok(None),
            Self::Text(text) => Ok(Some(text)),
            Self::NotAString => Err(WrongType),
        }
    }
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
                            Value::String(text) => StringMember::Text(Text::Owned(text.clone())),
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
        let index = match name.as_bytes() {
            b"id" => 0,
            b"rol" => 1,
            b"slg" => 2,
            b"per" => 3,
            b"fpm" => 4,
            _ => return None,
        };
        self.members_mut().into_iter().nth(index)
    }

    /// The members, in the order of [`Self::member_mut`]'s names.
    fn members_mut(&mut self) -> [&mut StringMember; 5] {
        [
            &mut self.id,
            &mut self.rol,
            &mut self.slg,
            &mut self.per,
            &mut self.fpm,
        ]
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
                Ok(StringMember::Text(Text::Owned(text.to_owned())))
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

    #[test]
    fn a_payloads_slots_are_one_small_allocation() {
        // glibc serves requests of up to 1 032 bytes from a per-thread cache; larger ones take
        // the general allocator (see `Span`).
        let slots = std::mem::size_of::<Option<Slot>>() * CLAIMS.len();
        assert!(slots <= 1032, "{slots} bytes");
    }

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
        if let Some(plain) = plain::object::<Claims>(text) {
            assert_eq!(
                Some(resolved::<Claims>(plain, text)),
                serde_object::<Claims>(text.as_bytes())
                    .map(|serde| resolved::<Claims>(serde, text)),
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
            Claims::owned_typed(parsed.typed.clone(), &|span| parsed
                .raw
                .text(span)
                .to_owned()),
            OrgClaim::from_value(expected.get("o")),
            "{text}"
        );
        for name in CLAIMS {
            let expected = match expected.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.as_str())),
                Some(_) => Err(WrongType),
            };
            assert_eq!(parsed.str_claim(name), expected, "{name} of {text}");
        }
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
    fn strings_are_read_from_the_text_until_taken_or_asked_for_as_values() {
        // An escape anywhere sends the text to serde_json, whose strings are owned.
        let text = r#"{"sub":"user_1","sid":"s\u0031"}"#;
        let mut payload = Payload::parse(text.as_bytes().to_vec()).unwrap();
        assert_eq!(payload.take_text("sid"), Ok(Some(Text::Owned("s1".into()))));
        assert_eq!(
            payload.take_text("sub"),
            Ok(Some(Text::Owned("user_1".into())))
        );
        let text = r#"{"sub":"user_1","sid":"sess_1","sts":7,"azp":null,"iss":"x"}"#;
        let mut payload = Payload::parse(text.as_bytes().to_vec()).unwrap();
        assert_eq!(payload.get_str("sub"), Some("user_1"));
        assert_eq!(payload.str_claim("sts"), Err(WrongType));
        assert_eq!(payload.str_claim("azp"), Ok(None));
        assert_eq!(payload.str_claim("nbf"), Ok(None));
        assert_eq!(payload.get("iss"), Some(&json!("x")));
        assert_eq!(payload.take("iss"), Some(json!("x")));
        let Ok(Some(Text::Span(span))) = payload.take_text("sub") else {
            panic!("sub stays in the text");
        };
        assert_eq!(payload.take_text("sub"), Ok(None));
        assert_eq!(payload.take_text("sts"), Err(WrongType));
        assert_eq!(payload.take_text("azp"), Ok(None));
        let clone = payload.clone();
        let raw = payload.into_raw();
        assert_eq!(raw.text(span), "user_1");
        assert_eq!(clone.into_raw().resolve(&Text::Span(span)), "user_1");
        // A map's strings are owned.
        let mut map = Payload::from_map(map_parse(br#"{"sub":"user_1"}"#).unwrap());
        assert_eq!(map.take_text("sub"), Ok(Some(Text::Owned("user_1".into()))));
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
