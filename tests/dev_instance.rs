//! The embedded dev instance, driven over HTTP as the SDK, its client and a browser use it.

use actix_web::http::Method;
use actix_web::{App, HttpResponse, test, web};
use clerk_actix::dev::{DevError, DevInstance, DevInstanceConfig};
use clerk_actix::{Auth, Clerk, ClerkMiddleware, Has, PublishableKey};
use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
use serde_json::{Value, json};
use url::Url;

fn start() -> DevInstance {
    DevInstance::start(DevInstanceConfig::in_memory()).expect("dev instance starts")
}

/// A plain-HTTP awc client that does not follow redirects (the tests look at each hop).
fn http() -> awc::Client {
    awc::Client::builder().disable_redirects().finish()
}

struct Reply {
    status: u16,
    headers: awc::http::header::HeaderMap,
    body: Vec<u8>,
    parsed: Value,
}

impl Reply {
    fn new(status: u16, headers: awc::http::header::HeaderMap, body: Vec<u8>) -> Self {
        let parsed = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            parsed,
        }
    }
    fn json(&self) -> Value {
        self.parsed.clone()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn location(&self) -> Url {
        let location = self.headers.get("location").expect("a Location header");
        Url::parse(location.to_str().expect("ASCII")).expect("an absolute Location")
    }
    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .map(|v| v.to_str().expect("ASCII").to_owned())
            .collect()
    }
    fn error_code(&self) -> &str {
        self.parsed["errors"][0]["code"]
            .as_str()
            .unwrap_or("<none>")
    }
}

async fn send(request: awc::ClientRequest, body: Option<&Value>) -> Reply {
    let mut response = match body {
        Some(body) => request.send_json(body).await,
        None => request.send().await,
    }
    .expect("the dev instance answers");
    Reply::new(
        response.status().as_u16(),
        response.headers().clone(),
        response
            .body()
            .limit(4 << 20)
            .await
            .expect("a body")
            .to_vec(),
    )
}

async fn form(url: &str, fields: &[(&str, &str)]) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let response = http()
        .post(url)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .send_body(body)
        .await;
    let mut response = response.expect("the dev instance answers");
    Reply::new(
        response.status().as_u16(),
        response.headers().clone(),
        response.body().await.expect("a body").to_vec(),
    )
}

async fn get(url: &str) -> Reply {
    send(http().get(url), None).await
}

/// The Backend API with the instance's secret key.
async fn bapi(instance: &DevInstance, method: Method, path: &str, body: Option<Value>) -> Reply {
    let request = http()
        .request(method, format!("{}/v1{path}", instance.api_url()))
        .insert_header(("authorization", format!("Bearer {}", instance.secret_key())))
        .insert_header(("clerk-api-version", "2026-05-12"));
    send(request, body.as_ref()).await
}

async fn user_id(instance: &DevInstance, email: &str) -> String {
    let users = bapi(
        instance,
        Method::GET,
        &format!("/users?email_address={email}"),
        None,
    )
    .await;
    users.json()[0]["id"].as_str().expect("a user").to_owned()
}

async fn auth_state(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|r| r.as_str().into_owned()),
        "userId": auth.user_id(),
        "sessionId": auth.session_id(),
        "orgId": auth.org_id(),
        "orgRole": auth.org_role(),
        "orgSlug": auth.org_slug(),
        "orgPermissions": auth.org_permissions(),
        "canManageInvoices": auth.has(&Has::permission("org:invoices:manage")),
        "isAdmin": auth.has(&Has::role("org:admin")),
        "hasPlan": auth.has(&Has::plan("u:free_user")),
    }))
}

/// Runs one request through `ClerkMiddleware` configured for `instance`.
async fn through_middleware(clerk: Clerk, req: test::TestRequest) -> Value {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .default_service(web::to(auth_state)),
    )
    .await;
    let res = test::call_service(&app, req.to_request()).await;
    test::read_body_json(res).await
}

fn verify_with_jwks(token: &str, jwks: &Value) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWT header");
    let jwk = jwks["keys"]
        .as_array()
        .expect("a JWKS")
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("the token's kid is in the JWKS");
    let jwk: Jwk = serde_json::from_value(jwk.clone()).expect("a JWK");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(&jwk).expect("an RSA JWK"),
        &validation,
    )
    .expect("signed by the instance key")
    .claims
}

fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `name=value` of a directive.
fn cookie<'a>(directives: &'a [String], name: &str) -> Option<&'a str> {
    directives.iter().find_map(|d| {
        let pair = d.split(';').next()?;
        let (n, v) = pair.split_once('=')?;
        (n == name).then_some(v)
    })
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("strings").to_owned())
        .collect()
}

#[actix_web::test]
async fn keys_and_urls_fit_the_sdk_configuration() {
    let instance = start();
    let pk = PublishableKey::parse(instance.publishable_key()).unwrap();
    assert_eq!(format!("http://{}", pk.frontend_api()), instance.url());
    assert!(instance.secret_key().starts_with("sk_test_"));
    assert_eq!(
        instance.sign_in_url(),
        format!("{}/sign-in", instance.url())
    );
    let clerk = instance
        .clerk_builder()
        .build()
        .expect("a valid configuration");
    assert_eq!(clerk.publishable_key().unwrap(), pk);
    assert!(!format!("{clerk:?}").contains(instance.secret_key()));
}

