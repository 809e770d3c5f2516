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
