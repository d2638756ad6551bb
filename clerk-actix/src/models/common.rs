//! Shapes shared by many endpoints: metadata, deletion results, counts and list pages.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::serde_helpers::null_default;

/// Public, private or unsafe metadata: free-form JSON whose keys are passed through untouched.
///
/// ```
/// use clerk_actix::models::Metadata;
///
/// let mut metadata = Metadata::new();
/// metadata.insert("planTier".into(), serde_json::json!("pro"));
/// assert_eq!(serde_json::to_string(&metadata).unwrap(), r#"{"planTier":"pro"}"#);
/// ```
pub type Metadata = serde_json::Map<String, Value>;

/// What most `DELETE` endpoints answer.
///
/// ```
/// use clerk_actix::models::DeletedObject;
///
/// let deleted: DeletedObject =
///     serde_json::from_str(r#"{"object":"user","id":"user_1","deleted":true}"#).unwrap();
/// assert!(deleted.deleted);
/// assert_eq!(deleted.id.as_deref(), Some("user_1"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedObject {
    /// Kind of the deleted object (`"user"`, `"organization"`...).
    #[serde(default)]
    pub object: String,
    /// Its id.
    pub id: Option<String>,
    /// Its slug (organizations).
    pub slug: Option<String>,
    /// `true` when the object is gone.
    #[serde(default, deserialize_with = "null_default")]
    pub deleted: bool,
    /// Its external id (users).
    pub external_id: Option<String>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// `{"object":"total_count","total_count":N}`, the answer of count endpoints.
///
/// ```
/// use clerk_actix::models::TotalCount;
///
/// let count: TotalCount =
///     serde_json::from_str(r#"{"object":"total_count","total_count":42}"#).unwrap();
/// assert_eq!(count.total_count, 42);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TotalCount {
    /// Always `"total_count"`.
    #[serde(default)]
    pub object: String,
    /// The number of matching objects.
    pub total_count: u64,
}

/// One page of a list endpoint.
///
/// Clerk answers lists in three shapes: a bare array (`GET /users`, and other lists without
/// `paginated=true`), `{"data": [...], "total_count": N}`, and `{"m2m_tokens": [...],
/// "total_count": N}`. All three parse into this type; `total_count` is `None` for a bare array.
///
/// ```
/// use clerk_actix::models::Page;
///
/// let bare: Page<u32> = serde_json::from_str("[1, 2]").unwrap();
/// assert_eq!((bare.data, bare.total_count), (vec![1, 2], None));
///
/// let wrapped: Page<u32> = serde_json::from_str(r#"{"data":[3],"total_count":9}"#).unwrap();
/// assert_eq!((wrapped.data, wrapped.total_count), (vec![3], Some(9)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The objects on this page.
    pub data: Vec<T>,
    /// Number of objects across all pages, when the endpoint reports it.
    pub total_count: Option<u64>,
}

impl<T> Page<T> {
    /// Builds a page (used by the client when it joins `/users` and `/users/count`).
    ///
    /// ```
    /// let page = clerk_actix::models::Page::new(vec!["a"], Some(1));
    /// assert_eq!(page.data.len(), 1);
    /// ```
    pub fn new(data: Vec<T>, total_count: Option<u64>) -> Self {
        Self { data, total_count }
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self::new(Vec::new(), None)
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Buffer as a `Value` first so the shape can be picked before the items are parsed; an
        // item that fails then reports its own error instead of "no variant matched".
        let value = Value::deserialize(deserializer)?;
        let (items, total_count) = match value {
            Value::Array(items) => (items, None),
            Value::Object(mut object) => {
                let items = match object
                    .remove("data")
                    .or_else(|| object.remove("m2m_tokens"))
                {
                    Some(Value::Array(items)) => items,
                    Some(Value::Null) => Vec::new(),
                    _ => {
                        return Err(D::Error::custom(
                            "expected a list: an array, or an object with a `data` array",
                        ));
                    }
                };
                let total_count = match object.remove("total_count") {
                    None | Some(Value::Null) => None,
                    Some(count) => Some(u64::deserialize(count).map_err(D::Error::custom)?),
                };
                (items, total_count)
            }
            _ => return Err(D::Error::custom("expected a list, found a scalar")),
        };
        let data = items
            .into_iter()
            .map(|item| T::deserialize(item).map_err(D::Error::custom))
            .collect::<Result<Vec<T>, D::Error>>()?;
        Ok(Self { data, total_count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_accepts_the_three_list_shapes() {
        let bare: Page<String> = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(bare.data, ["a", "b"]);
        assert_eq!(bare.total_count, None);

        let data: Page<String> =
            serde_json::from_str(r#"{"data":["a"],"total_count":7,"new_field":1}"#).unwrap();
        assert_eq!(data.data, ["a"]);
        assert_eq!(data.total_count, Some(7));

        let m2m: Page<String> =
            serde_json::from_str(r#"{"m2m_tokens":["t"],"total_count":1}"#).unwrap();
        assert_eq!(m2m.data, ["t"]);
        assert_eq!(m2m.total_count, Some(1));
    }

    #[test]
    fn page_rejects_non_lists_and_reports_item_errors() {
        assert!(serde_json::from_str::<Page<String>>(r#"{"total_count":1}"#).is_err());
        assert!(serde_json::from_str::<Page<String>>("3").is_err());
        assert!(serde_json::from_str::<Page<String>>(r#"{"data":"x"}"#).is_err());
        let err = serde_json::from_str::<Page<u8>>(r#"[1, "two"]"#).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn deleted_object_keeps_unknown_fields() {
        let deleted: DeletedObject = serde_json::from_str(
            r#"{"object":"organization","slug":"acme","deleted":true,"purged_at":5}"#,
        )
        .unwrap();
        assert_eq!(deleted.slug.as_deref(), Some("acme"));
        assert_eq!(deleted.extra.get("purged_at"), Some(&Value::from(5)));
    }
}
