//! Every endpoint of the API and who may call it.
//!
//! This table is the single place access is decided: the server's authorisation layer
//! looks up each request's route here and refuses any route that is missing (so a new
//! endpoint cannot forget its check), a test keeps it equal to the OpenAPI document, and
//! the console asks it which permission a button needs.

use crate::Permission;

/// The path prefix of the versioned API.
pub const API_V1: &str = "/api/v1";

/// HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, first-run setup, health).
    Public,
    /// Any signed-in user, whatever their roles.
    SignedIn,
    /// Signed-in users holding this permission.
    Requires(Permission),
    /// Signed-in users acting on what is their own (the user in the path is them, or
    /// the API key in the path is theirs), and anyone holding this permission.
    OwnOr(Permission),
}

/// One route of the API: method, path pattern (axum syntax) and access rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// Dangerous enough to ask the caller to confirm who they are (password or MFA
    /// code) when they last did so more than [`RECENT_AUTH_SECONDS`] ago.
    pub recent_auth: bool,
    /// Callable by a session that still owes a password change or an MFA enrolment;
    /// such a session can call nothing else.
    pub while_restricted: bool,
    /// About the session itself (signing out, the password, second factors): an API
    /// key cannot call it.
    pub session_only: bool,
}

/// How long a confirmation of identity (sign-in included) covers dangerous actions.
pub const RECENT_AUTH_SECONDS: i64 = 5 * 60;

impl Endpoint {
    const fn new(method: Method, path: &'static str, access: Access) -> Self {
        Self {
            method,
            path,
            access,
            recent_auth: false,
            while_restricted: false,
            session_only: false,
        }
    }

    /// Marks the endpoint as one only a signed-in session may call.
    const fn session_only(mut self) -> Self {
        self.session_only = true;
        self
    }

    /// Marks the endpoint as needing a recent confirmation of identity.
    const fn confirmed(mut self) -> Self {
        self.recent_auth = true;
        self
    }

    /// Marks the endpoint as open to a session with a pending requirement.
    const fn while_restricted(mut self) -> Self {
        self.while_restricted = true;
        self
    }

    /// Whether the endpoint changes the user named by `{user_id}` in its path. The
    /// server refuses such a change when the user holds a permission the caller does
    /// not (a weaker administrator cannot act on a stronger account), and the console
    /// disables the control.
    pub fn acts_on_user(&self) -> bool {
        !matches!(self.method, Method::Get) && self.path.contains("{user_id}")
    }

    /// The permission the endpoint requires, if any.
    pub const fn permission(&self) -> Option<Permission> {
        match self.access {
            Access::Requires(p) => Some(p),
            _ => None,
        }
    }

    /// The permission needed to call the endpoint on what belongs to someone else.
    pub const fn permission_for_others(&self) -> Option<Permission> {
        match self.access {
            Access::Requires(p) | Access::OwnOr(p) => Some(p),
            _ => None,
        }
    }

    /// The concrete path of this endpoint: each `{name}` of the pattern replaced, in
    /// order, by `values` (the console builds every URL this way, so a path is written
    /// once, in this table).
    pub fn url(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(self.path.len() + 48);
        let mut values = values.iter();
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str(values.next().copied().unwrap_or_default());
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    /// The endpoint for a method and a route pattern, if the API has it. `HEAD` is
    /// answered wherever `GET` is.
    pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
        let method = if method.eq_ignore_ascii_case("HEAD") {
            "GET"
        } else {
            method
        };
        ALL.iter()
            .find(|e| e.method.as_str().eq_ignore_ascii_case(method) && e.path == path)
    }
}

use Access::{OwnOr, Public, Requires, SignedIn};
use Method::{Delete, Get, Patch, Post, Put};
use Permission as P;

pub const HEALTH: Endpoint = Endpoint::new(Get, "/healthz", Public);
pub const OPENAPI: Endpoint = Endpoint::new(Get, "/api/openapi.json", Public);

