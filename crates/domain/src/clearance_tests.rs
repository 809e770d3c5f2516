#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;

use super::*;

const ALICE: &str = "alice"; // drafter
const BOB: &str = "bob"; // first clearer
const CAROL: &str = "carol"; // second clearer
const DAVE: &str = "dave"; // approver
const EVE: &str = "eve"; // outside the circuit
const PEOPLE: [&str; 5] = [ALICE, BOB, CAROL, DAVE, EVE];

fn circuit(order: ClearanceOrder) -> Circuit {
    Circuit {
        drafter: ALICE.into(),
        clearers: vec![BOB.into(), CAROL.into()],
        order,
        approver: DAVE.into(),
    }
}

/// A sequential clearance brought to `stage` through legal steps.
fn at(stage: Stage) -> Clearance {
    let mut c = Clearance::new(circuit(ClearanceOrder::Sequential)).unwrap();
    let steps: &[(&str, Step)] = match stage {
        Stage::Draft => &[],
        Stage::InClearance => &[(ALICE, Step::Submit)],
        Stage::ReadyForApproval => &[
            (ALICE, Step::Submit),
            (BOB, Step::Clear { comment: None }),
            (CAROL, Step::Clear { comment: None }),
        ],
        Stage::Approved => &[
            (ALICE, Step::Submit),
            (BOB, Step::Clear { comment: None }),
            (CAROL, Step::Clear { comment: None }),
            (DAVE, Step::Approve),
        ],
        Stage::Released => &[
            (ALICE, Step::Submit),
            (BOB, Step::Clear { comment: None }),
            (CAROL, Step::Clear { comment: None }),
            (DAVE, Step::Approve),
            (DAVE, Step::Release),
        ],
        Stage::Withdrawn => &[(
            ALICE,
            Step::Withdraw {
                reason: "overtaken by events".into(),
            },
        )],
    };
    for (who, step) in steps {
        c.apply(who, step.clone()).unwrap();
    }
    assert_eq!(c.stage(), stage);
    c
}

fn all_steps() -> Vec<Step> {
    vec![
        Step::Submit,
        Step::Clear { comment: None },
        Step::Reject {
            comment: "paragraph 2 is wrong".into(),
        },
        Step::Approve,
        Step::Release,
        Step::Withdraw {
            reason: "no longer needed".into(),
        },
        Step::Edit,
    ]
}

/// The rules, stated once per step: the expected stage after `step` by `actor` from `stage`
/// (in the sequential circuit of `at`), or the name of the expected error.
fn expected(stage: Stage, step: &Step, actor: &str) -> Result<Stage, &'static str> {
    use Stage::*;
    match stage {
        Released => return Err("Frozen"),
        Withdrawn => return Err("Withdrawn"),
        _ => {}
    }
    let clearer = actor == BOB || actor == CAROL;
    let member = actor != EVE;
    match step {
        Step::Submit if actor != ALICE => Err("NotAllowed"),
        Step::Submit if stage == Draft => Ok(InClearance),
        Step::Submit => Err("WrongStage"),
        Step::Clear { .. } | Step::Reject { .. } if !clearer => Err("NotAllowed"),
        Step::Clear { .. } | Step::Reject { .. } if stage != InClearance => Err("WrongStage"),
        // Fresh in clearance: bob first (sequential).
        Step::Clear { .. } | Step::Reject { .. } if actor == CAROL => Err("NotYourTurn"),
        Step::Clear { .. } => Ok(InClearance),
        Step::Reject { .. } => Ok(Draft),
        Step::Approve if actor != DAVE => Err("NotAllowed"),
        Step::Approve if stage == ReadyForApproval => Ok(Approved),
        Step::Approve => Err("WrongStage"),
        Step::Release if actor != DAVE => Err("NotAllowed"),
        Step::Release if stage == Approved => Ok(Released),
        Step::Release => Err("WrongStage"),
        Step::Withdraw { .. } if actor == ALICE || actor == DAVE => Ok(Withdrawn),
        Step::Withdraw { .. } => Err("NotAllowed"),
        Step::Edit if !member => Err("NotAllowed"),
        Step::Edit if stage == Draft => Ok(Draft),
        Step::Edit => Ok(InClearance),
    }
}

