//! What signing the clearance log costs, measured here:
//!
//! - the replay of a draft's log of 1,000 signed entries (the draft's creation, then named
//!   versions, each signed by the drafter's device) with every signature and certificate
//!   checked, against the same replay trusting each entry's signer without any cryptography (a
//!   table lookup): target ≤ 1.5×. Measured three ways: the profile's replay in a process that
//!   starts afresh (`Profile::replay_log`: the entries it verified before are recorded in its
//!   store, read inside the timing, and only their certificates are checked), the same replay
//!   again in the process (entries also remembered in memory), and the replay of entries this
//!   profile never saw (`diplomatie_client::drafting::replay`, every signature verified: what
//!   happens once per entry, when it arrives);
//! - the checker's throughput (`SignatureChecker::verify`: hex, the context's framing and one
//!   Ed25519 verification an entry, the certificate checked once, nothing remembered) against
//!   raw ed25519-dalek `verify_strict` of the same framed bytes under the same key: target
//!   ≥ 0.8×.
//!
//! Both replays read the log and the content digest out of the document inside the timing.
//!
//! Each measure is the median of `runs` runs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diplomatie_client::drafting::{
    DraftDoc, LogCheck, SignatureChecker, SignedEntry, Signer, Statement, replay,
};
use diplomatie_client::{InitOptions, KdfCost, Profile};
use diplomatie_crypto::hex;
use diplomatie_domain::ItemKind;
use diplomatie_protocol::DeviceCertificate;

use crate::{PASSPHRASE, Row, row, verdict};

/// The entries of the log measured.
const ENTRIES: usize = 1_000;

/// Replays trusting each entry's signer, looked up by certificate: the replay without its
/// cryptography.
struct Trusting(HashMap<String, Signer>);

impl LogCheck for Trusting {
    type Release = ();

    fn signer(&self, signed: &SignedEntry, _: Statement) -> Result<Signer, String> {
        self.0
            .get(&signed.certificate)
            .cloned()
            .ok_or_else(|| "unknown".to_owned())
    }

    fn release(&mut self, _: &str, _: &str, _: &[String]) -> Result<(), String> {
        Ok(())
    }

