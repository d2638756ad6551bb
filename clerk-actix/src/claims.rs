//! Reading the claims of a verified Clerk session token (session token formats v1 and v2).

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::authorization::{self, AuthorizationFacts, Has};
use crate::error::unlikely;
use crate::payload::{OrgClaim, Payload, RawJson, StringMember, Text, WrongType};

/// Why the payload of a verified session token cannot be read as a Clerk session.
///
/// Only the claim's name is reported, never its value. A middleware treats every variant as a
/// signed-out request.
///
/// ```
/// use clerk_actix::{ClaimsError, SessionClaims};
///
/// let payload = serde_json::from_value(serde_json::json!({ "sid": "sess_1" }))?;
/// let error = SessionClaims::from_payload(payload).err();
/// assert_eq!(error, Some(ClaimsError::Missing { claim: "sub" }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// A required claim is absent or `null`.
    #[error("the session token has no `{claim}` claim")]
    Missing {
        /// The claim's name (`o.id` for a member of `o`).
        claim: &'static str,
    },
    /// A claim has a JSON type Clerk never issues for it.
    #[error("the session token's `{claim}` claim has an unexpected JSON type")]
    WrongType {
        /// The claim's name (`o.id` for a member of `o`).
        claim: &'static str,
    },
    /// A claim has the expected type but a value that cannot be read.
    #[error("the session token's `{claim}` claim is malformed: {problem}")]
    Malformed {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// The `sts` claim: whether the session is usable or still has tasks to complete.
///
/// ```
/// use clerk_actix::SessionStatus;
/// assert_eq!(SessionStatus::Pending.as_str(), "pending");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// `active`: the session is fully signed in.
    Active,
    /// `pending`: the user still has tasks (such as choosing an organization); Clerk treats such
    /// a session as signed out by default.
    Pending,
    /// A status this crate does not know, kept verbatim.
    Unknown(String),
}

