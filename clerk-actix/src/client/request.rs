//! Building one Backend API request: validated path, query string and JSON body.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::Method;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::ApiError;

/// Largest `limit` Clerk honours; above it Clerk silently falls back to 10 rows, so larger
/// values are refused here instead.
pub(crate) const MAX_LIMIT: u64 = 500;

/// How many rounds of percent-decoding a path segment gets before it is checked: enough to
/// see through `%252e%252e` style double encoding, bounded so a crafted id cannot loop long.
const MAX_DECODE_ROUNDS: usize = 8;

/// Everything outside RFC 3986 `pchar` (plus `%`, so ids are sent literally).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Sort order of a list: a field, ascending or descending (`+created_at` / `-created_at`).
///
/// ```
/// use clerk_actix::client::OrderBy;
///
/// let newest_first = OrderBy::desc("created_at");
/// assert_eq!(newest_first.to_string(), "-created_at");
/// assert_eq!(OrderBy::asc("email_address").to_string(), "+email_address");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderBy {
    field: String,
    descending: bool,
}

impl OrderBy {
    /// Ascending by `field`.
    ///
    /// ```
    /// assert!(!clerk_actix::client::OrderBy::asc("created_at").is_descending());
    /// ```
    pub fn asc(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            descending: false,
        }
    }

    /// Descending by `field`.
    ///
    /// ```
    /// assert!(clerk_actix::client::OrderBy::desc("created_at").is_descending());
    /// ```
    pub fn desc(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            descending: true,
        }
    }

    /// The field.
    ///
    /// ```
    /// assert_eq!(clerk_actix::client::OrderBy::asc("name").field(), "name");
    /// ```
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether the order is descending.
    ///
    /// ```
    /// assert!(!clerk_actix::client::OrderBy::asc("name").is_descending());
    /// ```
    pub fn is_descending(&self) -> bool {
        self.descending
    }
}

impl fmt::Display for OrderBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always explicit: a bare field means ascending to Clerk, but `+` keeps intent visible.
        let sign = if self.descending { '-' } else { '+' };
        write!(f, "{sign}{}", self.field)
    }
}

impl Serialize for OrderBy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Checks one caller-supplied path segment (an id, slug or template name).
///
/// Refused: empty, `.`/`..`, and anything containing `/`, `\` or control characters, checked
/// on the raw value and again after each round of percent-decoding, so `%2e%2e` or
/// `%252F` cannot walk the request to another endpoint.
pub(crate) fn validate_segment(segment: &str) -> Result<(), ApiError> {
    if segment.is_empty() {
        return Err(ApiError::invalid_request(
            "an id in the request path is empty",
        ));
    }
    let mut current = Cow::Borrowed(segment);
    for _ in 0..MAX_DECODE_ROUNDS {
        let unsafe_segment = current.is_empty()
            || current == "."
            || current == ".."
            || current
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if unsafe_segment {
            return Err(ApiError::invalid_request(
                "an id in the request path is `.`, `..` or contains `/`, `\\` or control characters (possibly percent-encoded)",
            ));
        }
        let decoded = percent_decode_str(&current)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == current {
            return Ok(());
        }
        current = Cow::Owned(decoded);
    }
    Err(ApiError::invalid_request(
        "an id in the request path is percent-encoded too many times",
    ))
}

/// Appends `v1` (when `versioned`) and the segments to the base URL's path.
pub(crate) fn endpoint_url(
    base: &Url,
    versioned: bool,
    segments: &[&str],
) -> Result<Url, ApiError> {
    let mut path = base.path().trim_end_matches('/').to_owned();
    if versioned {
        path.push_str("/v1");
    }
    for segment in segments {
        validate_segment(segment)?;
        path.push('/');
        path.extend(utf8_percent_encode(segment, SEGMENT));
    }
    let mut url = base.clone();
    url.set_path(&path);
    Ok(url)
}

/// Turns a params struct into query pairs: `None` fields are skipped, `Some(false)`/`Some(0)`
/// are sent, arrays become repeated keys (`user_id=a&user_id=b`), and `limit` is checked
/// against Clerk's range.
pub(crate) fn query_pairs<P: Serialize>(params: &P) -> Result<Vec<(String, String)>, ApiError> {
    let value = serde_json::to_value(params)
        .map_err(|_| ApiError::invalid_request("query parameters could not be serialised"))?;
    let Value::Object(fields) = value else {
        return Err(ApiError::invalid_request(
            "query parameters must be a struct",
        ));
    };
    let mut pairs = Vec::new();
    for (key, value) in fields {
        match value {
            Value::Array(items) => {
                for item in items {
                    pairs.push((key.clone(), scalar(&key, item)?));
                }
            }
            Value::Null => {}
            other => pairs.push((key.clone(), scalar(&key, other)?)),
        }
    }
    check_limit(&pairs)?;
    Ok(pairs)
}

fn scalar(key: &str, value: Value) -> Result<String, ApiError> {
    match value {
        Value::String(text) => Ok(text),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => Err(ApiError::invalid_request(
            format!("query parameter `{key}` must be a scalar or a list of scalars"),
        )),
    }
}

