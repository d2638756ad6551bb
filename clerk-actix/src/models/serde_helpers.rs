//! Serde helpers that keep Clerk responses parseable when a field is `null` or missing.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default, so a list or map that Clerk sends as `null` (or that an
/// older payload omits, with `#[serde(default)]`) does not fail the whole response.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "null_default")]
        items: Vec<u8>,
    }

    #[test]
    fn null_missing_and_present() {
        let null: Holder = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert!(null.items.is_empty());
        let missing: Holder = serde_json::from_str("{}").unwrap();
        assert!(missing.items.is_empty());
        let present: Holder = serde_json::from_str(r#"{"items":[1,2]}"#).unwrap();
        assert_eq!(present.items, vec![1, 2]);
        assert!(serde_json::from_str::<Holder>(r#"{"items":"x"}"#).is_err());
    }
}
