//! Opaque bearer tokens: random, shown once, stored only as SHA-256 hashes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of session tokens, so a leaked token is recognisable in a secret scanner.
pub const SESSION_PREFIX: &str = "ghs_";
/// Prefix of first-run setup tokens.
pub const SETUP_PREFIX: &str = "ghsetup_";
/// Prefix of the single-use code the console exchanges after an SSO sign-in.
pub const SSO_CODE_PREFIX: &str = "ghsso_";
/// The RelayState of a SAML sign-in under way (the OIDC one is `openidconnect`'s own `state`).
pub const SSO_STATE_PREFIX: &str = "ghrelay_";
/// Prefix of the challenge between the password and the second factor of a sign-in.
pub const CHALLENGE_PREFIX: &str = "ghmfa_";

/// A new random token: the prefix and 256 bits of randomness.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A new API key: its visible prefix, and the whole key `gh_<prefix>_<secret>`.
pub fn generate_api_key() -> (String, String) {
    use gatehouse_api::api_keys::{KEY_PREFIX, SECRET_CHARS, VISIBLE_PREFIX_CHARS};
    use rand::distributions::{Alphanumeric, Distribution, Slice};
    const PREFIX_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    let letters = Slice::new(PREFIX_ALPHABET).expect("a non-empty alphabet");
    let prefix: String = letters
        .sample_iter(&mut rng)
        .take(VISIBLE_PREFIX_CHARS)
        .map(|&b| char::from(b))
        .collect();
    let secret: String = Alphanumeric
        .sample_iter(&mut rng)
        .take(SECRET_CHARS)
        .map(char::from)
        .collect();
    let key = format!("{KEY_PREFIX}{prefix}_{secret}");
    (prefix, key)
}

/// What the database stores instead of the token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = generate(SESSION_PREFIX);
        assert!(a.starts_with("ghs_") && a.len() == 4 + 43);
        assert_ne!(a, generate(SESSION_PREFIX));
        assert_eq!(hash(&a), hash(&a));
        assert_eq!(hash(&a).len(), 32);
    }

    #[test]
    fn api_keys_have_the_documented_shape() {
        let (prefix, key) = generate_api_key();
        assert_eq!(
            gatehouse_api::api_keys::split_key(&key).map(|(p, _)| p),
            Some(prefix.as_str())
        );
        assert_ne!(generate_api_key().1, key);
    }
}