pub const SETUP_STATUS: Endpoint = Endpoint::new(Get, "/api/v1/setup", Public);
pub const SETUP: Endpoint = Endpoint::new(Post, "/api/v1/setup", Public);
pub const LOGIN: Endpoint = Endpoint::new(Post, "/api/v1/auth/login", Public);
/// The second step of signing in, with a TOTP or recovery code.
pub const LOGIN_MFA: Endpoint = Endpoint::new(Post, "/api/v1/auth/login/mfa", Public);
pub const LOGOUT: Endpoint = Endpoint::new(Post, "/api/v1/auth/logout", SignedIn)
    .while_restricted()
    .session_only();
pub const ME: Endpoint = Endpoint::new(Get, "/api/v1/auth/me", SignedIn).while_restricted();
pub const PERMISSIONS: Endpoint =
    Endpoint::new(Get, "/api/v1/permissions", SignedIn).while_restricted();

/// Invitees and people who forgot their password: the secret from their link rides in
/// the body.
pub const INVITE_LOOKUP: Endpoint = Endpoint::new(Post, "/api/v1/invites/lookup", Public);
pub const INVITE_ACCEPT: Endpoint = Endpoint::new(Post, "/api/v1/invites/accept", Public);
pub const PASSWORD_FORGOT: Endpoint = Endpoint::new(Post, "/api/v1/auth/password/forgot", Public);
pub const PASSWORD_RESET_LOOKUP: Endpoint =
    Endpoint::new(Post, "/api/v1/auth/password/reset/lookup", Public);
pub const PASSWORD_RESET: Endpoint = Endpoint::new(Post, "/api/v1/auth/password/reset", Public);

/// The signed-in user's own account: password, sessions, MFA.
pub const MY_PASSWORD: Endpoint = Endpoint::new(Post, "/api/v1/auth/me/password", SignedIn)
    .while_restricted()
    .session_only();
pub const MY_OTHER_SESSIONS_END: Endpoint =
    Endpoint::new(Post, "/api/v1/auth/me/sessions/end-others", SignedIn).session_only();
pub const MY_CONFIRM: Endpoint = Endpoint::new(Post, "/api/v1/auth/me/confirm", SignedIn)
    .while_restricted()
    .session_only();
pub const MY_TOTP_START: Endpoint = Endpoint::new(Post, "/api/v1/auth/me/mfa/totp", SignedIn)
    .while_restricted()
    .session_only();
pub const MY_TOTP_CONFIRM: Endpoint =
    Endpoint::new(Post, "/api/v1/auth/me/mfa/totp/confirm", SignedIn)
        .while_restricted()
        .session_only();
pub const MY_MFA_DISABLE: Endpoint = Endpoint::new(Delete, "/api/v1/auth/me/mfa", SignedIn)
    .confirmed()
    .session_only();
pub const MY_RECOVERY_CODES: Endpoint =
    Endpoint::new(Post, "/api/v1/auth/me/mfa/recovery-codes", SignedIn)
        .confirmed()
        .session_only();
pub const TENANTS: Endpoint = Endpoint::new(Get, "/api/v1/tenants", SignedIn);

const USERS: &str = "/api/v1/tenants/{tenant_id}/users";
const USER: &str = "/api/v1/tenants/{tenant_id}/users/{user_id}";
pub const USERS_LIST: Endpoint = Endpoint::new(Get, USERS, Requires(P::UsersRead));
/// The list's filters and order over every page, as CSV.
pub const USERS_EXPORT: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/users/export",
    Requires(P::UsersRead),
);
pub const USERS_CREATE: Endpoint = Endpoint::new(Post, USERS, Requires(P::UsersWrite));
/// One action on many users; the action may need more (`users:delete`, `groups:write`,
/// `roles:write`), which the server checks too.
pub const USERS_BULK: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/users/bulk",
    Requires(P::UsersWrite),
);
/// Creates and updates users from CSV rows; groups and roles columns need
/// `groups:write` and `roles:write` too.
pub const USERS_IMPORT: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/users/import",
    Requires(P::UsersWrite),
);
pub const USERS_GET: Endpoint = Endpoint::new(Get, USER, Requires(P::UsersRead));
pub const USERS_UPDATE: Endpoint = Endpoint::new(Patch, USER, Requires(P::UsersWrite));
pub const USERS_DELETE: Endpoint =
    Endpoint::new(Delete, USER, Requires(P::UsersDelete)).confirmed();