impl SessionStatus {
    /// The status as it appears in the token.
    ///
    /// ```
    /// use clerk_actix::SessionStatus;
    /// assert_eq!(SessionStatus::Unknown("expired".into()).as_str(), "expired");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Unknown(status) => status,
        }
    }

    fn from_claim(status: &str) -> Self {
        match status {
            "active" => Self::Active,
            "pending" => Self::Pending,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// Claims of a verified Clerk session token, decoded per session token v1 and v2.
///
/// Cloning is cheap (the decoded claims are shared). `Debug` shows the identifiers only, never
/// the whole payload, which may carry custom claims such as e-mail addresses.
///
/// # Reading the payload
///
/// Decoding follows Clerk's `jwtPayloadParser`: `sub` is the user, `sid` the session, `sts`
/// its status, `act` the impersonating actor and `fva` the factor verification ages. Version 1
/// tokens carry the active organization in `org_id`, `org_role`, `org_slug` and
/// `org_permissions`; version 2 tokens (`"v": 2`) carry it in `o` (`id`, `slg`, `rol`, which
/// becomes `org:<rol>`) and encode the organization's permissions as one decimal bit mask per
/// organization feature of `fea`, over the permission names of `o.per`.
///
/// A claim that decides who the caller is or what their organization grants (`sub`, `sid`,
/// `sts`, `v`, `o` and its members, the v1 `org_*` claims) must have the type Clerk issues, or
/// [`from_payload`](Self::from_payload) fails. `fea`, `pla` and `fva` are only consulted by
/// [`has`](Self::has): when they are malformed the checks that need them are denied, as
/// upstream does. `act` is kept as given.
///
/// Deviations from upstream, all failing closed:
/// * Where upstream throws while building the auth object (a v2 token with an `o` claim whose
///   `fea` has an element without `scope:`), `from_payload` returns
///   [`ClaimsError::Malformed`] naming `fea`.
/// * A `v` other than absent, 1 or 2 is an error; upstream reads any other value as v1.
/// * An empty `sub` is an error; upstream would build a signed-in object whose `has()` always
///   denies.
/// * Wrong JSON types for the claims listed above are errors; upstream passes them through.
///
/// ```
/// use clerk_actix::{Has, SessionClaims};
///
/// let payload = serde_json::from_value(serde_json::json!({
///     "sub": "user_1", "sid": "sess_1", "v": 2,
///     "fea": "o:invoices", "o": { "id": "org_1", "rol": "admin", "per": "read,approve", "fpm": "3" },
/// }))?;
/// let claims = SessionClaims::from_payload(payload)?;
/// assert_eq!(claims.org_role(), Some("org:admin"));
/// assert!(claims.has(&Has::permission("invoices:approve")));
/// assert!(!claims.has(&Has::role("member")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SessionClaims(Arc<DecodedClaims>);

/// The strings are [`Text`]s: most lie in `raw`'s text, so decoding a token copies none of
/// them (each would be an allocation, on every token the cache has not seen).
#[derive(Clone)]
struct DecodedClaims {
    raw: RawJson,
    version: u8,
    user_id: Text,
    session_id: Option<Text>,
    session_status: Option<SessionStatus>,
    org_id: Option<Text>,
    org_role: Option<Text>,
    org_slug: Option<Text>,
    org_permissions: OrgPermissions,
    factor_verification_age: Option<[i64; 2]>,
    /// `act` when not `null`.
    actor: Option<Value>,
    /// `fea` and `pla` when strings (`has()` reads them).
    features: Option<Text>,
    plans: Option<Text>,
}

impl DecodedClaims {
    fn text<'a>(&'a self, text: &'a Text) -> &'a str {
        self.raw.resolve(text)
    }

    fn optional_text<'a>(&'a self, text: &'a Option<Text>) -> Option<&'a str> {
        text.as_ref().map(|text| self.text(text))
    }
}

impl SessionClaims {
    /// Decodes the payload of a session token whose signature and times were already verified.
    ///
    /// ```
    /// use clerk_actix::{ClaimsError, SessionClaims};
    ///
    /// let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "v": 7 }))?;
    /// assert!(matches!(
    ///     SessionClaims::from_payload(payload),
    ///     Err(ClaimsError::Malformed { claim: "v", .. })
    /// ));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_payload(payload: Map<String, Value>) -> Result<Self, ClaimsError> {
        Self::from_verified(Payload::from_map(payload))
    }

    /// A copy whose reference count is its own: the verified-token cache gives each thread one,
    /// so that threads reading the same claims do not write one shared count.
    pub(crate) fn detached(&self) -> Self {
        Self(Arc::new(DecodedClaims::clone(&self.0)))
    }

    #[cfg(test)]
    pub(crate) fn shares_allocation_with(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// [`Self::from_payload`] of a payload as decoded: the claims read here are moved out of
    /// it, and the rest stays text until [`Self::raw`] is called.
    pub(crate) fn from_verified(mut payload: Payload) -> Result<Self, ClaimsError> {
        let user_id = optional_string(payload.take_text("sub"), "sub")?
            .ok_or_else(|| unlikely(|| ClaimsError::Missing { claim: "sub" }))?;
        if payload.resolve(&user_id).is_empty() {
            return Err(unlikely(|| ClaimsError::Malformed {
                claim: "sub",
                problem: "empty user id",
            }));
        }
        let session_id = optional_string(payload.take_text("sid"), "sid")?;
        let session_status =
            optional_string(payload.str_claim("sts"), "sts")?.map(SessionStatus::from_claim);
        let version = token_version(payload.get("v"))?;
        let org = if version == 2 {
            OrgClaims::from_v2(&mut payload)?
        } else {
            OrgClaims::from_v1(&mut payload)?
        };
        let factor_verification_age = factor_verification_age(payload.get("fva"));
        // Read by `has()` only, where a value that is not a string denies: not an error here.
        let features = payload.take_text("fea").ok().flatten();
        let plans = payload.take_text("pla").ok().flatten();
        let actor = payload.take("act").filter(|act| !act.is_null());
        Ok(Self(Arc::new(DecodedClaims {
            version,
            user_id,
            session_id,
            session_status,
            org_id: org.id,
            org_role: org.role,
            org_slug: org.slug,
            org_permissions: org.permissions,
            factor_verification_age,
            actor,
            features,
            plans,
            raw: payload.into_raw(),
        })))
    }

    /// An estimate of the heap these claims hold, for the verified-token cache's bound.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.0.raw.heap_bytes()
    }

    /// The signed-in user's id (`sub`).
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.user_id(), "user_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn user_id(&self) -> &str {
        self.0.text(&self.0.user_id)
    }

    /// The session's id (`sid`).
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "sid": "sess_1" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.session_id(), Some("sess_1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_id(&self) -> Option<&str> {
        self.0.optional_text(&self.0.session_id)
    }

    /// The session's status (`sts`), absent for instances that have not opted in.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "sts": "pending" }))?;
    /// use clerk_actix::{SessionClaims, SessionStatus};
    /// let claims = SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.session_status(), Some(&SessionStatus::Pending));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_status(&self) -> Option<&SessionStatus> {
        self.0.session_status.as_ref()
    }

    /// Who is impersonating the user (`act`), when someone is.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "act": { "sub": "user_admin" } }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.actor().and_then(|act| act["sub"].as_str()), Some("user_admin"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn actor(&self) -> Option<&Value> {
        self.0.actor.as_ref()
    }

    /// The active organization's id.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "org_id": "org_1" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.org_id(), Some("org_1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn org_id(&self) -> Option<&str> {
        self.0.optional_text(&self.0.org_id)
    }

    /// The user's role in the active organization, as issued (v2 roles get the `org:` prefix).
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "v": 2, "o": { "id": "org_1", "rol": "admin" } }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.org_role(), Some("org:admin"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn org_role(&self) -> Option<&str> {
        self.0.optional_text(&self.0.org_role)
    }

    /// The active organization's slug.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "org_id": "org_1", "org_slug": "acme" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.org_slug(), Some("acme"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn org_slug(&self) -> Option<&str> {
        self.0.optional_text(&self.0.org_slug)
    }

    /// The user's permissions in the active organization (`org:<feature>:<permission>`).
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({
    /// #     "sub": "user_1", "v": 2, "fea": "o:invoices",
    /// #     "o": { "id": "org_1", "rol": "admin", "per": "read,approve", "fpm": "1" },
    /// # }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.org_permissions(), Some(&["org:invoices:read".to_owned()][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn org_permissions(&self) -> Option<&[String]> {
        let claims = &*self.0;
        match &claims.org_permissions {
            OrgPermissions::Absent => None,
            OrgPermissions::Listed(permissions) => Some(permissions),
            OrgPermissions::Compact {
                names,
                masks,
                expanded,
            } => Some(expanded.get_or_init(|| {
                let features = claims.optional_text(&claims.features).unwrap_or_default();
                // `fea` was read when the claims were decoded (`OrgClaims::from_v2`).
                let org_features = authorization::split_by_scope(features)
                    .map(|scoped| scoped.org)
                    .unwrap_or_default();
                org_permissions(&org_features, claims.text(names), claims.text(masks))
            })),
        }
    }

    /// Minutes since the first and the second factor were last verified (`fva`), `-1` for a
    /// factor the user has not enabled; `None` unless the claim is a valid pair.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "fva": [3, -1] }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.factor_verification_age(), Some([3, -1]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn factor_verification_age(&self) -> Option<[i64; 2]> {
        self.0.factor_verification_age
    }

    /// The session token format: 1, or 2 for tokens with `"v": 2`.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.version(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version(&self) -> u8 {
        self.0.version
    }

    /// The whole payload, including custom claims from the session token template.
    ///
    /// ```
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "plan_tier": "gold" }))?;
    /// let claims = clerk_actix::SessionClaims::from_payload(payload)?;
    /// assert_eq!(claims.raw()["plan_tier"], "gold");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw(&self) -> &Map<String, Value> {
        self.0.raw.map()
    }

    /// Clerk's `has()`: whether this session satisfies every requirement of `check`.
    ///
    /// ```
    /// use clerk_actix::{Has, SessionClaims};
    /// # let payload = serde_json::from_value(serde_json::json!({ "sub": "user_1", "pla": "u:pro" }))?;
    /// let claims = SessionClaims::from_payload(payload)?;
    /// assert!(claims.has(&Has::plan("pro")));
    /// assert!(!claims.has(&Has::default()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has(&self, check: &Has) -> bool {
        let claims = &*self.0;
        let facts = AuthorizationFacts {
            user_id: claims.text(&claims.user_id),
            org_id: claims.optional_text(&claims.org_id),
            org_role: claims.optional_text(&claims.org_role),
            // Expanded only for a check that reads them.
            org_permissions: check
                .permission
                .as_ref()
                .and_then(|_| self.org_permissions()),
            features: claims.optional_text(&claims.features),
            plans: claims.optional_text(&claims.plans),
            factor_verification_age: claims.factor_verification_age,
        };
        authorization::is_authorized(&facts, check)
    }
}

