//! The Backend API client against a local mock of Clerk's Backend API: exact requests on the
//! wire, Clerk-shaped answers and failures.
#![allow(clippy::unwrap_used)]

#[path = "bapi_client/mock.rs"]
mod mock;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clerk_actix::ClerkClient;
use clerk_actix::client::{
    ApiError, CreateAllowlistIdentifierParams, CreateBlocklistIdentifierParams,
    CreateEmailAddressParams, CreateInvitationParams, CreateOrganizationInvitationParams,
    CreateOrganizationMembershipParams, CreateOrganizationParams, CreatePhoneNumberParams,
    CreateSessionParams, CreateSignInTokenParams, CreateUserParams, GetOrganizationParams,
    InstanceMembershipListParams, InvitationListParams, OrderBy, OrganizationInvitationListParams,
    OrganizationListParams, OrganizationMembershipListParams, OrganizationMetadataParams,
    PageParams, RefreshFormat, RefreshSessionParams, RetryPolicy,
    RevokeOrganizationInvitationParams, SessionListParams, SessionTokenParams, TransportErrorKind,
    UpdateEmailAddressParams, UpdateOrganizationMembershipParams, UpdateOrganizationParams,
    UpdatePhoneNumberParams, UpdateUserParams, UserListParams, UserMetadataParams,
};
use clerk_actix::client::{CreateM2mTokenParams, M2mTokenListParams};
use clerk_actix::models::{
    IdentifierType, InvitationStatus, Metadata, SessionRefresh, SessionStatus, SignInTokenStatus,
    VerificationStatus,
};
use futures_util::{StreamExt, TryStreamExt};
use mock::{MockBapi, Recorded, Reply, SECRET_KEY, raw_tcp_server};
use serde_json::{Value, json};

fn user_json(id: &str) -> Value {
    json!({
        "object": "user", "id": id, "external_id": null,
        "primary_email_address_id": format!("idn_{id}"), "primary_phone_number_id": null,
        "primary_web3_wallet_id": null, "username": null, "first_name": "John", "last_name": "Doe",
        "image_url": "https://img.clerk.com/xxxxxx", "has_image": true,
        "public_metadata": {"camelKey": {"nested_key": 1}}, "private_metadata": null, "unsafe_metadata": {},
        "email_addresses": [{
            "id": format!("idn_{id}"), "object": "email_address", "email_address": format!("{id}@example.com"),
            "reserved": false, "linked_to": [], "created_at": 1716883200000_i64, "updated_at": 1716883200000_i64,
            "verification": {"object": "verification_otp", "status": "verified", "strategy": "email_code",
                             "attempts": 1, "expire_at": null}
        }],
        "phone_numbers": [], "web3_wallets": [], "passkeys": [], "password_enabled": true,
        "two_factor_enabled": false, "totp_enabled": false, "backup_code_enabled": false,
        "mfa_enabled_at": null, "mfa_disabled_at": null, "external_accounts": [], "saml_accounts": [],
        "enterprise_accounts": [], "last_sign_in_at": 1716883200000_i64, "banned": false, "locked": false,
        "lockout_expires_in_seconds": null, "verification_attempts_remaining": null,
        "updated_at": 1716883200000_i64, "created_at": 1716883200000_i64, "delete_self_enabled": true,
        "create_organization_enabled": true, "create_organizations_limit": null,
        "last_active_at": 1716883200000_i64, "legal_accepted_at": null
    })
}

fn org_json(id: &str) -> Value {
    json!({
        "object": "organization", "id": id, "name": "Acme Corp", "slug": format!("slug-{id}"),
        "image_url": "https://img.clerk.com/xxxxxx", "has_image": true, "max_allowed_memberships": 5,
        "admin_delete_enabled": true, "public_metadata": {}, "private_metadata": {},
        "created_by": "user_1", "created_at": 1716883200000_i64, "updated_at": 1716883200000_i64
    })
}

fn membership_json(id: &str, org: &str, user: &str, role: &str) -> Value {
    json!({
        "object": "organization_membership", "id": id, "role": role, "role_name": "Member",
        "permissions": ["org:posts:read"], "public_metadata": {}, "private_metadata": {},
        "organization": org_json(org),
        "public_user_data": {"user_id": user, "first_name": "Jane", "last_name": null,
                             "image_url": "https://img.clerk.com/y", "has_image": false,
                             "identifier": "jane@acme.test"},
        "created_at": 1716883200000_i64, "updated_at": 1716883200000_i64
    })
}

/// Headers every request must carry.
fn assert_clerk_headers(request: &Recorded) {
    let expected_authorization = format!("Bearer {SECRET_KEY}");
    assert_eq!(
        request.header("authorization"),
        Some(expected_authorization.as_str())
    );
    assert_eq!(request.header("clerk-api-version"), Some("2026-05-12"));
    let expected_agent = format!("clerk-actix/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(request.header("user-agent"), Some(expected_agent.as_str()));
    assert_eq!(request.header("content-type"), Some("application/json"));
}

fn assert_call(request: &Recorded, method: &str, path: &str) {
    assert_eq!(request.method, method, "method of {request:?}");
    assert_eq!(request.path, path, "path of {request:?}");
    assert_clerk_headers(request);
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn metadata(value: Value) -> Metadata {
    value.as_object().cloned().unwrap()
}

// ---------------------------------------------------------------------------------------------
// users

#[actix_rt::test]
async fn users_get_sends_clerk_headers_and_parses_the_user() {
    let mock = MockBapi::start(|_| Reply::json(200, user_json("user_1")));
    let user = mock.client().users().get("user_1").await.unwrap();

    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/users/user_1");
    assert_eq!(request.query, "");
    assert!(request.body.is_empty());
    assert_eq!(user.id, "user_1");
    assert_eq!(user.public_metadata["camelKey"]["nested_key"], 1);
    let email = user.primary_email_address().unwrap();
    assert_eq!(email.email_address, "user_1@example.com");
    assert_eq!(
        email.verification.as_ref().unwrap().status,
        VerificationStatus::Verified
    );
}

#[actix_rt::test]
async fn users_list_encodes_false_zero_order_by_and_repeated_keys() {
    let mock =
        MockBapi::start(|_| Reply::json(200, json!([user_json("user_1"), user_json("user_2")])));
    let params = UserListParams {
        email_address: vec!["a+b@example.com".into(), "c@example.com".into()],
        user_id: vec!["user_1".into(), "-user_9".into()],
        banned: Some(false),
        offset: Some(0),
        limit: Some(500),
        order_by: Some(OrderBy::asc("created_at")),
        last_active_at_since: Some(1_716_883_200_000),
        ..Default::default()
    };
    let page = mock.client().users().list(&params).await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.total_count, None, "GET /users is a bare array");

    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/users");
    assert_eq!(
        request.sorted_query(),
        pairs(&[
            ("banned", "false"),
            ("email_address", "a+b@example.com"),
            ("email_address", "c@example.com"),
            ("last_active_at_since", "1716883200000"),
            ("limit", "500"),
            ("offset", "0"),
            ("order_by", "+created_at"),
            ("user_id", "-user_9"),
            ("user_id", "user_1"),
        ])
    );
    // `+` must travel percent-encoded or the server reads a space.
    assert!(
        request.query.contains("order_by=%2Bcreated_at"),
        "{}",
        request.query
    );
    assert!(
        request.query.contains("email_address=a%2Bb%40example.com"),
        "{}",
        request.query
    );

    let descending = UserListParams {
        order_by: Some(OrderBy::desc("last_sign_in_at")),
        ..Default::default()
    };
    mock.client().users().list(&descending).await.unwrap();
    assert_eq!(mock.requests()[1].query, "order_by=-last_sign_in_at");
}

#[actix_rt::test]
async fn users_list_refuses_limit_above_500_without_a_request() {
    let mock = MockBapi::start(|_| Reply::json(200, json!([])));
    let params = UserListParams {
        limit: Some(501),
        ..Default::default()
    };
    let error = mock.client().users().list(&params).await.unwrap_err();
    assert!(
        matches!(error, ApiError::InvalidRequest { .. }),
        "{error:?}"
    );
    assert!(mock.requests().is_empty());
}

#[actix_rt::test]
async fn users_count_and_list_with_count() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/v1/users/count" => Reply::json(200, json!({"object": "total_count", "total_count": 42})),
        _ => Reply::json(200, json!([user_json("user_1")])),
    });
    let client = mock.client();
    let params = UserListParams {
        query: Some("john".into()),
        limit: Some(1),
        order_by: Some(OrderBy::desc("created_at")),
        ..Default::default()
    };
    assert_eq!(client.users().count(&params).await.unwrap(), 42);
    let count_request = mock.only_request();
    assert_call(&count_request, "GET", "/v1/users/count");
    assert_eq!(count_request.sorted_query(), pairs(&[("query", "john")]));

    let page = client.users().list_with_count(&params).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.total_count, Some(42));
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    let mut paths: Vec<_> = requests[1..].iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/v1/users", "/v1/users/count"]);
    let list = requests[1..]
        .iter()
        .find(|r| r.path == "/v1/users")
        .unwrap();
    assert_eq!(
        list.sorted_query(),
        pairs(&[
            ("limit", "1"),
            ("order_by", "-created_at"),
            ("query", "john")
        ])
    );
}

