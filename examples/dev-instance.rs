//! Runs the embedded Clerk dev instance on its own, for an app started separately.
//!
//! `cargo run --example dev-instance` prints the environment variables that point an app at the
//! instance (`Clerk::from_env()` reads them), then serves until Ctrl-C. Its data is kept in
//! `.clerk-dev/instance.json`. `DEV_INSTANCE_PORT` picks the port (default 4010); `DEV_TOKEN_LIFETIME`
//! the lifetime of session tokens in seconds (default 60, as Clerk).

use clerk_actix::dev::{DevInstance, DevInstanceConfig};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::var("DEV_INSTANCE_PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 4010,
    };
    let lifetime = match std::env::var("DEV_TOKEN_LIFETIME") {
        Ok(seconds) => std::time::Duration::from_secs(seconds.parse()?),
        Err(_) => std::time::Duration::from_secs(60),
    };
    let instance = DevInstance::start(
        DevInstanceConfig::default()
            .port(port)
            .token_lifetime(lifetime),
    )?;
    // A locally generated test key of a local instance: printing it is the point here.
    println!(
        "export CLERK_PUBLISHABLE_KEY={}",
        instance.publishable_key()
    );
    println!("export CLERK_SECRET_KEY={}", instance.secret_key());
    println!("export CLERK_API_URL={}", instance.api_url());
    println!("export CLERK_PROXY_URL={}", instance.proxy_url());
    println!("export CLERK_SIGN_IN_URL={}", instance.sign_in_url());
    println!("export CLERK_SIGN_UP_URL={}", instance.sign_up_url());
    for email in ["demo@example.com", "admin@example.com"] {
        // Signs the seeded user in and prints a session token (valid for the token lifetime).
        let token = instance.session_token(email)?;
        eprintln!(
            "# a session token for {email}:\n# curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8080/api/me"
        );
    }
    eprintln!("Clerk dev instance at {} (Ctrl-C to stop)", instance.url());
    tokio::signal::ctrl_c().await?;
    instance.stop();
    Ok(())
}