#[actix_web::test]
async fn backend_api_requires_the_secret_key() {
    let instance = start();
    let url = format!("{}/v1/users", instance.api_url());
    let none = send(http().get(&url), None).await;
    assert_eq!(
        (none.status, none.error_code()),
        (401, "authentication_invalid")
    );
    let wrong = send(
        http()
            .get(&url)
            .insert_header(("authorization", "Bearer sk_test_wrong")),
        None,
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.error_code()),
        (401, "authentication_invalid")
    );
    let ok = bapi(&instance, Method::GET, "/users", None).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json().as_array().unwrap().len(), 2, "the seeded users");
    let jwks = bapi(&instance, Method::GET, "/jwks", None).await.json();
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert!(
        jwks["keys"][0]["kid"]
            .as_str()
            .unwrap()
            .starts_with("ins_dev_")
    );
    let both_versions = bapi(
        &instance,
        Method::GET,
        "/users?__clerk_api_version=2026-05-12",
        None,
    )
    .await;
    assert_eq!(both_versions.status, 400);
    let unknown = bapi(&instance, Method::GET, "/nothing/here", None).await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (404, "resource_not_found")
    );
}

#[actix_web::test]
async fn users_are_created_listed_updated_and_deleted_like_clerks() {
    let instance = start();
    let created = bapi(
        &instance,
        Method::POST,
        "/users",
        Some(json!({
            "email_address": ["grace@example.com"],
            "first_name": "Grace",
            "last_name": "Hopper",
            "public_metadata": {"team": {"name": "navy", "size": 3}},
        })),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text());
    let user = created.json();
    let id = user["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("user_"));
    assert_eq!(user["object"], "user");
    assert_eq!(user["email_addresses"][0]["object"], "email_address");
    assert_eq!(
        user["primary_email_address_id"],
        user["email_addresses"][0]["id"]
    );
    assert!(
        user["created_at"].as_i64().unwrap() > 1_600_000_000_000,
        "ms timestamps"
    );

    let duplicate = bapi(
        &instance,
        Method::POST,
        "/users",
        Some(json!({"email_address": ["GRACE@example.com"]})),
    )
    .await;
    assert_eq!(
        (duplicate.status, duplicate.error_code()),
        (422, "form_identifier_exists")
    );
    assert_eq!(
        duplicate.json()["errors"][0]["meta"]["param_name"],
        "email_address"
    );

    let malformed = send(
        http()
            .post(format!("{}/v1/users", instance.api_url()))
            .insert_header(("authorization", format!("Bearer {}", instance.secret_key())))
            .insert_header(("content-type", "application/json")),
        None,
    )
    .await;
    assert_eq!(
        (malformed.status, malformed.error_code()),
        (422, "form_param_missing"),
        "a user needs an identifier"
    );

    let bad_json = http()
        .post(format!("{}/v1/users", instance.api_url()))
        .insert_header(("authorization", format!("Bearer {}", instance.secret_key())))
        .send_body("{not json");
    let bad_json = send_raw(bad_json).await;
    assert_eq!(
        (bad_json.status, bad_json.error_code()),
        (400, "malformed_request")
    );

    let wrong_type = bapi(
        &instance,
        Method::POST,
        "/users",
        Some(json!({"first_name": 7})),
    )
    .await;
    assert_eq!(
        (wrong_type.status, wrong_type.error_code()),
        (422, "form_param_format_invalid")
    );

    let listed = bapi(
        &instance,
        Method::GET,
        "/users?order_by=%2Bcreated_at&limit=2",
        None,
    )
    .await
    .json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(
        listed[0]["email_addresses"][0]["email_address"],
        "demo@example.com"
    );
    let offset = bapi(
        &instance,
        Method::GET,
        "/users?order_by=-created_at&offset=2",
        None,
    )
    .await
    .json();
    assert_eq!(offset.as_array().unwrap().len(), 1, "3 users, offset 2");
    let newest = bapi(&instance, Method::GET, "/users?limit=1", None)
        .await
        .json();
    assert_eq!(newest[0]["id"], id.as_str(), "-created_at by default");
    let count = bapi(&instance, Method::GET, "/users/count?query=grace", None)
        .await
        .json();
    assert_eq!(count, json!({"object": "total_count", "total_count": 1}));
    let by_id = bapi(
        &instance,
        Method::GET,
        &format!("/users?user_id={id}"),
        None,
    )
    .await
    .json();
    assert_eq!(by_id.as_array().unwrap().len(), 1);

    let updated = bapi(
        &instance,
        Method::PATCH,
        &format!("/users/{id}"),
        Some(json!({"first_name": "Amazing Grace"})),
    )
    .await
    .json();
    assert_eq!(updated["first_name"], "Amazing Grace");
    assert_eq!(updated["last_name"], "Hopper");
    let merged = bapi(
        &instance,
        Method::PATCH,
        &format!("/users/{id}/metadata"),
        Some(json!({"public_metadata": {"team": {"size": null, "ship": "USS"}}})),
    )
    .await
    .json();
    assert_eq!(
        merged["public_metadata"],
        json!({"team": {"name": "navy", "ship": "USS"}})
    );
    let replaced = bapi(
        &instance,
        Method::PUT,
        &format!("/users/{id}/metadata"),
        Some(json!({"private_metadata": {"x": 1}})),
    )
    .await
    .json();
    assert_eq!(replaced["private_metadata"], json!({"x": 1}));
    assert_eq!(
        replaced["public_metadata"]["team"]["name"], "navy",
        "PUT leaves unnamed fields"
    );

    let banned = bapi(&instance, Method::POST, &format!("/users/{id}/ban"), None)
        .await
        .json();
    assert_eq!(banned["banned"], true);
    let locked = bapi(&instance, Method::POST, &format!("/users/{id}/lock"), None)
        .await
        .json();
    assert_eq!(locked["locked"], true);
    assert!(locked["lockout_expires_in_seconds"].as_i64().unwrap() > 0);
    let unlocked = bapi(
        &instance,
        Method::POST,
        &format!("/users/{id}/unlock"),
        None,
    )
    .await
    .json();
    assert_eq!(unlocked["locked"], false);

    let deleted = bapi(&instance, Method::DELETE, &format!("/users/{id}"), None)
        .await
        .json();
    assert_eq!(
        deleted,
        json!({"object": "user", "id": id, "deleted": true})
    );
    let gone = bapi(&instance, Method::GET, &format!("/users/{id}"), None).await;
    assert_eq!(
        (gone.status, gone.error_code()),
        (404, "resource_not_found")
    );
}

async fn send_raw(request: awc::SendClientRequest) -> Reply {
    let mut response = request.await.expect("the dev instance answers");
    Reply::new(
        response.status().as_u16(),
        response.headers().clone(),
        response.body().await.expect("a body").to_vec(),
    )
}

#[actix_web::test]
async fn organizations_memberships_and_invitations() {
    let instance = start();
    let admin = user_id(&instance, "admin%40example.com").await;
    let demo = user_id(&instance, "demo%40example.com").await;

    let list = bapi(
        &instance,
        Method::GET,
        "/organizations?include_members_count=true",
        None,
    )
    .await
    .json();
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["data"][0]["slug"], "acme");
    assert_eq!(list["data"][0]["members_count"], 2);
    let acme = bapi(&instance, Method::GET, "/organizations/acme", None)
        .await
        .json();
    let acme_id = acme["id"].as_str().unwrap().to_owned();
    assert!(acme_id.starts_with("org_"));

    let created = bapi(
        &instance,
        Method::POST,
        "/organizations",
        Some(json!({"name": "Globex Corp", "created_by": demo})),
    )
    .await
    .json();
    assert_eq!(created["slug"], "globex-corp");
    let globex = created["id"].as_str().unwrap().to_owned();
    let taken = bapi(
        &instance,
        Method::POST,
        "/organizations",
        Some(json!({"name": "Globex", "slug": "globex-corp"})),
    )
    .await;
    assert_eq!(
        (taken.status, taken.error_code()),
        (422, "form_identifier_exists")
    );
    let nameless = bapi(&instance, Method::POST, "/organizations", Some(json!({}))).await;
    assert_eq!(
        (nameless.status, nameless.error_code()),
        (422, "form_param_missing")
    );

    let members = bapi(
        &instance,
        Method::GET,
        &format!("/organizations/{globex}/memberships"),
        None,
    )
    .await
    .json();
    assert_eq!(members["total_count"], 1);
    assert_eq!(
        members["data"][0]["role"], "org:admin",
        "the creator is an admin"
    );
    assert_eq!(
        members["data"][0]["public_user_data"]["identifier"],
        "demo@example.com"
    );

    let added = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{globex}/memberships"),
        Some(json!({"user_id": admin, "role": "org:member"})),
    )
    .await
    .json();
    assert_eq!(added["object"], "organization_membership");
    assert!(added["id"].as_str().unwrap().starts_with("orgmem_"));
    let again = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{globex}/memberships"),
        Some(json!({"user_id": admin, "role": "org:member"})),
    )
    .await;
    assert_eq!(
        (again.status, again.error_code()),
        (422, "already_a_member_in_organization")
    );
    let bad_role = bapi(
        &instance,
        Method::PATCH,
        &format!("/organizations/{globex}/memberships/{admin}"),
        Some(json!({"role": "org:owner"})),
    )
    .await;
    assert_eq!(bad_role.status, 422);
    let promoted = bapi(
        &instance,
        Method::PATCH,
        &format!("/organizations/{globex}/memberships/{admin}"),
        Some(json!({"role": "org:admin"})),
    )
    .await
    .json();
    assert_eq!(promoted["role"], "org:admin");
    assert_eq!(promoted["role_name"], "Admin");
    let mine = bapi(
        &instance,
        Method::GET,
        &format!("/users/{admin}/organization_memberships"),
        None,
    )
    .await
    .json();
    assert_eq!(mine["total_count"], 2);
    let removed = bapi(
        &instance,
        Method::DELETE,
        &format!("/organizations/{globex}/memberships/{admin}"),
        None,
    )
    .await
    .json();
    assert_eq!(removed["public_user_data"]["user_id"], admin.as_str());
    let instance_wide = bapi(
        &instance,
        Method::GET,
        "/organization_memberships?limit=1",
        None,
    )
    .await
    .json();
    assert_eq!(
        (
            instance_wide["total_count"].as_u64(),
            instance_wide["data"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );

    let invitation = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{acme_id}/invitations"),
        Some(json!({"email_address": "new@example.com", "role": "org:member", "inviter_user_id": admin})),
    )
    .await
    .json();
    assert_eq!(invitation["object"], "organization_invitation");
    assert_eq!(invitation["status"], "pending");
    assert!(
        invitation["url"]
            .as_str()
            .unwrap()
            .contains("/sign-up?__clerk_ticket=")
    );
    let inv_id = invitation["id"].as_str().unwrap().to_owned();
    let member_invite = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{acme_id}/invitations"),
        Some(json!({"email_address": "demo@example.com", "role": "org:member"})),
    )
    .await;
    assert_eq!(
        member_invite.error_code(),
        "already_a_member_in_organization"
    );
    let pending = bapi(
        &instance,
        Method::GET,
        &format!("/organizations/{acme_id}/invitations/pending"),
        None,
    )
    .await
    .json();
    assert_eq!(pending["total_count"], 1);
    let revoked = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{acme_id}/invitations/{inv_id}/revoke"),
        None,
    )
    .await
    .json();
    assert_eq!(revoked["status"], "revoked");
    let twice = bapi(
        &instance,
        Method::POST,
        &format!("/organizations/{acme_id}/invitations/{inv_id}/revoke"),
        None,
    )
    .await;
    assert_eq!(twice.status, 400);

    let invite = bapi(
        &instance,
        Method::POST,
        "/invitations",
        Some(json!({"email_address": "someone@example.com"})),
    )
    .await
    .json();
    assert_eq!(invite["object"], "invitation");
    assert!(invite["id"].as_str().unwrap().starts_with("inv_"));
    let existing = bapi(
        &instance,
        Method::POST,
        "/invitations",
        Some(json!({"email_address": "demo@example.com"})),
    )
    .await;
    assert_eq!(existing.error_code(), "form_identifier_exists");
    let bare = bapi(&instance, Method::GET, "/invitations", None)
        .await
        .json();
    assert_eq!(bare.as_array().unwrap().len(), 1);
    let wrapped = bapi(&instance, Method::GET, "/invitations?paginated=true", None)
        .await
        .json();
    assert_eq!(wrapped["total_count"], 1);

    let sign_in_token = bapi(
        &instance,
        Method::POST,
        "/sign_in_tokens",
        Some(json!({"user_id": demo})),
    )
    .await
    .json();
    assert_eq!(sign_in_token["object"], "sign_in_token");
    assert_eq!(sign_in_token["status"], "pending");
    assert!(
        sign_in_token["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/sign-in?__clerk_ticket=", instance.url()))
    );
    let testing = bapi(&instance, Method::POST, "/testing_tokens", None)
        .await
        .json();
    assert_eq!(testing["object"], "testing_token");
    let expires = testing["expires_at"].as_i64().unwrap();
    assert!(
        testing["token"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}-", expires - 3600))
    );

    let deleted = bapi(
        &instance,
        Method::DELETE,
        &format!("/organizations/{globex}"),
        None,
    )
    .await
    .json();
    assert_eq!(
        deleted,
        json!({"object": "organization", "id": globex, "slug": "globex-corp", "deleted": true})
    );
}

