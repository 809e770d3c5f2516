//! The clearance chain (circuit de visas): drafter → clearers → approver → release, as a state
//! machine. Who may do what, when, and what an edit after a clearance undoes.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a draft is in its circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being written; also where a rejected draft returns.
    Draft,
    InClearance,
    ReadyForApproval,
    Approved,
    /// Frozen and signed: an immutable record now.
    Released,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Draft,
        Stage::InClearance,
        Stage::ReadyForApproval,
        Stage::Approved,
        Stage::Released,
        Stage::Withdrawn,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::InClearance => "in_clearance",
            Stage::ReadyForApproval => "ready_for_approval",
            Stage::Approved => "approved",
            Stage::Released => "released",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// Released and withdrawn drafts accept no step any more.
    pub const fn is_final(self) -> bool {
        matches!(self, Stage::Released | Stage::Withdrawn)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How the clearers are consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearanceOrder {
    /// Each in the order named: a clearer acts once everyone before them has cleared.
    #[default]
    Sequential,
    /// All at once, in any order.
    Parallel,
}

/// The people of a circuit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Circuit {
    pub drafter: String,
    pub clearers: Vec<String>,
    pub order: ClearanceOrder,
    pub approver: String,
}

impl Circuit {
    /// Checks the circuit: everyone named, nobody clearing twice, nobody clearing their own
    /// text, the approver not also a clearer.
    pub fn validate(&self) -> Result<(), ClearanceError> {
        let bad = |why: &str| Err(ClearanceError::InvalidCircuit(why.to_owned()));
        if self.drafter.trim().is_empty() {
            return bad("the drafter is not named");
        }
        if self.approver.trim().is_empty() {
            return bad("the approver is not named");
        }
        for (i, c) in self.clearers.iter().enumerate() {
            if c.trim().is_empty() {
                return bad("a clearer is not named");
            }
            if self.clearers.iter().skip(i + 1).any(|o| o == c) {
                return Err(ClearanceError::InvalidCircuit(format!(
                    "{c} is named twice as a clearer"
                )));
            }
            if *c == self.drafter {
                return Err(ClearanceError::InvalidCircuit(format!(
                    "{c} drafts the text and cannot also clear it"
                )));
            }
            if *c == self.approver {
                return Err(ClearanceError::InvalidCircuit(format!(
                    "{c} approves the text and cannot also clear it"
                )));
            }
        }
        Ok(())
    }

    fn clearer_index(&self, who: &str) -> Option<usize> {
        self.clearers.iter().position(|c| c == who)
    }

    /// Whether `who` has a part in this circuit.
    pub fn is_member(&self, who: &str) -> bool {
        who == self.drafter || who == self.approver || self.clearer_index(who).is_some()
    }
}

/// A clearer's position in the current round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Pending {
        /// The content version they cleared before an edit reset their clearance: what
        /// changed since is what they have to look at.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cleared_before: Option<u64>,
    },
    Cleared {
        version: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    Rejected {
        version: u64,
        comment: String,
    },
}

impl Verdict {
    const fn pending() -> Self {
        Verdict::Pending {
            cleared_before: None,
        }
    }

    fn is_cleared(&self) -> bool {
        matches!(self, Verdict::Cleared { .. })
    }
}

/// What someone does to a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The drafter sends the draft into clearance.
    Submit,
    Clear {
        comment: Option<String>,
    },
    Reject {
        comment: String,
    },
    Approve,
    Release,
    Withdraw {
        reason: String,
    },
    /// The content changed (any member may edit before release).
    Edit,
}

impl Step {
    pub const fn code(&self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Clear { .. } => "clear",
            Step::Reject { .. } => "reject",
            Step::Approve => "approve",
            Step::Release => "release",
            Step::Withdraw { .. } => "withdraw",
            Step::Edit => "edit",
        }
    }
}