fn error_name(e: &ClearanceError) -> &'static str {
    match e {
        ClearanceError::InvalidCircuit(_) => "InvalidCircuit",
        ClearanceError::NotAllowed { .. } => "NotAllowed",
        ClearanceError::WrongStage { .. } => "WrongStage",
        ClearanceError::NotYourTurn { .. } => "NotYourTurn",
        ClearanceError::AlreadyCleared { .. } => "AlreadyCleared",
        ClearanceError::EmptyComment => "EmptyComment",
        ClearanceError::EmptyReason => "EmptyReason",
        ClearanceError::Frozen => "Frozen",
        ClearanceError::Withdrawn => "Withdrawn",
        ClearanceError::CircuitFixed(_) => "CircuitFixed",
    }
}

#[test]
fn every_step_by_every_role_from_every_stage() {
    let mut legal = 0;
    for stage in Stage::ALL {
        for step in all_steps() {
            for actor in PEOPLE {
                let mut c = at(stage);
                let before = c.clone();
                let got = c.apply(actor, step.clone());
                let want = expected(stage, &step, actor);
                match (&got, want) {
                    (Ok(t), Ok(to)) => {
                        legal += 1;
                        assert_eq!(t.to, to, "{stage} {} by {actor}", step.code());
                        assert_eq!(t.from, stage);
                        assert_eq!(c.stage(), to);
                    }
                    (Err(e), Err(name)) => {
                        assert_eq!(error_name(e), name, "{stage} {} by {actor}", step.code());
                        assert_eq!(c, before, "a refused step changes nothing");
                        assert!(!e.to_string().is_empty());
                    }
                    (got, want) => {
                        panic!(
                            "{stage} {} by {actor}: got {got:?}, want {want:?}",
                            step.code()
                        )
                    }
                }
            }
        }
    }
    assert!(legal > 20, "the matrix exercises legal steps too ({legal})");
}

#[test]
fn sequential_clearers_act_in_order_and_parallel_ones_in_any_order() {
    let mut seq = at(Stage::InClearance);
    assert_eq!(seq.waiting_for(), vec![BOB.to_owned()]);
    let t = seq.apply(BOB, Step::Clear { comment: None }).unwrap();
    assert_eq!(t.now_waiting_for, vec![CAROL.to_owned()]);
    assert!(matches!(
        seq.apply(BOB, Step::Clear { comment: None }),
        Err(ClearanceError::AlreadyCleared { .. })
    ));

    let mut par = Clearance::new(circuit(ClearanceOrder::Parallel)).unwrap();
    par.apply(ALICE, Step::Submit).unwrap();
    assert_eq!(par.waiting_for(), vec![BOB.to_owned(), CAROL.to_owned()]);
    par.apply(CAROL, Step::Clear { comment: None }).unwrap();
    assert_eq!(par.stage(), Stage::InClearance);
    let t = par
        .apply(
            BOB,
            Step::Clear {
                comment: Some("ok".into()),
            },
        )
        .unwrap();
    assert_eq!(t.to, Stage::ReadyForApproval);
}

