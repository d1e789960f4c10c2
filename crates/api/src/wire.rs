//! Unit enums read by their wire names. serde's derive compiles a reader per enum, which
//! also takes a `{"NAME": null}` form nobody sends; the console reads several of these
//! enums on its first page, where each such reader cost about 1 KB of wasm. Reading the
//! name as a string and looking it up costs a few bytes per enum, and the errors read as
//! the derive's ("unknown variant `X`, expected one of ...").

use serde::de::{Deserialize, Deserializer, Error};

/// The variant `parse` finds for the name read, or the derive's error.
pub(crate) fn from_wire_name<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    names: &'static [&'static str],
) -> Result<T, D::Error> {
    let name = String::deserialize(deserializer)?;
    parse(&name).ok_or_else(|| D::Error::unknown_variant(&name, names))
}

/// `Deserialize` for a unit enum with `parse`, `as_str` and `ALL`, given its wire names
/// (the same as `ALL`'s `as_str`, which the enum's tests check with
/// [`assert_wire_names`]), or the `const fn` that names a variant, to read them off `ALL`.
macro_rules! deserialize_by_wire_name {
    ($type:ty, [$($name:literal),+ $(,)?]) => {
        impl $type {
            /// Every wire name, in the order of `ALL`.
            pub const WIRE_NAMES: &'static [&'static str] = &[$($name),+];
        }
        deserialize_by_wire_name!($type);
    };
    ($type:ty, named_by $as_str:ident) => {
        impl $type {
            /// Every wire name, in the order of `ALL`.
            pub const WIRE_NAMES: &'static [&'static str] = &{
                let mut names = [""; <$type>::ALL.len()];
                let mut i = 0;
                while i < names.len() {
                    names[i] = <$type>::ALL[i].$as_str();
                    i += 1;
                }
                names
            };
        }
        deserialize_by_wire_name!($type);
    };
    ($type:ty) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $crate::wire::from_wire_name(deserializer, Self::parse, Self::WIRE_NAMES)
            }
        }
    };
}

/// Checks that the wire names are `ALL`'s, that each reads back as its variant, and that
/// an unknown name is the derive's error.
#[cfg(test)]
pub(crate) fn assert_wire_names<T>(all: &[T], as_str: fn(&T) -> &'static str, names: &[&str])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let wire: Vec<&str> = all.iter().map(as_str).collect();
    assert_eq!(wire, names);
    for value in all {
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(json, format!("\"{}\"", as_str(value)));
        assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
    }
    let error = serde_json::from_str::<T>("\"NOPE\"")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("unknown variant `NOPE`, expected ")
            && error.contains(&format!("`{}`", names[0])),
        "{error}"
    );
    assert!(serde_json::from_str::<T>("7").is_err());
}

#[cfg(test)]
mod tests {
    use super::assert_wire_names;
    use crate::api_keys::ApiKeyStatus;
    use crate::audit::{AuditAction, TargetType};
    use crate::auth::{MfaPolicy, Requirement};
    use crate::import::ImportField;
    use crate::invites::InviteStatus;
    use crate::sso::{FirstSignIn, SsoProtocol};
    use crate::users::{IdentitySource, UserKind, UserStatus};

    /// Every enum read by wire name: the names listed by hand, and those read off `ALL`
    /// (the derive's names are the `rename_all` spellings, so this is what keeps the two
    /// in step).
    #[test]
    fn enums_read_by_wire_name_read_their_serialised_names() {
        assert_wire_names(&UserStatus::ALL, |s| s.as_str(), UserStatus::WIRE_NAMES);
        assert_wire_names(&UserKind::ALL, |k| k.as_str(), UserKind::WIRE_NAMES);
        assert_wire_names(
            &IdentitySource::ALL,
            |s| s.as_str(),
            IdentitySource::WIRE_NAMES,
        );
        assert_wire_names(&SsoProtocol::ALL, |p| p.as_str(), SsoProtocol::WIRE_NAMES);
        assert_wire_names(&Requirement::ALL, |r| r.as_str(), Requirement::WIRE_NAMES);
        assert_wire_names(&AuditAction::ALL, |a| a.as_str(), AuditAction::WIRE_NAMES);
        assert_wire_names(&TargetType::ALL, |t| t.as_str(), TargetType::WIRE_NAMES);
        assert_wire_names(&MfaPolicy::ALL, |p| p.as_str(), MfaPolicy::WIRE_NAMES);
        assert_wire_names(&InviteStatus::ALL, |s| s.as_str(), InviteStatus::WIRE_NAMES);
        assert_wire_names(&FirstSignIn::ALL, |f| f.as_str(), FirstSignIn::WIRE_NAMES);
        assert_wire_names(&ApiKeyStatus::ALL, |s| s.as_str(), ApiKeyStatus::WIRE_NAMES);
        assert_wire_names(&ImportField::ALL, |f| f.key(), ImportField::WIRE_NAMES);
        assert_eq!(AuditAction::WIRE_NAMES[0], "user.created");
        assert_eq!(ImportField::WIRE_NAMES.len(), ImportField::ALL.len());
    }
}
