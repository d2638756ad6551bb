//! The Backend API subset (`/v1/...`) the SDK and its typed client use.
//!
//! One dispatcher authenticates the secret key, parses the query and body leniently into
//! Clerk-shaped errors, runs the operation under the store lock and persists what changed.

mod invitations;
mod organizations;
mod sessions;
mod users;

use std::cmp::Ordering;

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use super::api_error::ApiError;
use super::instance::Instance;
use super::store::{Store, now_ms};

/// Largest page Clerk serves.
const MAX_LIMIT: usize = 500;

/// What an operation needs: the instance, the (locked) store, the request's query and body.
pub(crate) struct Call<'a> {
    pub(crate) instance: &'a Instance,
    pub(crate) store: &'a mut Store,
    pub(crate) query: Params,
    body: &'a [u8],
    pub(crate) now: i64,
}

impl Call<'_> {
    /// The JSON object body (an empty body is an empty object).
    pub(crate) fn body(&self) -> Result<Body, ApiError> {
        Body::parse(self.body)
    }
}

type Outcome = Result<Value, ApiError>;

/// Entry point of every `/v1/...` request except the Frontend API handshake.
pub(crate) async fn dispatch(
    req: HttpRequest,
    body: web::Bytes,
    instance: web::Data<Instance>,
) -> HttpResponse {
    if !authorized(&req, &instance) {
        return ApiError::unauthenticated().response();
    }
    let query = Params::parse(req.query_string());
    if let Err(err) = check_api_version(&req, &query) {
        return err.response();
    }
    let path = req.path().strip_prefix("/v1/").unwrap_or_default();
    let segments: Vec<String> = path
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let mut store = instance.lock();
    let mut call = Call {
        instance: &instance,
        store: &mut store,
        query,
        body: &body,
        now: now_ms(),
    };
    let outcome = route(&mut call, req.method(), &segments);
    match outcome {
        Ok(value) => {
            if req.method() != Method::GET {
                instance.persist(&store);
            }
            HttpResponse::Ok().json(value)
        }
        Err(err) => err.response(),
    }
}

fn route(call: &mut Call<'_>, method: &Method, path: &[&str]) -> Outcome {
    let get = method == Method::GET;
    let post = method == Method::POST;
    let patch = method == Method::PATCH;
    let put = method == Method::PUT;
    let delete = method == Method::DELETE;
    match path {
        ["jwks"] if get => Ok(call.instance.key.jwks()),
        ["users"] if get => users::list(call),
        ["users"] if post => users::create(call),
        ["users", "count"] if get => users::count(call),
        ["users", id] if get => users::get(call, id),
        ["users", id] if patch => users::update(call, id),
        ["users", id] if delete => users::delete(call, id),
        ["users", id, "metadata"] if patch || put => users::metadata(call, id, put),
        ["users", id, action @ ("ban" | "unban" | "lock" | "unlock")] if post => {
            users::restrict(call, id, action)
        }
        ["users", id, "organization_memberships"] if get => {
            organizations::user_memberships(call, id)
        }
        ["organizations"] if get => organizations::list(call),
        ["organizations"] if post => organizations::create(call),
        ["organizations", id] if get => organizations::get(call, id),
        ["organizations", id] if patch => organizations::update(call, id),
        ["organizations", id] if delete => organizations::delete(call, id),
        ["organizations", id, "metadata"] if patch || put => organizations::metadata(call, id, put),
        ["organizations", id, "memberships"] if get => organizations::memberships(call, Some(id)),
        ["organizations", id, "memberships"] if post => organizations::add_member(call, id),
        ["organizations", id, "memberships", user] if patch => {
            organizations::update_member(call, id, user)
        }
        ["organizations", id, "memberships", user] if delete => {
            organizations::remove_member(call, id, user)
        }
        ["organizations", id, "memberships", user, "metadata"] if patch => {
            organizations::member_metadata(call, id, user)
        }
        ["organization_memberships"] if get => organizations::memberships(call, None),
        ["organizations", id, "invitations"] if get => invitations::list(call, Some(id), false),
        ["organizations", id, "invitations", "pending"] if get => {
            invitations::list(call, Some(id), true)
        }
        ["organizations", id, "invitations"] if post => invitations::create(call, Some(id)),
        ["organizations", id, "invitations", inv] if get => invitations::get(call, Some(id), inv),
        ["organizations", id, "invitations", inv, "revoke"] if post => {
            invitations::revoke(call, Some(id), inv)
        }
        ["invitations"] if get => invitations::list(call, None, false),
        ["invitations"] if post => invitations::create(call, None),
        ["invitations", inv, "revoke"] if post => invitations::revoke(call, None, inv),
        ["sign_in_tokens"] if post => invitations::create_sign_in_token(call),
        ["sign_in_tokens", id, "revoke"] if post => invitations::revoke_sign_in_token(call, id),
        ["testing_tokens"] if post => Ok(invitations::testing_token(call.now)),
        ["sessions"] if get => sessions::list(call),
        ["sessions"] if post => sessions::create(call),
        ["sessions", id] if get => sessions::get(call, id),
        ["sessions", id, "revoke"] if post => sessions::revoke(call, id),
        ["sessions", id, "tokens"] if post => sessions::token(call, id, None),
        ["sessions", id, "tokens", template] if post => sessions::token(call, id, Some(template)),
        ["sessions", id, "refresh"] if post => sessions::refresh(call, id),
        ["clients", "handshake_payload"] if get => sessions::handshake_payload(call),
        ["clients", id] if get => sessions::client(call, id),
        _ => Err(ApiError::not_found("Resource")),
    }
}