#[actix_rt::test]
async fn users_list_with_count_runs_both_requests_concurrently() {
    // Each answer takes 400 ms; sequential calls would need 800 ms.
    let mock = MockBapi::start(|request| {
        let reply = match request.path.as_str() {
            "/v1/users/count" => {
                Reply::json(200, json!({"object": "total_count", "total_count": 1}))
            }
            _ => Reply::json(200, json!([user_json("user_1")])),
        };
        reply.delayed(Duration::from_millis(400))
    });
    let started = Instant::now();
    mock.client()
        .users()
        .list_with_count(&UserListParams::default())
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(750),
        "{:?}",
        started.elapsed()
    );
}

#[actix_rt::test]
async fn users_create_sends_snake_case_json_with_explicit_false() {
    let mock = MockBapi::start(|_| Reply::json(200, user_json("user_new")));
    let params = CreateUserParams {
        email_address: vec!["new@example.com".into()],
        first_name: Some("New".into()),
        password: Some("a long passphrase".into()),
        skip_password_checks: Some(false),
        create_organizations_limit: Some(0),
        public_metadata: Some(metadata(
            json!({"planTier": "pro", "Nested": {"keepCase": true}}),
        )),
        ..Default::default()
    };
    let user = mock.client().users().create(&params).await.unwrap();
    assert_eq!(user.id, "user_new");

    let request = mock.only_request();
    assert_call(&request, "POST", "/v1/users");
    assert_eq!(
        request.json(),
        json!({
            "email_address": ["new@example.com"],
            "first_name": "New",
            "password": "a long passphrase",
            "skip_password_checks": false,
            "create_organizations_limit": 0,
            "public_metadata": {"planTier": "pro", "Nested": {"keepCase": true}}
        })
    );
}

#[actix_rt::test]
async fn users_update_and_metadata_merge_and_replace() {
    let mock = MockBapi::start(|_| Reply::json(200, user_json("user_1")));
    let client = mock.client();
    client
        .users()
        .update(
            "user_1",
            &UpdateUserParams {
                username: Some("johnny".into()),
                delete_self_enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let merge = UserMetadataParams {
        public_metadata: Some(metadata(json!({"someKey": {"innerKey": null}}))),
        ..Default::default()
    };
    client
        .users()
        .update_metadata("user_1", &merge)
        .await
        .unwrap();
    let replace = UserMetadataParams {
        private_metadata: Some(Metadata::new()),
        ..Default::default()
    };
    client
        .users()
        .replace_metadata("user_1", &replace)
        .await
        .unwrap();

    let requests = mock.requests();
    assert_call(&requests[0], "PATCH", "/v1/users/user_1");
    assert_eq!(
        requests[0].json(),
        json!({"username": "johnny", "delete_self_enabled": false})
    );
    assert_call(&requests[1], "PATCH", "/v1/users/user_1/metadata");
    assert_eq!(
        requests[1].json(),
        json!({"public_metadata": {"someKey": {"innerKey": null}}})
    );
    assert_call(&requests[2], "PUT", "/v1/users/user_1/metadata");
    assert_eq!(requests[2].json(), json!({"private_metadata": {}}));
}

#[actix_rt::test]
async fn users_delete_ban_unban_lock_unlock() {
    let mock = MockBapi::start(|request| {
        if request.method == "DELETE" {
            Reply::json(
                200,
                json!({"object": "user", "id": "user_1", "deleted": true}),
            )
        } else {
            Reply::json(200, user_json("user_1"))
        }
    });
    let users = mock.client();
    let users = users.users();
    let deleted = users.delete("user_1").await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id.as_deref(), Some("user_1"));
    users.ban("user_1").await.unwrap();
    users.unban("user_1").await.unwrap();
    users.lock("user_1").await.unwrap();
    users.unlock("user_1").await.unwrap();

    let requests = mock.requests();
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("DELETE", "/v1/users/user_1"),
            ("POST", "/v1/users/user_1/ban"),
            ("POST", "/v1/users/user_1/unban"),
            ("POST", "/v1/users/user_1/lock"),
            ("POST", "/v1/users/user_1/unlock"),
        ]
    );
    for request in &requests {
        assert_clerk_headers(request);
        assert!(request.body.is_empty());
    }
}

#[actix_rt::test]
async fn users_organization_memberships_parse_data_and_total() {
    let mock = MockBapi::start(|_| {
        Reply::json(
            200,
            json!({"data": [membership_json("orgmem_1", "org_1", "user_1", "org:admin")], "total_count": 3}),
        )
    });
    let page = mock
        .client()
        .users()
        .organization_memberships(
            "user_1",
            &clerk_actix::client::PageParams {
                limit: Some(1),
                offset: Some(0),
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(3));
    assert_eq!(page.data[0].organization.id, "org_1");
    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/users/user_1/organization_memberships");
    assert_eq!(
        request.sorted_query(),
        pairs(&[("limit", "1"), ("offset", "0")])
    );
}

#[actix_rt::test]
async fn users_list_all_walks_pages_with_starting_after() {
    let users: Vec<String> = (1..=5).map(|n| format!("user_{n}")).collect();
    let mock = MockBapi::start(move |request| {
        let limit: usize = request.query_value("limit").unwrap().parse().unwrap();
        let start = match request.query_value("starting_after") {
            Some(after) => users.iter().position(|id| *id == after).unwrap() + 1,
            None => 0,
        };
        let page: Vec<Value> = users
            .iter()
            .skip(start)
            .take(limit)
            .map(|id| user_json(id))
            .collect();
        Reply::json(200, Value::Array(page))
    });
    let params = UserListParams {
        limit: Some(2),
        banned: Some(false),
        ..Default::default()
    };
    let all: Vec<_> = mock
        .client()
        .users()
        .list_all(params)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all
        .iter()
        .map(|u: &clerk_actix::models::User| u.id.as_str())
        .collect();
    assert_eq!(ids, ["user_1", "user_2", "user_3", "user_4", "user_5"]);

    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[("banned", "false"), ("limit", "2")])
    );
    assert_eq!(
        requests[1].sorted_query(),
        pairs(&[
            ("banned", "false"),
            ("limit", "2"),
            ("starting_after", "user_2")
        ])
    );
    assert_eq!(
        requests[2].query_value("starting_after").as_deref(),
        Some("user_4")
    );
}

