//! `gatehouse-server demo`: realistic, deterministic users for demos and benchmarks.
//! The same seed gives the same people (names, emails, statuses, sources); times are
//! spread backwards from now so the data always looks current.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::users::{IdentitySource, User, UserStatus};
use gatehouse_api::{Permission, DEFAULT_TENANT};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::store::engine::{query, query_scalar, Conn, QueryBuilder};
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
        kind: Default::default(),
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

const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Sales",
    "Support",
    "Finance",
    "Marketing",
    "Operations",
    "Legal",
    "People",
    "Design",
    "Research",
];
const SITES: &[&str] = &[
    "Berlin", "London", "Lisbon", "Tokyo", "Toronto", "Austin", "Pune", "Remote",
];
const COLORS: &[&str] = &[
    "#2f5bd3", "#1a7f37", "#8a5a00", "#c21d1d", "#6f42c1", "#0a7ea4", "#b35900", "#4f5763",
];

/// Custom roles the demo creates, next to the built-in ones.
const DEMO_ROLES: &[(&str, &str, &[&str])] = &[
    (
        "Support agent",
        "Helps users: reads and edits them.",
        &["users:read", "users:write"],
    ),
    (
        "Auditor",
        "Reads users, groups, roles and the audit log.",
        &["users:read", "groups:read", "roles:read", "audit:read"],
    ),
    (
        "Group manager",
        "Manages groups and their members.",
        &["users:read", "groups:read", "groups:write"],
    ),
];

/// What `demo` adds.
pub struct Demo {
    pub users: usize,
    pub groups: usize,
    pub seed: u64,
}

/// Adds demo users (and groups, with roles and memberships) to the default tenant, after
/// any already there, in one transaction.
pub async fn populate(db: &Db, demo: &Demo) -> anyhow::Result<()> {
    const BATCH: usize = 500;
    let existing: i64 = query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    let mut rng = StdRng::seed_from_u64(demo.seed ^ existing as u64);
    let offset = usize::try_from(existing).unwrap_or(0);
    let mut tx = store::begin_write(db).await?;
    let roles = demo_roles(&mut tx).await?;
    let groups = demo_groups(&mut tx, &mut rng, demo.groups, &roles).await?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut memberships = Vec::new();
    let mut grants = Vec::new();
    for index in 0..demo.users {
        let user = person(&mut rng, offset + index + 1);
        if !groups.is_empty() {
            for _ in 0..rng.gen_range(1..=3) {
                memberships.push((groups[rng.gen_range(0..groups.len())], user.id));
            }
        }
        match rng.gen_range(0..1000) {
            0..=29 => grants.push((user.id, roles.viewer)),
            30..=34 => grants.push((user.id, roles.custom[0])),
            _ => {}
        }
        batch.push(user);
        if batch.len() == BATCH || index + 1 == demo.users {
            store::users::insert_many(&mut tx, &batch).await?;
            batch.clear();
        }
    }
    let now = store::now_ms();
    for chunk in memberships.chunks(BATCH) {
        let mut q = QueryBuilder::new("INSERT INTO group_members (group_id, user_id, added_at)");
        q.push_values(chunk, |mut row, (group, user)| {
            row.push_bind(*group).push_bind(*user).push_bind(now);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    for (user, role) in grants {
        store::roles::grant(&mut tx, user, role).await?;
    }
    // PostgreSQL's vacuum below marks rows all-visible only once the commits it sees
    // are on disk; on a server with `synchronous_commit = off` (this one's and the
    // vacuum's own per-table commits) they would not be yet, and the lists' index-only
    // scans would visit every row (a role filter 2-3x slower).
    let postgres = db.engine() == store::Engine::Postgres;
    if postgres {
        query("SET LOCAL synchronous_commit = on")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    // Fresh statistics let the database plan the list queries well on the new data
    // (and PostgreSQL's vacuum marks the new rows all-visible, for index-only scans).
    let mut conn = db.acquire().await?;
    if postgres {
        query("SET synchronous_commit = on")
            .execute(&mut conn)
            .await?;
        query("VACUUM ANALYZE").execute(&mut conn).await?;
        query("RESET synchronous_commit").execute(&mut conn).await?;
    } else {
        query("ANALYZE").execute(&mut conn).await?;
    }
    Ok(())
}

struct DemoRoles {
    viewer: Uuid,
    editor: Uuid,
    custom: Vec<Uuid>,
}

/// The built-in roles and the demo's custom roles (created once).
async fn demo_roles(tx: &mut Conn) -> anyhow::Result<DemoRoles> {
    let viewer = store::roles::builtin_id(tx, DEFAULT_TENANT, BuiltinRole::VIEWER).await?;
    let editor = store::roles::builtin_id(tx, DEFAULT_TENANT, BuiltinRole::EDITOR).await?;
    let mut custom = Vec::new();
    for (name, description, permissions) in DEMO_ROLES {
        let found: Option<Uuid> =
            query_scalar("SELECT id FROM roles WHERE tenant_id = ? AND name = ?")
                .bind(DEFAULT_TENANT)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match found {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                let permissions = permissions
                    .iter()
                    .filter_map(|p| Permission::parse(p))
                    .collect();
                store::roles::insert(tx, DEFAULT_TENANT, id, name, description, &permissions)
                    .await?;
                id
            }
        };
        custom.push(id);
    }
    Ok(DemoRoles {
        viewer,
        editor,
        custom,
    })
}

/// Creates `count` groups; some grant roles. Returns every group of the tenant.
async fn demo_groups(
    tx: &mut Conn,
    rng: &mut StdRng,
    count: usize,
    roles: &DemoRoles,
) -> anyhow::Result<Vec<Uuid>> {
    let start: i64 = query_scalar("SELECT COUNT(*) FROM groups")
        .fetch_one(&mut *tx)
        .await?;
    let start = usize::try_from(start).unwrap_or(0);
    for n in start..start + count {
        let name = format!(
            "{} {} {}",
            DEPARTMENTS[n % DEPARTMENTS.len()],
            SITES[(n / DEPARTMENTS.len()) % SITES.len()],
            n + 1
        );
        let fields = store::groups::GroupFields {
            name: &name,
            description: "Demo group",
            color: COLORS[rng.gen_range(0..COLORS.len())],
            is_default: false,
        };
        let id = Uuid::now_v7();
        store::groups::insert(tx, DEFAULT_TENANT, id, &fields).await?;
        let granted = match n % 50 {
            0 => vec![roles.editor],
            1..=4 => vec![roles.viewer],
            5 | 6 => vec![roles.custom[0]],
            7 => vec![roles.custom[1]],
            8 => vec![roles.custom[2]],
            _ => vec![],
        };
        store::groups::set_roles(tx, id, &granted).await?;
    }
    Ok(query_scalar("SELECT id FROM groups WHERE tenant_id = ?")
        .bind(DEFAULT_TENANT)
        .fetch_all(&mut *tx)
        .await?)
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