/// `Authorization: Bearer <secret key>`, compared in constant time.
fn authorized(req: &HttpRequest, instance: &Instance) -> bool {
    let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    constant_time_eq(token.as_bytes(), instance.secret_key.expose().as_bytes())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Clerk takes the API version from the `Clerk-API-Version` header or the `__clerk_api_version`
/// query parameter, not both; it must look like a date.
fn check_api_version(req: &HttpRequest, query: &Params) -> Result<(), ApiError> {
    let header = req
        .headers()
        .get("clerk-api-version")
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let query = query.get("__clerk_api_version");
    let version = match (header, query) {
        (Some(_), Some(_)) => {
            return Err(ApiError::malformed(
                "Set the API version with the Clerk-API-Version header or the __clerk_api_version query parameter, not both.",
            ));
        }
        (Some(v), None) | (None, Some(v)) => v,
        (None, None) => return Ok(()),
    };
    let b = version.as_bytes();
    let date_like = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if date_like {
        Ok(())
    } else {
        Err(ApiError::malformed(format!(
            "{version:?} is not a valid API version."
        )))
    }
}

/// Query parameters, repeated keys kept (`?user_id=a&user_id=b`, also `user_id[]=`).
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(query: &str) -> Self {
        Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn matches(key: &str, name: &str) -> bool {
        key == name || key.strip_suffix("[]") == Some(name)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| Self::matches(k, name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| Self::matches(k, name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("{name} must be true or false."),
            )),
        }
    }

    fn number(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        self.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| {
                ApiError::invalid(name, format!("{name} must be a non-negative integer."))
            })
        })
    }

    /// `limit` (default 10, 1..=500) and `offset` (default 0).
    pub(crate) fn page(&self) -> Result<(usize, usize), ApiError> {
        let limit = self.number("limit", 10)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ));
        }
        Ok((limit, self.number("offset", 0)?))
    }

    /// `order_by=[+|-]field` with `field` one of `allowed`; `default` (e.g. `-created_at`) if absent.
    pub(crate) fn order<'a>(
        &'a self,
        allowed: &[&str],
        default: &'a str,
    ) -> Result<(&'a str, bool), ApiError> {
        let raw = self.get("order_by").unwrap_or(default);
        // An unencoded `+` arrives as a space.
        let (field, descending) = match raw.as_bytes().first() {
            Some(b'-') => (&raw[1..], true),
            Some(b'+' | b' ') => (&raw[1..], false),
            _ => (raw, false),
        };
        if allowed.contains(&field) {
            Ok((field, descending))
        } else {
            Err(ApiError::invalid(
                "order_by",
                format!(
                    "order_by must be one of {}, optionally prefixed with + or -.",
                    allowed.join(", ")
                ),
            ))
        }
    }
}

/// A JSON object request body, read field by field with Clerk-shaped type errors.
#[derive(Debug, Default)]
pub(crate) struct Body(Map<String, Value>);