#[actix_rt::test]
async fn users_list_all_pages_by_offset_under_another_sort() {
    let users: Vec<String> = (1..=5).map(|n| format!("user_{n}")).collect();
    let mock = MockBapi::start(move |request| {
        let limit: usize = request.query_value("limit").unwrap().parse().unwrap();
        let offset: usize = request.query_value("offset").unwrap().parse().unwrap();
        let page: Vec<Value> = users
            .iter()
            .skip(offset)
            .take(limit)
            .map(|id| user_json(id))
            .collect();
        Reply::json(200, Value::Array(page))
    });
    let params = UserListParams {
        limit: Some(2),
        order_by: Some(OrderBy::asc("email_address")),
        ..Default::default()
    };
    let count = mock
        .client()
        .users()
        .list_all(params)
        .map(|user| user.unwrap())
        .count()
        .await;
    assert_eq!(count, 5);
    let offsets: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.query_value("offset").unwrap())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.query_value("starting_after").is_none())
    );
}

// ---------------------------------------------------------------------------------------------
// errors

#[actix_rt::test]
async fn not_found_is_a_typed_api_error_with_trace_id() {
    let mock = MockBapi::start(|_| Reply::error(404, "resource_not_found", "not found", json!({})));
    let error = mock.client().users().get("user_missing").await.unwrap_err();
    assert!(error.is_not_found());
    let ApiError::Api {
        status,
        errors,
        trace_id,
        retry_after,
    } = error.clone()
    else {
        panic!("expected Api, got {error:?}");
    };
    assert_eq!(status, 404);
    assert_eq!(errors[0].code, "resource_not_found");
    assert_eq!(errors[0].long_message.as_deref(), Some("not found (long)"));
    assert_eq!(trace_id.as_deref(), Some("trace_resource_not_found"));
    assert_eq!(retry_after, None);
    assert!(!error.to_string().contains(SECRET_KEY));
}

#[actix_rt::test]
async fn unprocessable_entity_exposes_param_name() {
    let mock = MockBapi::start(|_| {
        Reply::error(
            422,
            "form_identifier_exists",
            "That email address is taken.",
            json!({"param_name": "email_address"}),
        )
    });
    let params = CreateUserParams {
        email_address: vec!["taken@example.com".into()],
        password: Some("hunter2-hunter2".into()),
        ..Default::default()
    };
    let error = mock.client().users().create(&params).await.unwrap_err();
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.clerk_errors()[0].param_name(), Some("email_address"));
    let shown = error.to_string();
    assert!(shown.contains("form_identifier_exists"), "{shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains(SECRET_KEY),
        "{shown}"
    );
}

#[actix_rt::test]
async fn trace_id_falls_back_to_headers() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/v1/users/a" => {
            Reply::raw(500, "text/plain", b"oops").header("Clerk-Trace-Id", "hdr-trace")
        }
        _ => Reply::raw(502, "text/html", b"<html>bad gateway</html>").header("cf-ray", "ray-123"),
    });
    let client = mock.client();
    let error = client.users().get("a").await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Api { status: 500, trace_id: Some(t), errors, .. } if t == "hdr-trace" && errors.is_empty()),
        "{error:?}"
    );
    let error = client.users().get("b").await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Api { status: 502, trace_id: Some(t), .. } if t == "ray-123"),
        "{error:?}"
    );
}

#[actix_rt::test]
async fn rate_limit_without_retry_policy_reports_retry_after() {
    let mock = MockBapi::start(|_| {
        Reply::error(429, "too_many_requests", "Too many requests", json!({}))
            .header("Retry-After", "7")
    });
    let error = mock.client().users().get("user_1").await.unwrap_err();
    assert!(
        matches!(error, ApiError::Api { status: 429, retry_after: Some(wait), .. } if wait == Duration::from_secs(7)),
        "{error:?}"
    );
    assert_eq!(mock.requests().len(), 1, "no retry without a policy");
}

#[actix_rt::test]
async fn rate_limit_with_retry_policy_waits_retry_after_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let mock = MockBapi::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::error(429, "too_many_requests", "slow down", json!({}))
                .header("Retry-After", "1")
        } else {
            Reply::json(200, user_json("user_1"))
        }
    });
    let client = mock
        .builder()
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    let started = Instant::now();
    let user = client.users().get("user_1").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(user.id, "user_1");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        elapsed >= Duration::from_millis(950),
        "Retry-After not honoured: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[actix_rt::test]
async fn retry_after_beyond_the_time_budget_gives_up_at_once() {
    let mock = MockBapi::start(|_| {
        Reply::error(429, "too_many_requests", "slow down", json!({})).header("Retry-After", "60")
    });
    let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(2));
    let client = mock.builder().retry(policy).build().unwrap();
    let started = Instant::now();
    let error = client.users().get("user_1").await.unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(mock.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[actix_rt::test]
async fn server_errors_are_retried_for_reads_up_to_max_attempts() {
    let mock = MockBapi::start(|_| Reply::error(500, "internal_clerk_error", "boom", json!({})));
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(20));
    let client = mock.builder().retry(policy).build().unwrap();
    let error = client.users().get("user_1").await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(mock.requests().len(), 3);
}

#[actix_rt::test]
async fn writes_are_never_retried() {
    let mock = MockBapi::start(|_| Reply::error(503, "service_unavailable", "later", json!({})));
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
    let client = mock.builder().retry(policy).build().unwrap();
    let error = client.users().ban("user_1").await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(mock.requests().len(), 1);
}

#[actix_rt::test]
async fn server_errors_without_policy_are_returned_once() {
    let mock = MockBapi::start(|_| Reply::error(500, "internal_clerk_error", "boom", json!({})));
    let error = mock.client().users().get("user_1").await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(mock.requests().len(), 1);
}

#[actix_rt::test]
async fn truncated_json_body_is_a_decode_error() {
    let mock =
        MockBapi::start(|_| Reply::raw(200, "application/json", br#"{"object":"user","id":"us"#));
    let error = mock.client().users().get("user_1").await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Decode { status: 200, reason } if reason.contains("truncated")),
        "{error:?}"
    );
}

#[actix_rt::test]
async fn body_cut_short_by_the_connection_is_a_decode_error() {
    let (url, _) = raw_tcp_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"object\":\"user\",\"id\":",
    );
    let client = ClerkClient::builder(SECRET_KEY)
        .api_url(url)
        .build()
        .unwrap();
    let error = client.users().get("user_1").await.unwrap_err();
    assert!(
        matches!(error, ApiError::Decode { status: 200, .. }),
        "{error:?}"
    );
}

#[actix_rt::test]
async fn non_json_success_body_is_a_decode_error() {
    let mock = MockBapi::start(|_| Reply::raw(200, "text/html", b"<html>maintenance</html>"));
    let error = mock.client().users().get("user_1").await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Decode { status: 200, reason } if reason.contains("invalid JSON")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("maintenance"));
}

