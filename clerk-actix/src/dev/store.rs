//! The dev instance's data: users, organizations, sessions and keys, kept in one JSON file.
//!
//! Every change is written to a temporary file and renamed over the store, so a crash leaves
//! either the old or the new store, never half of one.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::api_error::ApiError;
use super::{DevError, SigningKey};

/// Version of the file layout; a file of another version is refused rather than misread.
const STORE_VERSION: u32 = 1;
/// How long a session lives (Clerk's default inactivity-free lifetime is 7 days).
const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
/// Clients kept before idle (signed-out) ones are forgotten, oldest first.
const MAX_CLIENTS: usize = 2000;
/// How long a locked user stays locked (Clerk's default lockout).
pub(crate) const LOCKOUT_MS: i64 = 3600 * 1000;

/// Wall-clock Unix milliseconds, the unit of every `*_at` field.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `len` random characters from `[0-9A-Za-z]`, from the system CSPRNG.
pub(crate) fn random_chars(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut buf = [0u8; 64];
        if aws_lc_rs::rand::fill(&mut buf).is_err() {
            // aws-lc only fails here if the OS has no entropy source at all; fall back to the
            // OS-seeded SipHash keys of std rather than panicking.
            for chunk in buf.chunks_mut(8) {
                let mut hasher = RandomState::new().build_hasher();
                hasher.write_i64(now_ms());
                chunk.copy_from_slice(&hasher.finish().to_le_bytes()[..chunk.len()]);
            }
        }
        // Rejection sampling keeps the characters uniform (248 = 4 * 62).
        for byte in buf.iter().filter(|b| **b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*byte % 62)]));
        }
    }
    out
}

/// A new id with one of Clerk's prefixes (`user`, `org`, `sess`...), 27 random characters like Clerk's.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_chars(27))
}

/// A role of the instance, e.g. `org:admin` with its permissions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Role {
    pub(crate) key: String,
    pub(crate) name: String,
    pub(crate) permissions: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Email {
    pub(crate) id: String,
    pub(crate) address: String,
    pub(crate) created_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) external_id: Option<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) locale: Option<String>,
    pub(crate) emails: Vec<Email>,
    pub(crate) primary_email_id: Option<String>,
    pub(crate) password_enabled: bool,
    pub(crate) public_metadata: Map<String, Value>,
    pub(crate) private_metadata: Map<String, Value>,
    pub(crate) unsafe_metadata: Map<String, Value>,
    pub(crate) banned: bool,
    pub(crate) locked_until: Option<i64>,
    pub(crate) delete_self_enabled: bool,
    pub(crate) create_organization_enabled: bool,
    pub(crate) create_organizations_limit: Option<i64>,
    /// The billing plan slug put in the token's `pla` claim as `u:<plan>`.
    pub(crate) plan: String,
    pub(crate) last_active_organization_id: Option<String>,
    pub(crate) last_sign_in_at: Option<i64>,
    pub(crate) last_active_at: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl User {
    pub(crate) fn primary_email(&self) -> Option<&str> {
        let primary = self.primary_email_id.as_deref();
        self.emails
            .iter()
            .find(|e| Some(e.id.as_str()) == primary)
            .or_else(|| self.emails.first())
            .map(|e| e.address.as_str())
    }

    pub(crate) fn has_email(&self, address: &str) -> bool {
        self.emails
            .iter()
            .any(|e| e.address.eq_ignore_ascii_case(address))
    }

    pub(crate) fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// A name to show: "First Last", else the email address, else the id.
    pub(crate) fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            name
        } else {
            self.primary_email().unwrap_or(&self.id).to_owned()
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) slug: String,
    /// 0 = no limit.
    pub(crate) max_allowed_memberships: i64,
    pub(crate) admin_delete_enabled: bool,
    pub(crate) public_metadata: Map<String, Value>,
    pub(crate) private_metadata: Map<String, Value>,
    pub(crate) created_by: Option<String>,
    /// The billing plan slug put in the token's `pla` claim as `o:<plan>`.
    pub(crate) plan: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Membership {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) user_id: String,
    pub(crate) role: String,
    pub(crate) public_metadata: Map<String, Value>,
    pub(crate) private_metadata: Map<String, Value>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// An instance invitation (`organization_id` none) or an organization invitation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Invitation {
    pub(crate) id: String,
    pub(crate) organization_id: Option<String>,
    pub(crate) email_address: String,
    pub(crate) role: Option<String>,
    pub(crate) inviter_id: Option<String>,
    pub(crate) status: String,
    pub(crate) public_metadata: Map<String, Value>,
    pub(crate) private_metadata: Map<String, Value>,
    pub(crate) redirect_url: Option<String>,
    /// The `__clerk_ticket` that accepts it on the sign-up page.
    pub(crate) ticket: String,
    pub(crate) expires_at: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl Invitation {
    /// `pending`, unless it expired (`expired`) or was accepted/revoked.
    pub(crate) fn effective_status(&self, now: i64) -> &str {
        match self.expires_at {
            Some(at) if self.status == "pending" && at <= now => "expired",
            _ => &self.status,
        }
    }
}