pub const USERS_SET_STATUS: Endpoint = Endpoint::new(
    Put,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/status",
    Requires(P::UsersWrite),
);
pub const USERS_RESET_PASSWORD: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/password/reset",
    Requires(P::UsersWrite),
)
.confirmed();
pub const USERS_DISABLE_MFA: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/mfa/disable",
    Requires(P::UsersWrite),
)
.confirmed();

pub const USERS_GROUPS: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/groups",
    Requires(P::UsersRead),
);
pub const USERS_ROLES: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/roles",
    Requires(P::UsersRead),
);
/// Granting roles is a roles:write act, whoever the user is.
pub const USERS_SET_ROLES: Endpoint = Endpoint::new(
    Put,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/roles",
    Requires(P::RolesWrite),
);

const ROLES: &str = "/api/v1/tenants/{tenant_id}/roles";
const ROLE: &str = "/api/v1/tenants/{tenant_id}/roles/{role_id}";
pub const ROLES_LIST: Endpoint = Endpoint::new(Get, ROLES, Requires(P::RolesRead));
pub const ROLES_CREATE: Endpoint = Endpoint::new(Post, ROLES, Requires(P::RolesWrite));
pub const ROLES_GET: Endpoint = Endpoint::new(Get, ROLE, Requires(P::RolesRead));
pub const ROLES_UPDATE: Endpoint = Endpoint::new(Patch, ROLE, Requires(P::RolesWrite));
pub const ROLES_DELETE: Endpoint = Endpoint::new(Delete, ROLE, Requires(P::RolesWrite));
pub const ROLES_HOLDERS: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/roles/{role_id}/holders",
    Requires(P::RolesRead),
);

const GROUPS: &str = "/api/v1/tenants/{tenant_id}/groups";
const GROUP: &str = "/api/v1/tenants/{tenant_id}/groups/{group_id}";
const MEMBERS: &str = "/api/v1/tenants/{tenant_id}/groups/{group_id}/members";
pub const GROUPS_LIST: Endpoint = Endpoint::new(Get, GROUPS, Requires(P::GroupsRead));
pub const GROUPS_CREATE: Endpoint = Endpoint::new(Post, GROUPS, Requires(P::GroupsWrite));
pub const GROUPS_GET: Endpoint = Endpoint::new(Get, GROUP, Requires(P::GroupsRead));
pub const GROUPS_UPDATE: Endpoint = Endpoint::new(Patch, GROUP, Requires(P::GroupsWrite));
pub const GROUPS_DELETE: Endpoint = Endpoint::new(Delete, GROUP, Requires(P::GroupsWrite));
pub const GROUPS_MEMBERS: Endpoint = Endpoint::new(Get, MEMBERS, Requires(P::GroupsRead));
pub const GROUPS_ADD_MEMBERS: Endpoint = Endpoint::new(Post, MEMBERS, Requires(P::GroupsWrite));
pub const GROUPS_REMOVE_MEMBERS: Endpoint =
    Endpoint::new(Delete, MEMBERS, Requires(P::GroupsWrite));

pub const USERS_MAIL: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/users/{user_id}/mail",
    Requires(P::UsersRead),
);

const INVITES: &str = "/api/v1/tenants/{tenant_id}/invites";
const INVITE: &str = "/api/v1/tenants/{tenant_id}/invites/{invite_id}";
pub const INVITES_LIST: Endpoint = Endpoint::new(Get, INVITES, Requires(P::InvitesRead));
pub const INVITES_CREATE: Endpoint = Endpoint::new(Post, INVITES, Requires(P::InvitesWrite));
pub const INVITES_GET: Endpoint = Endpoint::new(Get, INVITE, Requires(P::InvitesRead));
pub const INVITES_RESEND: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/invites/{invite_id}/resend",
    Requires(P::InvitesWrite),
);
pub const INVITES_REVOKE: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/invites/{invite_id}/revoke",
    Requires(P::InvitesWrite),
);
pub const INVITES_REVOKE_MANY: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/invites/revoke",
    Requires(P::InvitesWrite),
);

