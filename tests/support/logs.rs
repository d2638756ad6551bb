//! Captures the `tracing` events emitted on the current thread, to assert on what clerk-actix
//! logs (Clerk's tests spy on `console.warn`/`console.error` the same way).
//!
//! The capture is thread-local (`tracing::subscriber::set_default`): an `#[actix_web::test]`
//! runs the request on the test's own thread, and tests running in parallel never see each
//! other's events.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Level, Metadata, Subscriber};

/// One captured event: its level and its fields rendered as `message` then `name=value`.
#[derive(Clone, Debug)]
pub struct Logged {
    pub level: Level,
    pub text: String,
}

/// The events captured since [`capture`], until it is dropped.
pub struct Capture {
    events: Arc<Mutex<Vec<Logged>>>,
    _guard: DefaultGuard,
}

/// Starts capturing the current thread's events.
pub fn capture() -> Capture {
    let events = Arc::new(Mutex::new(Vec::new()));
    let guard = tracing::subscriber::set_default(Collector {
        events: events.clone(),
    });
    Capture {
        events,
        _guard: guard,
    }
}

impl Capture {
    pub fn events(&self) -> Vec<Logged> {
        self.events.lock().expect("captured events").clone()
    }

    /// Events at `level` whose text contains `needle`.
    pub fn matching(&self, level: Level, needle: &str) -> Vec<Logged> {
        self.events()
            .into_iter()
            .filter(|e| e.level == level && e.text.contains(needle))
            .collect()
    }
}

struct Collector {
    events: Arc<Mutex<Vec<Logged>>>,
}

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl Subscriber for Collector {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = Text(String::new());
        event.record(&mut text);
        self.events.lock().expect("captured events").push(Logged {
            level: *event.metadata().level(),
            text: text.0,
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