#[test]
fn an_edit_after_a_clearance_resets_it_and_remembers_what_was_cleared() {
    let mut c = at(Stage::InClearance);
    c.apply(BOB, Step::Clear { comment: None }).unwrap();
    assert_eq!(c.version(), 0);
    let t = c.apply(ALICE, Step::Edit).unwrap();
    assert_eq!(t.reset, vec![(BOB.to_owned(), 0)]);
    assert_eq!(c.version(), 1);
    let (_, bob) = c.verdicts().next().unwrap();
    assert_eq!(
        bob,
        &Verdict::Pending {
            cleared_before: Some(0)
        }
    );
    // Bob must clear again, at the new version, before Carol.
    assert_eq!(c.waiting_for(), vec![BOB.to_owned()]);
    c.apply(BOB, Step::Clear { comment: None }).unwrap();
    c.apply(CAROL, Step::Clear { comment: None }).unwrap();
    c.apply(DAVE, Step::Approve).unwrap();
    // An edit after approval sends it back through clearance.
    let t = c.apply(CAROL, Step::Edit).unwrap();
    assert_eq!((t.from, t.to), (Stage::Approved, Stage::InClearance));
    assert_eq!(t.reset.len(), 2);
}

#[test]
fn a_rejection_returns_the_draft_with_its_comment_and_a_new_round_starts_clean() {
    let mut c = at(Stage::InClearance);
    assert!(matches!(
        c.apply(
            BOB,
            Step::Reject {
                comment: "  ".into()
            }
        ),
        Err(ClearanceError::EmptyComment)
    ));
    c.apply(
        BOB,
        Step::Reject {
            comment: "Revoir le paragraphe 2".into(),
        },
    )
    .unwrap();
    assert_eq!(c.stage(), Stage::Draft);
    let (_, bob) = c.verdicts().next().unwrap();
    assert!(
        matches!(bob, Verdict::Rejected { comment, .. } if comment == "Revoir le paragraphe 2")
    );
    c.apply(ALICE, Step::Edit).unwrap();
    c.apply(ALICE, Step::Submit).unwrap();
    assert_eq!(c.round(), 2);
    assert!(
        c.verdicts()
            .all(|(_, v)| matches!(v, Verdict::Pending { .. }))
    );
}

#[test]
fn without_clearers_a_submitted_draft_goes_straight_to_approval() {
    let mut c = Clearance::new(Circuit {
        drafter: ALICE.into(),
        clearers: Vec::new(),
        order: ClearanceOrder::Sequential,
        approver: ALICE.into(),
    })
    .unwrap();
    assert_eq!(
        c.apply(ALICE, Step::Submit).unwrap().to,
        Stage::ReadyForApproval
    );
    c.apply(ALICE, Step::Approve).unwrap();
    assert_eq!(
        c.apply(ALICE, Step::Edit).unwrap().to,
        Stage::ReadyForApproval
    );
}

#[test]
fn the_circuit_changes_only_while_the_draft_is_being_written() {
    let other = Circuit {
        drafter: ALICE.into(),
        clearers: vec![CAROL.into()],
        order: ClearanceOrder::Parallel,
        approver: EVE.into(),
    };
    for stage in Stage::ALL {
        let mut c = at(stage);
        let before = c.clone();
        let result = c.set_circuit(other.clone());
        match stage {
            Stage::Draft => {
                result.unwrap();
                assert_eq!(c.circuit(), &other);
                assert_eq!(c.verdicts().count(), 1);
            }
            Stage::Released => assert_eq!(result, Err(ClearanceError::Frozen)),
            Stage::Withdrawn => assert_eq!(result, Err(ClearanceError::Withdrawn)),
            _ => {
                assert_eq!(result, Err(ClearanceError::CircuitFixed(stage)));
                assert_eq!(c, before, "a refused change leaves the clearance alone");
            }
        }
    }
    // After a rejection the draft is being written again: the circuit may change.
    let mut c = at(Stage::InClearance);
    c.apply(
        BOB,
        Step::Reject {
            comment: "trop long".into(),
        },
    )
    .unwrap();
    c.set_circuit(other.clone()).unwrap();
    c.apply(ALICE, Step::Submit).unwrap();
    assert_eq!(c.waiting_for(), vec![CAROL.to_owned()]);
    // A bad circuit is refused there too.
    let mut bad = other;
    bad.clearers = vec![ALICE.into()];
    assert!(matches!(
        at(Stage::Draft).set_circuit(bad),
        Err(ClearanceError::InvalidCircuit(_))
    ));
}