fn check_limit(pairs: &[(String, String)]) -> Result<(), ApiError> {
    for (_, value) in pairs.iter().filter(|(key, _)| key == "limit") {
        let in_range = value
            .parse::<u64>()
            .is_ok_and(|limit| (1..=MAX_LIMIT).contains(&limit));
        if !in_range {
            return Err(ApiError::invalid_request(format!(
                "`limit` must be between 1 and {MAX_LIMIT}"
            )));
        }
    }
    Ok(())
}

/// One request, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) credential: Credential,
}

/// Which key authenticates the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    /// The instance secret key (`sk_...`).
    Secret,
    /// The machine secret key (`ak_...`), falling back to the secret key when none is set.
    MachineOrSecret,
    /// The machine secret key only (the request acts as that machine).
    Machine,
}

impl Call {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            body: None,
            credential: Credential::Secret,
        }
    }

    /// Adds the non-`None` fields of `params` to the query string.
    pub(crate) fn query<P: Serialize>(mut self, params: &P) -> Result<Self, ApiError> {
        let pairs = query_pairs(params)?;
        if !pairs.is_empty() {
            self.url.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(self)
    }

    /// Adds one query pair.
    pub(crate) fn query_pair(mut self, key: &str, value: &str) -> Self {
        self.url.query_pairs_mut().append_pair(key, value);
        self
    }

    /// Authenticates with `credential` instead of the secret key.
    pub(crate) fn credential(mut self, credential: Credential) -> Self {
        self.credential = credential;
        self
    }

    /// Sets the JSON body.
    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|_| ApiError::invalid_request("request body could not be serialised"))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub(crate) fn is_read(&self) -> bool {
        self.method == Method::GET
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Params {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        user_id: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        banned: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        order_by: Option<OrderBy>,
        #[serde(skip_serializing_if = "Option::is_none")]
        query: Option<String>,
    }

    fn base() -> Url {
        Url::parse("https://api.clerk.com").unwrap()
    }

    #[test]
    fn segments_that_escape_the_endpoint_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "%2e%2e",
            "%2E%2e",
            "%252e%252e",
            "a/b",
            "a%2Fb",
            "a%252fb",
            "..%2f",
            "a\\b",
            "a%5Cb",
            "a\nb",
            "a%00b",
            "%25252e%25252e",
        ] {
            assert!(
                matches!(validate_segment(bad), Err(ApiError::InvalidRequest { .. })),
                "{bad:?} should be refused"
            );
        }
        for good in [
            "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
            "acme-corp",
            "a.b",
            "...",
            "100%",
        ] {
            assert!(validate_segment(good).is_ok(), "{good:?} should pass");
        }
    }

    #[test]
    fn deeply_encoded_segments_are_refused() {
        let mut nested = String::from("x");
        for _ in 0..10 {
            nested = nested.replace('%', "%25");
            nested.push_str("%41");
        }
        assert!(validate_segment(&nested).is_err());
    }

    #[test]
    fn endpoint_url_versions_and_encodes() {
        let url = endpoint_url(&base(), true, &["users", "user_1"]).unwrap();
        assert_eq!(url.as_str(), "https://api.clerk.com/v1/users/user_1");
        let url = endpoint_url(&base(), false, &["m2m_tokens"]).unwrap();
        assert_eq!(url.as_str(), "https://api.clerk.com/m2m_tokens");
        let proxied = Url::parse("http://127.0.0.1:8080/clerk/").unwrap();
        let url = endpoint_url(&proxied, true, &["organizations", "a b?c#d%"]).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/clerk/v1/organizations/a%20b%3Fc%23d%25"
        );
    }

    #[test]
    fn query_keeps_false_and_zero_and_repeats_arrays() {
        let params = Params {
            user_id: vec!["user_a".into(), "user_b".into()],
            banned: Some(false),
            offset: Some(0),
            order_by: Some(OrderBy::asc("created_at")),
            query: Some("a+b c&d".into()),
            ..Params::default()
        };
        let url = Call::new(Method::GET, base()).query(&params).unwrap().url;
        let query = url.query().unwrap();
        for expected in [
            "banned=false",
            "offset=0",
            "user_id=user_a&user_id=user_b",
            "order_by=%2Bcreated_at",
            "query=a%2Bb+c%26d",
        ] {
            assert!(query.contains(expected), "{expected} missing in {query}");
        }
        assert!(!query.contains("limit"));
    }

    #[test]
    fn empty_params_leave_no_query() {
        let url = Call::new(Method::GET, base())
            .query(&Params::default())
            .unwrap()
            .url;
        assert_eq!(url.query(), None);
    }

    #[test]
    fn limit_must_be_within_clerk_range() {
        for limit in [0, 501] {
            let params = Params {
                limit: Some(limit),
                ..Params::default()
            };
            assert!(matches!(
                query_pairs(&params),
                Err(ApiError::InvalidRequest { .. })
            ));
        }
        for limit in [1, 500] {
            let params = Params {
                limit: Some(limit),
                ..Params::default()
            };
            assert_eq!(
                query_pairs(&params).unwrap(),
                [("limit".into(), limit.to_string())]
            );
        }
    }

    #[test]
    fn nested_query_values_are_refused() {
        #[derive(Serialize)]
        struct Nested {
            inner: std::collections::BTreeMap<&'static str, u8>,
        }
        let nested = Nested {
            inner: [("a", 1)].into(),
        };
        assert!(query_pairs(&nested).is_err());
    }
}
