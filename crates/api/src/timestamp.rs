//! Reading the API's timestamps. The server writes RFC 3339 in UTC
//! (`2026-12-06T12:49:23.123456Z`); chrono reads that through its general format parser,
//! RFC 2822 and every strftime field included: about 13 KB of the console's first-load
//! wasm, for one format. The console reads timestamps with [`parse`] instead; the server
//! keeps chrono's more forgiving reading of what clients send.
//!
//! Queries use [`read`]; fields use it with `#[serde(deserialize_with = "crate::timestamp::deserialize")]`, or
//! `#[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]`.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer};

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, RFC 3339's form (`t`, a space and
/// `z` accepted as it allows), into UTC. Like chrono: up to nine fraction digits count
/// and later ones are ignored, and a 60th second is a leap second.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<u32> {
        bytes.get(from..to)?.iter().try_fold(0, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| bytes.get(at) != Some(&c))
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?)?;
    let (hour, minute, mut second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);

    let mut rest = &bytes[19..];
    let mut nano = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        nano = fraction[..digits.min(9)]
            .iter()
            .fold(0, |n, &c| n * 10 + u32::from(c - b'0'))
            * 10u32.pow(9 - digits.min(9) as u32);
        rest = &fraction[digits..];
    }
    if second == 60 {
        second = 59;
        nano += 1_000_000_000;
    }

    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if minutes > 59 || hours > 23 {
                return None;
            }
            let seconds = hours * 3_600 + minutes * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?);
    Some(
        local
            .checked_sub_signed(TimeDelta::seconds(offset_seconds))?
            .and_utc(),
    )
}

/// A timestamp in a query or a field: read with [`parse`] in the console (which writes them
/// itself) and by chrono's relaxed RFC 3339 reading elsewhere.
pub fn read(text: &str) -> Option<DateTime<Utc>> {
    #[cfg(target_arch = "wasm32")]
    return parse(text);
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse().ok();
}

/// A timestamp field, read with [`parse`] in the console and by chrono elsewhere.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    Timestamp::deserialize(deserializer).map(|t| t.0)
}

/// An optional timestamp field (`null` or absent: none; give the field `#[serde(default)]`).
pub fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<Timestamp>::deserialize(deserializer).map(|t| t.map(|t| t.0))
}

struct Timestamp(DateTime<Utc>);

impl<'de> Deserialize<'de> for Timestamp {
    #[cfg(target_arch = "wasm32")]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Rfc3339)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DateTime::<Utc>::deserialize(deserializer).map(Timestamp)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
struct Rfc3339;

#[cfg(any(target_arch = "wasm32", test))]
impl serde::de::Visitor<'_> for Rfc3339 {
    type Value = Timestamp;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
        parse(text)
            .map(Timestamp)
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        text.parse().ok()
    }

    #[test]
    fn reads_what_the_server_writes_as_chrono_does() {
        let base = Utc.with_ymd_and_hms(2026, 12, 6, 12, 49, 23).unwrap();
        let paris = FixedOffset::east_opt(3_600).unwrap();
        let kathmandu = FixedOffset::west_opt(5 * 3_600 + 45 * 60).unwrap();
        for nanos in [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999] {
            let time = base + TimeDelta::nanoseconds(nanos);
            let written = [
                serde_json::to_value(time)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
                time.to_rfc3339(),
                time.with_timezone(&paris).to_rfc3339(),
                time.with_timezone(&kathmandu).to_rfc3339(),
                time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ];
            for text in written {
                assert_eq!(parse(&text), chrono_reads(&text), "{text}");
                assert!(parse(&text).is_some(), "{text}");
            }
        }
    }

    #[test]
    fn agrees_with_chrono_at_the_edges() {
        for text in [
            "2026-02-28T23:59:59Z",
            "2024-02-29T00:00:00Z",
            "2026-12-31T23:30:00-01:00",
            "0001-01-01T00:00:00+00:30",
            "9999-12-31T23:59:59.9999999999Z",
            "2026-06-30T23:59:60.5Z",
            "2026-12-06t12:49:23z",
            "2026-12-06 12:49:23Z",
            "2026-12-06T12:49:23.1234567891234Z",
        ] {
            assert_eq!(parse(text), chrono_reads(text), "{text}");
            assert!(parse(text).is_some(), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for text in [
            "",
            "2026-12-06",
            "2026-12-06T12:49Z",
            "2026-12-06T12:49:23",
            "2026-12-06T12:49:23.Z",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T12:61:00Z",
            "2026-12-06T12:49:23+24:00",
            "2026-12-06T12:49:23+01:60",
            "2026-12-06T12:49:23+0100x",
            "2026-12-06T12:49:23\u{e9}",
            "2O26-12-06T12:49:23Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
            assert_eq!(chrono_reads(text), None, "chrono refuses {text:?} too");
        }
    }

    #[test]
    fn refuses_chronos_relaxations_which_the_server_never_writes() {
        for text in [
            "2026-12-06T12:49:23Z ",
            "2026-12-06T12:49:23+0100",
            "2026-12-06T12:49:23 UTC",
            "2026-12-6T12:49:23Z",
            "2026-12-06T12:49:23 Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
            assert!(chrono_reads(text).is_some(), "chrono reads {text:?}");
        }
    }

    #[test]
    fn reads_fields_through_serde() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let text: StrDeserializer<Error> = "2026-12-06T12:49:23Z".into_deserializer();
        let read = text.deserialize_str(Rfc3339).map(|t| t.0);
        assert_eq!(
            read,
            Ok(Utc.with_ymd_and_hms(2026, 12, 6, 12, 49, 23).unwrap())
        );
        let wrong: StrDeserializer<Error> = "yesterday".into_deserializer();
        let error = wrong.deserialize_str(Rfc3339).map(|t| t.0).unwrap_err();
        assert!(
            error.to_string().contains("an RFC 3339 timestamp"),
            "{error}"
        );
    }
}
