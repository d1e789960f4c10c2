-- Groups: members share the roles the group grants. Default groups take in every new user.

CREATE TABLE groups (
    id           UUID PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    color        TEXT NOT NULL DEFAULT '#2f5bd3',
    is_default   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX groups_name ON groups (tenant_id, name COLLATE nocase);

CREATE TABLE group_roles (
    group_id  UUID NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    role_id   UUID NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, role_id)
);
CREATE INDEX group_roles_role ON group_roles (role_id, group_id);

CREATE TABLE group_members (
    group_id  UUID NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users (id),
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, group_id);