    fn renumber(&mut self, _: &(), _: &str) -> Result<(), String> {
        Ok(())
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A draft of `ENTRIES` signed log entries, as a replica loads it.
fn signed_draft() -> Result<(tempfile::TempDir, Profile, String, Vec<u8>)> {
    let tmp = tempfile::tempdir()?;
    let profile = Profile::init(
        &tmp.path().join("p"),
        PASSPHRASE,
        InitOptions {
            name: "Alice Lefèvre".into(),
            org: "BERLIN".into(),
            email: None,
            role: String::new(),
            kdf_cost: Some(KdfCost::MIN),
        },
    )?;
    let id = profile.create_draft(ItemKind::Telegram)?.id;
    for n in 1..ENTRIES {
        profile.name_draft_version(&id, &format!("v{n}"))?;
    }
    let packet = profile.export_draft(&id)?;
    // DIPLOMATIE-DRAFT/1, the id, then the document.
    let doc = packet
        .splitn(3, |&b| b == b'\n')
        .nth(2)
        .context("the exported draft has no document")?
        .to_vec();
    Ok((tmp, profile, id, doc))
}

pub fn rows(runs: usize) -> Result<Vec<Row>> {
    let runs = runs.max(1);
    let (_tmp, profile, id, bytes) = signed_draft()?;
    let mut doc = DraftDoc::load(&bytes, &[7; 16])?;
    let entries = doc.log();
    if entries.len() != ENTRIES {
        bail!(
            "the draft's log has {} entries, not {ENTRIES}",
            entries.len()
        );
    }
    let signed: Vec<SignedEntry> = entries
        .iter()
        .map(|e| serde_json::from_str(e))
        .collect::<Result<_, _>>()?;
    let checker = SignatureChecker::default();
    let trusted: HashMap<String, Signer> = signed
        .iter()
        .map(|s| {
            let signer = checker
                .signer(s, Statement::Clearance)
                .map_err(anyhow::Error::msg)?;
            Ok((s.certificate.clone(), signer))
        })
        .collect::<Result<_>>()?;

    let mut arriving = Vec::new();
    let mut fresh = Vec::new();
    let mut again = Vec::new();
    let mut unchecked = Vec::new();
    let check = |replayed: diplomatie_client::drafting::Replayed| -> Result<()> {
        if replayed.versions.len() != ENTRIES - 1
            || replayed.log.iter().any(|l| l.refused.is_some())
        {
            bail!("the signed replay refused entries");
        }
        Ok(())
    };
    // The profile verified and recorded every entry as it made them; once more to be sure.
    check(profile.replay_log(&id, &mut doc))?;
    for _ in 0..runs {
        SignatureChecker::forget_verified();
        let start = Instant::now();
        let replayed = profile.replay_log(&id, &mut doc);
        fresh.push(start.elapsed());
        check(replayed)?;
        let start = Instant::now();
        let replayed = profile.replay_log(&id, &mut doc);
        again.push(start.elapsed());
        check(replayed)?;
        SignatureChecker::forget_verified();
        let start = Instant::now();
        let replayed = replay(&id, &mut doc);
        arriving.push(start.elapsed());
        check(replayed)?;
        let mut trusting = Trusting(trusted.clone());
        let start = Instant::now();
        let (log, current) = (doc.log(), doc.content_fingerprint());
        let replayed = diplomatie_draft::replay(&id, &log, &current, &mut trusting);
        unchecked.push(start.elapsed());
        if replayed.versions.len() != ENTRIES - 1 {
            bail!("the trusting replay lost entries");
        }
    }
    let (arriving, fresh, again, unchecked) = (
        median(arriving),
        median(fresh),
        median(again),
        median(unchecked),
    );
    let ratio = |d: Duration| d.as_secs_f64() / unchecked.as_secs_f64().max(f64::EPSILON);
    let (arriving_ratio, fresh_ratio, again_ratio) = (ratio(arriving), ratio(fresh), ratio(again));

    // Throughput: the checker (certificate cached) vs raw verify_strict of the same bytes.
    let first = signed.first().context("no entry")?;
    let device =
        DeviceCertificate::decode(&hex::decode(&first.certificate).context("certificate hex")?)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&device.signing)?;
    let framed: Vec<(Vec<u8>, ed25519_dalek::Signature)> = signed
        .iter()
        .map(|s| {
            let mut bytes = b"diplomatie/clearance/v1\0".to_vec();
            bytes.extend_from_slice(s.entry.as_bytes());
            let sig = hex::decode(&s.signature).context("signature hex")?;
            Ok((bytes, ed25519_dalek::Signature::from_slice(&sig)?))
        })
        .collect::<Result<_>>()?;
    // Short measures, so more of them: at least 9 runs, ours and raw alternated.
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..runs.max(9) {
        let start = Instant::now();
        for s in &signed {
            checker
                .verify(s, Statement::Clearance)
                .map_err(anyhow::Error::msg)?;
        }
        ours.push(start.elapsed());
        let start = Instant::now();
        for (bytes, sig) in &framed {
            key.verify_strict(bytes, sig)?;
        }
        raw.push(start.elapsed());
    }
    let (ours, raw) = (median(ours), median(raw));
    let per_s = |d: Duration| ENTRIES as f64 / d.as_secs_f64().max(f64::EPSILON);
    let throughput_ratio = per_s(ours) / per_s(raw);
    Ok(vec![
        row(
            format!(
                "replay of {ENTRIES} signed log entries by the profile, first in the process (verified entries recorded in the store): checked / trusted"
            ),
            format!("{} / {} ({fresh_ratio:.2}×)", ms(fresh), ms(unchecked)),
            format!("≤ 1.5× {}", verdict(fresh_ratio <= 1.5)),
        ),
        row(
            "the same replay again in the process (verified entries also in memory): checked / trusted"
                .to_owned(),
            format!("{} / {} ({again_ratio:.2}×)", ms(again), ms(unchecked)),
            format!("≤ 1.5× {}", verdict(again_ratio <= 1.5)),
        ),
        row(
            format!(
                "replay of {ENTRIES} entries never seen, every signature verified (once an entry, as it arrives): checked / trusted"
            ),
            format!("{} / {} ({arriving_ratio:.2}×)", ms(arriving), ms(unchecked)),
            "measured".to_owned(),
        ),
        row(
            "log signature checks per second: ours / raw verify_strict",
            format!(
                "{:.0} / {:.0} ({throughput_ratio:.2}×)",
                per_s(ours),
                per_s(raw)
            ),
            format!("≥ 0.8× {}", verdict(throughput_ratio >= 0.8)),
        ),
    ])
}
