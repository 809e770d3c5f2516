//! What every request shares: the database, the limits, the counters, the news sockets.

use std::net::IpAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use diplomatie_protocol::{DeviceId, MAX_ENVELOPE_BYTES, SpaceId};
use tokio::sync::watch;

use crate::auth::Challenges;
use crate::db::Db;
use crate::hub::Hub;
use crate::limit::RateLimiter;
use crate::metrics::Metrics;
use crate::pushes::Pushes;

/// How a relay runs: where its data is and its limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder of `relay.sqlite`.
    pub data_dir: PathBuf,
    /// The largest envelope (and commit) taken, in bytes; at most [`MAX_ENVELOPE_BYTES`].
    pub max_envelope_bytes: usize,
    /// The largest request body, in bytes (a batch of envelopes): a larger one is refused
    /// before it is read whole.
    pub max_body_bytes: usize,
    /// The most bytes of envelopes and commits one space may hold.
    pub space_quota_bytes: u64,
    /// Requests each device may make per second, on average.
    pub rate_per_second: f64,
    /// Requests a device may make at once before the rate applies.
    pub rate_burst: u32,
    /// Envelopes each device may deposit per minute, in spaces it is not a member of.
    pub deposits_per_minute: u32,
    pub session_ttl: Duration,
    pub challenge_ttl: Duration,
    /// How long a link mailbox stays open (`POST /v1/links`).
    pub link_ttl: Duration,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            max_envelope_bytes: MAX_ENVELOPE_BYTES,
            max_body_bytes: 16 * 1024 * 1024,
            space_quota_bytes: 1 << 30,
            rate_per_second: 50.0,
            rate_burst: 200,
            deposits_per_minute: 30,
            session_ttl: Duration::from_secs(15 * 60),
            challenge_ttl: Duration::from_secs(60),
            link_ttl: Duration::from_secs(diplomatie_protocol::relay::LINK_TTL_SECONDS),
        }
    }

    /// Refuses limits that cannot work together, saying which flag to change.
    pub fn check(&self) -> Result<(), String> {
        if self.max_envelope_bytes == 0 || self.max_envelope_bytes > MAX_ENVELOPE_BYTES {
            return Err(format!(
                "--max-envelope-bytes must be between 1 and {MAX_ENVELOPE_BYTES}"
            ));
        }
        if self.max_body_bytes < self.max_envelope_bytes.saturating_add(16) {
            return Err(
                "--max-body-bytes must be at least --max-envelope-bytes + 16, so that one envelope fits in a batch"
                    .into(),
            );
        }
        if !(self.rate_per_second.is_finite() && self.rate_per_second > 0.0) {
            return Err("--rate-per-second must be a positive number".into());
        }
        if self.space_quota_bytes == 0 {
            return Err("--space-quota-bytes must be above 0".into());
        }
        Ok(())
    }
}

/// What sockets hear about, told after the fact (see [`AppState::publish`]).
#[allow(
    dead_code,
    reason = "for routes that tell the sockets after their transaction"
)]
#[derive(Debug, Clone)]
pub enum Event {
    /// A device joined (`member`) or left a space.
    Membership {
        space: SpaceId,
        device: DeviceId,
        member: bool,
    },
}

#[derive(Debug)]
pub struct Inner {
    pub config: Config,
    pub db: Db,
    pub metrics: Metrics,
    pub challenges: Challenges,
    pub device_limit: RateLimiter<DeviceId>,
    pub deposit_limit: RateLimiter<DeviceId>,
    pub address_limit: RateLimiter<IpAddr>,
    /// The news sockets, by device and by space.
    pub hub: Arc<Hub>,
    /// The pushes waiting to be stored together.
    pub pushes: Arc<Pushes>,
    /// Turns true when the relay stops: sockets close.
    pub stopping: watch::Receiver<bool>,
}

/// The shared state, cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, db: Db, stopping: watch::Receiver<bool>) -> Self {
        let device_limit = RateLimiter::new(config.rate_per_second, config.rate_burst);
        let deposit_limit = RateLimiter::new(
            f64::from(config.deposits_per_minute.max(1)) / 60.0,
            config.deposits_per_minute.max(1),
        );
        // Before a session, an address gets the same allowance as a device.
        let address_limit = RateLimiter::new(config.rate_per_second, config.rate_burst);
        Self(Arc::new(Inner {
            config,
            db,
            metrics: Metrics::default(),
            challenges: Challenges::default(),
            device_limit,
            deposit_limit,
            address_limit,
            hub: Arc::default(),
            pushes: Arc::default(),
            stopping,
        }))
    }

    /// Tells the news sockets of `event` after the fact, outside the database's connection:
    /// a change that decides who hears what calls the hub under the connection instead
    /// ([`crate::hub`]), so that nothing pushed after it is heard by the wrong socket.
    #[allow(
        dead_code,
        reason = "for routes that tell the sockets after their transaction"
    )]
    pub fn publish(&self, event: Event) {
        match event {
            Event::Membership {
                space,
                device,
                member: true,
            } => self.hub.joined_later(space, device),
            Event::Membership {
                space,
                device,
                member: false,
            } => self.hub.left(space, &[device]),
        }
    }
}
