//! Exponential backoff with jitter, from a seeded generator so that tests are deterministic.

use crate::types::Time;

/// SplitMix64: a tiny, well-mixed generator; jitter needs no more.
#[derive(Clone, Debug)]
pub(crate) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(crate) fn new(seed: u64) -> Jitter {
        Jitter { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..=max`.
    pub(crate) fn up_to(&mut self, max: u64) -> u64 {
        match max.checked_add(1) {
            Some(bound) => self.next_u64() % bound,
            None => self.next_u64(),
        }
    }
}

/// The retry state of one thing that can fail (a transport's pushes, a space's pulls).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Failures in a row.
    pub failures: u32,
    /// No retry before this time.
    pub until: Option<Time>,
}

impl Backoff {
    /// The delay before retrying after `failures` failures in a row: `base * 2^(failures-1)`
    /// capped at `cap`, of which the upper half is random ("equal jitter": never less than
    /// half the nominal delay, so the delay still grows; spread so that devices that failed
    /// together do not retry together).
    pub(crate) fn delay(failures: u32, base: u64, cap: u64, jitter: &mut Jitter) -> u64 {
        let doublings = failures.saturating_sub(1).min(63);
        let nominal = base.checked_mul(1u64 << doublings).unwrap_or(cap).min(cap);
        let half = nominal / 2;
        half + jitter.up_to(nominal - half)
    }

    pub(crate) fn fail(&mut self, now: Time, base: u64, cap: u64, jitter: &mut Jitter) {
        self.failures = self.failures.saturating_add(1);
        let delay = Backoff::delay(self.failures, base, cap, jitter);
        self.until = Some(now.plus_millis(delay));
    }

    pub(crate) fn succeed(&mut self) {
        *self = Backoff::default();
    }

    /// Whether a retry may go now.
    pub(crate) fn ready(&self, now: Time) -> bool {
        self.until.is_none_or(|until| until <= now)
    }

    /// The wake-up this backoff needs, if it is still waiting.
    pub(crate) fn wake(&self, now: Time) -> Option<Time> {
        self.until.filter(|&until| until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps_with_jitter_within_bounds() {
        let mut jitter = Jitter::new(7);
        let (base, cap) = (1_000, 60_000);
        let mut lower = 0;
        for failures in 1..40 {
            let nominal = (base << (failures - 1).min(20)).min(cap);
            for _ in 0..50 {
                let delay = Backoff::delay(failures, base, cap, &mut jitter);
                assert!(
                    delay >= nominal / 2 && delay <= nominal,
                    "{failures}: {delay}"
                );
                assert!(delay <= cap);
            }
            assert!(nominal / 2 >= lower, "the floor never shrinks");
            lower = nominal / 2;
        }
        assert_eq!(lower, cap / 2);
    }

    #[test]
    fn the_same_seed_gives_the_same_delays() {
        let delays = |seed| {
            let mut jitter = Jitter::new(seed);
            (1..10)
                .map(|n| Backoff::delay(n, 500, 30_000, &mut jitter))
                .collect::<Vec<_>>()
        };
        assert_eq!(delays(1), delays(1));
        assert_ne!(delays(1), delays(2));
    }

    #[test]
    fn huge_settings_do_not_overflow() {
        let mut jitter = Jitter::new(0);
        assert!(Backoff::delay(u32::MAX, u64::MAX, u64::MAX, &mut jitter) >= u64::MAX / 2);
        let mut backoff = Backoff::default();
        backoff.fail(Time(u64::MAX - 1), u64::MAX, u64::MAX, &mut jitter);
        assert_eq!(backoff.until, Some(Time(u64::MAX)));
    }
}
