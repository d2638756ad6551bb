//! One background thread for network work that must not run on (or be cancelled with) a request.
//!
//! `awc` clients are `!Send` and live on an actix runtime. JWKS fetches are shared by every
//! worker, and a fetch must finish even when the request that triggered it goes away, so they
//! run here, on a dedicated single-threaded actix runtime, and report back through `Send`
//! channels. Callers never block: they send a job and await its result asynchronously.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

static SENDER: OnceLock<Option<UnboundedSender<Job>>> = OnceLock::new();

/// Runs `job` on the background runtime. `Err` if the thread could not be started.
pub(crate) fn spawn<F, Fut>(job: F) -> Result<(), BackgroundUnavailable>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let sender = SENDER
        .get_or_init(start)
        .as_ref()
        .ok_or(BackgroundUnavailable)?;
    sender
        .send(Box::new(move || Box::pin(job())))
        .map_err(|_| BackgroundUnavailable)
}

fn start() -> Option<UnboundedSender<Job>> {
    let (tx, mut rx) = unbounded_channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("clerk-actix-io".into())
        .spawn(move || {
            let system = actix_rt::System::new();
            system.block_on(async move {
                while let Some(job) = rx.recv().await {
                    actix_rt::spawn(job());
                }
            });
        });
    match spawned {
        Ok(_) => Some(tx),
        Err(err) => {
            tracing::error!(error = %err, "clerk-actix: could not start the background I/O thread");
            None
        }
    }
}

/// The background thread is not running (it could not be started).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BackgroundUnavailable;