impl fmt::Debug for SessionClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let claims = &*self.0;
        f.debug_struct("SessionClaims")
            .field("version", &claims.version)
            .field("user_id", &self.user_id())
            .field("session_id", &self.session_id())
            .field("session_status", &claims.session_status)
            .field("org_id", &self.org_id())
            .field("org_role", &self.org_role())
            .finish_non_exhaustive()
    }
}

/// A string claim that may be absent or `null` (`Payload::str_claim`), with its name on error.
fn optional_string<T>(
    value: Result<Option<T>, WrongType>,
    claim: &'static str,
) -> Result<Option<T>, ClaimsError> {
    value.map_err(|WrongType| unlikely(|| ClaimsError::WrongType { claim }))
}

fn token_version(claim: Option<&Value>) -> Result<u8, ClaimsError> {
    let version = match claim {
        None | Some(Value::Null) => Some(1),
        // JSON `2.0` is the number 2 to Clerk's JavaScript libraries too.
        Some(Value::Number(number)) => match number.as_f64() {
            Some(1.0) => Some(1),
            Some(2.0) => Some(2),
            _ => None,
        },
        Some(_) => None,
    };
    version.ok_or_else(|| {
        unlikely(|| ClaimsError::Malformed {
            claim: "v",
            problem: "unsupported session token version",
        })
    })
}

/// `fva` when it is a pair of factor ages, each `-1` or non-negative.
fn factor_verification_age(claim: Option<&Value>) -> Option<[i64; 2]> {
    let [first, second] = claim?.as_array()?.as_slice() else {
        return None;
    };
    Some([factor_age(first)?, factor_age(second)?])
}

fn factor_age(value: &Value) -> Option<i64> {
    if let Some(minutes) = value.as_i64() {
        return (minutes == -1 || minutes >= 0).then_some(minutes);
    }
    if value.is_u64() {
        return Some(i64::MAX);
    }
    let minutes = value.as_f64()?;
    if minutes == -1.0 {
        return Some(-1);
    }
    // Ages are compared as `after_minutes > age` with a whole `after_minutes`, which has the
    // same answer for `age` and `floor(age)` when `age >= 0`; the cast saturates huge ages.
    (minutes.is_finite() && minutes >= 0.0).then_some(minutes.floor() as i64)
}

/// A session token that passed verification: its payload as decoded, or, from the verified-token
/// cache, the claims decoded when it was first verified.
pub(crate) enum Verified {
    Decoded(Payload),
    Cached(SessionClaims),
}

impl Verified {
    /// Whether the payload has the claim `name`.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        match self {
            Self::Decoded(payload) => payload.contains_key(name),
            Self::Cached(claims) => claims.raw().contains_key(name),
        }
    }

    /// The session's claims in Clerk's layout.
    pub(crate) fn into_claims(self) -> Result<SessionClaims, ClaimsError> {
        match self {
            Self::Decoded(payload) => SessionClaims::from_verified(payload),
            Self::Cached(claims) => Ok(claims),
        }
    }
}

/// The active organization, however the token version encodes it.
#[derive(Debug, Default, PartialEq)]
struct OrgClaims {
    id: Option<Text>,
    role: Option<Text>,
    slug: Option<Text>,
    permissions: OrgPermissions,
}

/// The permissions in the active organization, as the token lists them.
#[derive(Clone, Debug, Default, PartialEq)]
enum OrgPermissions {
    #[default]
    Absent,
    /// v1's `org_permissions`.
    Listed(Vec<String>),
    /// v2's `o.per` and `o.fpm`, over the organization features of `fea`: expanded on first use
    /// (`has()` with a permission, [`SessionClaims::org_permissions`]), since building the
    /// `org:<feature>:<permission>` names costs an allocation each, on every token decoded,
    /// and most requests check no permission.
    Compact {
        names: Text,
        masks: Text,
        expanded: OnceLock<Vec<String>>,
    },
}

impl OrgClaims {
    // Out of line: v1's array of permissions is read through `Value`s, code a v2 token (the
    // only kind Clerk issues now) would otherwise carry through its decoding.
    #[inline(never)]
    fn from_v1(payload: &mut Payload) -> Result<Self, ClaimsError> {
        let permissions = match payload.take("org_permissions") {
            None | Some(Value::Null) => OrgPermissions::Absent,
            Some(Value::Array(items)) => OrgPermissions::Listed(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(permission) => Some(permission),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or(ClaimsError::WrongType {
                        claim: "org_permissions",
                    })?,
            ),
            Some(_) => {
                return Err(ClaimsError::WrongType {
                    claim: "org_permissions",
                });
            }
        };
        Ok(Self {
            id: optional_string(payload.take_text("org_id"), "org_id")?,
            role: optional_string(payload.take_text("org_role"), "org_role")?,
            slug: optional_string(payload.take_text("org_slug"), "org_slug")?,
            permissions,
        })
    }