/// The part someone plays for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Drafter,
    Clearer,
    Approver,
    /// Drafter or approver.
    DrafterOrApprover,
    Member,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Drafter => "the drafter",
            Role::Clearer => "a named clearer",
            Role::Approver => "the approver",
            Role::DrafterOrApprover => "the drafter or the approver",
            Role::Member => "a member of the circuit",
        })
    }
}

/// A step that is not allowed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClearanceError {
    #[error("invalid circuit: {0}")]
    InvalidCircuit(String),
    #[error("only {needed} may {step} this draft; {actor} may not")]
    NotAllowed {
        actor: String,
        step: &'static str,
        needed: Role,
    },
    #[error("a draft cannot be {step}ed while {stage} (allowed when {allowed})")]
    WrongStage {
        step: &'static str,
        stage: Stage,
        allowed: &'static str,
    },
    #[error("it is not {actor}'s turn: {waiting_for} clears first (sequential circuit)")]
    NotYourTurn { actor: String, waiting_for: String },
    #[error("{actor} has already cleared this version")]
    AlreadyCleared { actor: String },
    #[error("a rejection needs a comment saying what to change")]
    EmptyComment,
    #[error("a withdrawal needs a reason")]
    EmptyReason,
    #[error("the text is released and frozen: write a correction as a new item")]
    Frozen,
    #[error("the draft was withdrawn")]
    Withdrawn,
    #[error(
        "the circuit cannot change while the draft is {0}: it changes while the draft is being written (before submission or after a rejection)"
    )]
    CircuitFixed(Stage),
}

/// What a step did: for the audit log and for telling the people concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub actor: String,
    pub step: &'static str,
    pub from: Stage,
    pub to: Stage,
    /// Clearers whose clearance an edit reset, with the version they had cleared.
    pub reset: Vec<(String, u64)>,
    /// Clearers whose turn it now is (to be asked for their clearance).
    pub now_waiting_for: Vec<String>,
}

/// A draft's clearance: the circuit, the stage, each clearer's verdict, the content version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    circuit: Circuit,
    stage: Stage,
    verdicts: Vec<Verdict>,
    /// Incremented by every edit.
    version: u64,
    /// Incremented by every submission.
    round: u32,
}