#[test]
fn bad_circuits_are_refused() {
    let base = circuit(ClearanceOrder::Sequential);
    let cases = [
        Circuit {
            clearers: vec![BOB.into(), BOB.into()],
            ..base.clone()
        },
        Circuit {
            clearers: vec![ALICE.into()],
            ..base.clone()
        },
        Circuit {
            clearers: vec![DAVE.into()],
            ..base.clone()
        },
        Circuit {
            approver: " ".into(),
            ..base.clone()
        },
        Circuit {
            drafter: String::new(),
            ..base.clone()
        },
    ];
    for bad in cases {
        assert!(matches!(
            Clearance::new(bad),
            Err(ClearanceError::InvalidCircuit(_))
        ));
    }
}

fn any_step() -> impl Strategy<Value = (usize, Step)> {
    let step = prop_oneof![
        Just(Step::Submit),
        Just(Step::Clear { comment: None }),
        Just(Step::Reject {
            comment: "non".into()
        }),
        Just(Step::Approve),
        Just(Step::Release),
        Just(Step::Withdraw {
            reason: "stop".into()
        }),
        Just(Step::Edit),
        Just(Step::Edit),
    ];
    (0..PEOPLE.len(), step)
}

proptest! {
    /// Whatever happens, a text is released only when every clearer cleared its current
    /// version and the approver approved after the last edit; final stages never move.
    #[test]
    fn release_needs_every_clearance_of_the_current_version(
        parallel in any::<bool>(),
        steps in prop::collection::vec(any_step(), 0..60),
    ) {
        let order = if parallel { ClearanceOrder::Parallel } else { ClearanceOrder::Sequential };
        let mut c = Clearance::new(circuit(order)).unwrap();
        let mut approved_at: Option<u64> = None;
        for (who, step) in steps {
            let before = c.clone();
            let result = c.apply(PEOPLE[who], step.clone());
            if before.stage().is_final() {
                prop_assert!(result.is_err());
                prop_assert_eq!(&c, &before);
                continue;
            }
            match result {
                Err(_) => prop_assert_eq!(&c, &before),
                Ok(t) => {
                    if step == Step::Edit {
                        approved_at = None;
                    }
                    if step == Step::Approve {
                        approved_at = Some(c.version());
                    }
                    if t.to == Stage::Released {
                        prop_assert_eq!(approved_at, Some(c.version()));
                        for (_, v) in c.verdicts() {
                            let cleared_current = matches!(
                                v,
                                Verdict::Cleared { version, .. } if *version == c.version()
                            );
                            prop_assert!(cleared_current);
                        }
                    }
                }
            }
        }
    }
}

// ---- The actions the clearance panel offers ----

/// A draft as the panel sees it: stage, round, the circuit in force, the circuit its fields
/// name, whose clearance stands, how many conflicts are open.
struct Standing {
    stage: Stage,
    round: u32,
    circuit: Circuit,
    named: Circuit,
    cleared: Vec<String>,
    conflicts: usize,
}

impl Standing {
    /// Alice's draft, never submitted: bob then carol clear, dave approves.
    fn new() -> Self {
        Self {
            stage: Stage::Draft,
            round: 0,
            circuit: circuit(ClearanceOrder::Sequential),
            named: circuit(ClearanceOrder::Sequential),
            cleared: Vec::new(),
            conflicts: 0,
        }
    }

    fn at(stage: Stage, round: u32) -> Self {
        Self {
            stage,
            round,
            ..Self::new()
        }
    }

    fn actions(&self, me: &str) -> ClearanceActions {
        clearance_actions(
            &DraftStanding {
                stage: self.stage,
                round: self.round,
                circuit: &self.circuit,
                named_drafter: &self.named.drafter,
                named_approver: &self.named.approver,
                cleared: &self.cleared,
                conflicts: self.conflicts,
            },
            me,
        )
    }