pub const MAIL_SETTINGS: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/settings/mail",
    Requires(P::UsersRead),
);
pub const MAIL_TEST: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/settings/mail/test",
    Requires(P::TenantsWrite),
);

/// The signed-in user's own API keys.
pub const MY_API_KEYS_LIST: Endpoint = Endpoint::new(Get, "/api/v1/auth/me/api-keys", SignedIn);
pub const MY_API_KEYS_CREATE: Endpoint = Endpoint::new(Post, "/api/v1/auth/me/api-keys", SignedIn);
const USER_API_KEYS: &str = "/api/v1/tenants/{tenant_id}/users/{user_id}/api-keys";
const API_KEYS: &str = "/api/v1/tenants/{tenant_id}/api-keys";
const API_KEY: &str = "/api/v1/tenants/{tenant_id}/api-keys/{key_id}";
pub const USER_API_KEYS_LIST: Endpoint = Endpoint::new(Get, USER_API_KEYS, OwnOr(P::ApiKeysRead));
/// A key for someone else acts with their permissions: besides `api_keys:write`, the
/// caller may not be weaker than the owner.
pub const USER_API_KEYS_CREATE: Endpoint =
    Endpoint::new(Post, USER_API_KEYS, OwnOr(P::ApiKeysWrite));
pub const API_KEYS_LIST: Endpoint = Endpoint::new(Get, API_KEYS, Requires(P::ApiKeysRead));
pub const API_KEYS_GET: Endpoint = Endpoint::new(Get, API_KEY, OwnOr(P::ApiKeysRead));
pub const API_KEYS_UPDATE: Endpoint = Endpoint::new(Patch, API_KEY, OwnOr(P::ApiKeysWrite));
pub const API_KEYS_REVOKE: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/api-keys/{key_id}/revoke",
    OwnOr(P::ApiKeysWrite),
);
pub const API_KEYS_REVOKE_MANY: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/api-keys/revoke",
    Requires(P::ApiKeysWrite),
);

/// The sign-in page's "Sign in with ..." buttons: the enabled connections of a tenant.
pub const SSO_PUBLIC: Endpoint = Endpoint::new(Get, "/api/v1/sso/connections", Public);
/// Signing in through a connection: the browser goes to `start` (the server answers with
/// a redirect to the provider), the provider sends it back to `callback`, and the server
/// sends it on to the console's `/sso/done#code=...` with a single-use code that the
/// console exchanges for a session (a session token never rides in a URL).
pub const SSO_START: Endpoint = Endpoint::new(Get, "/api/v1/sso/{connection_id}/start", Public);
pub const SSO_OIDC_CALLBACK: Endpoint = Endpoint::new(Get, "/api/v1/sso/oidc/callback", Public);
pub const SSO_EXCHANGE: Endpoint = Endpoint::new(Post, "/api/v1/auth/sso/exchange", Public);
/// A SAML connection's service provider: its metadata document (whose address is also its
/// entity id), and the assertion consumer service the IdP posts its answer to.
pub const SSO_SAML_METADATA: Endpoint =
    Endpoint::new(Get, "/api/v1/sso/saml/{connection_id}/metadata", Public);
pub const SSO_SAML_ACS: Endpoint =
    Endpoint::new(Post, "/api/v1/sso/saml/{connection_id}/acs", Public);