#[actix_web::test]
async fn an_issued_token_signs_in_through_the_middleware_with_org_role_and_permissions() {
    let instance = start();
    let admin = user_id(&instance, "admin%40example.com").await;
    let session = bapi(
        &instance,
        Method::POST,
        "/sessions",
        Some(json!({"user_id": admin})),
    )
    .await
    .json();
    assert_eq!(session["object"], "session");
    assert_eq!(session["status"], "active");
    let sid = session["id"].as_str().unwrap().to_owned();
    let token = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/tokens"),
        None,
    )
    .await
    .json();
    assert_eq!(token["object"], "token");
    let jwt = token["jwt"].as_str().unwrap().to_owned();

    let jwks = bapi(&instance, Method::GET, "/jwks", None).await.json();
    let claims = verify_with_jwks(&jwt, &jwks);
    assert_eq!(claims["v"], 2);
    assert_eq!(claims["iss"], instance.url());
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["sts"], "active");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    assert_eq!(claims["o"]["slg"], "acme");
    assert_eq!(claims["o"]["rol"], "admin");
    assert_eq!(claims["pla"], "u:free_user,o:free_org");
    assert_eq!(claims["fva"], json!([0, -1]));
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.kid.as_deref(), jwks["keys"][0]["kid"].as_str());

    let clerk = instance.clerk_builder().build().unwrap();
    let state = through_middleware(
        clerk,
        test::TestRequest::get()
            .uri("/api")
            .insert_header(("authorization", format!("Bearer {jwt}"))),
    )
    .await;
    assert_eq!(state["status"], "signed-in", "{state}");
    assert_eq!(state["userId"], admin.as_str());
    assert_eq!(state["orgRole"], "org:admin");
    assert_eq!(state["orgSlug"], "acme");
    let mut permissions = strings(&state["orgPermissions"]);
    permissions.sort();
    assert_eq!(
        permissions,
        ["org:invoices:manage", "org:invoices:read"],
        "system permissions stay out of tokens"
    );
    assert_eq!(state["canManageInvoices"], true);
    assert_eq!(state["isAdmin"], true);
    assert_eq!(state["hasPlan"], true);

    // A member gets the member's permissions only.
    let member_token = instance.session_token("demo@example.com").unwrap();
    let state = through_middleware(
        instance.clerk_builder().build().unwrap(),
        test::TestRequest::get()
            .uri("/api")
            .insert_header(("authorization", format!("Bearer {member_token}"))),
    )
    .await;
    assert_eq!(
        (
            state["orgRole"].as_str(),
            state["canManageInvoices"].as_bool()
        ),
        (Some("org:member"), Some(false))
    );

    // Revoked sessions issue no more tokens, and listing needs a user or client.
    let revoked = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/revoke"),
        None,
    )
    .await
    .json();
    assert_eq!(revoked["status"], "revoked");
    let refused = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/tokens"),
        None,
    )
    .await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (404, "resource_not_found")
    );
    let listed = bapi(
        &instance,
        Method::GET,
        &format!("/sessions?user_id={admin}&paginated=true"),
        None,
    )
    .await
    .json();
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["data"][0]["status"], "revoked");
    let unfiltered = bapi(&instance, Method::GET, "/sessions", None).await;
    assert_eq!(unfiltered.status, 422);
    let template = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/tokens/supabase"),
        None,
    )
    .await;
    assert_eq!(template.status, 404);
}

