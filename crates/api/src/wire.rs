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
/// [`assert_wire_names`]).
macro_rules! deserialize_by_wire_name {
    ($type:ty, [$($name:literal),+ $(,)?]) => {
        impl $type {
            /// Every wire name, in the order of `ALL`.
            pub const WIRE_NAMES: &'static [&'static str] = &[$($name),+];
        }

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