#[actix_rt::test]
async fn connection_closed_without_answer_is_a_transport_error() {
    let (url, accepted) = raw_tcp_server(b"");
    let client = ClerkClient::builder(SECRET_KEY)
        .api_url(url)
        .build()
        .unwrap();
    let error = client.users().get("user_1").await.unwrap_err();
    assert!(
        matches!(
            error,
            ApiError::Transport {
                kind: TransportErrorKind::Connection,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(*accepted.lock().unwrap() >= 1);
}

#[actix_rt::test]
async fn refused_connection_is_a_connect_error_and_retried_for_reads() {
    // Bind then drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let policy = RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(Duration::from_millis(10));
    let client = ClerkClient::builder(SECRET_KEY)
        .api_url(format!("http://127.0.0.1:{port}"))
        .retry(policy)
        .build()
        .unwrap();
    let error = client.users().get("user_1").await.unwrap_err();
    assert!(
        matches!(
            error,
            ApiError::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
}

#[actix_rt::test]
async fn slow_answer_times_out_within_the_bound() {
    let mock =
        MockBapi::start(|_| Reply::json(200, user_json("user_1")).delayed(Duration::from_secs(3)));
    let client = mock
        .builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.users().get("user_1").await.unwrap_err();
    assert_eq!(error, ApiError::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[actix_rt::test]
async fn path_traversal_ids_are_refused_before_any_request() {
    let mock = MockBapi::start(|_| Reply::json(200, user_json("user_1")));
    let client = mock.client();
    for bad in [
        "",
        ".",
        "..",
        "%2e%2e",
        "%2E%2E",
        "%252e%252e",
        "user_1/../../jwks",
        "a%2fb",
        "a\\b",
    ] {
        let error = client.users().get(bad).await.unwrap_err();
        assert!(
            matches!(error, ApiError::InvalidRequest { .. }),
            "{bad:?}: {error:?}"
        );
        let error = client
            .users()
            .update_metadata(bad, &UserMetadataParams::default())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ApiError::InvalidRequest { .. }),
            "{bad:?}: {error:?}"
        );
    }
    assert!(
        mock.requests().is_empty(),
        "no request may reach the server"
    );
}

#[actix_rt::test]
async fn unknown_fields_and_enum_values_do_not_break_parsing() {
    let mut user = user_json("user_1");
    user["brand_new_field"] = json!({"anything": [1, 2, 3]});
    user["email_addresses"][0]["verification"] = json!({
        "object": "verification_quantum", "status": "entangled", "strategy": "qubit_code",
        "attempts": null, "expire_at": null, "novel": true
    });
    user["external_accounts"] = json!([{"object": "zoom_account", "id": "eac_1", "provider": "oauth_zoom", "scopes_v2": ["a"]}]);
    let mock = MockBapi::start(move |_| Reply::json(200, user.clone()));
    let parsed = mock.client().users().get("user_1").await.unwrap();
    assert_eq!(parsed.extra["brand_new_field"]["anything"][2], 3);
    let verification = parsed.email_addresses[0].verification.as_ref().unwrap();
    assert_eq!(
        verification.status,
        VerificationStatus::Unknown("entangled".into())
    );
    assert_eq!(verification.object.as_deref(), Some("verification_quantum"));
    assert_eq!(verification.extra["novel"], true);
    assert_eq!(parsed.external_accounts[0].object, "zoom_account");
    assert_eq!(parsed.external_accounts[0].extra["scopes_v2"][0], "a");
    // Unknown enum values survive in other resources too.
    assert_eq!(
        SessionStatus::from("dormant"),
        SessionStatus::Unknown("dormant".into())
    );
}

#[actix_rt::test]
async fn secret_key_never_appears_in_debug_or_errors() {
    let mock =
        MockBapi::start(|_| Reply::error(401, "authentication_invalid", "bad key", json!({})));
    let client = mock.client();
    assert!(!format!("{client:?}").contains(SECRET_KEY));
    let error = client.users().get("user_1").await.unwrap_err();
    assert!(!format!("{error:?}").contains(SECRET_KEY));
    assert!(!error.to_string().contains(SECRET_KEY));
}

// ---------------------------------------------------------------------------------------------
// sessions and clients

fn session_json(id: &str, status: &str) -> Value {
    json!({
        "object": "session", "id": id, "user_id": "user_1", "client_id": "client_1", "actor": null,
        "status": status, "last_active_organization_id": null, "last_active_at": 1716883200000_i64,
        "latest_activity": {"object": "session_activity", "id": "sess_activity_1", "is_mobile": false,
                            "browser_name": "Chrome", "city": "Berlin", "country": "DE"},
        "expire_at": 1717488000000_i64, "abandon_at": 1719475200000_i64,
        "updated_at": 1716883200000_i64, "created_at": 1716883200000_i64, "tasks": null
    })
}

#[actix_rt::test]
async fn sessions_list_asks_for_the_paginated_shape() {
    let mock = MockBapi::start(|_| {
        Reply::json(
            200,
            json!({"data": [session_json("sess_1", "active")], "total_count": 1}),
        )
    });
    let params = SessionListParams {
        user_id: Some("user_1".into()),
        status: Some(SessionStatus::Active),
        offset: Some(0),
        ..Default::default()
    };
    let page = mock.client().sessions().list(&params).await.unwrap();
    assert_eq!(page.total_count, Some(1));
    assert_eq!(page.data[0].status, SessionStatus::Active);
    assert_eq!(
        page.data[0]
            .latest_activity
            .as_ref()
            .unwrap()
            .city
            .as_deref(),
        Some("Berlin")
    );
    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/sessions");
    assert_eq!(
        request.sorted_query(),
        pairs(&[
            ("offset", "0"),
            ("paginated", "true"),
            ("status", "active"),
            ("user_id", "user_1")
        ])
    );
}

#[actix_rt::test]
async fn sessions_list_still_parses_a_bare_array() {
    let mock = MockBapi::start(|_| Reply::json(200, json!([session_json("sess_1", "revoked")])));
    let params = SessionListParams {
        client_id: Some("client_1".into()),
        ..Default::default()
    };
    let page = mock.client().sessions().list(&params).await.unwrap();
    assert_eq!(page.total_count, None);
    assert_eq!(page.data[0].status, SessionStatus::Revoked);
}

#[actix_rt::test]
async fn sessions_list_all_walks_offsets_until_total() {
    let mock = MockBapi::start(|request| {
        let offset: usize = request.query_value("offset").unwrap().parse().unwrap();
        let limit: usize = request.query_value("limit").unwrap().parse().unwrap();
        let data: Vec<Value> = (offset..(offset + limit).min(5))
            .map(|n| session_json(&format!("sess_{n}"), "active"))
            .collect();
        Reply::json(200, json!({"data": data, "total_count": 5}))
    });
    let params = SessionListParams {
        user_id: Some("user_1".into()),
        limit: Some(2),
        ..Default::default()
    };
    let sessions: Vec<_> = mock
        .client()
        .sessions()
        .list_all(params)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 5);
    let offsets: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.query_value("offset").unwrap())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

#[actix_rt::test]
async fn sessions_get_create_and_revoke() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/v1/sessions/sess_1/revoke" => Reply::json(200, session_json("sess_1", "revoked")),
        _ => Reply::json(200, session_json("sess_1", "active")),
    });
    let client = mock.client();
    client.sessions().get("sess_1").await.unwrap();
    client
        .sessions()
        .create(&CreateSessionParams {
            user_id: "user_1".into(),
            active_organization_id: None,
        })
        .await
        .unwrap();
    let revoked = client.sessions().revoke("sess_1").await.unwrap();
    assert_eq!(revoked.status, SessionStatus::Revoked);

    let requests = mock.requests();
    assert_call(&requests[0], "GET", "/v1/sessions/sess_1");
    assert_call(&requests[1], "POST", "/v1/sessions");
    assert_eq!(requests[1].json(), json!({"user_id": "user_1"}));
    assert_call(&requests[2], "POST", "/v1/sessions/sess_1/revoke");
    assert!(requests[2].body.is_empty());
}

#[actix_rt::test]
async fn sessions_create_token_with_and_without_template() {
    let mock = MockBapi::start(|_| {
        Reply::json(200, json!({"object": "token", "jwt": "header.payload.sig"}))
    });
    let client = mock.client();
    let token = client
        .sessions()
        .create_token("sess_1", &SessionTokenParams::default())
        .await
        .unwrap();
    assert_eq!(token.jwt.expose(), "header.payload.sig");
    assert!(!format!("{token:?}").contains("payload"));
    client
        .sessions()
        .create_token(
            "sess_1",
            &SessionTokenParams {
                template: Some("supabase".into()),
                expires_in_seconds: Some(60),
            },
        )
        .await
        .unwrap();
    let error = client
        .sessions()
        .create_token(
            "sess_1",
            &SessionTokenParams {
                template: Some("%2E%2E".into()),
                expires_in_seconds: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::InvalidRequest { .. }));

    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_call(&requests[0], "POST", "/v1/sessions/sess_1/tokens");
    assert_eq!(requests[0].json(), json!({}));
    assert_call(&requests[1], "POST", "/v1/sessions/sess_1/tokens/supabase");
    assert_eq!(requests[1].json(), json!({"expires_in_seconds": 60}));
}

#[actix_rt::test]
async fn sessions_refresh_sends_clerk_js_body_and_reads_cookies() {
    let mock = MockBapi::start(|_| {
        Reply::json(
            200,
            json!({"object": "cookies", "cookies": ["__session_MqCvchyS=new.jwt.token; Path=/; Secure; SameSite=Lax"]}),
        )
    });
    let params = RefreshSessionParams {
        expired_token: "expired.jwt.token".into(),
        refresh_token: "refresh-token".into(),
        request_origin: "https://example.com".into(),
        request_headers: Some(
            [("accept".to_owned(), vec!["text/html".into()])]
                .into_iter()
                .collect(),
        ),
        format: Some(RefreshFormat::Cookie),
        suffixed_cookies: Some(true),
        ..Default::default()
    };
    let refreshed = mock
        .client()
        .sessions()
        .refresh("sess_1", &params)
        .await
        .unwrap();
    let SessionRefresh::Cookies(cookies) = refreshed else {
        panic!("expected cookies");
    };
    assert!(
        cookies[0]
            .expose()
            .starts_with("__session_MqCvchyS=new.jwt.token")
    );

    let request = mock.only_request();
    assert_call(&request, "POST", "/v1/sessions/sess_1/refresh");
    assert_eq!(request.query, "suffixed_cookies=true");
    assert_eq!(
        request.json(),
        json!({
            "expired_token": "expired.jwt.token",
            "refresh_token": "refresh-token",
            "request_origin": "https://example.com",
            "request_headers": {"accept": ["text/html"]},
            "format": "cookie"
        })
    );
}

#[actix_rt::test]
async fn sessions_refresh_unauthorized_is_an_api_error() {
    let mock = MockBapi::start(|_| {
        Reply::error(401, "authentication_invalid", "cannot refresh", json!({}))
    });
    let error = mock
        .client()
        .sessions()
        .refresh("sess_1", &RefreshSessionParams::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.clerk_errors()[0].code, "authentication_invalid");
}

#[actix_rt::test]
async fn clients_verify_and_handshake_payload() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/v1/clients/handshake_payload" => Reply::json(
            200,
            json!({"directives": ["__session=abc; Path=/", "__client_uat=1; Path=/"]}),
        ),
        _ => Reply::json(
            200,
            json!({"object": "client", "id": "client_1", "session_ids": ["sess_1"],
                   "sessions": [session_json("sess_1", "active")], "sign_in_id": null, "sign_up_id": null,
                   "last_active_session_id": "sess_1", "last_authentication_strategy": "email_code",
                   "updated_at": 1, "created_at": 1}),
        ),
    });
    let client = mock.client();
    let verified = client.clients().verify("client.token.value").await.unwrap();
    assert_eq!(verified.last_active_session_id.as_deref(), Some("sess_1"));
    let payload = client
        .clients()
        .handshake_payload("nonce+/=1")
        .await
        .unwrap();
    assert_eq!(payload.directives.len(), 2);
    assert_eq!(payload.directives[0].expose(), "__session=abc; Path=/");

    let requests = mock.requests();
    assert_call(&requests[0], "POST", "/v1/clients/verify");
    assert_eq!(requests[0].json(), json!({"token": "client.token.value"}));
    assert_call(&requests[1], "GET", "/v1/clients/handshake_payload");
    assert_eq!(
        requests[1].query_pairs(),
        [("nonce".to_owned(), "nonce+/=1".to_owned())]
    );
    assert!(
        requests[1].query.contains("nonce%2B%2F%3D1"),
        "{}",
        requests[1].query
    );
}