#[actix_web::test]
async fn handshake_sign_in_refresh_and_sign_out_by_hand() {
    let instance = start();
    let jwks = bapi(&instance, Method::GET, "/jwks", None).await.json();
    let suffix = PublishableKey::parse(instance.publishable_key())
        .unwrap()
        .cookie_suffix()
        .to_owned();
    let app = "http://127.0.0.1:9/dashboard?tab=1";

    // A browser without a dev browser token: a new one, signed out, token format.
    let handshake = format!(
        "{}/v1/client/handshake?redirect_url={}&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing",
        instance.proxy_url(),
        url::form_urlencoded::byte_serialize(app.as_bytes()).collect::<String>()
    );
    let reply = get(&handshake).await;
    assert_eq!(reply.status, 307);
    assert_eq!(reply.headers.get("cache-control").unwrap(), "no-store");
    let location = reply.location();
    assert_eq!(
        (location.origin().ascii_serialization(), location.path()),
        ("http://127.0.0.1:9".into(), "/dashboard")
    );
    assert_eq!(query_param(&location, "tab").as_deref(), Some("1"));
    let handshake_token = query_param(&location, "__clerk_handshake").expect("a handshake token");
    let header = jsonwebtoken::decode_header(&handshake_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let payload = verify_with_jwks(&handshake_token, &jwks);
    let directives = strings(&payload["handshake"]);
    let dev_browser = cookie(&directives, "__clerk_db_jwt")
        .expect("a dev browser")
        .to_owned();
    assert!(dev_browser.starts_with("dvb_"));
    assert_eq!(cookie(&directives, "__client_uat"), Some("0"));
    assert_eq!(cookie(&directives, "__session"), Some(""));
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with("__session=;") && d.contains("Max-Age=0"))
    );
    assert!(
        cookie(&directives, &format!("__session_{suffix}")).is_none(),
        "unsuffixed only when asked"
    );
    assert!(
        reply.set_cookies().iter().any(|c| c.contains(&dev_browser)),
        "the instance remembers the browser"
    );

    // The sign-in page offers the seeded users; a foreign origin cannot post to it.
    let page = get(&format!(
        "{}?redirect_url=http%3A%2F%2F127.0.0.1%3A9%2Fdashboard&__clerk_db_jwt={dev_browser}",
        instance.sign_in_url()
    ))
    .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("id=\"sign-in-as-demo-example-com\""),
        "{html}"
    );
    assert!(html.contains("id=\"email_address\""));
    let demo = user_id(&instance, "demo%40example.com").await;
    let forged = send_raw(
        http()
            .post(instance.sign_in_url())
            .insert_header(("origin", "http://evil.example"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .send_body(format!("user_id={demo}&__clerk_db_jwt={dev_browser}")),
    )
    .await;
    assert_eq!(forged.status, 403);
    let elsewhere = get(&format!(
        "{}?redirect_url=https%3A%2F%2Fevil.example%2F",
        instance.sign_in_url()
    ))
    .await;
    assert_eq!(
        elsewhere.status, 400,
        "tokens are only sent to loopback or allowed origins"
    );

    // Sign in as the demo user: back through the handshake, now with a nonce.
    let signed_in = form(
        instance.sign_in_url(),
        &[
            ("user_id", &demo),
            ("__clerk_db_jwt", &dev_browser),
            ("redirect_url", "http://127.0.0.1:9/dashboard"),
        ],
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    let to_handshake = signed_in.location();
    assert_eq!(to_handshake.path(), "/v1/client/handshake");
    let reply = get(to_handshake.as_str()).await;
    assert_eq!(reply.status, 307);
    let back = reply.location();
    assert!(query_param(&back, "__clerk_handshake").is_none());
    let nonce = query_param(&back, "__clerk_handshake_nonce").expect("a nonce");
    let payload = bapi(
        &instance,
        Method::GET,
        &format!("/clients/handshake_payload?nonce={nonce}"),
        None,
    )
    .await;
    assert_eq!(payload.status, 200);
    let directives = strings(&payload.json()["directives"]);
    let session_token = cookie(&directives, "__session")
        .expect("a session token")
        .to_owned();
    assert_eq!(
        cookie(&directives, &format!("__session_{suffix}")),
        Some(session_token.as_str())
    );
    assert!(
        directives.last().unwrap().starts_with("__session"),
        "the session directives come last"
    );
    let uat = cookie(&directives, "__client_uat").unwrap().to_owned();
    assert!(uat.parse::<u64>().unwrap() > 1_600_000_000);
    assert_eq!(
        cookie(&directives, &format!("__client_uat_{suffix}")),
        Some(uat.as_str())
    );
    let refresh = cookie(&directives, &format!("__refresh_{suffix}"))
        .expect("a refresh token")
        .to_owned();
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with("__refresh_") && d.contains("HttpOnly"))
    );
    let claims = verify_with_jwks(&session_token, &jwks);
    assert_eq!(claims["sub"], demo.as_str());
    assert_eq!(claims["azp"], "http://127.0.0.1:9");
    let again = bapi(
        &instance,
        Method::GET,
        &format!("/clients/handshake_payload?nonce={nonce}"),
        None,
    )
    .await;
    assert_eq!(again.status, 404, "a nonce answers once");

    // The cookies as the app's browser would send them sign the request in through the SDK.
    let clerk = instance.clerk_builder().build().unwrap();
    let cookies = directives
        .iter()
        .filter_map(|d| d.split(';').next())
        .filter(|pair| !pair.starts_with("__refresh_"))
        .collect::<Vec<_>>()
        .join("; ");
    let state = through_middleware(
        clerk.clone(),
        test::TestRequest::get()
            .uri("/dashboard")
            .insert_header(("host", "127.0.0.1:9"))
            .insert_header(("cookie", cookies))
            .insert_header(("sec-fetch-dest", "document")),
    )
    .await;
    assert_eq!(state["status"], "signed-in", "{state}");
    assert_eq!(state["orgRole"], "org:member");

    // Refresh: the expired token and the refresh cookie give new session cookies.
    let sid = claims["sid"].as_str().unwrap();
    let refreshed = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/refresh?suffixed_cookies=true"),
        Some(json!({
            "format": "cookie",
            "expired_token": session_token,
            "refresh_token": refresh,
            "request_origin": "http://127.0.0.1:9",
            "request_headers": {"user-agent": ["test"]},
        })),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text());
    let cookies = strings(&refreshed.json()["cookies"]);
    assert_eq!(refreshed.json()["object"], "cookies");
    let fresh =
        cookie(&cookies, &format!("__session_{suffix}")).expect("a suffixed session cookie");
    assert_eq!(verify_with_jwks(fresh, &jwks)["sid"], sid);
    let stolen = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/refresh"),
        Some(json!({"expired_token": session_token, "refresh_token": "guess", "request_origin": "http://127.0.0.1:9"})),
    )
    .await;
    assert_eq!(
        (stolen.status, stolen.error_code()),
        (401, "refresh_token_invalid")
    );

    // Organization page shows the role; sign-out clears the app's cookies via the handshake.
    let orgs = get(&format!(
        "{}/organizations?__clerk_db_jwt={dev_browser}",
        instance.url()
    ))
    .await;
    assert!(orgs.text().contains("id=\"org-acme\""), "{}", orgs.text());
    assert!(orgs.text().contains("org:member"));
    let signed_out = get(&format!(
        "{}/sign-out?redirect_url=http%3A%2F%2F127.0.0.1%3A9%2F&__clerk_db_jwt={dev_browser}",
        instance.url()
    ))
    .await;
    assert_eq!(signed_out.status, 303);
    let reply = get(signed_out.location().as_str()).await;
    let nonce = query_param(&reply.location(), "__clerk_handshake_nonce").unwrap();
    let directives = strings(
        &bapi(
            &instance,
            Method::GET,
            &format!("/clients/handshake_payload?nonce={nonce}"),
            None,
        )
        .await
        .json()["directives"],
    );
    assert_eq!(cookie(&directives, "__client_uat"), Some("0"));
    assert_eq!(
        cookie(&directives, &format!("__session_{suffix}")),
        Some("")
    );
    let after = bapi(
        &instance,
        Method::POST,
        &format!("/sessions/{sid}/refresh"),
        Some(json!({"expired_token": session_token, "refresh_token": refresh, "request_origin": "http://127.0.0.1:9"})),
    )
    .await;
    assert_eq!(
        (after.status, after.error_code()),
        (401, "session_not_active")
    );
}