const SSO_CONNECTIONS: &str = "/api/v1/tenants/{tenant_id}/sso/connections";
const SSO_CONNECTION: &str = "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}";
pub const SSO_LIST: Endpoint = Endpoint::new(Get, SSO_CONNECTIONS, Requires(P::SsoRead));
pub const SSO_CREATE: Endpoint = Endpoint::new(Post, SSO_CONNECTIONS, Requires(P::SsoWrite));
pub const SSO_GET: Endpoint = Endpoint::new(Get, SSO_CONNECTION, Requires(P::SsoRead));
pub const SSO_UPDATE: Endpoint = Endpoint::new(Put, SSO_CONNECTION, Requires(P::SsoWrite));
pub const SSO_DELETE: Endpoint = Endpoint::new(Delete, SSO_CONNECTION, Requires(P::SsoWrite));
/// The server fetches an issuer's OpenID configuration (http and https only, no
/// redirects, a short timeout and a size cap): only those who may change connections.
pub const SSO_DISCOVER: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/sso/discover",
    Requires(P::SsoWrite),
);
pub const SSO_METADATA: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/sso/metadata",
    Requires(P::SsoWrite),
);
/// What a sign-in with given claims would grant: it changes nothing.
pub const SSO_SIMULATE: Endpoint = Endpoint::new(
    Post,
    "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}/simulate",
    Requires(P::SsoRead),
);

const SECURITY_SETTINGS: &str = "/api/v1/tenants/{tenant_id}/settings/security";
/// Everyone who manages users may see the sign-in policy; changing it is a tenant setting.
pub const SECURITY_SETTINGS_GET: Endpoint =
    Endpoint::new(Get, SECURITY_SETTINGS, Requires(P::UsersRead));
pub const SECURITY_SETTINGS_UPDATE: Endpoint =
    Endpoint::new(Put, SECURITY_SETTINGS, Requires(P::TenantsWrite));

const AUDIT: &str = "/api/v1/tenants/{tenant_id}/audit";
pub const AUDIT_LIST: Endpoint = Endpoint::new(Get, AUDIT, Requires(P::AuditRead));
/// The list's filters over every page, as CSV.
pub const AUDIT_EXPORT: Endpoint = Endpoint::new(
    Get,
    "/api/v1/tenants/{tenant_id}/audit/export",
    Requires(P::AuditRead),
);

/// Every endpoint of the API.
pub const ALL: &[Endpoint] = &[
    HEALTH,
    OPENAPI,
    SETUP_STATUS,
    SETUP,
    LOGIN,
    LOGIN_MFA,
    INVITE_LOOKUP,
    INVITE_ACCEPT,
    PASSWORD_FORGOT,
    PASSWORD_RESET_LOOKUP,
    PASSWORD_RESET,
    LOGOUT,
    ME,
    PERMISSIONS,
    MY_PASSWORD,
    MY_OTHER_SESSIONS_END,
    MY_CONFIRM,
    MY_TOTP_START,
    MY_TOTP_CONFIRM,
    MY_MFA_DISABLE,
    MY_RECOVERY_CODES,
    TENANTS,
    USERS_LIST,
    USERS_EXPORT,
    USERS_CREATE,
    USERS_BULK,
    USERS_IMPORT,
    USERS_GET,
    USERS_UPDATE,
    USERS_DELETE,
    USERS_SET_STATUS,
    USERS_RESET_PASSWORD,
    USERS_DISABLE_MFA,
    USERS_GROUPS,
    USERS_ROLES,
    USERS_SET_ROLES,
    ROLES_LIST,
    ROLES_CREATE,
    ROLES_GET,
    ROLES_UPDATE,
    ROLES_DELETE,
    ROLES_HOLDERS,
    GROUPS_LIST,
    GROUPS_CREATE,
    GROUPS_GET,
    GROUPS_UPDATE,
    GROUPS_DELETE,
    GROUPS_MEMBERS,
    GROUPS_ADD_MEMBERS,
    GROUPS_REMOVE_MEMBERS,
    USERS_MAIL,
    INVITES_LIST,
    INVITES_CREATE,
    INVITES_GET,
    INVITES_RESEND,
    INVITES_REVOKE,
    INVITES_REVOKE_MANY,
    MAIL_SETTINGS,
    MAIL_TEST,
    MY_API_KEYS_LIST,
    MY_API_KEYS_CREATE,
    USER_API_KEYS_LIST,
    USER_API_KEYS_CREATE,
    API_KEYS_LIST,
    API_KEYS_GET,
    API_KEYS_UPDATE,
    API_KEYS_REVOKE,
    API_KEYS_REVOKE_MANY,
    SSO_PUBLIC,
    SSO_START,
    SSO_OIDC_CALLBACK,
    SSO_EXCHANGE,
    SSO_SAML_METADATA,
    SSO_SAML_ACS,
    SSO_LIST,
    SSO_CREATE,
    SSO_GET,
    SSO_UPDATE,
    SSO_DELETE,
    SSO_SIMULATE,
    SSO_DISCOVER,
    SSO_METADATA,
    SECURITY_SETTINGS_GET,
    SECURITY_SETTINGS_UPDATE,
    AUDIT_LIST,
    AUDIT_EXPORT,
];