// ---------------------------------------------------------------------------------------------
// organizations and memberships

#[actix_rt::test]
async fn organizations_list_with_filters_and_data_shape() {
    let mock = MockBapi::start(|_| {
        Reply::json(200, json!({"data": [org_json("org_1")], "total_count": 11}))
    });
    let params = OrganizationListParams {
        include_members_count: Some(false),
        user_id: vec!["user_1".into(), "user_2".into()],
        query: Some("acme corp".into()),
        order_by: Some(OrderBy::desc("members_count")),
        limit: Some(1),
        offset: Some(0),
        ..Default::default()
    };
    let page = mock.client().organizations().list(&params).await.unwrap();
    assert_eq!(page.total_count, Some(11));
    assert_eq!(page.data[0].slug, "slug-org_1");
    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/organizations");
    assert_eq!(
        request.sorted_query(),
        pairs(&[
            ("include_members_count", "false"),
            ("limit", "1"),
            ("offset", "0"),
            ("order_by", "-members_count"),
            ("query", "acme corp"),
            ("user_id", "user_1"),
            ("user_id", "user_2"),
        ])
    );
}

#[actix_rt::test]
async fn organizations_list_all_walks_offsets() {
    let mock = MockBapi::start(|request| {
        let offset: usize = request.query_value("offset").unwrap().parse().unwrap();
        let limit: usize = request.query_value("limit").unwrap().parse().unwrap();
        let data: Vec<Value> = (offset..(offset + limit).min(7))
            .map(|n| org_json(&format!("org_{n}")))
            .collect();
        Reply::json(200, json!({"data": data, "total_count": 7}))
    });
    let params = OrganizationListParams {
        limit: Some(3),
        ..Default::default()
    };
    let orgs: Vec<_> = mock
        .client()
        .organizations()
        .list_all(params)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = orgs
        .iter()
        .map(|o: &clerk_actix::models::Organization| o.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "org_0", "org_1", "org_2", "org_3", "org_4", "org_5", "org_6"
        ]
    );
    let offsets: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.query_value("offset").unwrap())
        .collect();
    assert_eq!(offsets, ["0", "3", "6"]);
}