impl Clearance {
    pub fn new(circuit: Circuit) -> Result<Self, ClearanceError> {
        circuit.validate()?;
        let verdicts = vec![Verdict::pending(); circuit.clearers.len()];
        Ok(Self {
            circuit,
            stage: Stage::Draft,
            verdicts,
            version: 0,
            round: 0,
        })
    }

    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// Replaces the circuit (the verdicts start again): only while the draft is being written.
    pub fn set_circuit(&mut self, circuit: Circuit) -> Result<(), ClearanceError> {
        match self.stage {
            Stage::Draft => {}
            Stage::Released => return Err(ClearanceError::Frozen),
            Stage::Withdrawn => return Err(ClearanceError::Withdrawn),
            other => return Err(ClearanceError::CircuitFixed(other)),
        }
        circuit.validate()?;
        self.verdicts = vec![Verdict::pending(); circuit.clearers.len()];
        self.circuit = circuit;
        Ok(())
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn round(&self) -> u32 {
        self.round
    }

    /// Each clearer with their verdict, in circuit order.
    pub fn verdicts(&self) -> impl Iterator<Item = (&str, &Verdict)> {
        self.circuit
            .clearers
            .iter()
            .map(String::as_str)
            .zip(self.verdicts.iter())
    }

    /// The clearers who may act now (in clearance only).
    pub fn waiting_for(&self) -> Vec<String> {
        if self.stage != Stage::InClearance {
            return Vec::new();
        }
        let pending = self
            .verdicts()
            .filter(|(_, v)| !v.is_cleared())
            .map(|(c, _)| c.to_owned());
        match self.circuit.order {
            ClearanceOrder::Parallel => pending.collect(),
            ClearanceOrder::Sequential => pending.take(1).collect(),
        }
    }

    fn require(&self, actor: &str, step: &Step, needed: Role) -> Result<(), ClearanceError> {
        let c = &self.circuit;
        let ok = match needed {
            Role::Drafter => actor == c.drafter,
            Role::Clearer => c.clearer_index(actor).is_some(),
            Role::Approver => actor == c.approver,
            Role::DrafterOrApprover => actor == c.drafter || actor == c.approver,
            Role::Member => c.is_member(actor),
        };
        if ok {
            Ok(())
        } else {
            Err(ClearanceError::NotAllowed {
                actor: actor.to_owned(),
                step: step.code(),
                needed,
            })
        }
    }

    fn require_stage(
        &self,
        step: &Step,
        allowed: &[Stage],
        label: &'static str,
    ) -> Result<(), ClearanceError> {
        if allowed.contains(&self.stage) {
            Ok(())
        } else {
            Err(ClearanceError::WrongStage {
                step: step.code(),
                stage: self.stage,
                allowed: label,
            })
        }
    }

    /// The clearer `actor` may act now: named, their turn, not already cleared.
    fn clearer_turn(&self, actor: &str) -> Result<usize, ClearanceError> {
        let index = self.circuit.clearer_index(actor).unwrap_or(usize::MAX);
        if self.verdicts.get(index).is_some_and(Verdict::is_cleared) {
            return Err(ClearanceError::AlreadyCleared {
                actor: actor.to_owned(),
            });
        }
        if self.circuit.order == ClearanceOrder::Sequential
            && let Some(first) = self.waiting_for().into_iter().next()
            && first != actor
        {
            return Err(ClearanceError::NotYourTurn {
                actor: actor.to_owned(),
                waiting_for: first,
            });
        }
        Ok(index)
    }

    /// Applies `step` by `actor`, or says precisely why it is refused (nothing changes then).
    pub fn apply(&mut self, actor: &str, step: Step) -> Result<Transition, ClearanceError> {
        match self.stage {
            Stage::Released => return Err(ClearanceError::Frozen),
            Stage::Withdrawn => return Err(ClearanceError::Withdrawn),
            _ => {}
        }
        let from = self.stage;
        let mut reset = Vec::new();
        match &step {
            Step::Submit => {
                self.require(actor, &step, Role::Drafter)?;
                self.require_stage(&step, &[Stage::Draft], "a draft")?;
                self.round += 1;
                self.verdicts = vec![Verdict::pending(); self.circuit.clearers.len()];
                self.stage = if self.circuit.clearers.is_empty() {
                    Stage::ReadyForApproval
                } else {
                    Stage::InClearance
                };
            }
            Step::Clear { comment } => {
                self.require(actor, &step, Role::Clearer)?;
                self.require_stage(&step, &[Stage::InClearance], "in clearance")?;
                let index = self.clearer_turn(actor)?;
                if let Some(v) = self.verdicts.get_mut(index) {
                    *v = Verdict::Cleared {
                        version: self.version,
                        comment: comment.clone().filter(|c| !c.trim().is_empty()),
                    };
                }
                if self.verdicts.iter().all(Verdict::is_cleared) {
                    self.stage = Stage::ReadyForApproval;
                }
            }
            Step::Reject { comment } => {
                self.require(actor, &step, Role::Clearer)?;
                self.require_stage(&step, &[Stage::InClearance], "in clearance")?;
                if comment.trim().is_empty() {
                    return Err(ClearanceError::EmptyComment);
                }
                let index = self.clearer_turn(actor)?;
                if let Some(v) = self.verdicts.get_mut(index) {
                    *v = Verdict::Rejected {
                        version: self.version,
                        comment: comment.trim().to_owned(),
                    };
                }
                self.stage = Stage::Draft;
            }
            Step::Approve => {
                self.require(actor, &step, Role::Approver)?;
                self.require_stage(&step, &[Stage::ReadyForApproval], "ready for approval")?;
                self.stage = Stage::Approved;
            }
            Step::Release => {
                self.require(actor, &step, Role::Approver)?;
                self.require_stage(&step, &[Stage::Approved], "approved")?;
                self.stage = Stage::Released;
            }
            Step::Withdraw { reason } => {
                self.require(actor, &step, Role::DrafterOrApprover)?;
                if reason.trim().is_empty() {
                    return Err(ClearanceError::EmptyReason);
                }
                self.stage = Stage::Withdrawn;
            }
            Step::Edit => {
                self.require(actor, &step, Role::Member)?;
                self.version += 1;
                for (name, verdict) in self.circuit.clearers.iter().zip(self.verdicts.iter_mut()) {
                    if let Verdict::Cleared { version, .. } = verdict {
                        reset.push((name.clone(), *version));
                        *verdict = Verdict::Pending {
                            cleared_before: Some(*version),
                        };
                    }
                }
                self.stage = match self.stage {
                    Stage::Draft => Stage::Draft,
                    _ if self.circuit.clearers.is_empty() => Stage::ReadyForApproval,
                    _ => Stage::InClearance,
                };
            }
        }
        Ok(Transition {
            actor: actor.to_owned(),
            step: step.code(),
            from,
            to: self.stage,
            reset,
            now_waiting_for: self.waiting_for(),
        })
    }
}

/// A clearance action a user may take on a draft, as the clearance panel offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearanceAction {
    Submit,
    Clear,
    Reject,
    Approve,
    Release,
    Withdraw,
}

