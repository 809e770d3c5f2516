use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Item, Precedence, Route, UserIdentity};

/// What the triage order looks at for one item and one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageKey {
    pub route: Option<Route>,
    pub precedence: Precedence,
    pub deadline: Option<OffsetDateTime>,
    pub received_at: OffsetDateTime,
}

impl TriageKey {
    pub fn of(item: &Item, user: &UserIdentity) -> Self {
        Self {
            route: item.route_for(user),
            precedence: item.precedence(),
            deadline: item.deadline,
            received_at: item.received_at,
        }
    }
}

fn route_rank(route: Option<Route>) -> u8 {
    match route {
        Some(Route::Action) => 0,
        Some(Route::Info) => 1,
        None => 2,
    }
}

/// The triage order: items for action first, then for information, then the rest; within
/// each, Flash first down to Routine, then the earliest deadline (items without one after),
/// then the most recently received.
pub fn triage_cmp(a: &TriageKey, b: &TriageKey) -> Ordering {
    route_rank(a.route)
        .cmp(&route_rank(b.route))
        .then_with(|| b.precedence.cmp(&a.precedence))
        .then_with(|| match (a.deadline, b.deadline) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| b.received_at.cmp(&a.received_at))
}
