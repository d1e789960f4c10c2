//! Second factors: TOTP codes (RFC 6238, what every authenticator app speaks) and
//! single-use recovery codes.

use data_encoding::BASE32_NOPAD;
use gatehouse_api::auth::QrModules;
use gatehouse_api::query::encode;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

/// Seconds a code is valid for, and its length: what authenticator apps assume.
const STEP_SECONDS: u64 = 30;
const DIGITS: usize = 6;
/// How many recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// A new random secret of 160 bits (RFC 4226's recommendation), in base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, bytes).ok()
}

fn now_seconds() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default()
}

/// The time step a code was made for, if it is right for now (one step of clock drift
/// either way) and later than `after` (codes are single use).
pub fn verify(secret: &str, code: &str, after: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    let now = now_seconds() / STEP_SECONDS;
    let mut found = None;
    // Check every candidate, so the time taken does not say which one matched.
    for step in [now.saturating_sub(1), now, now + 1] {
        let expected = totp.generate(step * STEP_SECONDS);
        if constant_time_eq::constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = i64::try_from(step).ok().filter(|s| *s > after);
        }
    }
    found
}

/// The code for a moment (seconds since the epoch): what the user's app shows then.
/// For tests, which act as the user's app.
pub fn code_at(secret: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix_seconds))
}

/// What the QR code holds: the key URI format every authenticator app reads.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(issuer),
        encode(account),
        encode(issuer)
    )
}

/// The modules of a QR code for `text`, for the console to draw.
pub fn qr(text: &str) -> anyhow::Result<QrModules> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let size = code.width();
    let colors = code.to_colors();
    let rows = colors
        .chunks(size)
        .map(|row| {
            row.iter()
                .map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' })
                .collect()
        })
        .collect();
    Ok(QrModules {
        size: u32::try_from(size)?,
        rows,
    })
}

/// Ten new recovery codes, such as `k3xq7-m2pa9`: 50 random bits each.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let text = BASE32_NOPAD.encode(&bytes).to_lowercase();
            format!("{}-{}", &text[..5], &text[5..10])
        })
        .collect()
}

/// What the database stores for a recovery code: the SHA-256 of its normalised form
/// (the codes are random enough that a slow hash adds nothing).
pub fn recovery_hash(code: &str) -> Vec<u8> {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normalised.as_bytes()).to_vec()
}

/// Whether `code` looks like a TOTP code rather than a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_once_and_only_for_their_secret() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let code = code_at(&secret, now_seconds()).unwrap();
        let step = verify(&secret, &code, 0).expect("current code accepted");
        assert_eq!(verify(&secret, &code, step), None, "not twice");
        assert_eq!(verify(&secret, "12345", 0), None);
        assert_eq!(verify(&secret, "abcdef", 0), None);
        assert!(verify(&secret, &format!("{} {}", &code[..3], &code[3..]), 0).is_some());
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_normalised() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert_eq!(
            recovery_hash(&codes[0]),
            recovery_hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert!(!is_totp_code(&codes[0]) && is_totp_code("123 456"));
    }

    #[test]
    fn qr_modules_are_square() {
        let uri = otpauth_uri("Gatehouse", "ada@example.com", &new_secret());
        assert!(uri.starts_with("otpauth://totp/Gatehouse:ada%40example.com?secret="));
        let qr = qr(&uri).unwrap();
        assert_eq!(qr.rows.len() as u32, qr.size);
        assert!(qr.rows.iter().all(|r| r.len() as u32 == qr.size));
    }
}