/// A browser (or API-created) client; `dev_browser` is the `__clerk_db_jwt` that names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) dev_browser: Option<String>,
    pub(crate) last_active_session_id: Option<String>,
    /// Unix seconds of the last sign-in, sign-out or session change: the `__client_uat` cookie.
    pub(crate) uat: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    /// `active`, `pending`, `ended`, `revoked` or `removed` (`expired` is derived from `expire_at`).
    pub(crate) status: String,
    pub(crate) active_organization_id: Option<String>,
    /// The opaque `__refresh_<suffix>` value that lets the SDK refresh this session's token.
    pub(crate) refresh_token: String,
    /// The app origin tokens of this session were last issued to (`azp`).
    pub(crate) azp: Option<String>,
    /// When the first factor was verified (sign-in), for the `fva` claim.
    pub(crate) verified_at: i64,
    pub(crate) last_active_at: i64,
    pub(crate) expire_at: i64,
    pub(crate) abandon_at: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl Session {
    pub(crate) fn effective_status(&self, now: i64) -> &str {
        if matches!(self.status.as_str(), "active" | "pending") && self.expire_at <= now {
            "expired"
        } else {
            &self.status
        }
    }

    /// Whether tokens can be issued for it.
    pub(crate) fn is_live(&self, now: i64) -> bool {
        matches!(self.effective_status(now), "active" | "pending")
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SignInToken {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) token: String,
    pub(crate) status: String,
    pub(crate) expires_at: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// A JWT template: static claims added to the default ones, and a lifetime.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct JwtTemplate {
    pub(crate) name: String,
    pub(crate) claims: Map<String, Value>,
    pub(crate) lifetime_seconds: u64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredKey {
    pub(crate) kid: String,
    /// PKCS#8 DER, base64.
    pub(crate) pkcs8: String,
}

/// Everything the instance keeps.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Store {
    pub(crate) version: u32,
    pub(crate) secret_key: String,
    pub(crate) signing_key: StoredKey,
    pub(crate) roles: Vec<Role>,
    #[serde(default)]
    pub(crate) users: Vec<User>,
    #[serde(default)]
    pub(crate) organizations: Vec<Organization>,
    #[serde(default)]
    pub(crate) memberships: Vec<Membership>,
    #[serde(default)]
    pub(crate) invitations: Vec<Invitation>,
    #[serde(default)]
    pub(crate) clients: Vec<Client>,
    #[serde(default)]
    pub(crate) sessions: Vec<Session>,
    #[serde(default)]
    pub(crate) sign_in_tokens: Vec<SignInToken>,
    #[serde(default)]
    pub(crate) jwt_templates: Vec<JwtTemplate>,
}

/// Fields of a new user.
#[derive(Default)]
pub(crate) struct NewUser {
    pub(crate) emails: Vec<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) locale: Option<String>,
    pub(crate) password_enabled: bool,
    pub(crate) public_metadata: Map<String, Value>,
    pub(crate) private_metadata: Map<String, Value>,
    pub(crate) unsafe_metadata: Map<String, Value>,
}

fn default_roles() -> Vec<Role> {
    let role = |key: &str, name: &str, permissions: &[&str]| Role {
        key: key.into(),
        name: name.into(),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    };
    vec![
        role(
            "org:admin",
            "Admin",
            &[
                "org:sys_profile:manage",
                "org:sys_profile:delete",
                "org:sys_memberships:read",
                "org:sys_memberships:manage",
                "org:sys_domains:read",
                "org:sys_domains:manage",
                "org:invoices:read",
                "org:invoices:manage",
            ],
        ),
        role(
            "org:member",
            "Member",
            &["org:sys_memberships:read", "org:invoices:read"],
        ),
    ]
}

