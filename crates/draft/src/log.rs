//! The clearance log kept inside a draft's document, and its replay through the domain's state
//! machine.
//!
//! Each step (submit, clear, reject, approve, release, withdraw, and named versions) is one
//! JSON entry appended to the document's `log` list by the person who takes it, with the
//! content digest and the automerge heads they saw. Replicas merge the log like the rest of
//! the document, so every replica holds the same entries in the same order, and replaying
//! them gives every replica the same stage. An entry the state machine refuses on replay
//! (two clearers of a sequential circuit clearing at the same time on two machines, the
//! second one's turn not having come) is kept and shown as refused, with the reason.
//!
//! Every entry is signed by the device of the person who takes the step ([`SignedEntry`]),
//! under a context per kind of statement ([`Statement`]), over the entry's bytes, which name
//! the draft and the heads it refers to: an entry cannot be replayed onto another draft nor
//! taken for another kind. The replay asks a [`LogCheck`] who signed each entry (the identity
//! that certified the signing device), and accepts a step only from the identity the circuit
//! binds to the person taking it: the first `Created` entry binds the drafter, and each
//! submission, signed by the drafter, binds every member of its circuit ([`LoggedStep::Submit`]'s
//! `members`). An entry with no valid signature, or signed by anyone else, is kept and shown
//! as refused, whatever name it claims.
//!
//! Edits are not logged one by one: when the content digest of a step differs from the one
//! of the step before, the content was edited in between, and the replay applies an `Edit`
//! there (which resets the clearances given before it). The same holds between the last step
//! and the document as it is now.

use std::collections::BTreeMap;

use diplomatie_domain::{Circuit, Clearance, ClearanceError, Stage, Step};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The kind of statement a log entry makes: each is signed under its own context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statement {
    /// A step of the clearance (created, submit, clear, reject, approve, withdraw, version).
    Clearance,
    /// The release, with its signed record.
    Release,
    /// A final number replacing a provisional one.
    Renumber,
    /// An addressee for action acknowledges the released text.
    Acknowledgement,
}

/// An entry as kept in the document's log: the entry ([`LogEntry`]) as JSON, exactly as
/// signed, the signing device's certificate and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    pub entry: String,
    /// The device certificate, hex.
    pub certificate: String,
    /// The signature of `entry`'s bytes, hex.
    pub signature: String,
}

/// Who signed an entry: the identity key (hex) that certified the signing device, and the
/// device (its id, hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    pub identity: String,
    pub device: String,
}

/// How the replay checks signatures and the records a log carries. Keys, certificates and
/// the record format are not this crate's business: the client checks them.
pub trait LogCheck {
    /// A checked released record.
    type Release: Clone;
    /// Who signed `signed` as a statement of kind `statement`: refused when the signature
    /// does not verify under the certificate's device key, or the certificate under the
    /// identity key it names.
    fn signer(&self, signed: &SignedEntry, statement: Statement) -> Result<Signer, String>;
    /// The record of a `Release` entry on the version `heads`: valid when it is signed by a
    /// device of `approver` (the identity the circuit binds to its approver), for this draft
    /// and that version, and holds exactly the text of the document at `heads`.
    fn release(
        &mut self,
        record: &str,
        approver: &str,
        heads: &[String],
    ) -> Result<Self::Release, String>;
    /// The record of a `Renumber` entry: valid when it replaces `current` with a final number
    /// for the same text, signed by the same approver.
    fn renumber(&mut self, current: &Self::Release, record: &str) -> Result<Self::Release, String>;
}

/// One step as logged in the document.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LoggedStep {
    Created,
    /// The drafter sends the draft into clearance with this circuit, each of its members
    /// named with their identity key (hex).
    Submit {
        circuit: Circuit,
        members: BTreeMap<String, String>,
    },
    Clear {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    Reject {
        comment: String,
    },
    Approve,
    Withdraw {
        reason: String,
    },
    /// The signed released record (UTF-8), as the client writes it; checked on replay by a
    /// [`LogCheck`].
    Release {
        record: String,
    },
    /// A version named on demand.
    Version {
        label: String,
    },
    /// The record that gives a provisionally numbered release its final number (it names the
    /// record it supersedes).
    Renumber {
        record: String,
    },
    /// An addressee for action acknowledges the released text ("lu et pris en compte"),
    /// counted only after a valid release, once per identity.
    Acknowledge,
}