impl ClearanceAction {
    pub const ALL: [ClearanceAction; 6] = [
        ClearanceAction::Submit,
        ClearanceAction::Clear,
        ClearanceAction::Reject,
        ClearanceAction::Approve,
        ClearanceAction::Release,
        ClearanceAction::Withdraw,
    ];
}

/// Why an action is not available to a user now (the people named are those to ask).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unavailable {
    /// Released or withdrawn: nothing more happens to the draft.
    Final,
    /// Only the drafter, `who`, may.
    NotDrafter {
        who: String,
    },
    /// Only a named clearer may.
    NotClearer,
    /// Only the approver, `who`, may (empty when none is named).
    NotApprover {
        who: String,
    },
    NotDrafterOrApprover,
    /// Not at this stage of the circuit.
    Stage,
    /// Sequential circuit: `who` clears first.
    NotYourTurn {
        who: String,
    },
    /// The user has already cleared this version.
    AlreadyCleared,
    /// Values set concurrently are still to be chosen from.
    Conflicts,
    /// The fields name no approver.
    NoApprover,
}

/// What the clearance actions depend on: a draft as its replicas' merged log leaves it.
#[derive(Debug, Clone, Copy)]
pub struct DraftStanding<'a> {
    pub stage: Stage,
    /// Submissions so far; 0 while the draft was never submitted (no clearance exists yet).
    pub round: u32,
    /// The circuit in force: as last submitted, or, never submitted, as the fields name it.
    pub circuit: &'a Circuit,
    /// The drafter and the approver the fields name now: those of the circuit a submission
    /// would carry (it replaces the one in force while the draft is being written).
    pub named_drafter: &'a str,
    pub named_approver: &'a str,
    /// The clearers of `circuit` whose clearance of the current version stands.
    pub cleared: &'a [String],
    /// Fields with values set concurrently, still to be chosen from.
    pub conflicts: usize,
}

/// For each action, `None` when the user may take it now, or why not; and whether they may
/// edit the draft, and whether an edit would reset clearances already given (to warn first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceActions {
    pub submit: Option<Unavailable>,
    pub clear: Option<Unavailable>,
    pub reject: Option<Unavailable>,
    pub approve: Option<Unavailable>,
    pub release: Option<Unavailable>,
    pub withdraw: Option<Unavailable>,
    pub may_edit: bool,
    pub edit_resets_clearances: bool,
}