/// A normalised email address, or `None` if it cannot be one.
pub(crate) fn normalize_email(address: &str) -> Option<String> {
    let address = address.trim().to_ascii_lowercase();
    let (local, domain) = address.split_once('@')?;
    let valid = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && address.len() <= 320
        && !address.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then_some(address)
}

/// `Acme Corp!` → `acme-corp`.
pub(crate) fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Store {
    /// A new instance: fresh secret key and signing key, the default roles, and (if `seed`)
    /// the demo user, the admin and the organization "Acme".
    pub(crate) fn generate(seed: bool) -> Result<(Self, SigningKey), DevError> {
        let key = SigningKey::generate(format!("ins_dev_{}", random_chars(24)))?;
        let mut store = Self {
            version: STORE_VERSION,
            secret_key: format!("sk_test_{}", random_chars(40)),
            signing_key: StoredKey {
                kid: key.kid().to_owned(),
                pkcs8: STANDARD.encode(key.pkcs8_der()),
            },
            roles: default_roles(),
            users: Vec::new(),
            organizations: Vec::new(),
            memberships: Vec::new(),
            invitations: Vec::new(),
            clients: Vec::new(),
            sessions: Vec::new(),
            sign_in_tokens: Vec::new(),
            jwt_templates: Vec::new(),
        };
        if seed {
            store.seed();
        }
        Ok((store, key))
    }

    fn seed(&mut self) {
        let now = now_ms();
        let mut create = |email: &str, first: &str, last: &str| {
            self.create_user(
                NewUser {
                    emails: vec![email.into()],
                    first_name: Some(first.into()),
                    last_name: Some(last.into()),
                    ..NewUser::default()
                },
                now,
            )
            .map(|u| u.id.clone())
        };
        let (Ok(demo), Ok(admin)) = (
            create("demo@example.com", "Demo", "User"),
            create("admin@example.com", "Ada", "Admin"),
        ) else {
            return;
        };
        let Ok(org) = self
            .create_organization("Acme", Some("acme"), Some(&admin), 0, now)
            .map(|o| o.id.clone())
        else {
            return;
        };
        if self.add_member(&org, &demo, "org:member", now).is_ok() {
            for user in self.users.iter_mut() {
                user.last_active_organization_id = Some(org.clone());
            }
        }
    }

    /// Reads the store at `path`, or creates (and writes) a new one if there is none.
    pub(crate) fn open(path: &Path, seed: bool) -> Result<(Self, SigningKey), DevError> {
        let corrupt = |reason: String| DevError::CorruptStore {
            path: path.to_owned(),
            reason,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let store: Self =
                    serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
                if store.version != STORE_VERSION {
                    return Err(corrupt(format!(
                        "layout version {} (expected {STORE_VERSION})",
                        store.version
                    )));
                }
                let der = STANDARD
                    .decode(&store.signing_key.pkcs8)
                    .map_err(|_| corrupt("the signing key is not base64".into()))?;
                let key = SigningKey::from_pkcs8_der(store.signing_key.kid.clone(), &der)
                    .map_err(|e| corrupt(format!("the signing key is unusable: {e}")))?;
                Ok((store, key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (store, key) = Self::generate(seed)?;
                store.save(path)?;
                Ok((store, key))
            }
            Err(source) => Err(DevError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the store atomically (temporary file, then rename), readable by the owner only.
    pub(crate) fn save(&self, path: &Path) -> Result<(), DevError> {
        let io = |source| DevError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(io)?;
            // The store holds the secret key: keep it out of version control by default.
            std::fs::write(dir.join(".gitignore"), "*\n").map_err(io)?;
        }
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let mut tmp = PathBuf::from(path);
        tmp.as_mut_os_string().push(".tmp");
        {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut file = options.open(&tmp).map_err(io)?;
            file.write_all(&json).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }

    // ----- lookups -----

    pub(crate) fn user(&self, id: &str) -> Result<&User, ApiError> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| ApiError::not_found("User"))
    }

    pub(crate) fn user_mut(&mut self, id: &str) -> Result<&mut User, ApiError> {
        self.users
            .iter_mut()
            .find(|u| u.id == id)
            .ok_or_else(|| ApiError::not_found("User"))
    }

    pub(crate) fn user_by_email(&self, address: &str) -> Option<&User> {
        self.users.iter().find(|u| u.has_email(address))
    }

    /// By id, or by slug as Clerk's `GET /organizations/{id_or_slug}` accepts.
    pub(crate) fn organization(&self, id_or_slug: &str) -> Result<&Organization, ApiError> {
        self.organizations
            .iter()
            .find(|o| o.id == id_or_slug)
            .or_else(|| self.organizations.iter().find(|o| o.slug == id_or_slug))
            .ok_or_else(|| ApiError::not_found("Organization"))
    }

    pub(crate) fn organization_mut(&mut self, id: &str) -> Result<&mut Organization, ApiError> {
        self.organizations
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or_else(|| ApiError::not_found("Organization"))
    }

    pub(crate) fn role(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.key == key)
    }

    pub(crate) fn membership(&self, org_id: &str, user_id: &str) -> Option<&Membership> {
        self.memberships
            .iter()
            .find(|m| m.organization_id == org_id && m.user_id == user_id)
    }

    pub(crate) fn session(&self, id: &str) -> Result<&Session, ApiError> {
        self.sessions
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ApiError::not_found("Session"))
    }

    pub(crate) fn session_mut(&mut self, id: &str) -> Result<&mut Session, ApiError> {
        self.sessions
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| ApiError::not_found("Session"))
    }

    pub(crate) fn client_by_dev_browser(&self, token: &str) -> Option<&Client> {
        self.clients
            .iter()
            .find(|c| c.dev_browser.as_deref() == Some(token))
    }

    fn client_mut(&mut self, id: &str) -> Option<&mut Client> {
        self.clients.iter_mut().find(|c| c.id == id)
    }

    /// The live session the client is signed in with, if any.
    pub(crate) fn active_session(&self, client: &Client, now: i64) -> Option<&Session> {
        let id = client.last_active_session_id.as_deref()?;
        self.sessions
            .iter()
            .find(|s| s.id == id)
            .filter(|s| s.is_live(now))
    }

    // ----- changes -----

    pub(crate) fn create_user(&mut self, new: NewUser, now: i64) -> Result<&User, ApiError> {
        let mut emails = Vec::new();
        for address in &new.emails {
            let address = normalize_email(address).ok_or_else(|| {
                ApiError::invalid(
                    "email_address",
                    "email_address must be a valid email address.",
                )
            })?;
            if self.user_by_email(&address).is_some()
                || emails.iter().any(|e: &Email| e.address == address)
            {
                return Err(ApiError::taken("email_address", "email address"));
            }
            emails.push(Email {
                id: new_id("idn"),
                address,
                created_at: now,
            });
        }
        if let Some(username) = &new.username
            && self
                .users
                .iter()
                .any(|u| u.username.as_deref() == Some(username.as_str()))
        {
            return Err(ApiError::taken("username", "username"));
        }
        self.users.push(User {
            id: new_id("user"),
            external_id: new.external_id,
            first_name: new.first_name,
            last_name: new.last_name,
            username: new.username,
            locale: new.locale,
            primary_email_id: emails.first().map(|e| e.id.clone()),
            emails,
            password_enabled: new.password_enabled,
            public_metadata: new.public_metadata,
            private_metadata: new.private_metadata,
            unsafe_metadata: new.unsafe_metadata,
            banned: false,
            locked_until: None,
            delete_self_enabled: true,
            create_organization_enabled: true,
            create_organizations_limit: None,
            plan: "free_user".into(),
            last_active_organization_id: None,
            last_sign_in_at: None,
            last_active_at: None,
            created_at: now,
            updated_at: now,
        });
        self.users.last().ok_or_else(|| ApiError::not_found("User"))
    }

    /// Deletes a user with their memberships; their sessions are removed.
    pub(crate) fn delete_user(&mut self, id: &str, now: i64) -> Result<(), ApiError> {
        self.user(id)?;
        self.users.retain(|u| u.id != id);
        self.memberships.retain(|m| m.user_id != id);
        self.end_user_sessions(id, "removed", now);
        Ok(())
    }

    /// Ends every live session of a user (ban, delete) with `status`.
    pub(crate) fn end_user_sessions(&mut self, user_id: &str, status: &str, now: i64) {
        let ids: Vec<String> = self
            .sessions
            .iter()
            .filter(|s| s.user_id == user_id && s.is_live(now))
            .map(|s| s.id.clone())
            .collect();
        for id in ids {
            let _ = self.end_session(&id, status, now);
        }
    }

    pub(crate) fn create_organization(
        &mut self,
        name: &str,
        slug: Option<&str>,
        created_by: Option<&str>,
        max_allowed_memberships: i64,
        now: i64,
    ) -> Result<&Organization, ApiError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::missing("name"));
        }
        let slug = match slug {
            Some(slug) => slug.trim().to_owned(),
            None => slugify(name),
        };
        if !valid_slug(&slug) {
            return Err(ApiError::invalid(
                "slug",
                "slug must contain only lowercase letters, digits, dashes and underscores.",
            ));
        }
        if self.organizations.iter().any(|o| o.slug == slug) {
            return Err(ApiError::taken("slug", "slug"));
        }
        if let Some(user) = created_by {
            self.user(user)?;
        }
        let id = new_id("org");
        self.organizations.push(Organization {
            id: id.clone(),
            name: name.to_owned(),
            slug,
            max_allowed_memberships,
            admin_delete_enabled: true,
            public_metadata: Map::new(),
            private_metadata: Map::new(),
            created_by: created_by.map(str::to_owned),
            plan: "free_org".into(),
            created_at: now,
            updated_at: now,
        });
        // Clerk makes the creator an admin of the new organization.
        if let Some(user) = created_by {
            self.add_member(&id, user, "org:admin", now)?;
        }
        self.organization(&id)
    }

    /// Deletes an organization with its memberships and invitations; sessions leave it.
    pub(crate) fn delete_organization(
        &mut self,
        id: &str,
        now: i64,
    ) -> Result<Organization, ApiError> {
        let org = self.organization(id)?.clone();
        self.organizations.retain(|o| o.id != org.id);
        self.memberships.retain(|m| m.organization_id != org.id);
        self.invitations
            .retain(|i| i.organization_id.as_deref() != Some(org.id.as_str()));
        self.leave_organization(&org.id, None, now);
        Ok(org)
    }

    /// Sessions (of `user`, or of everyone) whose active organization is `org_id` lose it.
    fn leave_organization(&mut self, org_id: &str, user: Option<&str>, now: i64) {
        let mut clients = Vec::new();
        for session in self.sessions.iter_mut().filter(|s| {
            s.active_organization_id.as_deref() == Some(org_id)
                && user.is_none_or(|u| u == s.user_id)
        }) {
            session.active_organization_id = None;
            session.updated_at = now;
            clients.push(session.client_id.clone());
        }
        for user in self
            .users
            .iter_mut()
            .filter(|u| u.last_active_organization_id.as_deref() == Some(org_id))
        {
            user.last_active_organization_id = None;
        }
        for id in clients {
            self.touch_client(&id, now);
        }
    }

    pub(crate) fn add_member(
        &mut self,
        org_id: &str,
        user_id: &str,
        role: &str,
        now: i64,
    ) -> Result<&Membership, ApiError> {
        let org = self.organization(org_id)?;
        let org_id = org.id.clone();
        let limit = org.max_allowed_memberships;
        self.user(user_id)?;
        if self.role(role).is_none() {
            return Err(ApiError::invalid(
                "role",
                format!("{role} is not a role of this instance."),
            ));
        }
        if self.membership(&org_id, user_id).is_some() {
            return Err(ApiError::conflict(
                "already_a_member_in_organization",
                "The user is already a member of this organization.",
            ));
        }
        let members = self
            .memberships
            .iter()
            .filter(|m| m.organization_id == org_id)
            .count();
        if limit > 0 && i64::try_from(members).unwrap_or(i64::MAX) >= limit {
            return Err(ApiError::conflict(
                "organization_membership_quota_exceeded",
                "The organization has reached its maximum number of memberships.",
            ));
        }
        self.memberships.push(Membership {
            id: new_id("orgmem"),
            organization_id: org_id,
            user_id: user_id.to_owned(),
            role: role.to_owned(),
            public_metadata: Map::new(),
            private_metadata: Map::new(),
            created_at: now,
            updated_at: now,
        });
        self.memberships
            .last()
            .ok_or_else(|| ApiError::not_found("Membership"))
    }

    pub(crate) fn remove_member(
        &mut self,
        org_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<Membership, ApiError> {
        let membership = self
            .membership(org_id, user_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("Organization membership"))?;
        self.memberships.retain(|m| m.id != membership.id);
        self.leave_organization(org_id, Some(user_id), now);
        Ok(membership)
    }

    /// A new client, named by a fresh dev browser token when `browser`.
    pub(crate) fn new_client(&mut self, browser: bool, now: i64) -> Client {
        // Every cookie-less visit makes a client: past the cap, forget the oldest ones that
        // are not signed in, so the store cannot grow without bound.
        if self.clients.len() >= MAX_CLIENTS {
            let live: Vec<String> = self
                .clients
                .iter()
                .filter(|c| self.active_session(c, now).is_some())
                .map(|c| c.id.clone())
                .collect();
            let mut idle = self.clients.len() - live.len();
            self.clients.retain(|c| {
                let drop = idle > MAX_CLIENTS / 2 && !live.contains(&c.id);
                if drop {
                    idle -= 1;
                }
                !drop
            });
        }
        let client = Client {
            id: new_id("client"),
            dev_browser: browser.then(|| format!("dvb_{}", random_chars(27))),
            last_active_session_id: None,
            uat: 0,
            created_at: now,
            updated_at: now,
        };
        self.clients.push(client.clone());
        client
    }

    fn touch_client(&mut self, id: &str, now: i64) {
        if let Some(client) = self.client_mut(id) {
            client.uat = now / 1000;
            client.updated_at = now;
        }
    }

    /// Signs `user_id` in on `client_id` (ending the client's other session: single-session
    /// mode, Clerk's default). The session starts in the user's last active organization, and
    /// is `pending` (task `choose-organization`) if `require_organization` and it has none.
    pub(crate) fn sign_in(
        &mut self,
        client_id: &str,
        user_id: &str,
        require_organization: bool,
        now: i64,
    ) -> Result<&Session, ApiError> {
        let user = self.user(user_id)?;
        if user.banned {
            return Err(ApiError::forbidden(
                "user_banned",
                "This account is banned.",
            ));
        }
        if user.is_locked(now) {
            return Err(ApiError::forbidden(
                "user_locked",
                "This account is locked.",
            ));
        }
        let organization = user
            .last_active_organization_id
            .clone()
            .filter(|org| self.membership(org, user_id).is_some());
        let previous = self
            .clients
            .iter()
            .find(|c| c.id == client_id)
            .ok_or_else(|| ApiError::not_found("Client"))?
            .last_active_session_id
            .clone();
        if let Some(previous) = previous {
            let _ = self.end_session(&previous, "ended", now);
        }
        let status = if require_organization && organization.is_none() {
            "pending"
        } else {
            "active"
        };
        let id = new_id("sess");
        self.sessions.push(Session {
            id: id.clone(),
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            status: status.into(),
            active_organization_id: organization,
            refresh_token: random_chars(40),
            azp: None,
            verified_at: now,
            last_active_at: now,
            expire_at: now + SESSION_LIFETIME_MS,
            abandon_at: now + 4 * SESSION_LIFETIME_MS,
            created_at: now,
            updated_at: now,
        });
        if let Some(user) = self.users.iter_mut().find(|u| u.id == user_id) {
            user.last_sign_in_at = Some(now);
            user.last_active_at = Some(now);
        }
        if let Some(client) = self.client_mut(client_id) {
            client.last_active_session_id = Some(id.clone());
        }
        self.touch_client(client_id, now);
        self.session(&id)
    }

    /// Ends a session (`ended` for sign-out, `revoked`, `removed`); its client is signed out.
    pub(crate) fn end_session(
        &mut self,
        id: &str,
        status: &str,
        now: i64,
    ) -> Result<&Session, ApiError> {
        let session = self.session_mut(id)?;
        if session.is_live(now) {
            session.status = status.to_owned();
            session.updated_at = now;
        }
        let client_id = session.client_id.clone();
        if let Some(client) = self.client_mut(&client_id)
            && client.last_active_session_id.as_deref() == Some(id)
        {
            client.last_active_session_id = None;
        }
        self.touch_client(&client_id, now);
        self.session(id)
    }

    /// Makes `org` (id or slug; `None` = personal account) the session's active organization.
    pub(crate) fn set_active_organization(
        &mut self,
        session_id: &str,
        org: Option<&str>,
        now: i64,
    ) -> Result<(), ApiError> {
        let session = self.session(session_id)?;
        let user_id = session.user_id.clone();
        let org_id = match org {
            Some(org) => {
                let org = self.organization(org)?.id.clone();
                if self.membership(&org, &user_id).is_none() {
                    return Err(ApiError::forbidden(
                        "not_a_member_in_organization",
                        "The user is not a member of this organization.",
                    ));
                }
                Some(org)
            }
            None => None,
        };
        let session = self.session_mut(session_id)?;
        if session.status == "pending" && org_id.is_some() {
            session.status = "active".into();
        }
        session.active_organization_id = org_id.clone();
        session.updated_at = now;
        let client_id = session.client_id.clone();
        self.user_mut(&user_id)?.last_active_organization_id = org_id;
        // A token minted before the switch carries the old organization: bumping the client's
        // `__client_uat` makes the SDK treat it as stale.
        self.touch_client(&client_id, now);
        Ok(())
    }
}