#[actix_web::test]
async fn the_organization_switch_goes_through_the_handshake() {
    let instance =
        DevInstance::start(DevInstanceConfig::in_memory().require_organization(true)).unwrap();
    let jwks = bapi(&instance, Method::GET, "/jwks", None).await.json();
    let signed_up = form(
        instance.sign_up_url(),
        &[
            ("email_address", "new@example.com"),
            ("first_name", "New"),
            ("redirect_url", "http://localhost:3000/"),
        ],
    )
    .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.text());
    let dev_browser = query_param(&signed_up.location(), "__clerk_db_jwt").unwrap();
    let reply = get(signed_up.location().as_str()).await;
    let nonce = query_param(&reply.location(), "__clerk_handshake_nonce").unwrap();
    let directives = strings(
        &bapi(
            &instance,
            Method::GET,
            &format!("/clients/handshake_payload?nonce={nonce}"),
            None,
        )
        .await
        .json()["directives"],
    );
    let claims = verify_with_jwks(cookie(&directives, "__session").unwrap(), &jwks);
    assert_eq!(claims["sts"], "pending", "no organization yet");
    assert!(claims.get("o").is_none());

    let tasks = get(&format!(
        "{}/sign-in/tasks?__clerk_db_jwt={dev_browser}",
        instance.url()
    ))
    .await;
    assert_eq!(tasks.status, 303);
    let created = form(
        &format!("{}/organizations", instance.url()),
        &[
            ("name", "Initech"),
            ("__clerk_db_jwt", &dev_browser),
            ("redirect_url", "http://localhost:3000/"),
        ],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let reply = get(created.location().as_str()).await;
    let nonce = query_param(&reply.location(), "__clerk_handshake_nonce").unwrap();
    let directives = strings(
        &bapi(
            &instance,
            Method::GET,
            &format!("/clients/handshake_payload?nonce={nonce}"),
            None,
        )
        .await
        .json()["directives"],
    );
    let claims = verify_with_jwks(cookie(&directives, "__session").unwrap(), &jwks);
    assert_eq!(claims["sts"], "active");
    assert_eq!(
        (claims["o"]["slg"].as_str(), claims["o"]["rol"].as_str()),
        (Some("initech"), Some("admin"))
    );

    // Organization sync: the handshake's organization_id activates another membership.
    let acme = bapi(&instance, Method::GET, "/organizations/acme", None)
        .await
        .json();
    let user = claims["sub"].as_str().unwrap();
    bapi(
        &instance,
        Method::POST,
        &format!(
            "/organizations/{}/memberships",
            acme["id"].as_str().unwrap()
        ),
        Some(json!({"user_id": user, "role": "org:member"})),
    )
    .await;
    let reply = get(&format!(
        "{}/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F&__clerk_db_jwt={dev_browser}&organization_id=acme",
        instance.url()
    ))
    .await;
    let token = query_param(&reply.location(), "__clerk_handshake").unwrap();
    let directives = strings(&verify_with_jwks(&token, &jwks)["handshake"]);
    let claims = verify_with_jwks(cookie(&directives, "__session").unwrap(), &jwks);
    assert_eq!(claims["o"]["slg"], "acme");
    assert_eq!(claims["azp"], "http://localhost:3000");
}

