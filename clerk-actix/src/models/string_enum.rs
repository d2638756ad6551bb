//! A macro for Clerk's string enums that never fail on a value Clerk adds later.

/// Declares a string enum whose unknown wire values land in an `Unknown(String)` variant.
///
/// Clerk adds enum values without a new API version (new session statuses, verification
/// strategies...). A strict enum would make the whole response fail to parse, so every
/// string enum in [`crate::models`] is declared with this macro.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The value as Clerk spells it on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl Default for $name {
            /// `Unknown("")`: what a response that omits the field parses to.
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    };
}

pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    // The macro always declares a `pub` enum; here it is private to the test module.
    #![allow(unreachable_pub)]

    string_enum! {
        /// Test enum.
        pub enum Colour {
            /// Red.
            Red => "red",
            /// Dark blue.
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn known_values_round_trip() {
        let parsed: Colour = serde_json::from_str("\"dark_blue\"").unwrap();
        assert_eq!(parsed, Colour::DarkBlue);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"dark_blue\"");
        assert_eq!(Colour::Red.to_string(), "red");
    }

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let parsed: Colour = serde_json::from_str("\"ultra_violet\"").unwrap();
        assert_eq!(parsed, Colour::Unknown("ultra_violet".into()));
        assert_eq!(parsed.as_str(), "ultra_violet");
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"ultra_violet\"");
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }
}
