//! Verified Clerk webhooks: the Svix signature scheme Clerk delivers with, typed events and an
//! actix extractor.
//!
//! Register the endpoint's signing secret once, then take [`ClerkWebhook`] in the handler. It
//! answers 400 (JSON, with the reason) to anything not signed by Clerk within the last five
//! minutes, before your code runs:
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, post};
//! use clerk_actix::webhooks::{ClerkWebhook, WebhookConfig, WebhookEventData, WebhookSecret};
//!
//! #[post("/webhooks/clerk")]
//! async fn clerk_webhook(event: ClerkWebhook) -> HttpResponse {
//!     match &event.data {
//!         WebhookEventData::UserCreated(user) => println!("welcome {}", user.id),
//!         WebhookEventData::UserDeleted(deleted) => println!("goodbye {:?}", deleted.id),
//!         _ => println!("ignoring {}", event.event_type),
//!     }
//!     HttpResponse::Ok().finish()
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // A missing or malformed CLERK_WEBHOOK_SIGNING_SECRET stops here, not at the first delivery.
//!     let config = WebhookConfig::new(WebhookSecret::from_env()?);
//!     HttpServer::new(move || App::new().app_data(config.clone()).service(clerk_webhook))
//!         .bind(("127.0.0.1", 8080))?
//!         .run()
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! Outside a handler (a queue consumer, another framework), [`verify_webhook`] does the same
//! from the headers and the raw body.
//!
//! # What is checked
//! Clerk sends each delivery with `svix-id`, `svix-timestamp` (Unix seconds) and
//! `svix-signature`: space-separated `v1,<base64>` entries, each an HMAC-SHA256 over
//! `{svix-id}.{svix-timestamp}.{body}` keyed with the base64 part of the `whsec_` secret. The
//! delivery is accepted when the timestamp is within five minutes of now (either way) and at
//! least one `v1` entry matches, compared in constant time; entries of other versions are
//! ignored, so a rotated secret's old and new signatures both work. The Standard Webhooks names
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`) are accepted when the `svix-` ones
//! are absent.
//!
//! A delivery that is retried keeps its `svix-id` ([`WebhookEvent::message_id`]), and a valid
//! delivery replayed within the five minutes verifies again: make handlers idempotent on it.

mod error;
mod event;
mod extract;
mod secret;
mod signature;

pub use error::WebhookError;
pub use event::{SessionWithUser, WebhookEvent, WebhookEventData};
pub use extract::{ClerkWebhook, WebhookConfig};
pub use secret::WebhookSecret;
pub use signature::{verify_webhook, verify_webhook_at};

#[cfg(feature = "dev")]
pub(crate) use signature::sign;