    fn enabled(&self, me: &str) -> Vec<ClearanceAction> {
        let a = self.actions(me);
        ClearanceAction::ALL
            .into_iter()
            .filter(|&x| a.get(x).is_none())
            .collect()
    }
}

use ClearanceAction as A;

#[test]
fn only_the_drafter_submits_and_nothing_else_happens_before_the_first_submission() {
    let d = Standing::new();
    assert_eq!(d.enabled(ALICE), [A::Submit]);
    for who in [BOB, CAROL, DAVE, EVE] {
        assert_eq!(d.enabled(who), [], "{who}");
    }
    assert_eq!(
        d.actions(BOB).submit,
        Some(Unavailable::NotDrafter { who: ALICE.into() })
    );
    // The drafting log refuses a withdrawal before the first submission: there is no
    // clearance yet to withdraw from.
    assert_eq!(d.actions(ALICE).withdraw, Some(Unavailable::Stage));
    assert_eq!(d.actions(DAVE).withdraw, Some(Unavailable::Stage));
    assert_eq!(
        d.actions(EVE).withdraw,
        Some(Unavailable::NotDrafterOrApprover)
    );
    // A named clearer learns it is not the moment; someone else that it is not theirs.
    assert_eq!(d.actions(BOB).clear, Some(Unavailable::Stage));
    assert_eq!(d.actions(EVE).clear, Some(Unavailable::NotClearer));
    assert_eq!(
        d.actions(ALICE).approve,
        Some(Unavailable::NotApprover { who: DAVE.into() })
    );
}

#[test]
fn no_submission_with_open_conflicts_or_without_an_approver() {
    let mut d = Standing::new();
    d.conflicts = 1;
    assert_eq!(d.actions(ALICE).submit, Some(Unavailable::Conflicts));
    let mut d = Standing::new();
    d.named.approver = " ".into();
    d.named.clearers.clear();
    d.circuit = d.named.clone();
    assert_eq!(d.actions(ALICE).submit, Some(Unavailable::NoApprover));
    // Nobody is the approver of a circuit naming none, not even someone without a name.
    assert_eq!(
        d.actions("").approve,
        Some(Unavailable::NotApprover { who: " ".into() })
    );
}

#[test]
fn in_sequential_clearance_the_first_pending_clearer_acts_and_the_next_waits() {
    let d = Standing::at(Stage::InClearance, 1);
    assert_eq!(d.enabled(BOB), [A::Clear, A::Reject]);
    assert_eq!(
        d.actions(CAROL).clear,
        Some(Unavailable::NotYourTurn { who: BOB.into() })
    );
    assert_eq!(d.actions(CAROL).reject, d.actions(CAROL).clear);
    assert_eq!(d.actions(ALICE).clear, Some(Unavailable::NotClearer));
    assert_eq!(d.actions(DAVE).approve, Some(Unavailable::Stage));
    assert_eq!(d.actions(ALICE).submit, Some(Unavailable::Stage));
    assert_eq!(d.enabled(ALICE), [A::Withdraw]);
    assert_eq!(d.enabled(DAVE), [A::Withdraw]);

    // Bob cleared: Carol's turn, and Bob has nothing more to clear.
    let mut d = d;
    d.cleared = vec![BOB.into()];
    assert_eq!(d.enabled(CAROL), [A::Clear, A::Reject]);
    assert_eq!(d.actions(BOB).clear, Some(Unavailable::AlreadyCleared));
}

#[test]
fn in_parallel_clearance_every_pending_clearer_acts_but_not_one_who_cleared() {
    let mut d = Standing::at(Stage::InClearance, 1);
    d.circuit.order = ClearanceOrder::Parallel;
    assert_eq!(d.enabled(CAROL), [A::Clear, A::Reject]);
    d.cleared = vec![BOB.into()];
    assert_eq!(d.enabled(CAROL), [A::Clear, A::Reject]);
    assert_eq!(d.actions(BOB).clear, Some(Unavailable::AlreadyCleared));
    assert_eq!(d.actions(BOB).reject, Some(Unavailable::AlreadyCleared));
}