    fn from_v2(payload: &mut Payload) -> Result<Self, ClaimsError> {
        let org = match payload.take_org() {
            OrgClaim::Absent => return Ok(Self::default()),
            OrgClaim::Object(org) => org,
            OrgClaim::NotAnObject => {
                return Err(unlikely(|| ClaimsError::WrongType { claim: "o" }));
            }
        };
        let features = optional_string(payload.str_claim("fea"), "fea")?.unwrap_or_default();
        if !authorization::is_scoped(features) {
            return Err(unlikely(|| ClaimsError::Malformed {
                claim: "fea",
                problem: "an element has no `scope:` prefix",
            }));
        }
        let member = |member: StringMember, claim| optional_string(member.into_text(), claim);
        let names = member(org.per, "o.per")?.unwrap_or_default();
        let masks = member(org.fpm, "o.fpm")?.unwrap_or_default();
        Ok(Self {
            id: member(org.id, "o.id")?,
            role: member(org.rol, "o.rol")?.and_then(|role| {
                let role = payload.resolve(&role);
                (!role.is_empty()).then(|| Text::Owned(["org:", role].concat()))
            }),
            slug: member(org.slg, "o.slg")?,
            permissions: OrgPermissions::Compact {
                names,
                masks,
                expanded: OnceLock::new(),
            },
        })
    }
}

/// Expands v2's compact permissions: mask `i` of `masks` says which of `permission_names` the
/// user holds for organization feature `i`; bit `j` (least significant first) grants name `j`.
fn org_permissions(org_features: &[&str], permission_names: &str, masks: &str) -> Vec<String> {
    if permission_names.is_empty() || masks.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = permission_names
        .split(',')
        .map(authorization::js_trim)
        .collect();
    let masks = masks.split(',').map(authorization::js_trim);
    let mut granted = Vec::new();
    for (feature, mask) in org_features.iter().zip(masks) {
        // A mask that is not a plain decimal grants nothing for its feature: fail closed.
        let Some(bits) = low_bits_of_decimal(mask, names.len()) else {
            continue;
        };
        for (name, _) in names.iter().zip(bits).filter(|(_, bit)| *bit) {
            // One allocation of the exact size (`format!` grows its buffer as it writes).
            granted.push(["org:", feature, ":", name].concat());
        }
    }
    granted
}

/// The `count` least significant bits of a non-negative decimal of any length, least
/// significant first, or `None` unless `decimal` is one or more ASCII digits.
///
/// Masks exceed 2^53 once an instance has more than 53 permissions. One that fits 64 bits is
/// read at once; a longer one is divided by two digit by digit.
fn low_bits_of_decimal(decimal: &str, count: usize) -> Option<Vec<bool>> {
    if decimal.is_empty() || !decimal.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(match decimal.parse::<u64>() {
        Ok(value) => (0..count)
            .map(|bit| bit < 64 && value >> bit & 1 == 1)
            .collect(),
        Err(_) => low_bits_by_halving(decimal, count),
    })
}