#[actix_rt::test]
async fn organizations_get_by_id_or_slug_create_update_metadata_delete() {
    let mock = MockBapi::start(|request| match request.method.as_str() {
        "DELETE" => Reply::json(
            200,
            json!({"object": "organization", "id": "org_1", "slug": "acme", "deleted": true}),
        ),
        _ => Reply::json(200, org_json("org_1")),
    });
    let client = mock.client();
    let orgs = client.organizations();
    orgs.get("acme-corp").await.unwrap();
    orgs.get_with(
        "org_1",
        &GetOrganizationParams {
            include_members_count: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    orgs.create(&CreateOrganizationParams {
        name: "Acme".into(),
        created_by: Some("user_1".into()),
        max_allowed_memberships: Some(0),
        public_metadata: Some(metadata(json!({"tierName": "gold"}))),
        ..Default::default()
    })
    .await
    .unwrap();
    orgs.update(
        "org_1",
        &UpdateOrganizationParams {
            admin_delete_enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let merge = OrganizationMetadataParams {
        private_metadata: Some(metadata(json!({"billingId": "cus_1"}))),
        ..Default::default()
    };
    orgs.update_metadata("org_1", &merge).await.unwrap();
    orgs.replace_metadata("org_1", &merge).await.unwrap();
    let deleted = orgs.delete("org_1").await.unwrap();
    assert_eq!(deleted.slug.as_deref(), Some("acme"));

    let requests = mock.requests();
    assert_call(&requests[0], "GET", "/v1/organizations/acme-corp");
    assert_eq!(requests[0].query, "");
    assert_call(&requests[1], "GET", "/v1/organizations/org_1");
    assert_eq!(requests[1].query, "include_members_count=true");
    assert_call(&requests[2], "POST", "/v1/organizations");
    assert_eq!(
        requests[2].json(),
        json!({"name": "Acme", "created_by": "user_1", "max_allowed_memberships": 0, "public_metadata": {"tierName": "gold"}})
    );
    assert_call(&requests[3], "PATCH", "/v1/organizations/org_1");
    assert_eq!(requests[3].json(), json!({"admin_delete_enabled": false}));
    assert_call(&requests[4], "PATCH", "/v1/organizations/org_1/metadata");
    assert_eq!(
        requests[4].json(),
        json!({"private_metadata": {"billingId": "cus_1"}})
    );
    assert_call(&requests[5], "PUT", "/v1/organizations/org_1/metadata");
    assert_call(&requests[6], "DELETE", "/v1/organizations/org_1");
}

#[actix_rt::test]
async fn organization_memberships_list_create_update_metadata_delete() {
    let mock = MockBapi::start(|request| {
        if request.method == "GET" {
            Reply::json(
                200,
                json!({"data": [membership_json("orgmem_1", "org_1", "user_1", "org:admin")], "total_count": 1}),
            )
        } else {
            Reply::json(
                200,
                membership_json("orgmem_1", "org_1", "user_1", "org:member"),
            )
        }
    });
    let client = mock.client();
    let memberships = client.organization_memberships();
    let page = memberships
        .list(
            "org_1",
            &OrganizationMembershipListParams {
                role: vec!["org:admin".into(), "org:billing".into()],
                created_at_after: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.data[0].public_user_data.as_ref().unwrap().user_id,
        "user_1"
    );
    memberships
        .list_for_instance(&InstanceMembershipListParams {
            order_by: Some(OrderBy::asc("created_at")),
            ..Default::default()
        })
        .await
        .unwrap();
    memberships
        .create(
            "org_1",
            &CreateOrganizationMembershipParams {
                user_id: "user_1".into(),
                role: "org:member".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    memberships
        .update(
            "org_1",
            "user_1",
            &UpdateOrganizationMembershipParams {
                role: "org:admin".into(),
            },
        )
        .await
        .unwrap();
    memberships
        .update_metadata(
            "org_1",
            "user_1",
            &OrganizationMetadataParams {
                public_metadata: Some(metadata(json!({"seat": 3}))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let removed = memberships.delete("org_1", "user_1").await.unwrap();
    assert_eq!(removed.id, "orgmem_1");
    let error = memberships.delete("org_1", "..").await.unwrap_err();
    assert!(matches!(error, ApiError::InvalidRequest { .. }));

    let requests = mock.requests();
    assert_eq!(requests.len(), 6);
    assert_call(&requests[0], "GET", "/v1/organizations/org_1/memberships");
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[
            ("created_at_after", "0"),
            ("role", "org:admin"),
            ("role", "org:billing")
        ])
    );
    assert_call(&requests[1], "GET", "/v1/organization_memberships");
    assert_eq!(requests[1].query, "order_by=%2Bcreated_at");
    assert_call(&requests[2], "POST", "/v1/organizations/org_1/memberships");
    assert_eq!(
        requests[2].json(),
        json!({"user_id": "user_1", "role": "org:member"})
    );
    assert_call(
        &requests[3],
        "PATCH",
        "/v1/organizations/org_1/memberships/user_1",
    );
    assert_eq!(requests[3].json(), json!({"role": "org:admin"}));
    assert_call(
        &requests[4],
        "PATCH",
        "/v1/organizations/org_1/memberships/user_1/metadata",
    );
    assert_eq!(requests[4].json(), json!({"public_metadata": {"seat": 3}}));
    assert_call(
        &requests[5],
        "DELETE",
        "/v1/organizations/org_1/memberships/user_1",
    );
}

// ---------------------------------------------------------------------------------------------
// invitations, identifications, tokens, identifiers, JWKS

fn invitation_json(id: &str, status: &str) -> Value {
    json!({"object": "invitation", "id": id, "email_address": "new@example.com", "public_metadata": {},
           "revoked": status == "revoked", "status": status,
           "url": "https://accounts.example.com/sign-up?__clerk_ticket=ticket_secret",
           "expires_at": null, "created_at": 1, "updated_at": 1})
}

fn org_invitation_json(id: &str, status: &str) -> Value {
    json!({"object": "organization_invitation", "id": id, "email_address": "new@example.com",
           "role": "org:member", "role_name": "Member", "organization_id": "org_1", "inviter_id": null,
           "public_inviter_data": null, "status": status, "public_metadata": {}, "private_metadata": {},
           "url": null, "expires_at": 5, "created_at": 1, "updated_at": 1,
           "public_organization_data": {"id": "org_1", "name": "Acme"}})
}

#[actix_rt::test]
async fn invitations_list_create_bulk_and_revoke() {
    let mock = MockBapi::start(
        |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", _) => Reply::json(
                200,
                json!({"data": [invitation_json("inv_1", "pending")], "total_count": 1}),
            ),
            (_, "/v1/invitations/bulk") => Reply::json(
                200,
                json!([
                    invitation_json("inv_2", "pending"),
                    invitation_json("inv_3", "pending")
                ]),
            ),
            (_, "/v1/invitations/inv_1/revoke") => {
                Reply::json(200, invitation_json("inv_1", "revoked"))
            }
            _ => Reply::json(200, invitation_json("inv_1", "pending")),
        },
    );
    let client = mock.client();
    let invitations = client.invitations();
    let page = invitations
        .list(&InvitationListParams {
            status: Some(InvitationStatus::Pending),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data[0].status, InvitationStatus::Pending);
    assert!(!format!("{:?}", page.data[0]).contains("ticket_secret"));
    assert!(
        page.data[0]
            .url
            .as_ref()
            .unwrap()
            .expose()
            .contains("ticket_secret")
    );
    let params = CreateInvitationParams {
        email_address: "new@example.com".into(),
        notify: Some(false),
        ignore_existing: Some(false),
        expires_in_days: Some(7),
        public_metadata: Some(metadata(json!({"invitedBy": "ops"}))),
        ..Default::default()
    };
    invitations.create(&params).await.unwrap();
    let created = invitations
        .create_bulk(&[params.clone(), params.clone()])
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    let revoked = invitations.revoke("inv_1").await.unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked.status, InvitationStatus::Revoked);

    let requests = mock.requests();
    assert_call(&requests[0], "GET", "/v1/invitations");
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[("paginated", "true"), ("status", "pending")])
    );
    assert_call(&requests[1], "POST", "/v1/invitations");
    let expected = json!({"email_address": "new@example.com", "notify": false, "ignore_existing": false,
                          "expires_in_days": 7, "public_metadata": {"invitedBy": "ops"}});
    assert_eq!(requests[1].json(), expected);
    assert_call(&requests[2], "POST", "/v1/invitations/bulk");
    assert_eq!(requests[2].json(), json!([expected.clone(), expected]));
    assert_call(&requests[3], "POST", "/v1/invitations/inv_1/revoke");
}

#[actix_rt::test]
async fn organization_invitations_list_get_create_revoke() {
    let mock = MockBapi::start(
        |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v1/organizations/org_1/invitations") => Reply::json(
                200,
                json!({"data": [org_invitation_json("orginv_1", "pending")], "total_count": 1}),
            ),
            (_, path) if path.ends_with("/revoke") => {
                Reply::json(200, org_invitation_json("orginv_1", "revoked"))
            }
            _ => Reply::json(200, org_invitation_json("orginv_1", "pending")),
        },
    );
    let client = mock.client();
    let api = client.organization_invitations();
    let page = api
        .list(
            "org_1",
            &OrganizationInvitationListParams {
                status: Some(InvitationStatus::Pending),
                email_address: Some("new@example.com".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(1));
    assert!(page.data[0].extra.contains_key("public_organization_data"));
    api.get("org_1", "orginv_1").await.unwrap();
    api.create(
        "org_1",
        &CreateOrganizationInvitationParams {
            email_address: "new@example.com".into(),
            role: "org:member".into(),
            inviter_user_id: Some("user_admin".into()),
            notify: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let revoked = api
        .revoke(
            "org_1",
            "orginv_1",
            &RevokeOrganizationInvitationParams {
                requesting_user_id: Some("user_admin".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(revoked.status, InvitationStatus::Revoked);

    let requests = mock.requests();
    assert_call(&requests[0], "GET", "/v1/organizations/org_1/invitations");
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[("email_address", "new@example.com"), ("status", "pending")])
    );
    assert_call(
        &requests[1],
        "GET",
        "/v1/organizations/org_1/invitations/orginv_1",
    );
    assert_call(&requests[2], "POST", "/v1/organizations/org_1/invitations");
    assert_eq!(
        requests[2].json(),
        json!({"email_address": "new@example.com", "role": "org:member", "inviter_user_id": "user_admin", "notify": false})
    );
    assert_call(
        &requests[3],
        "POST",
        "/v1/organizations/org_1/invitations/orginv_1/revoke",
    );
    assert_eq!(
        requests[3].json(),
        json!({"requesting_user_id": "user_admin"})
    );
}

#[actix_rt::test]
async fn email_addresses_and_phone_numbers_crud() {
    let mock = MockBapi::start(|request| {
        if request.method == "DELETE" {
            let kind = if request.path.contains("email") {
                "email_address"
            } else {
                "phone_number"
            };
            return Reply::json(200, json!({"object": kind, "id": "idn_1", "deleted": true}));
        }
        if request.path.contains("email") {
            Reply::json(
                200,
                json!({"object": "email_address", "id": "idn_1", "email_address": "b@example.com",
                                     "reserved": false, "verification": {"status": "verified", "strategy": "admin",
                                     "attempts": null, "expire_at": null}, "linked_to": [], "created_at": 1, "updated_at": 1}),
            )
        } else {
            Reply::json(
                200,
                json!({"object": "phone_number", "id": "idn_2", "phone_number": "+15550100",
                                     "reserved_for_second_factor": true, "default_second_factor": false, "reserved": false,
                                     "verification": null, "linked_to": [], "backup_codes": null,
                                     "created_at": 1, "updated_at": 1}),
            )
        }
    });
    let client = mock.client();
    let email = client.email_addresses().get("idn_1").await.unwrap();
    assert_eq!(email.verification.unwrap().strategy, "admin");
    client
        .email_addresses()
        .create(&CreateEmailAddressParams {
            user_id: "user_1".into(),
            email_address: "b@example.com".into(),
            verified: Some(true),
            primary: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .email_addresses()
        .update(
            "idn_1",
            &UpdateEmailAddressParams {
                primary: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        client
            .email_addresses()
            .delete("idn_1")
            .await
            .unwrap()
            .deleted
    );
    let phone = client.phone_numbers().get("idn_2").await.unwrap();
    assert!(phone.reserved_for_second_factor);
    client
        .phone_numbers()
        .create(&CreatePhoneNumberParams {
            user_id: "user_1".into(),
            phone_number: "+15550100".into(),
            reserved_for_second_factor: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .phone_numbers()
        .update(
            "idn_2",
            &UpdatePhoneNumberParams {
                verified: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client.phone_numbers().delete("idn_2").await.unwrap();

    let requests = mock.requests();
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET", "/v1/email_addresses/idn_1"),
            ("POST", "/v1/email_addresses"),
            ("PATCH", "/v1/email_addresses/idn_1"),
            ("DELETE", "/v1/email_addresses/idn_1"),
            ("GET", "/v1/phone_numbers/idn_2"),
            ("POST", "/v1/phone_numbers"),
            ("PATCH", "/v1/phone_numbers/idn_2"),
            ("DELETE", "/v1/phone_numbers/idn_2"),
        ]
    );
    requests.iter().for_each(assert_clerk_headers);
    assert_eq!(
        requests[1].json(),
        json!({"user_id": "user_1", "email_address": "b@example.com", "verified": true, "primary": false})
    );
    assert_eq!(requests[2].json(), json!({"primary": true}));
    assert_eq!(
        requests[5].json(),
        json!({"user_id": "user_1", "phone_number": "+15550100", "reserved_for_second_factor": true})
    );
    assert_eq!(requests[6].json(), json!({"verified": false}));
}

#[actix_rt::test]
async fn sign_in_and_testing_tokens() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/v1/testing_tokens" => Reply::json(
            200,
            json!({"object": "testing_token", "token": "1713877200-c_2J2MvPu9PnXcuhbPZNao0LOXqK9A7YrnBn0HmIWxy", "expires_at": 1713880800}),
        ),
        path => Reply::json(
            200,
            json!({"object": "sign_in_token", "id": "sit_1", "user_id": "user_1",
                   "status": if path.ends_with("revoke") { "revoked" } else { "pending" },
                   "token": "sit_token_secret", "url": "https://example.com/?__clerk_ticket=sit_token_secret",
                   "created_at": 1, "updated_at": 1}),
        ),
    });
    let client = mock.client();
    let token = client
        .sign_in_tokens()
        .create(&CreateSignInTokenParams {
            user_id: "user_1".into(),
            expires_in_seconds: Some(0),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(token.status, SignInTokenStatus::Pending);
    assert_eq!(token.token.as_ref().unwrap().expose(), "sit_token_secret");
    assert!(!format!("{token:?}").contains("sit_token_secret"));
    let revoked = client.sign_in_tokens().revoke("sit_1").await.unwrap();
    assert_eq!(revoked.status, SignInTokenStatus::Revoked);
    let testing = client.testing_tokens().create().await.unwrap();
    assert_eq!(testing.expires_at, 1_713_880_800);
    assert!(testing.token.expose().starts_with("1713877200-"));

    let requests = mock.requests();
    assert_call(&requests[0], "POST", "/v1/sign_in_tokens");
    assert_eq!(
        requests[0].json(),
        json!({"user_id": "user_1", "expires_in_seconds": 0})
    );
    assert_call(&requests[1], "POST", "/v1/sign_in_tokens/sit_1/revoke");
    assert_call(&requests[2], "POST", "/v1/testing_tokens");
    assert!(requests[2].body.is_empty());
}

#[actix_rt::test]
async fn allowlist_and_blocklist_identifiers() {
    let mock = MockBapi::start(|request| {
        let kind = if request.path.contains("allowlist") {
            "allowlist_identifier"
        } else {
            "blocklist_identifier"
        };
        let item = json!({"object": kind, "id": "id_1", "identifier": "*@example.com",
                          "identifier_type": "email_address", "instance_id": "ins_1", "created_at": 1, "updated_at": 1});
        match request.method.as_str() {
            "GET" if kind == "allowlist_identifier" => {
                Reply::json(200, json!({"data": [item], "total_count": 1}))
            }
            "GET" => Reply::json(
                200,
                json!({"data": [item, {"object": kind, "id": "id_2", "identifier": "x",
                                                          "identifier_type": "passkey_domain"}], "total_count": 2}),
            ),
            "DELETE" => Reply::json(200, json!({"object": kind, "id": "id_1", "deleted": true})),
            _ => Reply::json(200, item),
        }
    });
    let client = mock.client();
    let allowed = client
        .allowlist_identifiers()
        .list(&PageParams {
            limit: Some(10),
            offset: Some(0),
        })
        .await
        .unwrap();
    assert_eq!(
        allowed.data[0].identifier_type,
        IdentifierType::EmailAddress
    );
    client
        .allowlist_identifiers()
        .create(&CreateAllowlistIdentifierParams {
            identifier: "*@example.com".into(),
            notify: Some(false),
        })
        .await
        .unwrap();
    client.allowlist_identifiers().delete("id_1").await.unwrap();
    let blocked = client.blocklist_identifiers().list().await.unwrap();
    assert_eq!(
        blocked.data[1].identifier_type,
        IdentifierType::Unknown("passkey_domain".into())
    );
    client
        .blocklist_identifiers()
        .create(&CreateBlocklistIdentifierParams {
            identifier: "*@spam.test".into(),
        })
        .await
        .unwrap();
    client.blocklist_identifiers().delete("id_1").await.unwrap();

    let requests = mock.requests();
    assert_call(&requests[0], "GET", "/v1/allowlist_identifiers");
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[("limit", "10"), ("offset", "0"), ("paginated", "true")])
    );
    assert_call(&requests[1], "POST", "/v1/allowlist_identifiers");
    assert_eq!(
        requests[1].json(),
        json!({"identifier": "*@example.com", "notify": false})
    );
    assert_call(&requests[2], "DELETE", "/v1/allowlist_identifiers/id_1");
    assert_call(&requests[3], "GET", "/v1/blocklist_identifiers");
    assert_eq!(requests[3].query, "");
    assert_call(&requests[4], "POST", "/v1/blocklist_identifiers");
    assert_eq!(requests[4].json(), json!({"identifier": "*@spam.test"}));
    assert_call(&requests[5], "DELETE", "/v1/blocklist_identifiers/id_1");
}

#[actix_rt::test]
async fn jwks_parses_clerk_js_fixture() {
    let fixture: Value =
        serde_json::from_str(include_str!("../clerk-actix/tests/fixtures/jwks_mock.json")).unwrap();
    let mock = MockBapi::start(move |_| Reply::json(200, fixture.clone()));
    let jwks = mock.client().jwks().get().await.unwrap();
    let request = mock.only_request();
    assert_call(&request, "GET", "/v1/jwks");
    assert!(!jwks.keys.is_empty());
    let key = &jwks.keys[0];
    assert_eq!(key.kty, "RSA");
    assert!(jwks.find(&key.kid).is_some());
    assert!(key.n.is_some() && key.e.is_some());
}

// ---------------------------------------------------------------------------------------------
// machine credentials (no /v1 prefix)

fn m2m_json(id: &str) -> Value {
    json!({"object": "machine_to_machine_token", "id": id, "subject": "mch_1", "claims": null,
           "scopes": ["mch_2"], "revoked": false, "revocation_reason": null, "expired": false,
           "expiration": null, "last_used_at": null, "created_at": 1716883200000_i64,
           "updated_at": 1716883200000_i64})
}

#[actix_rt::test]
async fn m2m_tokens_use_the_machine_key_and_the_m2m_list_shape() {
    let mock = MockBapi::start(
        |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", _) => Reply::json(
                200,
                json!({"m2m_tokens": [m2m_json("mt_1"), m2m_json("mt_2")], "total_count": 2}),
            ),
            (_, "/m2m_tokens") => {
                let mut created = m2m_json("mt_3");
                created["token"] = json!("mt_secret_value");
                Reply::json(201, created)
            }
            _ => Reply::json(200, m2m_json("mt_1")),
        },
    );
    let client = mock
        .builder()
        .machine_secret_key("ak_machine_key")
        .build()
        .unwrap();
    let page = client
        .m2m_tokens()
        .list(&M2mTokenListParams {
            subject: "mch_1".into(),
            revoked: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.data[1].id, "mt_2");
    let created = client
        .m2m_tokens()
        .create(&CreateM2mTokenParams {
            seconds_until_expiration: Some(60),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.token.unwrap().expose(), "mt_secret_value");
    client
        .m2m_tokens()
        .revoke("mt_1", Some("rotated"))
        .await
        .unwrap();
    let verified = client.m2m_tokens().verify("mt_opaque").await.unwrap();
    assert_eq!(verified.subject, "mch_1");

    let requests = mock.requests();
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET", "/m2m_tokens"),
            ("POST", "/m2m_tokens"),
            ("POST", "/m2m_tokens/mt_1/revoke"),
            ("POST", "/m2m_tokens/verify"),
        ]
    );
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer ak_machine_key")
        );
        assert_eq!(request.header("clerk-api-version"), Some("2026-05-12"));
    }
    assert_eq!(
        requests[0].sorted_query(),
        pairs(&[("revoked", "false"), ("subject", "mch_1")])
    );
    assert_eq!(requests[1].json(), json!({"seconds_until_expiration": 60}));
    assert_eq!(requests[2].json(), json!({"revocation_reason": "rotated"}));
    assert_eq!(requests[3].json(), json!({"token": "mt_opaque"}));
}

#[actix_rt::test]
async fn m2m_without_machine_key_falls_back_or_refuses() {
    let mock = MockBapi::start(|_| Reply::json(200, m2m_json("mt_1")));
    let client = mock.client();
    client.m2m_tokens().verify("mt_opaque").await.unwrap();
    assert_call(&mock.only_request(), "POST", "/m2m_tokens/verify");
    let error = client
        .m2m_tokens()
        .create(&CreateM2mTokenParams::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ApiError::InvalidRequest { .. }),
        "{error:?}"
    );
    let error = client
        .m2m_tokens()
        .list(&M2mTokenListParams {
            subject: "mch_1".into(),
            limit: Some(101),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, ApiError::InvalidRequest { .. }),
        "{error:?}"
    );
    assert_eq!(mock.requests().len(), 1, "refused calls send nothing");
}

#[actix_rt::test]
async fn api_key_and_oauth_token_verification() {
    let mock = MockBapi::start(|request| match request.path.as_str() {
        "/api_keys/verify" => Reply::json(
            200,
            json!({"object": "api_key", "id": "ak_1", "type": "api_key", "subject": "org_1", "name": "CI",
                   "description": null, "claims": {"team": "ops"}, "scopes": ["read"], "revoked": false,
                   "revocation_reason": null, "expired": false, "expiration": null, "created_by": null,
                   "last_used_at": null, "created_at": 1716883200, "updated_at": 1716883200}),
        ),
        _ => {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            if body["access_token"] == "oat_expired" {
                Reply::json(200, json!({"active": false}))
            } else {
                Reply::json(
                    200,
                    json!({"object": "clerk_idp_oauth_access_token", "id": "oat_1", "client_id": "client_1",
                           "subject": "user_1", "scopes": ["profile"], "revoked": false,
                           "revocation_reason": null, "expired": false, "expiration": null,
                           "created_at": 1, "updated_at": 1}),
                )
            }
        }
    });
    let client = mock.client();
    let key = client.api_keys().verify("ak_secret").await.unwrap();
    assert_eq!(key.subject, "org_1");
    assert_eq!(key.key_type, "api_key");
    let active = client
        .oauth_access_tokens()
        .verify("oat_live")
        .await
        .unwrap();
    assert_eq!(active.unwrap().subject, "user_1");
    let inactive = client
        .oauth_access_tokens()
        .verify("oat_expired")
        .await
        .unwrap();
    assert_eq!(inactive, None);

    let requests = mock.requests();
    assert_call(&requests[0], "POST", "/api_keys/verify");
    assert_eq!(requests[0].json(), json!({"secret": "ak_secret"}));
    assert_call(
        &requests[1],
        "POST",
        "/oauth_applications/access_tokens/verify",
    );
    assert_eq!(requests[1].json(), json!({"access_token": "oat_live"}));
}

// ---------------------------------------------------------------------------------------------
// runtime integration

#[actix_rt::test]
async fn one_client_serves_several_actix_workers() {
    use actix_web::{App, HttpResponse, HttpServer, web};

    let mock = MockBapi::start(|request| {
        let id = request.path.rsplit('/').next().unwrap().to_owned();
        Reply::json(200, user_json(&id))
    });
    let clerk = mock.client();
    // The client is built once and shared (Send + Sync) by workers on other threads.
    let app_server = HttpServer::new(move || {
        App::new().app_data(web::Data::new(clerk.clone())).route(
            "/whoami/{id}",
            web::get().to(
                |clerk: web::Data<ClerkClient>, id: web::Path<String>| async move {
                    // A future can be stored before it is awaited.
                    let lookup = clerk.users().get(&id);
                    match lookup.await {
                        Ok(user) => HttpResponse::Ok().body(user.id),
                        Err(error) => HttpResponse::BadGateway().body(error.to_string()),
                    }
                },
            ),
        )
    })
    .workers(2)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let address = app_server.addrs()[0];
    actix_rt::spawn(app_server.run());

    let http = awc::Client::default();
    let requests = (0..8).map(|n| {
        let http = http.clone();
        async move {
            let mut response = http
                .get(format!("http://{address}/whoami/user_{n}"))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            String::from_utf8(response.body().await.unwrap().to_vec()).unwrap()
        }
    });
    let bodies = futures_util::future::join_all(requests).await;
    let expected: Vec<String> = (0..8).map(|n| format!("user_{n}")).collect();
    assert_eq!(bodies, expected);
    assert_eq!(mock.requests().len(), 8);
}