#[test]
fn only_the_approver_approves_when_ready_then_releases_when_approved() {
    let mut ready = Standing::at(Stage::ReadyForApproval, 1);
    ready.cleared = vec![BOB.into(), CAROL.into()];
    assert_eq!(ready.enabled(DAVE), [A::Approve, A::Withdraw]);
    assert_eq!(
        ready.actions(ALICE).approve,
        Some(Unavailable::NotApprover { who: DAVE.into() })
    );
    assert_eq!(ready.actions(DAVE).release, Some(Unavailable::Stage));
    let mut approved = Standing::at(Stage::Approved, 1);
    approved.cleared = ready.cleared.clone();
    assert_eq!(approved.enabled(DAVE), [A::Release, A::Withdraw]);
    assert_eq!(
        approved.actions(BOB).release,
        Some(Unavailable::NotApprover { who: DAVE.into() })
    );
}

#[test]
fn nothing_is_allowed_once_released_or_withdrawn() {
    for stage in [Stage::Released, Stage::Withdrawn] {
        for round in [0, 1] {
            let d = Standing::at(stage, round);
            for who in PEOPLE {
                let a = d.actions(who);
                for x in ClearanceAction::ALL {
                    assert_eq!(a.get(x), Some(&Unavailable::Final), "{stage} {who} {x:?}");
                }
                assert!(!a.may_edit, "{stage} {who}");
                assert!(!a.edit_resets_clearances);
            }
        }
    }
}

#[test]
fn anyone_edits_before_submission_and_only_the_circuit_after() {
    assert!(Standing::new().actions(EVE).may_edit);
    let mut d = Standing::at(Stage::InClearance, 1);
    assert!(!d.actions(EVE).may_edit);
    for who in [ALICE, BOB, CAROL, DAVE] {
        assert!(d.actions(who).may_edit, "{who}");
    }
    assert!(!d.actions(CAROL).edit_resets_clearances);
    d.cleared = vec![BOB.into()];
    assert!(d.actions(CAROL).edit_resets_clearances);
}

#[test]
fn after_a_rejection_an_edit_still_resets_the_clearances_that_stand() {
    // Bob cleared, Carol rejected: back to the drafter. The state machine resets Bob's
    // clearance at the next edit as at any other stage.
    let mut d = Standing::at(Stage::Draft, 1);
    d.cleared = vec![BOB.into()];
    assert!(d.actions(ALICE).edit_resets_clearances);
    assert_eq!(d.enabled(ALICE), [A::Submit, A::Withdraw]);
}

#[test]
fn a_resubmission_is_the_drafter_named_by_the_fields() {
    // Rejected, then the fields named Eve as drafter: she submits the next round.
    let mut d = Standing::at(Stage::Draft, 1);
    d.named.drafter = EVE.into();
    assert_eq!(d.enabled(EVE), [A::Submit]);
    assert_eq!(
        d.actions(ALICE).submit,
        Some(Unavailable::NotDrafter { who: EVE.into() })
    );
    // Once submitted, the circuit in force says who the drafter is.
    let mut d = Standing::at(Stage::InClearance, 1);
    d.named.drafter = EVE.into();
    assert_eq!(
        d.actions(EVE).submit,
        Some(Unavailable::NotDrafter { who: ALICE.into() })
    );
    assert_eq!(d.actions(ALICE).submit, Some(Unavailable::Stage));
}