/// Concrete URLs (relative to the API origin) for the console's requests, each filled in
/// from its endpoint's pattern.
pub mod url {
    use super::*;
    use uuid::Uuid;

    pub fn setup() -> String {
        SETUP.url(&[])
    }
    pub fn login() -> String {
        LOGIN.url(&[])
    }
    pub fn login_mfa() -> String {
        LOGIN_MFA.url(&[])
    }
    pub fn logout() -> String {
        LOGOUT.url(&[])
    }
    pub fn me() -> String {
        ME.url(&[])
    }
    pub fn my_password() -> String {
        MY_PASSWORD.url(&[])
    }
    pub fn my_other_sessions_end() -> String {
        MY_OTHER_SESSIONS_END.url(&[])
    }
    pub fn my_confirm() -> String {
        MY_CONFIRM.url(&[])
    }
    pub fn my_totp() -> String {
        MY_TOTP_START.url(&[])
    }
    pub fn my_totp_confirm() -> String {
        MY_TOTP_CONFIRM.url(&[])
    }
    pub fn my_mfa() -> String {
        MY_MFA_DISABLE.url(&[])
    }
    pub fn my_recovery_codes() -> String {
        MY_RECOVERY_CODES.url(&[])
    }
    pub fn permissions() -> String {
        PERMISSIONS.url(&[])
    }
    pub fn tenants() -> String {
        TENANTS.url(&[])
    }
    pub fn invite_lookup() -> String {
        INVITE_LOOKUP.url(&[])
    }
    pub fn invite_accept() -> String {
        INVITE_ACCEPT.url(&[])
    }
    pub fn password_forgot() -> String {
        PASSWORD_FORGOT.url(&[])
    }
    pub fn password_reset_lookup() -> String {
        PASSWORD_RESET_LOOKUP.url(&[])
    }
    pub fn password_reset() -> String {
        PASSWORD_RESET.url(&[])
    }
    pub fn user_mail(tenant: &str, id: Uuid) -> String {
        USERS_MAIL.url(&[tenant, &id.to_string()])
    }
    pub fn invites(tenant: &str) -> String {
        INVITES_LIST.url(&[tenant])
    }
    pub fn invite(tenant: &str, id: Uuid) -> String {
        INVITES_GET.url(&[tenant, &id.to_string()])
    }
    pub fn invite_resend(tenant: &str, id: Uuid) -> String {
        INVITES_RESEND.url(&[tenant, &id.to_string()])
    }
    pub fn invite_revoke(tenant: &str, id: Uuid) -> String {
        INVITES_REVOKE.url(&[tenant, &id.to_string()])
    }
    pub fn invites_revoke(tenant: &str) -> String {
        INVITES_REVOKE_MANY.url(&[tenant])
    }
    pub fn mail_settings(tenant: &str) -> String {
        MAIL_SETTINGS.url(&[tenant])
    }
    pub fn mail_test(tenant: &str) -> String {
        MAIL_TEST.url(&[tenant])
    }
    pub fn audit(tenant: &str) -> String {
        AUDIT_LIST.url(&[tenant])
    }
    pub fn audit_export(tenant: &str) -> String {
        AUDIT_EXPORT.url(&[tenant])
    }
    pub fn security_settings(tenant: &str) -> String {
        SECURITY_SETTINGS_GET.url(&[tenant])
    }
    pub fn users(tenant: &str) -> String {
        USERS_LIST.url(&[tenant])
    }
    pub fn users_bulk(tenant: &str) -> String {
        USERS_BULK.url(&[tenant])
    }
    pub fn users_import(tenant: &str) -> String {
        USERS_IMPORT.url(&[tenant])
    }
    pub fn users_export(tenant: &str) -> String {
        USERS_EXPORT.url(&[tenant])
    }
    pub fn user(tenant: &str, id: Uuid) -> String {
        USERS_GET.url(&[tenant, &id.to_string()])
    }
    pub fn user_status(tenant: &str, id: Uuid) -> String {
        USERS_SET_STATUS.url(&[tenant, &id.to_string()])
    }
    pub fn user_password_reset(tenant: &str, id: Uuid) -> String {
        USERS_RESET_PASSWORD.url(&[tenant, &id.to_string()])
    }
    pub fn user_mfa_disable(tenant: &str, id: Uuid) -> String {
        USERS_DISABLE_MFA.url(&[tenant, &id.to_string()])
    }
    pub fn user_groups(tenant: &str, id: Uuid) -> String {
        USERS_GROUPS.url(&[tenant, &id.to_string()])
    }
    pub fn user_roles(tenant: &str, id: Uuid) -> String {
        USERS_ROLES.url(&[tenant, &id.to_string()])
    }
    pub fn roles(tenant: &str) -> String {
        ROLES_LIST.url(&[tenant])
    }
    pub fn role(tenant: &str, id: Uuid) -> String {
        ROLES_GET.url(&[tenant, &id.to_string()])
    }
    pub fn role_holders(tenant: &str, id: Uuid) -> String {
        ROLES_HOLDERS.url(&[tenant, &id.to_string()])
    }
    pub fn groups(tenant: &str) -> String {
        GROUPS_LIST.url(&[tenant])
    }
    pub fn group(tenant: &str, id: Uuid) -> String {
        GROUPS_GET.url(&[tenant, &id.to_string()])
    }
    pub fn group_members(tenant: &str, id: Uuid) -> String {
        GROUPS_MEMBERS.url(&[tenant, &id.to_string()])
    }
    pub fn my_api_keys() -> String {
        MY_API_KEYS_LIST.url(&[])
    }
    pub fn user_api_keys(tenant: &str, user: Uuid) -> String {
        USER_API_KEYS_LIST.url(&[tenant, &user.to_string()])
    }
    pub fn api_keys(tenant: &str) -> String {
        API_KEYS_LIST.url(&[tenant])
    }
    pub fn api_key(tenant: &str, id: Uuid) -> String {
        API_KEYS_GET.url(&[tenant, &id.to_string()])
    }
    pub fn api_key_revoke(tenant: &str, id: Uuid) -> String {
        API_KEYS_REVOKE.url(&[tenant, &id.to_string()])
    }
    pub fn api_keys_revoke(tenant: &str) -> String {
        API_KEYS_REVOKE_MANY.url(&[tenant])
    }
    pub fn sso_public() -> String {
        SSO_PUBLIC.url(&[])
    }
    pub fn sso_start(id: Uuid) -> String {
        SSO_START.url(&[&id.to_string()])
    }
    pub fn sso_exchange() -> String {
        SSO_EXCHANGE.url(&[])
    }
    pub fn sso_connections(tenant: &str) -> String {
        SSO_LIST.url(&[tenant])
    }
    pub fn sso_connection(tenant: &str, id: Uuid) -> String {
        SSO_GET.url(&[tenant, &id.to_string()])
    }
    pub fn sso_simulate(tenant: &str, id: Uuid) -> String {
        SSO_SIMULATE.url(&[tenant, &id.to_string()])
    }
    pub fn sso_discover(tenant: &str) -> String {
        SSO_DISCOVER.url(&[tenant])
    }
    pub fn sso_metadata(tenant: &str) -> String {
        SSO_METADATA.url(&[tenant])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = HashSet::new();
        for e in ALL {
            assert!(
                seen.insert((e.method, e.path)),
                "{} {} listed twice",
                e.method.as_str(),
                e.path
            );
        }
    }