// Comments and reasons are the users' words: never in a log line.
impl std::fmt::Debug for LoggedStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::fmt::Debug for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogEntry")
            .field("actor", &self.actor)
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl LoggedStep {
    pub fn code(&self) -> &'static str {
        match self {
            LoggedStep::Created => "created",
            LoggedStep::Submit { .. } => "submit",
            LoggedStep::Clear { .. } => "clear",
            LoggedStep::Reject { .. } => "reject",
            LoggedStep::Approve => "approve",
            LoggedStep::Withdraw { .. } => "withdraw",
            LoggedStep::Release { .. } => "release",
            LoggedStep::Version { .. } => "version",
            LoggedStep::Renumber { .. } => "renumber",
            LoggedStep::Acknowledge => "acknowledge",
        }
    }

    /// The domain step, for those the state machine rules.
    pub fn domain_step(&self) -> Option<Step> {
        Some(match self {
            LoggedStep::Submit { .. } => Step::Submit,
            LoggedStep::Clear { comment } => Step::Clear {
                comment: comment.clone(),
            },
            LoggedStep::Reject { comment } => Step::Reject {
                comment: comment.clone(),
            },
            LoggedStep::Approve => Step::Approve,
            LoggedStep::Withdraw { reason } => Step::Withdraw {
                reason: reason.clone(),
            },
            LoggedStep::Release { .. } => Step::Release,
            LoggedStep::Created
            | LoggedStep::Version { .. }
            | LoggedStep::Renumber { .. }
            | LoggedStep::Acknowledge => {
                return None;
            }
        })
    }

    /// The kind of statement the step makes, which its signature is made under.
    pub fn statement(&self) -> Statement {
        match self {
            LoggedStep::Release { .. } => Statement::Release,
            LoggedStep::Renumber { .. } => Statement::Renumber,
            LoggedStep::Acknowledge => Statement::Acknowledgement,
            _ => Statement::Clearance,
        }
    }

    /// The comment or reason a person wrote with the step.
    pub fn comment(&self) -> Option<&str> {
        match self {
            LoggedStep::Clear { comment } => comment.as_deref(),
            LoggedStep::Reject { comment } => Some(comment),
            LoggedStep::Withdraw { reason } => Some(reason),
            LoggedStep::Version { label } => Some(label),
            _ => None,
        }
    }
}

/// An entry of the log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The draft it is a step of.
    pub draft: String,
    /// The name the actor goes by in the circuit (shown; who acted is the signer).
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(flatten)]
    pub step: LoggedStep,
    /// `DraftDoc::content_fingerprint` as the actor saw it.
    pub content: String,
    /// The document's heads when the step was taken: the version it applies to.
    pub heads: Vec<String>,
}

/// A step as the interface and the CLI show it.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct LogView {
    pub actor: String,
    /// RFC 3339.
    pub at: String,
    pub step: String,
    pub comment: Option<String>,
    /// `None` when the step took effect; otherwise why the replay refused it.
    pub refused: Option<String>,
    /// Clearers whose clearance an edit made before this step reset.
    pub reset: Vec<String>,
    pub heads: Vec<String>,
    /// Who signed the entry, when its signature verified.
    pub signer: Option<Signer>,
}

impl std::fmt::Debug for LogView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogView")
            .field("actor", &self.actor)
            .field("step", &self.step)
            .field("refused", &self.refused)
            .finish_non_exhaustive()
    }
}

/// A version of the draft: one per clearance round, those named on demand, and the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionView {
    /// 1, 2, …: what `diplo history --diff` takes.
    pub number: usize,
    pub label: String,
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub heads: Vec<String>,
}

/// What the replay of a log gives; `R` is the checked released record
/// ([`LogCheck::Release`]).
#[derive(Debug, Clone)]
pub struct Replayed<R> {
    /// `None` until the first submission.
    pub clearance: Option<Clearance>,
    pub log: Vec<LogView>,
    pub versions: Vec<VersionView>,
    /// The released record, once a valid one is in the log.
    pub release: Option<R>,
    /// For each clearer, the heads of the version they last cleared (what changed since is
    /// what they have to read again).
    pub cleared_heads: BTreeMap<String, Vec<String>>,
    /// The drafter's name and identity key (hex), bound by the first `Created` entry.
    pub drafter: Option<(String, String)>,
    /// The members of the current circuit: name to identity key (hex), bound by the
    /// submission that set the circuit.
    pub members: BTreeMap<String, String>,
    /// The acknowledgements of the released text, the first of each identity, in log order.
    pub acknowledgements: Vec<Acknowledged>,
}

/// An acknowledgement of the released text: who signed it (the name they gave, and the
/// identity that certified their device) and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledged {
    pub name: String,
    pub signer: Signer,
    /// RFC 3339.
    pub at: String,
}

impl<R> Replayed<R> {
    pub fn stage(&self) -> Stage {
        self.clearance
            .as_ref()
            .map_or(Stage::Draft, Clearance::stage)
    }

