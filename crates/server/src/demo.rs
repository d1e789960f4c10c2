//! `gatehouse-server demo`: realistic, deterministic users for demos and benchmarks.
//! The same seed gives the same people (names, emails, statuses, sources); times are
//! spread backwards from now so the data always looks current.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use gatehouse_api::users::{IdentitySource, User, UserStatus};
use gatehouse_api::DEFAULT_TENANT;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::store::{self, Db};

const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Andrei", "Aisha", "Ben", "Bianca", "Carlos", "Chen", "Chloe",
    "Daniel", "Dara", "Diego", "Elena", "Emeka", "Emma", "Fatima", "Felix", "Grace", "Hana",
    "Hugo", "Ibrahim", "Ines", "Ivan", "Jamal", "Jana", "Jin", "Jonas", "Julia", "Kai", "Karin",
    "Kenji", "Lars", "Leila", "Liam", "Lina", "Luca", "Maya", "Mateo", "Mei", "Mohammed", "Nadia",
    "Nikos", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Sami", "Sara", "Sven", "Tariq",
    "Thea", "Tomas", "Yara", "Yusuf", "Zara", "Zoe",
];
const LAST: &[&str] = &[
    "Abe",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hoffmann",
    "Hopper",
    "Ivanova",
    "Jansen",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lovelace",
    "Martin",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Petrov",
    "Popescu",
    "Rossi",
    "Santos",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Turing",
    "Varga",
    "Wagner",
    "Wang",
    "Weber",
    "Wilson",
    "Yilmaz",
    "Zhang",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "acme.test",
    "globex.test",
    "initech.test",
    "umbrella.test",
    "hooli.test",
    "stark.test",
];
const LOCALES: &[(&str, &str)] = &[
    ("en-US", "America/New_York"),
    ("en-GB", "Europe/London"),
    ("de-DE", "Europe/Berlin"),
    ("fr-FR", "Europe/Paris"),
    ("ja-JP", "Asia/Tokyo"),
    ("pt-BR", "America/Sao_Paulo"),
    ("es-ES", "Europe/Madrid"),
    ("hi-IN", "Asia/Kolkata"),
];
const TEAMS: &[&str] = &[
    "engineering",
    "sales",
    "support",
    "finance",
    "marketing",
    "operations",
];

/// Picks from `choices` by weight.
fn weighted<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (value, weight) in choices {
        if roll < *weight {
            return *value;
        }
        roll -= weight;
    }
    choices[0].0
}

/// The `index`-th demo person.
fn person(rng: &mut StdRng, index: usize) -> User {
    let now = Utc::now();
    let first = FIRST[rng.gen_range(0..FIRST.len())];
    let last = LAST[rng.gen_range(0..LAST.len())];
    let domain = DOMAINS[rng.gen_range(0..DOMAINS.len())];
    let (locale, timezone) = LOCALES[rng.gen_range(0..LOCALES.len())];
    let status = weighted(
        rng,
        &[
            (UserStatus::Active, 85),
            (UserStatus::PendingEmailVerification, 4),
            (UserStatus::PendingApproval, 2),
            (UserStatus::Disabled, 6),
            (UserStatus::Locked, 3),
        ],
    );
    let identity_source = weighted(
        rng,
        &[
            (IdentitySource::Local, 60),
            (IdentitySource::Oidc, 20),
            (IdentitySource::Saml, 12),
            (IdentitySource::Scim, 5),
            (IdentitySource::Ldap, 3),
        ],
    );
    let created_at = now - Duration::minutes(rng.gen_range(0..2 * 365 * 24 * 60));
    let last_login_at = (status != UserStatus::PendingEmailVerification && rng.gen_bool(0.9))
        .then(|| (now - Duration::minutes(rng.gen_range(0..365 * 24 * 60))).max(created_at));
    let created_at = store::to_time(created_at.timestamp_millis());
    let last_login_at = last_login_at.map(|t| store::to_time(t.timestamp_millis()));
    let handle = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), index);
    User {
        id: uuid::Builder::from_random_bytes(rng.gen()).into_uuid(),
        tenant_id: DEFAULT_TENANT.into(),
        email: format!("{handle}@{domain}"),
        username: rng.gen_bool(0.7).then(|| handle.clone()),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        display_name: Some(format!("{first} {last}")),
        phone: rng.gen_bool(0.4).then(|| {
            format!(
                "+1 555 {:03} {:04}",
                rng.gen_range(0..1000),
                rng.gen_range(0..10000)
            )
        }),
        locale: Some(locale.into()),
        timezone: Some(timezone.into()),
        status,
        status_reason: match status {
            UserStatus::Disabled => Some("Left the company".into()),
            UserStatus::Locked => Some("Too many failed sign-in attempts".into()),
            _ => None,
        },
        identity_source,
        email_verified: status != UserStatus::PendingEmailVerification,
        mfa_enabled: rng.gen_bool(0.35),
        require_password_change: false,
        custom_attributes: BTreeMap::from([(
            "team".into(),
            TEAMS[rng.gen_range(0..TEAMS.len())].into(),
        )]),
        created_at,
        updated_at: created_at,
        last_login_at,
        password_changed_at: None,
        version: 1,
    }
}

/// Adds `count` demo users to the default tenant (after any already there), in one
/// transaction. Returns how many were added.
pub async fn populate(db: &Db, count: usize, seed: u64) -> anyhow::Result<usize> {
    const BATCH: usize = 500;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    let mut rng = StdRng::seed_from_u64(seed ^ existing as u64);
    let offset = usize::try_from(existing).unwrap_or(0);
    let mut tx = db.begin().await?;
    let mut batch = Vec::with_capacity(BATCH);
    for index in 0..count {
        batch.push(person(&mut rng, offset + index + 1));
        if batch.len() == BATCH || index + 1 == count {
            store::users::insert_many(&mut tx, &batch).await?;
            batch.clear();
        }
    }
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let a: Vec<_> = (0..50)
            .map({
                let mut r = StdRng::seed_from_u64(7);
                move |i| person(&mut r, i)
            })
            .collect();
        let b: Vec<_> = (0..50)
            .map({
                let mut r = StdRng::seed_from_u64(7);
                move |i| person(&mut r, i)
            })
            .collect();
        let key = |u: &User| {
            (
                u.id,
                u.email.clone(),
                u.status,
                u.identity_source,
                u.mfa_enabled,
            )
        };
        assert_eq!(
            a.iter().map(key).collect::<Vec<_>>(),
            b.iter().map(key).collect::<Vec<_>>()
        );
        for u in &a {
            assert_eq!(
                gatehouse_api::validation::email(&u.email),
                Ok(()),
                "{}",
                u.email
            );
            if let Some(login) = u.last_login_at {
                assert!(login >= u.created_at);
            }
        }
    }
}
