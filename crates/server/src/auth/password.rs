//! Password hashing with Argon2id (OWASP's recommended parameters, the crate default).
//!
//! Each hash takes tens of milliseconds of CPU and 19 MiB of memory, so a flood of
//! sign-ins could take the whole machine. A [`Hasher`] runs hashes on the blocking pool,
//! a bounded number at a time; a request that cannot get a turn within its wait is
//! answered "busy" (503 with `Retry-After`) instead of queueing without end.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long a request waits for a turn to hash, by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(3);

/// How many hashes run at once by default: one per core (at least two).
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
        .max(2)
}

/// Hashes and verifies passwords, at most `concurrency` at a time.
pub struct Hasher {
    turns: Semaphore,
    wait: Duration,
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
        }
    }

    /// Runs `work` (a hash) when a turn is free.
    async fn with_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        let _turn = match tokio::time::timeout(self.wait, self.turns.acquire()).await {
            Ok(Ok(turn)) => turn,
            _ => {
                tracing::warn!("password hashing is saturated; answering busy");
                return Err(AppError::Busy);
            }
        };
        tokio::task::spawn_blocking(work)
            .await
            .context("hashing task failed")?
            .map_err(AppError::Internal)
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.with_turn(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user, or a user
    /// without a password) it still does the same work, so timing does not tell which.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.with_turn(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"not a real password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
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