    #[test]
    fn only_sign_in_setup_and_health_are_public() {
        let public: Vec<_> = ALL
            .iter()
            .filter(|e| e.access == Access::Public)
            .map(|e| e.path)
            .collect();
        assert_eq!(
            public,
            [
                "/healthz",
                "/api/openapi.json",
                "/api/v1/setup",
                "/api/v1/setup",
                "/api/v1/auth/login",
                "/api/v1/auth/login/mfa",
                "/api/v1/invites/lookup",
                "/api/v1/invites/accept",
                "/api/v1/auth/password/forgot",
                "/api/v1/auth/password/reset/lookup",
                "/api/v1/auth/password/reset",
                "/api/v1/sso/connections",
                "/api/v1/sso/{connection_id}/start",
                "/api/v1/sso/oidc/callback",
                "/api/v1/auth/sso/exchange",
                "/api/v1/sso/saml/{connection_id}/metadata",
                "/api/v1/sso/saml/{connection_id}/acs",
            ]
        );
    }

    #[test]
    fn tenant_scoped_routes_require_a_permission() {
        for e in ALL.iter().filter(|e| e.path.contains("{tenant_id}")) {
            assert!(
                e.permission_for_others().is_some(),
                "{} {} has no permission",
                e.method.as_str(),
                e.path
            );
        }
    }

