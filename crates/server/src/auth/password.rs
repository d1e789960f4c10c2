//! Password hashing with Argon2id (OWASP's recommended parameters, the crate default).
//!
//! Each hash takes tens of milliseconds of CPU and 19 MiB of memory, so a flood of
//! sign-ins could take the whole machine. A [`Hasher`] runs hashes on the blocking pool,
//! a bounded number at a time, each in one of a fixed set of memory buffers that are
//! reused (so the allocator never piles up 19 MiB blocks across threads); a request that
//! cannot get a turn within its wait is answered "busy" (503 with `Retry-After`) instead
//! of queueing without end.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, Context};
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long a request waits for a turn to hash, by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(3);

/// How many hashes run at once by default: half the cores (at least one), so a flood
/// of sign-ins leaves the rest of the machine to everyone else.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| usize::from(n) / 2)
        .unwrap_or(1)
        .max(1)
}

/// Hashes and verifies passwords, at most `concurrency` at a time.
pub struct Hasher {
    turns: Semaphore,
    wait: Duration,
    /// Argon2 working memory, one buffer per turn at most, reused.
    memory: Mutex<Vec<Vec<Block>>>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new(default_concurrency(), DEFAULT_WAIT)
    }
}

impl Hasher {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            turns: Semaphore::new(concurrency.max(1)),
            wait,
            memory: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` on the blocking pool with a memory buffer, when a turn is free.
    async fn with_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        let _turn = match tokio::time::timeout(self.wait, self.turns.acquire()).await {
            Ok(Ok(turn)) => turn,
            _ => {
                tracing::warn!("password hashing is saturated; answering busy");
                return Err(AppError::Busy);
            }
        };
        let mut memory = self
            .memory
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        let (memory, result) = tokio::task::spawn_blocking(move || {
            let result = work(&mut memory);
            (memory, result)
        })
        .await
        .context("hashing task failed")?;
        if let Ok(mut pool) = self.memory.lock() {
            pool.push(memory);
        }
        result.map_err(AppError::Internal)
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.with_turn(move |memory| hash_in(memory, password.as_bytes()))
            .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user, or a user
    /// without a password) it still does the same work, so timing does not tell which.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.with_turn(move |memory| {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let matches = verify_in(memory, password.as_bytes(), &stored)?;
            Ok(known && matches)
        })
        .await
    }
}

/// Grows `memory` to `blocks` blocks (it keeps that size for the next hash).
fn working_memory(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
fn hash_in(memory: &mut Vec<Block>, password: &[u8]) -> anyhow::Result<String> {
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(
            password,
            salt_bytes,
            &mut out,
            working_memory(memory, params.block_count()),
        )
        .map_err(|e| anyhow!("hashing failed: {e}"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow!("output: {e}"))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `stored`, with the parameters it names.
fn verify_in(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow!("stored hash unreadable: {e}"))?;
    let algorithm =
        Algorithm::try_from(parsed.algorithm).map_err(|e| anyhow!("stored hash: {e}"))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow!("stored hash: {e}"))?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|e| anyhow!("stored hash: {e}"))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(anyhow!("stored hash has no salt or output"));
    };
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow!("stored salt: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(
            password,
            salt_bytes,
            &mut out,
            working_memory(memory, blocks),
        )
        .map_err(|e| anyhow!("hashing failed: {e}"))?;
    Ok(constant_time_eq::constant_time_eq(
        &out,
        expected.as_bytes(),
    ))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_in(&mut Vec::new(), b"not a real password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let hasher = Hasher::default();
        let a = hasher.hash("correct horse battery".into()).await.unwrap();
        let b = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(hasher
            .verify("correct horse battery".into(), Some(a.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("wrong horse battery".into(), Some(a))
            .await
            .unwrap());
        assert!(!hasher
            .verify("not a real password".into(), None)
            .await
            .unwrap());
    }

    #[test]
    fn hashes_are_standard_phc_strings() {
        use argon2::PasswordVerifier;
        let ours = hash_in(&mut Vec::new(), b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        let theirs = {
            use argon2::PasswordHasher;
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"another phrase here", &salt)
                .unwrap()
                .to_string()
        };
        assert!(verify_in(&mut Vec::new(), b"another phrase here", &theirs).unwrap());
        assert!(!verify_in(&mut Vec::new(), b"another phrase", &theirs).unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saturated_hasher_answers_busy() {
        let hasher = std::sync::Arc::new(Hasher::new(1, Duration::from_millis(1)));
        let all = (0..8).map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash("correct horse battery".into()).await })
        });
        let results = futures_util::future::join_all(all).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(AppError::Busy))))
            .count();
        assert!(busy > 0, "some requests were shed");
        assert!(results.iter().any(|r| matches!(r, Ok(Ok(_)))));
    }
}