/// [`low_bits_of_decimal`] for ASCII digits of any length.
fn low_bits_by_halving(decimal: &str, count: usize) -> Vec<bool> {
    let mut digits: Vec<u8> = decimal
        .bytes()
        .map(|byte| byte - b'0')
        .skip_while(|&digit| digit == 0)
        .collect();
    let mut bits = Vec::with_capacity(count);
    while bits.len() < count && !digits.is_empty() {
        let mut remainder = 0;
        for digit in &mut digits {
            let value = remainder * 10 + *digit;
            *digit = value / 2;
            remainder = value % 2;
        }
        bits.push(remainder == 1);
        let leading_zeros = digits.iter().take_while(|&&digit| digit == 0).count();
        digits.drain(..leading_zeros);
    }
    bits.resize(count, false);
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorization::Reverification;
    use serde_json::json;

    fn payload(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("test payload must be an object, got {other}"),
        }
    }

    /// `mockJwtPayload` from Clerk's backend fixtures, merged with `extra`.
    fn claims_with(extra: Value) -> Result<SessionClaims, ClaimsError> {
        let mut map = payload(json!({
            "azp": "https://accounts.inspired.puma-74.lcl.dev",
            "exp": 1666648310,
            "iat": 1666648250,
            "iss": "https://clerk.inspired.puma-74.lcl.dev",
            "nbf": 1666648240,
            "sid": "sess_2GbDB4enNdCa5vS1zpC3Xzg9tK9",
            "sub": "user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr",
        }));
        map.extend(payload(extra));
        SessionClaims::from_payload(map)
    }

    fn decode(extra: Value) -> SessionClaims {
        claims_with(extra).expect("payload decodes")
    }

    #[test]
    fn v2_permissions_are_expanded_once_and_only_when_read() {
        let claims = decode(json!({
            "v": 2, "fea": "o:invoices",
            "o": { "id": "org_1", "rol": "admin", "per": "read,approve", "fpm": "2" },
        }));
        let expanded = || match &claims.0.org_permissions {
            OrgPermissions::Compact { expanded, .. } => expanded.get().cloned(),
            other => panic!("v2 permissions are compact, not {other:?}"),
        };
        assert!(claims.has(&Has::role("admin")));
        assert!(claims.has(&Has::feature("invoices")));
        assert_eq!(expanded(), None, "no check read a permission yet");
        assert!(claims.has(&Has::permission("invoices:approve")));
        assert!(!claims.has(&Has::permission("invoices:read")));
        let list = vec!["org:invoices:approve".to_owned()];
        assert_eq!(expanded(), Some(list.clone()));
        assert_eq!(claims.org_permissions(), Some(&list[..]));
        // Clones share the claims, and so the expansion.
        assert!(std::ptr::eq(
            claims.clone().org_permissions().unwrap(),
            claims.org_permissions().unwrap()
        ));
    }

    /// Org permissions of a v2 token with an active org, for `fea`, `o.per` and `o.fpm`.
    fn v2_permissions(fea: &str, per: &str, fpm: &str) -> Vec<String> {
        let claims = decode(json!({
            "v": 2, "fea": fea,
            "o": { "id": "org_id", "rol": "admin", "slg": "org_slug", "per": per, "fpm": fpm },
        }));
        let mut permissions = claims
            .org_permissions()
            .expect("v2 org has a list")
            .to_vec();
        permissions.sort();
        permissions
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        names.sort();
        names
    }

    /// Everything `has()` and the accessors expose apart from the raw payload.
    fn visible(claims: &SessionClaims) -> impl PartialEq + fmt::Debug {
        (
            claims.user_id().to_owned(),
            claims.session_id().map(str::to_owned),
            claims.session_status().cloned(),
            claims.actor().cloned(),
            claims.org_id().map(str::to_owned),
            claims.org_role().map(str::to_owned),
            claims.org_slug().map(str::to_owned),
            claims.org_permissions().map(<[String]>::to_vec),
            claims.factor_verification_age(),
        )
    }

    #[test]
    fn the_fixture_payload_is_a_v1_session_without_org() {
        let claims = decode(json!({}));
        assert_eq!(claims.version(), 1);
        assert_eq!(claims.user_id(), "user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr");
        assert_eq!(
            claims.session_id(),
            Some("sess_2GbDB4enNdCa5vS1zpC3Xzg9tK9")
        );
        assert_eq!(claims.session_status(), None);
        assert_eq!(claims.actor(), None);
        assert_eq!(claims.org_id(), None);
        assert_eq!(claims.org_role(), None);
        assert_eq!(claims.org_slug(), None);
        assert_eq!(claims.org_permissions(), None);
        assert_eq!(claims.factor_verification_age(), None);
        assert_eq!(
            claims.raw()["azp"],
            "https://accounts.inspired.puma-74.lcl.dev"
        );
        assert!(!claims.has(&Has::default()));
        assert!(!claims.has(&Has::role("admin")));
    }

    #[test]
    fn sub_is_required_and_must_be_a_non_empty_string() {
        let mut without_sub = payload(json!({ "sid": "sess_1" }));
        assert_eq!(
            SessionClaims::from_payload(without_sub.clone()).err(),
            Some(ClaimsError::Missing { claim: "sub" })
        );
        without_sub.insert("sub".into(), Value::Null);
        assert_eq!(
            SessionClaims::from_payload(without_sub).err(),
            Some(ClaimsError::Missing { claim: "sub" })
        );
        assert_eq!(
            claims_with(json!({ "sub": 42 })).err(),
            Some(ClaimsError::WrongType { claim: "sub" })
        );
        assert!(matches!(
            claims_with(json!({ "sub": "" })),
            Err(ClaimsError::Malformed { claim: "sub", .. })
        ));
        // The same, decoded from text (where `sub` stays a span of it).
        for (text, plain) in [
            (r#"{"sub":""}"#, true),
            (r#"{"sub":"","x":"\u0041"}"#, false),
        ] {
            let payload = Payload::parse(text.as_bytes().to_vec()).expect("an object");
            assert!(
                matches!(
                    SessionClaims::from_verified(payload),
                    Err(ClaimsError::Malformed { claim: "sub", .. })
                ),
                "plain parser: {plain}"
            );
        }
    }

    #[test]
    fn session_status_is_read_from_sts() {
        let status = |sts: Value| decode(json!({ "sts": sts })).session_status().cloned();
        assert_eq!(status(json!("active")), Some(SessionStatus::Active));
        assert_eq!(status(json!("pending")), Some(SessionStatus::Pending));
        assert_eq!(
            status(json!("abandoned")),
            Some(SessionStatus::Unknown("abandoned".into()))
        );
        assert_eq!(status(Value::Null), None);
        assert_eq!(
            claims_with(json!({ "sts": true })).err(),
            Some(ClaimsError::WrongType { claim: "sts" })
        );
    }

    #[test]
    fn identity_claims_of_the_wrong_type_are_errors() {
        let cases = [
            (json!({ "sid": 1 }), "sid"),
            (json!({ "org_id": 1 }), "org_id"),
            (json!({ "org_role": ["admin"] }), "org_role"),
            (json!({ "org_slug": false }), "org_slug"),
            (
                json!({ "org_permissions": "org:a:read" }),
                "org_permissions",
            ),
            (
                json!({ "org_permissions": ["org:a:read", 7] }),
                "org_permissions",
            ),
            (json!({ "v": 2, "o": "org_1" }), "o"),
            (json!({ "v": 2, "o": { "id": 1 } }), "o.id"),
            (json!({ "v": 2, "o": { "id": "org_1", "rol": 1 } }), "o.rol"),
            (
                json!({ "v": 2, "o": { "id": "org_1", "slg": {} } }),
                "o.slg",
            ),
            (
                json!({ "v": 2, "o": { "id": "org_1", "per": 3, "fpm": "1" } }),
                "o.per",
            ),
            (
                json!({ "v": 2, "o": { "id": "org_1", "per": "read", "fpm": 1 } }),
                "o.fpm",
            ),
            (json!({ "v": 2, "fea": 5, "o": { "id": "org_1" } }), "fea"),
        ];
        for (extra, claim) in cases {
            assert_eq!(
                claims_with(extra.clone()).err(),
                Some(ClaimsError::WrongType { claim }),
                "{extra}"
            );
        }
    }

    #[test]
    fn only_versions_1_and_2_are_read() {
        assert_eq!(decode(json!({ "v": 1 })).version(), 1);
        assert_eq!(decode(json!({ "v": 2 })).version(), 2);
        assert_eq!(decode(json!({ "v": 2.0 })).version(), 2);
        assert_eq!(decode(json!({ "v": null })).version(), 1);
        for v in [
            json!(3),
            json!(0),
            json!(-2),
            json!(1.5),
            json!("2"),
            json!([2]),
        ] {
            assert!(
                matches!(
                    claims_with(json!({ "v": v })),
                    Err(ClaimsError::Malformed { claim: "v", .. })
                ),
                "{v}"
            );
        }
    }

    #[test]
    fn billing_and_fva_claims_of_the_wrong_type_only_fail_their_checks() {
        let claims = decode(json!({ "fea": 5, "pla": ["pro"], "fva": "0,0" }));
        assert!(!claims.has(&Has::feature("5")));
        assert!(!claims.has(&Has::plan("pro")));
        assert_eq!(claims.factor_verification_age(), None);
        assert!(!claims.has(&Has::reverification(Reverification::Lax)));
        // A v2 token without an active org does not derive permissions from `fea` either.
        let v2 = decode(json!({ "v": 2, "fea": 5 }));
        assert!(!v2.has(&Has::feature("5")));
    }

    #[test]
    fn a_malformed_fea_is_an_error_only_where_it_builds_org_permissions() {
        let broken = json!({ "v": 2, "fea": "o:reservations,dashboard", "o": { "id": "org_1" } });
        assert!(matches!(
            claims_with(broken),
            Err(ClaimsError::Malformed { claim: "fea", .. })
        ));
        for extra in [
            json!({ "v": 2, "fea": "o:reservations,dashboard" }),
            json!({ "fea": "o:reservations,dashboard", "org_id": "org_1" }),
        ] {
            let claims = decode(extra.clone());
            assert!(!claims.has(&Has::feature("reservations")), "{extra}");
            assert!(!claims.has(&Has::feature("dashboard")), "{extra}");
        }
    }

    #[test]
    fn factor_verification_age_must_be_a_valid_pair() {
        let fva = |value: Value| decode(json!({ "fva": value })).factor_verification_age();
        assert_eq!(fva(json!([0, 0])), Some([0, 0]));
        assert_eq!(fva(json!([-1, 5])), Some([-1, 5]));
        assert_eq!(fva(json!([12, -1])), Some([12, -1]));
        assert_eq!(fva(json!([1.5, 0])), Some([1, 0]));
        assert_eq!(fva(json!([-1.0, 0])), Some([-1, 0]));
        assert_eq!(fva(json!([u64::MAX, 0])), Some([i64::MAX, 0]));
        assert_eq!(fva(json!([1e300, 0])), Some([i64::MAX, 0]));
        for invalid in [
            json!(["0", "0"]),
            json!([0]),
            json!([0, 0, 0]),
            json!([-0.5, 0]),
            json!([-2, 0]),
            json!([0, null]),
            json!("0,0"),
            json!({ "0": 0, "1": 0 }),
            Value::Null,
        ] {
            assert_eq!(fva(invalid.clone()), None, "{invalid}");
        }
    }

    #[test]
    fn fractional_ages_decide_like_upstream() {
        // Upstream compares 10 > 9.5 (fresh) and 10 > 10.5 (stale).
        let fresh = decode(json!({ "fva": [9.5, 9.5] }));
        assert!(fresh.has(&Has::reverification(Reverification::Strict)));
        let stale = decode(json!({ "fva": [10.5, 10.5] }));
        assert!(!stale.has(&Has::reverification(Reverification::Strict)));
    }

    #[test]
    fn actor_is_any_non_null_act() {
        let actor = decode(json!({ "act": { "sub": "user_admin" } }));
        assert_eq!(actor.actor(), Some(&json!({ "sub": "user_admin" })));
        assert_eq!(
            decode(json!({ "act": "actor" })).actor(),
            Some(&json!("actor"))
        );
        assert_eq!(decode(json!({ "act": null })).actor(), None);
    }

    #[test]
    fn v1_has_for_orgs() {
        let claims = decode(json!({
            "act": { "sub": "actor" },
            "org_id": "orgId",
            "org_role": "org:admin",
            "org_slug": "orgSlug",
            "org_permissions": ["org:f1:read", "org:f2:manage"],
        }));
        assert!(claims.has(&Has::role("org:admin")));
        assert!(claims.has(&Has::permission("org:f1:read")));
        assert!(!claims.has(&Has::permission("org:f1")));
        assert!(claims.has(&Has::permission("org:f2:manage")));
        assert!(!claims.has(&Has::permission("org:f2")));
        assert!(!claims.has(&Has::feature("org:reservations")));
        assert!(!claims.has(&Has::feature("org:impersonation")));
        assert_eq!(claims.org_slug(), Some("orgSlug"));
    }

    #[test]
    fn v2_has_for_orgs() {
        let claims = decode(json!({
            "v": 2,
            "act": { "sub": "actor" },
            "fea": "o:reservations,o:impersonation",
            "o": { "id": "orgId", "rol": "admin", "slg": "orgSlug", "per": "read,manage", "fpm": "3" },
        }));
        assert!(claims.has(&Has::role("org:admin")));
        assert!(claims.has(&Has::permission("org:reservations:read")));
        assert!(!claims.has(&Has::permission("org:reservations")));
        assert!(claims.has(&Has::permission("org:reservations:manage")));
        assert!(!claims.has(&Has::permission("org:impersonation:read")));
        assert!(!claims.has(&Has::permission("org:impersonation:manage")));
        assert!(claims.has(&Has::feature("org:reservations")));
        assert!(claims.has(&Has::feature("org:impersonation")));
    }

    fn v2_billing_claims() -> SessionClaims {
        decode(json!({
            "v": 2,
            "act": { "sub": "actor" },
            "fea": "o:reservations,u:dashboard,uo:support-chat,o:impersonation",
            "o": { "id": "orgId", "rol": "member", "slg": "orgSlug", "per": "read,manage", "fpm": "2,3" },
            "pla": "u:pro,o:business",
        }))
    }

    #[test]
    fn v2_has_for_billing_with_scopes() {
        let claims = v2_billing_claims();
        let granted = |check: Has| claims.has(&check);
        assert!(!granted(Has::permission("org:reservations:read")));
        assert!(granted(Has::permission("org:reservations:manage")));
        assert!(granted(Has::permission("org:support-chat:read")));
        assert!(granted(Has::permission("org:support-chat:manage")));
        assert!(!granted(Has::permission("u:dashboard:manage")));
        assert!(!granted(Has::permission("u:dashboard:read")));

        assert!(granted(Has::feature("org:reservations")));
        assert!(!granted(Has::feature("user:reservations")));
        assert!(granted(Has::feature("org:impersonation")));
        assert!(!granted(Has::feature("user:impersonation")));
        assert!(!granted(Has::feature("org:dashboard")));
        assert!(granted(Has::feature("user:dashboard")));
        assert!(granted(Has::feature("org:support-chat")));
        assert!(granted(Has::feature("user:support-chat")));

        assert!(granted(Has::plan("org:business")));
        assert!(!granted(Has::plan("user:business")));
        assert!(!granted(Has::plan("org:pro")));
        assert!(granted(Has::plan("user:pro")));
    }

    #[test]
    fn v2_has_for_billing_without_scopes() {
        let claims = v2_billing_claims();
        assert!(claims.has(&Has::feature("reservations")));
        assert!(claims.has(&Has::feature("dashboard")));
        assert!(
            !claims.has(&Has::feature("pro")),
            "pro is a plan, not a feature"
        );
        assert!(claims.has(&Has::feature("impersonation")));
        assert!(claims.has(&Has::plan("pro")));
        assert!(claims.has(&Has::plan("business")));
    }

    #[test]
    fn v2_without_active_org_has_no_org_fields() {
        let v2 = decode(json!({ "v": 2, "fea": "u:impersonation,u:memberships" }));
        let v1 = decode(json!({}));
        assert_eq!(visible(&v2), visible(&v1));
        assert_eq!(v2.org_permissions(), None);
        assert!(v2.has(&Has::feature("u:memberships")));
    }

    #[test]
    fn v1_and_v2_describe_the_same_session_alike() {
        let v2 = decode(json!({
            "v": 2,
            "fea": "o:impersonation",
            "o": { "id": "org_xxxxxxx", "rol": "admin", "slg": "org_test", "per": "read,manage", "fpm": "3" },
        }));
        let v1 = decode(json!({
            "org_id": "org_xxxxxxx",
            "org_role": "org:admin",
            "org_slug": "org_test",
            "org_permissions": ["org:impersonation:read", "org:impersonation:manage"],
        }));
        assert_eq!(visible(&v2), visible(&v1));
        assert_eq!((v1.version(), v2.version()), (1, 2));
    }

    #[test]
    fn v2_org_permissions_follow_the_feature_masks() {
        assert_eq!(
            v2_permissions("o:impersonation,o:memberships", "read,manage", "1,3"),
            sorted(&[
                "org:impersonation:read",
                "org:memberships:read",
                "org:memberships:manage"
            ])
        );
        // A feature without a mask gets no permissions.
        assert_eq!(
            v2_permissions(
                "o:impersonation,o:memberships,o:feature3",
                "read,manage",
                "1,3"
            ),
            sorted(&[
                "org:impersonation:read",
                "org:memberships:read",
                "org:memberships:manage"
            ])
        );
        // `uo` features are organization features too.
        assert_eq!(
            v2_permissions(
                "uo:impersonation,o:memberships,uo:feature3",
                "read,manage",
                "1,3,1"
            ),
            sorted(&[
                "org:impersonation:read",
                "org:memberships:read",
                "org:memberships:manage",
                "org:feature3:read",
            ])
        );
        // User features take no mask: the first mask belongs to the first org feature.
        assert_eq!(
            v2_permissions("ou:memberships,u:impersonation", "read,manage", "3"),
            sorted(&["org:memberships:read", "org:memberships:manage"])
        );
        assert_eq!(
            v2_permissions(
                "o:billing,o:email,o:fraud,o:instance,o:staging_plans",
                "manage,read",
                "3,3,3,3,1"
            ),
            sorted(&[
                "org:billing:manage",
                "org:billing:read",
                "org:email:manage",
                "org:email:read",
                "org:fraud:manage",
                "org:fraud:read",
                "org:instance:manage",
                "org:instance:read",
                "org:staging_plans:manage",
            ])
        );
        let five = "read,create,update,delete,revoke";
        let expected = sorted(&[
            "org:repositories:read",
            "org:repositories:create",
            "org:repositories:update",
            "org:projects:read",
            "org:projects:update",
            "org:projects:revoke",
        ]);
        assert_eq!(
            v2_permissions("o:repositories,o:projects", five, "7,21"),
            expected
        );
        assert_eq!(
            v2_permissions(
                "o:repositories,uo:projects,u:goldprofileborder",
                five,
                "7,21"
            ),
            expected
        );
        // More masks than org features: the extra masks are ignored.
        assert_eq!(
            v2_permissions(
                "o:repositories,o:projects,o:webhooks,o:impersonation",
                "read,manage",
                "1,2,3"
            ),
            sorted(&[
                "org:repositories:read",
                "org:projects:manage",
                "org:webhooks:read",
                "org:webhooks:manage",
            ])
        );
        assert_eq!(
            v2_permissions("o:a", "read,manage", "1,3,3"),
            sorted(&["org:a:read"])
        );
    }

    #[test]
    fn v2_without_per_or_fpm_has_an_empty_permission_list() {
        for o in [
            json!({ "id": "org_id", "rol": "admin", "slg": "org_slug" }),
            json!({ "id": "org_id", "per": "read,manage" }),
            json!({ "id": "org_id", "fpm": "3" }),
            json!({ "id": "org_id", "per": "", "fpm": "3" }),
            json!({ "id": "org_id", "per": "read", "fpm": "" }),
        ] {
            let claims = decode(json!({ "v": 2, "fea": "o:impersonation", "o": o.clone() }));
            assert_eq!(claims.org_permissions(), Some(&[][..]), "{o}");
        }
        let empty_org = decode(json!({ "v": 2, "o": {} }));
        assert_eq!(empty_org.org_id(), None);
        assert_eq!(empty_org.org_role(), None);
        assert_eq!(empty_org.org_permissions(), Some(&[][..]));
    }

    #[test]
    fn v2_role_is_prefixed_with_org() {
        let role = |rol: Value| {
            decode(json!({ "v": 2, "o": { "id": "org_id", "rol": rol } }))
                .org_role()
                .map(str::to_owned)
        };
        assert_eq!(role(json!("admin")), Some("org:admin".into()));
        assert_eq!(role(json!("")), None);
        assert_eq!(role(Value::Null), None);
    }

    /// Permission names `p0,p1,…` for `count` permissions.
    fn numbered_permissions(count: usize) -> String {
        (0..count)
            .map(|i| format!("p{i}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn masks_above_two_to_the_53_are_exact() {
        let names = numbered_permissions(54);
        // 2^53 + 1 and 2^53 + 3: a float parse would lose bit 0.
        assert_eq!(
            v2_permissions("o:f", &names, "9007199254740993"),
            sorted(&["org:f:p0", "org:f:p53"])
        );
        assert_eq!(
            v2_permissions("o:f", &names, "9007199254740995"),
            sorted(&["org:f:p0", "org:f:p1", "org:f:p53"])
        );
        // 2^54 sets no bit among two permissions.
        assert_eq!(
            v2_permissions("o:f", "read,manage", "18014398509481984"),
            sorted(&[])
        );
        let big = "340282366920938463463374607431768211457"; // 2^128 + 1
        assert_eq!(
            v2_permissions("o:f", &numbered_permissions(130), big),
            sorted(&["org:f:p0", "org:f:p128"])
        );
    }

    #[test]
    fn masks_that_are_not_plain_decimals_grant_nothing() {
        for mask in ["1invalid", "-1", "1.5", "+1", "0x3", "1e2", "", "٣"] {
            assert_eq!(
                v2_permissions("o:f", "read,manage", mask),
                sorted(&[]),
                "{mask:?}"
            );
        }
        // Only the malformed mask's feature loses its permissions.
        assert_eq!(
            v2_permissions("o:a,o:b,o:c", "read,manage", "3,1invalid,2"),
            sorted(&["org:a:read", "org:a:manage", "org:c:manage"])
        );
    }

    #[test]
    fn masks_are_trimmed_and_may_have_leading_zeros() {
        assert_eq!(
            v2_permissions(" o:a , o:b ", " read , manage ", " 0003 , 00 "),
            sorted(&["org:a:read", "org:a:manage"])
        );
    }

    #[test]
    fn masks_that_fit_64_bits_read_as_the_digit_by_digit_division_does() {
        let mut decimals: Vec<String> = ["0", "1", "000", "007", "255", "4294967296"]
            .map(String::from)
            .to_vec();
        decimals.extend((0..64).flat_map(|bit| {
            let value = 1u64 << bit;
            [value - 1, value, value | 1].map(|v| v.to_string())
        }));
        decimals.push(u64::MAX.to_string());
        for decimal in &decimals {
            for count in [0, 1, 5, 53, 64, 70] {
                assert_eq!(
                    low_bits_of_decimal(decimal, count),
                    Some(low_bits_by_halving(decimal, count)),
                    "{decimal} {count}"
                );
            }
        }
        // One past u64::MAX takes the division: bit 64 set, the 64 below clear.
        let bits = low_bits_of_decimal("18446744073709551616", 66).unwrap();
        assert_eq!(bits.iter().position(|&bit| bit), Some(64));
    }

    #[test]
    fn low_bits_of_decimal_reads_least_significant_first() {
        assert_eq!(
            low_bits_of_decimal("6", 4),
            Some(vec![false, true, true, false])
        );
        assert_eq!(low_bits_of_decimal("0", 2), Some(vec![false, false]));
        assert_eq!(low_bits_of_decimal("000", 1), Some(vec![false]));
        assert_eq!(low_bits_of_decimal("255", 3), Some(vec![true, true, true]));
        assert_eq!(low_bits_of_decimal("5", 0), Some(vec![]));
        assert_eq!(low_bits_of_decimal("5a", 3), None);
    }

    #[test]
    fn debug_shows_identifiers_but_not_custom_claims() {
        let claims = decode(json!({ "email": "jane@example.com", "org_id": "org_1" }));
        let shown = format!("{claims:?}");
        assert!(
            shown.contains("user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr"),
            "{shown}"
        );
        assert!(shown.contains("org_1"), "{shown}");
        assert!(!shown.contains("jane@example.com"), "{shown}");
        assert!(!shown.contains("inspired.puma"), "{shown}");
    }

    #[test]
    fn clones_share_the_decoded_claims() {
        let claims = decode(json!({}));
        let copy = claims.clone();
        assert!(std::ptr::eq(claims.raw(), copy.raw()));
    }

    #[test]
    fn claims_errors_name_the_claim_but_not_its_value() {
        let error = claims_with(json!({ "v": 2, "fea": "secret-ish", "o": { "id": "org_1" } }))
            .expect_err("malformed fea");
        let shown = error.to_string();
        assert!(shown.contains("`fea`"), "{shown}");
        assert!(!shown.contains("secret-ish"), "{shown}");
    }
}