impl ClearanceActions {
    /// Why `action` is not available, or `None` when it is.
    pub fn get(&self, action: ClearanceAction) -> Option<&Unavailable> {
        match action {
            ClearanceAction::Submit => self.submit.as_ref(),
            ClearanceAction::Clear => self.clear.as_ref(),
            ClearanceAction::Reject => self.reject.as_ref(),
            ClearanceAction::Approve => self.approve.as_ref(),
            ClearanceAction::Release => self.release.as_ref(),
            ClearanceAction::Withdraw => self.withdraw.as_ref(),
        }
    }
}

/// What `me` may do to a draft now, and why not: the answer of [`Clearance::apply`] (and of
/// the drafting log, which refuses every step but a submission before the first one) for
/// each step, without taking it. Who may act is said before when: someone outside a role
/// learns whose the step is. What the step itself carries is not judged here (a rejection's
/// comment, a withdrawal's reason, a circuit naming someone twice).
pub fn clearance_actions(d: &DraftStanding<'_>, me: &str) -> ClearanceActions {
    if d.stage.is_final() {
        let f = || Some(Unavailable::Final);
        return ClearanceActions {
            submit: f(),
            clear: f(),
            reject: f(),
            approve: f(),
            release: f(),
            withdraw: f(),
            may_edit: false,
            edit_resets_clearances: false,
        };
    }
    let c = d.circuit;
    let submitted = d.round > 0;
    let is_approver = !c.approver.is_empty() && me == c.approver;
    let stage_is = |s: Stage| submitted && d.stage == s;

    // A submission made while the draft is being written names the circuit it starts.
    let drafter = if d.stage == Stage::Draft {
        d.named_drafter
    } else {
        c.drafter.as_str()
    };
    let submit = if me != drafter {
        Some(Unavailable::NotDrafter {
            who: drafter.to_owned(),
        })
    } else if d.stage != Stage::Draft {
        Some(Unavailable::Stage)
    } else if d.named_approver.trim().is_empty() {
        Some(Unavailable::NoApprover)
    } else if d.conflicts > 0 {
        Some(Unavailable::Conflicts)
    } else {
        None
    };

    let clear = if c.clearer_index(me).is_none() {
        Some(Unavailable::NotClearer)
    } else if !stage_is(Stage::InClearance) {
        Some(Unavailable::Stage)
    } else if d.cleared.iter().any(|x| x == me) {
        Some(Unavailable::AlreadyCleared)
    } else {
        // Sequential: the first clearer whose clearance does not stand acts.
        let first = c
            .clearers
            .iter()
            .find(|x| !d.cleared.contains(x))
            .cloned()
            .unwrap_or_default();
        (c.order == ClearanceOrder::Sequential && first != me)
            .then_some(Unavailable::NotYourTurn { who: first })
    };

    let by_approver = |stage: Stage| {
        if !is_approver {
            Some(Unavailable::NotApprover {
                who: c.approver.clone(),
            })
        } else if !stage_is(stage) {
            Some(Unavailable::Stage)
        } else {
            None
        }
    };

    let withdraw = if me != c.drafter && !is_approver {
        Some(Unavailable::NotDrafterOrApprover)
    } else if !submitted {
        Some(Unavailable::Stage)
    } else {
        None
    };

    ClearanceActions {
        submit,
        reject: clear.clone(),
        clear,
        approve: by_approver(Stage::ReadyForApproval),
        release: by_approver(Stage::Approved),
        withdraw,
        // Anyone may edit before the first submission; the circuit's members after.
        may_edit: !submitted || c.is_member(me),
        // Any edit resets the clearances that stand (and the draft goes back to clearance).
        edit_resets_clearances: submitted && !d.cleared.is_empty(),
    }
}

#[cfg(test)]
#[path = "clearance_tests.rs"]
mod tests;