/// What the drafting log does with a step: before the first submission, only a submission,
/// which starts the clearance; then the state machine, a submission while the draft is being
/// written naming its circuit.
fn logged(
    current: Option<&Clearance>,
    named: &Circuit,
    who: &str,
    step: Step,
) -> Result<Clearance, ClearanceError> {
    let mut next = match (current, &step) {
        (None, Step::Submit) => Clearance::new(named.clone())?,
        (None, _) => {
            return Err(ClearanceError::WrongStage {
                step: step.code(),
                stage: Stage::Draft,
                allowed: "after submission",
            });
        }
        (Some(c), _) => {
            let mut c = c.clone();
            if step == Step::Submit && c.stage() == Stage::Draft {
                c.set_circuit(named.clone())?;
            }
            c
        }
    };
    next.apply(who, step)?;
    Ok(next)
}

fn step_of(action: ClearanceAction) -> Step {
    match action {
        A::Submit => Step::Submit,
        A::Clear => Step::Clear { comment: None },
        A::Reject => Step::Reject {
            comment: "non".into(),
        },
        A::Approve => Step::Approve,
        A::Release => Step::Release,
        A::Withdraw => Step::Withdraw {
            reason: "stop".into(),
        },
    }
}

/// The error the state machine gives for what the panel says.
fn error_for(why: &Unavailable) -> &'static [&'static str] {
    match why {
        Unavailable::Final => &["Frozen", "Withdrawn"],
        Unavailable::NotDrafter { .. }
        | Unavailable::NotClearer
        | Unavailable::NotApprover { .. }
        | Unavailable::NotDrafterOrApprover => &["NotAllowed"],
        Unavailable::Stage => &["WrongStage"],
        Unavailable::NotYourTurn { .. } => &["NotYourTurn"],
        Unavailable::AlreadyCleared => &["AlreadyCleared"],
        Unavailable::Conflicts | Unavailable::NoApprover => &[],
    }
}

proptest! {
    /// Whatever happened to a draft, the panel offers exactly the steps the state machine
    /// takes, says why not as the state machine would, and says who may edit and whether an
    /// edit resets clearances as an edit would.
    #[test]
    fn the_panel_offers_what_the_state_machine_accepts(
        parallel in any::<bool>(),
        steps in prop::collection::vec(any_step(), 0..40),
    ) {
        let order = if parallel { ClearanceOrder::Parallel } else { ClearanceOrder::Sequential };
        let named = circuit(order);
        let mut current: Option<Clearance> = None;
        for (who, step) in steps {
            if let Ok(next) = logged(current.as_ref(), &named, PEOPLE[who], step) {
                current = Some(next);
            }
            let d = Standing {
                stage: current.as_ref().map_or(Stage::Draft, Clearance::stage),
                round: current.as_ref().map_or(0, Clearance::round),
                circuit: current.as_ref().map_or_else(|| named.clone(), |c| c.circuit().clone()),
                named: named.clone(),
                cleared: current.as_ref().map_or_else(Vec::new, |c| {
                    c.verdicts()
                        .filter(|(_, v)| matches!(v, Verdict::Cleared { .. }))
                        .map(|(n, _)| n.to_owned())
                        .collect()
                }),
                conflicts: 0,
            };
            for me in PEOPLE {
                let a = d.actions(me);
                for action in ClearanceAction::ALL {
                    let result = logged(current.as_ref(), &named, me, step_of(action));
                    let why = a.get(action);
                    prop_assert_eq!(why.is_none(), result.is_ok(), "{:?} by {} at {:?}: {:?}", action, me, d.stage, why);
                    if let (Some(why), Some(_), Err(e)) = (why, &current, &result) {
                        prop_assert!(error_for(why).contains(&error_name(e)), "{:?}: {}", why, e);
                    }
                }
                match &current {
                    None => prop_assert!(a.may_edit),
                    Some(c) => {
                        let mut edited = c.clone();
                        let edit = edited.apply(me, Step::Edit);
                        prop_assert_eq!(a.may_edit, edit.is_ok());
                        if let Ok(t) = edit {
                            prop_assert_eq!(a.edit_resets_clearances, !t.reset.is_empty());
                        }
                    }
                }
            }
        }
    }
}