    #[test]
    fn api_keys_cannot_touch_the_session() {
        let session_only: Vec<&str> = ALL
            .iter()
            .filter(|e| e.session_only)
            .map(|e| e.path)
            .collect();
        for path in [
            LOGOUT.path,
            MY_PASSWORD.path,
            MY_CONFIRM.path,
            MY_MFA_DISABLE.path,
        ] {
            assert!(session_only.contains(&path), "{path}");
        }
        assert!(!session_only.contains(&MY_API_KEYS_CREATE.path));
        assert!(!session_only.contains(&ME.path));
    }

    #[test]
    fn find_matches_method_and_pattern() {
        assert_eq!(Endpoint::find("patch", USER), Some(&USERS_UPDATE));
        assert_eq!(Endpoint::find("PUT", USER), None);
        assert_eq!(Endpoint::find("HEAD", USER), Some(&USERS_GET));
    }

    #[test]
    fn urls_are_filled_in_from_the_table() {
        let id = uuid::Uuid::from_u128(1);
        assert_eq!(
            url::user_roles("acme", id),
            format!("/api/v1/tenants/acme/users/{id}/roles")
        );
        assert_eq!(url::me(), "/api/v1/auth/me");
        assert_eq!(USERS_LIST.url(&[]), "/api/v1/tenants//users");
    }

    #[test]
    fn writes_to_a_named_user_act_on_that_user() {
        let acting: Vec<_> = ALL
            .iter()
            .filter(|e| e.acts_on_user())
            .map(|e| (e.method.as_str(), e.path))
            .collect();
        assert!(acting.contains(&("PATCH", USER)));
        assert!(acting.contains(&("PUT", USERS_SET_ROLES.path)));
        assert!(!acting.contains(&("GET", USER)));
        assert!(!USERS_CREATE.acts_on_user());
    }

    #[test]
    fn restricted_sessions_reach_only_their_own_account() {
        for e in ALL.iter().filter(|e| e.while_restricted) {
            assert_eq!(e.access, SignedIn, "{}", e.path);
            assert!(e.path.starts_with("/api/v1/auth/") || e.path == "/api/v1/permissions");
        }
    }
}