/// Clerk's metadata merge (`PATCH .../metadata`): objects merge recursively, `null` deletes.
pub(crate) fn merge_metadata(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (_, Value::Null) => {
                target.remove(key);
            }
            (Some(Value::Object(existing)), Value::Object(patch)) => {
                merge_metadata(existing, patch)
            }
            _ => {
                target.insert(key.clone(), strip_nulls(value.clone()));
            }
        }
    }
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seeded() -> Store {
        Store::generate(true).map(|(s, _)| s).unwrap()
    }

    #[test]
    fn ids_and_secrets_look_like_clerks() {
        let id = new_id("user");
        assert_eq!(id.len(), "user_".len() + 27);
        assert!(id[5..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_id("user"), new_id("user"));
        let store = seeded();
        assert!(store.secret_key.starts_with("sk_test_"));
        assert!(store.signing_key.kid.starts_with("ins_dev_"));
    }

    #[test]
    fn seed_creates_demo_admin_and_acme() {
        let store = seeded();
        let demo = store.user_by_email("DEMO@example.com").unwrap();
        let admin = store.user_by_email("admin@example.com").unwrap();
        let acme = store.organization("acme").unwrap();
        assert_eq!(acme.name, "Acme");
        assert_eq!(
            store.membership(&acme.id, &demo.id).unwrap().role,
            "org:member"
        );
        assert_eq!(
            store.membership(&acme.id, &admin.id).unwrap().role,
            "org:admin"
        );
        assert!(
            store
                .role("org:admin")
                .unwrap()
                .permissions
                .iter()
                .any(|p| p == "org:sys_memberships:manage")
        );
        let empty = Store::generate(false).map(|(s, _)| s).unwrap();
        assert!(empty.users.is_empty() && empty.organizations.is_empty());
        assert_eq!(empty.roles.len(), 2);
    }

    #[test]
    fn duplicate_identifiers_are_refused() {
        let mut store = seeded();
        let dup = store.create_user(
            NewUser {
                emails: vec![" Demo@Example.com ".into()],
                ..NewUser::default()
            },
            0,
        );
        assert_eq!(dup.err().map(|e| e.code), Some("form_identifier_exists"));
        let bad = store.create_user(
            NewUser {
                emails: vec!["not-an-email".into()],
                ..NewUser::default()
            },
            0,
        );
        assert_eq!(bad.err().map(|e| e.code), Some("form_param_format_invalid"));
        let org = store.create_organization("Acme", None, None, 0, 0);
        assert_eq!(org.err().map(|e| e.code), Some("form_identifier_exists"));
    }

    #[test]
    fn sign_in_replaces_the_clients_session_and_sign_out_clears_it() {
        let mut store = seeded();
        let demo = store.user_by_email("demo@example.com").unwrap().id.clone();
        let admin = store.user_by_email("admin@example.com").unwrap().id.clone();
        let client = store.new_client(true, 1_000);
        let first = store
            .sign_in(&client.id, &demo, false, 2_000)
            .unwrap()
            .clone();
        assert_eq!(first.status, "active");
        assert!(
            first.active_organization_id.is_some(),
            "last active org restored"
        );
        let second = store
            .sign_in(&client.id, &admin, false, 3_000)
            .unwrap()
            .clone();
        assert_eq!(store.session(&first.id).unwrap().status, "ended");
        let client_now = store
            .clients
            .iter()
            .find(|c| c.id == client.id)
            .unwrap()
            .clone();
        assert_eq!(
            client_now.last_active_session_id.as_deref(),
            Some(second.id.as_str())
        );
        assert_eq!(client_now.uat, 3);
        store.end_session(&second.id, "ended", 4_000).unwrap();
        let client_now = store.clients.iter().find(|c| c.id == client.id).unwrap();
        assert!(store.active_session(client_now, 4_000).is_none());
        assert_eq!(client_now.uat, 4);
    }

    #[test]
    fn pending_until_an_organization_is_chosen() {
        let mut store = seeded();
        let user = store
            .create_user(
                NewUser {
                    emails: vec!["new@example.com".into()],
                    ..NewUser::default()
                },
                0,
            )
            .unwrap()
            .id
            .clone();
        let client = store.new_client(true, 0);
        let session = store
            .sign_in(&client.id, &user, true, 0)
            .unwrap()
            .id
            .clone();
        assert_eq!(store.session(&session).unwrap().status, "pending");
        let err = store.set_active_organization(&session, Some("acme"), 0);
        assert_eq!(
            err.err().map(|e| e.code),
            Some("not_a_member_in_organization")
        );
        store.add_member("acme", &user, "org:member", 0).unwrap();
        store
            .set_active_organization(&session, Some("acme"), 0)
            .unwrap();
        assert_eq!(store.session(&session).unwrap().status, "active");
    }

    #[test]
    fn deleting_an_organization_leaves_sessions_in_their_personal_account() {
        let mut store = seeded();
        let demo = store.user_by_email("demo@example.com").unwrap().id.clone();
        let client = store.new_client(true, 0);
        let session = store
            .sign_in(&client.id, &demo, false, 0)
            .unwrap()
            .id
            .clone();
        let acme = store.organization("acme").unwrap().id.clone();
        store.delete_organization(&acme, 0).unwrap();
        assert!(store.memberships.is_empty());
        assert_eq!(
            store.session(&session).unwrap().active_organization_id,
            None
        );
    }

    #[test]
    fn metadata_merge_is_deep_and_null_deletes() {
        let mut target = json!({"a": {"b": 1, "c": 2}, "d": 3})
            .as_object()
            .unwrap()
            .clone();
        let patch = json!({"a": {"b": null, "e": {"f": null, "g": 4}}, "d": null, "h": 5});
        merge_metadata(&mut target, patch.as_object().unwrap());
        assert_eq!(
            Value::Object(target),
            json!({"a": {"c": 2, "e": {"g": 4}}, "h": 5})
        );
    }

    #[test]
    fn store_round_trips_through_a_file_and_refuses_garbage() {
        let dir = std::env::temp_dir().join(format!("clerk-dev-store-{}", random_chars(8)));
        let path = dir.join("instance.json");
        let (created, key) = Store::open(&path, true).unwrap();
        assert!(dir.join(".gitignore").exists());
        let (loaded, loaded_key) = Store::open(&path, true).unwrap();
        assert_eq!(loaded.secret_key, created.secret_key);
        assert_eq!(loaded.users.len(), 2);
        assert_eq!(loaded_key.jwk(), key.jwk());
        std::fs::write(&path, b"{ not json").unwrap();
        let err = Store::open(&path, true).err().unwrap();
        assert!(matches!(err, DevError::CorruptStore { .. }), "{err}");
        std::fs::write(&path, br#"{"version": 99}"#).unwrap();
        assert!(matches!(
            Store::open(&path, true),
            Err(DevError::CorruptStore { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn idle_clients_are_forgotten_past_the_cap() {
        let mut store = seeded();
        let demo = store.user_by_email("demo@example.com").unwrap().id.clone();
        let signed_in = store.new_client(true, 0);
        store.sign_in(&signed_in.id, &demo, false, 0).unwrap();
        for _ in 0..MAX_CLIENTS + 10 {
            store.new_client(true, 0);
        }
        assert!(store.clients.len() <= MAX_CLIENTS);
        assert!(
            store.clients.iter().any(|c| c.id == signed_in.id),
            "signed-in clients stay"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Acme Corp! 2 "), "acme-corp-2");
        assert!(valid_slug("acme_corp-2"));
        assert!(!valid_slug("Acme"));
        assert!(!valid_slug(""));
    }
}