    /// The name the person of identity `identity` (hex) goes by in this draft: their name in
    /// the circuit, or the drafter's before the first submission.
    pub fn name_of(&self, identity: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(_, key)| *key == identity)
            .map(|(name, _)| name.as_str())
            .or_else(|| {
                self.drafter
                    .as_ref()
                    .filter(|(_, key)| key == identity)
                    .map(|(name, _)| name.as_str())
            })
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Applies an edit (by the drafter, a member of every circuit) when the content changed.
fn edit(clearance: &mut Clearance) -> Vec<String> {
    let drafter = clearance.circuit().drafter.clone();
    match clearance.apply(&drafter, Step::Edit) {
        Ok(t) => t.reset.into_iter().map(|(name, _)| name).collect(),
        // After release or withdrawal an edit changes nothing that counts.
        Err(_) => Vec::new(),
    }
}

/// Replays `entries` (the raw log of draft `draft`) for a document whose content digest is
/// now `current`, checking signatures and released records with `check`.
pub fn replay<C: LogCheck>(
    draft: &str,
    entries: &[String],
    current: &str,
    check: &mut C,
) -> Replayed<C::Release> {
    let mut out = Replayed {
        clearance: None,
        log: Vec::new(),
        versions: Vec::new(),
        release: None,
        cleared_heads: BTreeMap::new(),
        drafter: None,
        members: BTreeMap::new(),
        acknowledgements: Vec::new(),
    };
    let mut last_content: Option<String> = None;
    for raw in entries {
        let Some((signed, entry)) = read_entry(raw) else {
            out.log.push(LogView {
                actor: String::new(),
                at: String::new(),
                step: "unreadable".into(),
                comment: None,
                refused: Some(
                    "this log entry is unsigned or unreadable (written before signatures, or by a newer version)"
                        .into(),
                ),
                reset: Vec::new(),
                heads: Vec::new(),
                signer: None,
            });
            continue;
        };
        let signer = check.signer(&signed, entry.step.statement());
        let mut reset = Vec::new();
        let mut actor = entry.actor.clone();
        let result = match &signer {
            Err(why) => Err(format!("refused: {why}")),
            Ok(_) if entry.draft != draft => {
                Err("refused: this entry was signed for another draft and copied here".to_owned())
            }
            Ok(signer) => match authorise(&out, &entry, signer) {
                Err(why) => Err(why),
                Ok(name) => {
                    actor = name;
                    if let (Some(c), Some(last)) = (out.clearance.as_mut(), last_content.as_ref())
                        && *last != entry.content
                    {
                        reset = edit(c);
                    }
                    apply_entry(&mut out, &entry, &actor, signer, check)
                }
            },
        };
        if result.is_ok() {
            last_content = Some(entry.content.clone());
        }
        out.log.push(LogView {
            actor,
            at: rfc3339(entry.at),
            step: entry.step.code().to_owned(),
            comment: entry.step.comment().map(str::to_owned),
            refused: result.err(),
            reset,
            heads: entry.heads.clone(),
            signer: signer.ok(),
        });
    }
    if let (Some(c), Some(last)) = (out.clearance.as_mut(), last_content.as_ref())
        && last != current
    {
        edit(c);
    }
    out
}

fn read_entry(raw: &str) -> Option<(SignedEntry, LogEntry)> {
    let signed: SignedEntry = serde_json::from_str(raw).ok()?;
    let entry: LogEntry = serde_json::from_str(&signed.entry).ok()?;
    Some((signed, entry))
}

/// The name under which `signer` takes `entry`'s step, if the draft binds them to it.
fn authorise<R>(out: &Replayed<R>, entry: &LogEntry, signer: &Signer) -> Result<String, String> {
    let not_bound = || {
        format!(
            "refused: signed by a key this draft's circuit does not name for {} (identity {})",
            entry.actor,
            signer.identity.get(..16).unwrap_or(&signer.identity)
        )
    };
    match &entry.step {
        LoggedStep::Created => match &out.drafter {
            None => Ok(entry.actor.clone()),
            Some(_) => Err("refused: the draft was created already".into()),
        },
        // Addressees are not members of the circuit: anyone's signed acknowledgement is kept,
        // under the identity that signed it (the reader sees whether they know it).
        LoggedStep::Acknowledge => Ok(entry.actor.clone()),
        LoggedStep::Submit { circuit, members } => {
            let drafter = out
                .drafter
                .as_ref()
                .filter(|(_, key)| *key == signer.identity)
                .ok_or_else(not_bound)?;
            check_members(circuit, members)?;
            if members.get(&circuit.drafter) != Some(&drafter.1) {
                return Err("refused: the circuit names another drafter than the draft's".into());
            }
            Ok(circuit.drafter.clone())
        }
        _ => out
            .name_of(&signer.identity)
            .map(str::to_owned)
            .ok_or_else(not_bound),
    }
}

/// Every person of `circuit` has an identity in `members`, and no identity has two names.
fn check_members(circuit: &Circuit, members: &BTreeMap<String, String>) -> Result<(), String> {
    let named = std::iter::once(&circuit.drafter)
        .chain(&circuit.clearers)
        .chain(std::iter::once(&circuit.approver));
    for name in named {
        if !members.contains_key(name) {
            return Err(format!(
                "refused: the circuit names {name} without their identity key"
            ));
        }
    }
    let mut keys: Vec<&String> = members.values().collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    if keys.len() != before {
        return Err("refused: the circuit names one person under two names".into());
    }
    Ok(())
}

fn apply_entry<C: LogCheck>(
    out: &mut Replayed<C::Release>,
    entry: &LogEntry,
    actor: &str,
    signer: &Signer,
    check: &mut C,
) -> Result<(), String> {
    let version = |label: String| VersionView {
        number: 0,
        label,
        by: actor.to_owned(),
        at: rfc3339(entry.at),
        heads: entry.heads.clone(),
    };
    if entry.step.domain_step().is_none() {
        match &entry.step {
            LoggedStep::Created => {
                out.drafter = Some((actor.to_owned(), signer.identity.clone()));
            }
            LoggedStep::Version { label } => push_version(out, version(label.clone())),
            LoggedStep::Acknowledge => {
                if out.release.is_none() {
                    return Err("refused: an acknowledgement of a text not released".into());
                }
                if out
                    .acknowledgements
                    .iter()
                    .any(|a| a.signer.identity == signer.identity)
                {
                    return Err("acknowledged already".into());
                }
                out.acknowledgements.push(Acknowledged {
                    name: actor.to_owned(),
                    signer: signer.clone(),
                    at: rfc3339(entry.at),
                });
            }
            LoggedStep::Renumber { record } => {
                let current = out
                    .release
                    .as_ref()
                    .ok_or("a new number for a text that is not released")?;
                let approver = out
                    .clearance
                    .as_ref()
                    .and_then(|c| out.members.get(&c.circuit().approver));
                if approver != Some(&signer.identity) {
                    return Err("refused: a new number is given only by the approver".into());
                }
                let signed = check.renumber(current, record)?;
                out.release = Some(signed);
            }
            _ => {}
        }
        return Ok(());
    }
    // A release is checked before it counts; the state machine then says whether it may.
    let signed = match (&entry.step, out.clearance.as_ref()) {
        (LoggedStep::Release { record }, Some(c)) => {
            let approver = out
                .members
                .get(&c.circuit().approver)
                .ok_or("refused: the circuit's approver has no identity key")?;
            Some(check.release(record, approver, &entry.heads)?)
        }
        _ => None,
    };
    out.clearance =
        try_step(out.clearance.as_ref(), actor, &entry.step).map_err(|e| e.to_string())?;
    match &entry.step {
        LoggedStep::Submit { members, .. } => {
            out.members = members.clone();
            let round = out.clearance.as_ref().map_or(0, Clearance::round);
            push_version(out, version(format!("round {round}")));
        }
        LoggedStep::Clear { .. } => {
            out.cleared_heads
                .insert(actor.to_owned(), entry.heads.clone());
        }
        LoggedStep::Release { .. } => {
            push_version(out, version("released".into()));
            out.release = signed;
        }
        _ => {}
    }
    Ok(())
}

/// The clearance after `actor` takes `step`, tried on a copy of `current` (a refused step
/// changes nothing): what the replay does with a logged step, and what the service checks
/// before logging one. A submission names its circuit, which replaces the current one while
/// the draft is being written; steps outside the state machine (versions, new numbers) leave
/// the clearance as it is.
pub fn try_step(
    current: Option<&Clearance>,
    actor: &str,
    step: &LoggedStep,
) -> Result<Option<Clearance>, ClearanceError> {
    let Some(domain) = step.domain_step() else {
        return Ok(current.cloned());
    };
    let mut next = match (step, current) {
        (LoggedStep::Submit { circuit, .. }, None) => Clearance::new(circuit.clone())?,
        (LoggedStep::Submit { circuit, .. }, Some(c)) => {
            let mut c = c.clone();
            if c.stage() == Stage::Draft {
                c.set_circuit(circuit.clone())?;
            }
            c
        }
        (_, Some(c)) => c.clone(),
        (_, None) => {
            return Err(ClearanceError::WrongStage {
                step: domain.code(),
                stage: Stage::Draft,
                allowed: "after submission",
            });
        }
    };
    next.apply(actor, domain)?;
    Ok(Some(next))
}

fn push_version<R>(out: &mut Replayed<R>, mut v: VersionView) {
    v.number = out.versions.len() + 1;
    out.versions.push(v);
}
