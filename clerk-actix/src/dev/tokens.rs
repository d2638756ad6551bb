//! Session tokens with Clerk's claim layout (session token v2).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::SigningKey;

/// Builds the claims of a Clerk session token (v2 layout) and signs them.
///
/// Defaults: `sid` derived from the user id, `iat` = now, `nbf` = now − 10 s, `exp` = now + 60 s
/// (Clerk's session token lifetime), `v` = 2, `sts` = `active`, `fva` = `[0, -1]`.
///
/// ```
/// use std::time::Duration;
/// use clerk_actix::dev::{SessionToken, SigningKey};
///
/// let key = SigningKey::generate("kid").unwrap();
/// let expired = SessionToken::new("user_1").lifetime(Duration::ZERO).sign(&key);
/// # let _ = expired;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct SessionToken {
    claims: Map<String, Value>,
    issued_at: SystemTime,
    lifetime: Duration,
}

impl SessionToken {
    /// A token for `user_id`.
    pub fn new(user_id: impl Into<String>) -> Self {
        let user_id = user_id.into();
        let mut claims = Map::new();
        claims.insert(
            "sid".into(),
            json!(format!("sess_{}", user_id.trim_start_matches("user_"))),
        );
        claims.insert("sub".into(), json!(user_id));
        claims.insert("v".into(), json!(2));
        claims.insert("sts".into(), json!("active"));
        claims.insert("fva".into(), json!([0, -1]));
        Self {
            claims,
            issued_at: SystemTime::now(),
            lifetime: Duration::from_secs(60),
        }
    }

    /// The session id (`sid`).
    pub fn session_id(self, sid: impl Into<String>) -> Self {
        self.claim("sid", json!(sid.into()))
    }

    /// The issuer (`iss`), e.g. `https://clerk.example.com`.
    pub fn issuer(self, iss: impl Into<String>) -> Self {
        self.claim("iss", json!(iss.into()))
    }

    /// The authorized party (`azp`): the origin the token was issued to.
    pub fn authorized_party(self, azp: impl Into<String>) -> Self {
        self.claim("azp", json!(azp.into()))
    }

    /// The issue time (`iat`; `nbf` is 10 s earlier, `exp` is `iat` + lifetime).
    pub fn issued_at(mut self, at: SystemTime) -> Self {
        self.issued_at = at;
        self
    }

    /// How long the token is valid (default 60 s).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The session status (`sts`): `active` or `pending`.
    pub fn status(self, status: impl Into<String>) -> Self {
        self.claim("sts", json!(status.into()))
    }

    /// Minutes since first and second factor verification (`fva`; `-1` = never).
    pub fn factor_verification_age(self, first: i64, second: i64) -> Self {
        self.claim("fva", json!([first, second]))
    }

    /// The active organization, its role (`admin` or `org:admin`) and permissions
    /// (`org:<feature>:<action>`), encoded as Clerk's v2 `o` and `fea` claims.
    pub fn organization(mut self, id: &str, slug: &str, role: &str, permissions: &[&str]) -> Self {
        let mut features: Vec<&str> = Vec::new();
        let mut actions: Vec<&str> = Vec::new();
        let mut pairs = Vec::new();
        for permission in permissions {
            let mut parts = permission.trim_start_matches("org:").splitn(2, ':');
            let (Some(feature), Some(action)) = (parts.next(), parts.next()) else {
                continue;
            };
            if !features.contains(&feature) {
                features.push(feature);
            }
            if !actions.contains(&action) {
                actions.push(action);
            }
            pairs.push((feature, action));
        }
        let masks: Vec<String> = features
            .iter()
            .map(|feature| {
                let mask: u128 = pairs
                    .iter()
                    .filter(|(f, _)| f == feature)
                    .filter_map(|(_, a)| actions.iter().position(|x| x == a))
                    .fold(0, |mask, bit| mask | (1u128 << bit.min(127)));
                mask.to_string()
            })
            .collect();
        let mut org = Map::new();
        org.insert("id".into(), json!(id));
        org.insert("slg".into(), json!(slug));
        org.insert("rol".into(), json!(role.trim_start_matches("org:")));
        if !actions.is_empty() {
            org.insert("per".into(), json!(actions.join(",")));
            org.insert("fpm".into(), json!(masks.join(",")));
        }
        self.claims.insert("o".into(), Value::Object(org));
        let mut fea: Vec<String> = features.iter().map(|f| format!("o:{f}")).collect();
        if let Some(Value::String(existing)) = self.claims.get("fea") {
            fea.extend(
                existing
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        if !fea.is_empty() {
            self.claims.insert("fea".into(), json!(fea.join(",")));
        }
        self
    }

    /// Any other claim (overrides the defaults).
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// The claims as they will be signed.
    pub fn claims(&self) -> Value {
        let iat = self
            .issued_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut claims = self.claims.clone();
        claims.entry("iat").or_insert(json!(iat));
        claims.entry("nbf").or_insert(json!(iat.saturating_sub(10)));
        claims
            .entry("exp")
            .or_insert(json!(iat + self.lifetime.as_secs()));
        Value::Object(claims)
    }

    /// Signs the token with `key`.
    pub fn sign(&self, key: &SigningKey) -> String {
        key.sign(&self.claims())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionClaims;

    #[test]
    fn organization_claims_decode_back_to_permissions() {
        let token = SessionToken::new("user_1").organization(
            "org_1",
            "acme",
            "admin",
            &[
                "org:invoices:read",
                "org:invoices:write",
                "org:reports:read",
            ],
        );
        let Value::Object(claims) = token.claims() else {
            unreachable!()
        };
        let claims = SessionClaims::from_payload(claims).unwrap();
        assert_eq!(claims.org_role(), Some("org:admin"));
        assert_eq!(claims.org_slug(), Some("acme"));
        let mut perms = claims.org_permissions().unwrap().to_vec();
        perms.sort();
        assert_eq!(
            perms,
            [
                "org:invoices:read",
                "org:invoices:write",
                "org:reports:read"
            ]
        );
    }
}
