//! A set of sender sequence numbers kept as sorted, disjoint, non-adjacent inclusive ranges:
//! what a device has applied from one sender in one space. Gaps are normal (envelopes arrive
//! out of order, through several transports), so the set stays small: one range once the gaps
//! fill.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeqSet {
    /// Sorted, disjoint, non-adjacent `(first, last)` ranges, both ends included.
    ranges: Vec<(u64, u64)>,
}

impl SeqSet {
    pub(crate) fn contains(&self, seq: u64) -> bool {
        let at = self.ranges.partition_point(|&(_, last)| last < seq);
        self.ranges
            .get(at)
            .is_some_and(|&(first, last)| first <= seq && seq <= last)
    }

    /// Adds `seq`; false if it was already there.
    pub(crate) fn insert(&mut self, seq: u64) -> bool {
        if self.contains(seq) {
            return false;
        }
        // The first range that ends at or after seq - 1: the only one seq may extend or join.
        let at = self
            .ranges
            .partition_point(|&(_, last)| last.saturating_add(1) < seq);
        let joins_before = self
            .ranges
            .get(at)
            .is_some_and(|&(_, last)| last.saturating_add(1) == seq);
        let next = if joins_before { at + 1 } else { at };
        let joins_after = self
            .ranges
            .get(next)
            .is_some_and(|&(first, _)| first == seq.saturating_add(1));
        match (joins_before, joins_after) {
            (true, true) => {
                let after_last = self.ranges.get(next).map_or(seq, |&(_, last)| last);
                if let Some(range) = self.ranges.get_mut(at) {
                    range.1 = after_last;
                }
                self.ranges.remove(next);
            }
            (true, false) => {
                if let Some(range) = self.ranges.get_mut(at) {
                    range.1 = seq;
                }
            }
            (false, true) => {
                if let Some(range) = self.ranges.get_mut(next) {
                    range.0 = seq;
                }
            }
            (false, false) => self.ranges.insert(next, (seq, seq)),
        }
        true
    }

    /// Whether the ranges are sorted, disjoint and non-adjacent (a persisted set is checked).
    pub(crate) fn is_well_formed(&self) -> bool {
        self.ranges.iter().all(|&(first, last)| first <= last)
            && self
                .ranges
                .windows(2)
                .all(|pair| matches!(pair, [(_, a), (b, _)] if a.saturating_add(1) < *b))
    }

    #[cfg(test)]
    pub(crate) fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::SeqSet;

    #[test]
    fn gaps_fill_into_one_range() {
        let mut set = SeqSet::default();
        for seq in [5, 1, 3, 2, 4] {
            assert!(set.insert(seq));
        }
        assert!(!set.insert(3));
        assert_eq!(set.ranges(), &[(1, 5)]);
        assert!(set.contains(1) && set.contains(5) && !set.contains(6) && !set.contains(0));
    }

    proptest! {
        #[test]
        fn behaves_as_a_set(seqs in proptest::collection::vec(0u64..64, 0..80)) {
            let mut set = SeqSet::default();
            let mut model = BTreeSet::new();
            for seq in seqs {
                prop_assert_eq!(set.insert(seq), model.insert(seq));
                prop_assert!(set.is_well_formed());
            }
            for seq in 0..70 {
                prop_assert_eq!(set.contains(seq), model.contains(&seq));
            }
        }
    }
}