#[actix_web::test]
async fn data_survives_a_restart_and_a_corrupt_store_fails_clearly() {
    let dir = std::env::temp_dir().join(format!("clerk-dev-instance-test-{}", std::process::id()));
    let path = dir.join("instance.json");
    let _ = std::fs::remove_dir_all(&dir);
    let first = DevInstance::start(DevInstanceConfig::default().data_file(&path)).unwrap();
    let secret = first.secret_key().to_owned();
    let created = bapi(
        &first,
        Method::POST,
        "/users",
        Some(json!({"email_address": ["kept@example.com"]})),
    )
    .await;
    assert_eq!(created.status, 200);
    first.stop();

    let second = DevInstance::start(DevInstanceConfig::default().data_file(&path)).unwrap();
    assert_eq!(second.secret_key(), secret);
    let users = bapi(&second, Method::GET, "/users/count", None)
        .await
        .json();
    assert_eq!(users["total_count"], 3);
    drop(second);

    std::fs::write(&path, "{\"version\": 1, \"truncated").unwrap();
    let err = DevInstance::start(DevInstanceConfig::default().data_file(&path)).unwrap_err();
    assert!(matches!(err, DevError::CorruptStore { .. }), "{err}");
    assert!(err.to_string().contains("delete it"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn a_taken_port_is_a_bind_error() {
    let first = start();
    let port: u16 = first.url().rsplit(':').next().unwrap().parse().unwrap();
    let err = DevInstance::start(DevInstanceConfig::in_memory().port(port)).unwrap_err();
    assert!(matches!(err, DevError::Bind { .. }), "{err}");
}

/// A minimal browser: follows redirects and keeps host-only cookies for 127.0.0.1 (shared by
/// every port, as browsers do).
struct Browser {
    client: awc::Client,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new() -> Self {
        Self {
            client: http(),
            cookies: Vec::new(),
        }
    }

    fn store(&mut self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let expired = set_cookie
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        self.cookies.retain(|(n, _)| n != name.trim());
        if !expired {
            self.cookies
                .push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sends one request, then follows redirects (303 as GET, 307 keeping the method).
    async fn visit(
        &mut self,
        mut method: Method,
        mut url: String,
        mut body: Option<String>,
    ) -> (String, Reply) {
        for _ in 0..20 {
            let cookie = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut request = self
                .client
                .request(method.clone(), &url)
                .insert_header(("accept", "text/html"))
                .insert_header(("sec-fetch-dest", "document"));
            if !cookie.is_empty() {
                request = request.insert_header(("cookie", cookie));
            }
            let sent = match &body {
                Some(body) => request
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .send_body(body.clone()),
                None => request.send(),
            };
            let reply = send_raw(sent).await;
            for set_cookie in reply.set_cookies() {
                self.store(&set_cookie);
            }
            if !matches!(reply.status, 303 | 307) {
                return (url, reply);
            }
            let next = Url::parse(&url)
                .expect("a URL")
                .join(
                    reply
                        .headers
                        .get("location")
                        .expect("a Location")
                        .to_str()
                        .expect("ASCII"),
                )
                .expect("a redirect target");
            if reply.status == 303 {
                method = Method::GET;
                body = None;
            }
            url = next.to_string();
        }
        panic!("redirect loop at {url}");
    }
}

/// The app under development: `ClerkMiddleware` configured from the instance, on a real port.
async fn app(clerk: Clerk) -> (String, actix_web::dev::ServerHandle) {
    let server = actix_web::HttpServer::new(move || {
        App::new()
            .wrap(ClerkMiddleware::new(clerk.clone()))
            .default_service(web::to(auth_state))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("a free port");
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (url, handle)
}

#[actix_web::test]
async fn a_browser_signs_in_and_out_through_the_sdks_handshake() {
    let instance = start();
    let (app_url, app_server) = app(instance.clerk_builder().build().unwrap()).await;
    let suffix = PublishableKey::parse(instance.publishable_key())
        .unwrap()
        .cookie_suffix()
        .to_owned();
    let mut browser = Browser::new();

    // First visit: the SDK sends the browser through the instance's handshake for a dev
    // browser, and comes back signed out on the clean URL.
    let (landed, page) = browser
        .visit(Method::GET, format!("{app_url}/dashboard?tab=1"), None)
        .await;
    assert_eq!(
        landed,
        format!("{app_url}/dashboard?tab=1"),
        "handshake parameters removed"
    );
    assert_eq!(page.json()["status"], "signed-out", "{}", page.text());
    let dev_browser = browser
        .cookie("__clerk_db_jwt")
        .expect("a dev browser cookie")
        .to_owned();

    // Sign in on the instance's page, as the app's sign-in redirect would send the browser.
    let sign_in = format!(
        "{}?redirect_url={}&__clerk_db_jwt={dev_browser}",
        instance.sign_in_url(),
        url::form_urlencoded::byte_serialize(format!("{app_url}/dashboard").as_bytes())
            .collect::<String>()
    );
    let (_, html) = browser.visit(Method::GET, sign_in.clone(), None).await;
    assert!(html.text().contains("sign-in-as-admin-example-com"));
    let admin = user_id(&instance, "admin%40example.com").await;
    let form_body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("user_id", &admin)
        .append_pair("__clerk_db_jwt", &dev_browser)
        .append_pair("redirect_url", &format!("{app_url}/dashboard"))
        .finish();
    let (landed, page) = browser
        .visit(
            Method::POST,
            instance.sign_in_url().to_owned(),
            Some(form_body),
        )
        .await;
    assert_eq!(landed, format!("{app_url}/dashboard"));
    let state = page.json();
    assert_eq!(state["status"], "signed-in", "{}", page.text());
    assert_eq!(state["userId"], admin.as_str());
    assert_eq!(state["orgRole"], "org:admin");
    assert!(browser.cookie(&format!("__refresh_{suffix}")).is_some());

    // Later requests are signed in from the cookies alone.
    let (_, page) = browser
        .visit(Method::GET, format!("{app_url}/api"), None)
        .await;
    assert_eq!(page.json()["status"], "signed-in");

    // Sign out: the instance ends the session and the handshake clears the app's cookies.
    let sign_out = format!(
        "{}/sign-out?redirect_url={}&__clerk_db_jwt={dev_browser}",
        instance.url(),
        url::form_urlencoded::byte_serialize(format!("{app_url}/").as_bytes()).collect::<String>()
    );
    let (landed, page) = browser.visit(Method::GET, sign_out, None).await;
    assert_eq!(landed, format!("{app_url}/"));
    assert_eq!(page.json()["status"], "signed-out", "{}", page.text());
    assert_eq!(browser.cookie("__client_uat"), Some("0"));
    app_server.stop(false).await;
}

#[actix_web::test]
async fn an_expired_session_token_is_refreshed_by_the_sdk() {
    let instance = DevInstance::start(
        DevInstanceConfig::in_memory().token_lifetime(std::time::Duration::from_secs(1)),
    )
    .unwrap();
    let clerk = instance
        .clerk_builder()
        .clock_skew(std::time::Duration::ZERO)
        .build()
        .unwrap();
    let (app_url, app_server) = app(clerk).await;
    let mut browser = Browser::new();
    browser
        .visit(Method::GET, format!("{app_url}/"), None)
        .await;
    let dev_browser = browser.cookie("__clerk_db_jwt").unwrap().to_owned();
    let form_body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email_address", "demo@example.com")
        .append_pair("__clerk_db_jwt", &dev_browser)
        .append_pair("redirect_url", &format!("{app_url}/"))
        .finish();
    let (_, page) = browser
        .visit(
            Method::POST,
            instance.sign_in_url().to_owned(),
            Some(form_body),
        )
        .await;
    assert_eq!(page.json()["status"], "signed-in", "{}", page.text());
    let first = browser.cookie("__session").unwrap().to_owned();

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (landed, page) = browser
        .visit(Method::GET, format!("{app_url}/again"), None)
        .await;
    assert_eq!(
        landed,
        format!("{app_url}/again"),
        "refreshed without a redirect"
    );
    assert_eq!(page.json()["status"], "signed-in", "{}", page.text());
    assert_ne!(
        browser.cookie("__session"),
        Some(first.as_str()),
        "a new token was set"
    );
    app_server.stop(false).await;
}