impl Body {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::malformed(
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::malformed(format!(
                "The request body is not valid JSON: {e}"
            ))),
        }
    }

    /// Whether the field is present (even as `null`).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be a string."))),
        }
    }

    pub(crate) fn required_string(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ApiError::missing(name))
    }

    /// A string or an array of strings.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ApiError::invalid(name, format!("{name} must be an array of strings."))
                }),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("{name} must be an array of strings."),
            )),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("{name} must be a boolean."),
            )),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid(name, format!("{name} must be an integer."))),
        }
    }

    pub(crate) fn object(&self, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("{name} must be an object."),
            )),
        }
    }
}

/// One page of `items` after sorting, as Clerk's `{data, total_count}`.
pub(crate) fn paginated(items: Vec<Value>, params: &Params) -> Outcome {
    let (limit, offset) = params.page()?;
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    Ok(json!({ "data": data, "total_count": total }))
}

/// One page as a bare array (`GET /users`, and the `paginated`-switchable lists without it).
pub(crate) fn page_array(items: Vec<Value>, params: &Params) -> Outcome {
    let (limit, offset) = params.page()?;
    Ok(Value::Array(
        items.into_iter().skip(offset).take(limit).collect(),
    ))
}

/// Sorts by a field of the rendered resources (numbers, strings, `null` first when ascending).
pub(crate) fn sort_by_field(items: &mut [Value], field: &str, descending: bool) {
    let key = |v: &Value| v.get(field).cloned().unwrap_or(Value::Null);
    items.sort_by(|a, b| {
        let ordering = compare(&key(a), &key(b));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_repeated_keys_and_bracket_names() {
        let params = Params::parse(
            "email_address=a%40x.com&email_address[]=b%40x.com&limit=5&order_by=%2Bcreated_at",
        );
        assert_eq!(params.all("email_address"), ["a@x.com", "b@x.com"]);
        assert_eq!(params.page().unwrap(), (5, 0));
        assert_eq!(
            params.order(&["created_at"], "-created_at").unwrap(),
            ("created_at", false)
        );
        let raw_plus = Params::parse("order_by=+name");
        assert_eq!(
            raw_plus.order(&["name"], "-created_at").unwrap(),
            ("name", false)
        );
        assert_eq!(
            Params::default()
                .order(&["created_at"], "-created_at")
                .unwrap(),
            ("created_at", true)
        );
        assert_eq!(
            Params::parse("limit=501").page().unwrap_err().code,
            "form_param_format_invalid"
        );
        assert_eq!(
            Params::parse("limit=x").page().unwrap_err().code,
            "form_param_format_invalid"
        );
        assert!(
            Params::parse("order_by=password")
                .order(&["created_at"], "-created_at")
                .is_err()
        );
        assert_eq!(
            Params::parse("banned=yes").flag("banned").unwrap_err().code,
            "form_param_format_invalid"
        );
    }

    #[test]
    fn body_types_are_checked() {
        assert!(Body::parse(b"").unwrap().0.is_empty());
        assert_eq!(Body::parse(b"[1]").unwrap_err().code, "malformed_request");
        assert_eq!(Body::parse(b"{oops").unwrap_err().code, "malformed_request");
        let body =
            Body::parse(br#"{"name": 3, "emails": ["a", 1], "ok": true, "n": null}"#).unwrap();
        assert_eq!(
            body.string("name").unwrap_err().code,
            "form_param_format_invalid"
        );
        assert!(body.strings("emails").is_err());
        assert_eq!(body.bool("ok").unwrap(), Some(true));
        assert_eq!(body.string("n").unwrap(), None);
        assert!(body.has("n"));
        assert_eq!(
            body.required_string("missing").unwrap_err().code,
            "form_param_missing"
        );
    }

    #[test]
    fn secret_comparison() {
        assert!(constant_time_eq(b"sk_test_a", b"sk_test_a"));
        assert!(!constant_time_eq(b"sk_test_a", b"sk_test_b"));
        assert!(!constant_time_eq(b"sk_test_a", b"sk_test_"));
    }

    #[test]
    fn sorting_handles_mixed_and_missing_values() {
        let mut items = vec![json!({"n": 2}), json!({}), json!({"n": 10})];
        sort_by_field(&mut items, "n", true);
        assert_eq!(items, [json!({"n": 10}), json!({"n": 2}), json!({})]);
    }
}
