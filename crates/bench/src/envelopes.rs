//! What sealing content into envelopes costs, measured here on payloads of 1 KiB, 64 KiB and
//! 1 MiB (a change set, a draft's snapshot, a document with attachments):
//!
//! - an envelope sealed and opened (`Envelope::seal`: postcard framing, AES-256-GCM under the
//!   epoch key, the SHA-256 digest of the sealed part and an Ed25519 signature; `decode` and
//!   `open`: the signature verified, then the content decrypted), against raw ring AES-256-GCM
//!   sealing and opening the same payload in place: target ≥ 0.7× its throughput;
//! - the same against the least a signed envelope must do: raw AES-256-GCM plus one SHA-256
//!   pass, one Ed25519 signature and one verification.
//!
//! Each figure is the median of runs alternated between ours and the baselines.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use diplomatie_crypto::{SecretKey, SigningKey, random_bytes};
use diplomatie_protocol::{Content, ContentKind, Envelope, EnvelopeHeader, EnvelopeId, SpaceId};
use ed25519_dalek::{Signer, Verifier};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use sha2::{Digest, Sha256};

use crate::{Row, row, verdict};

const SIZES: [usize; 3] = [1024, 64 * 1024, 1024 * 1024];

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64().max(f64::EPSILON) / (1024.0 * 1024.0)
}

/// How many envelopes of `size` bytes one timed run seals and opens (about 8 MiB a run, at
/// least 16 envelopes).
fn count(size: usize) -> usize {
    (8 * 1024 * 1024 / size).max(16)
}

pub fn rows(runs: usize) -> Result<Vec<Row>> {
    let runs = runs.max(5);
    let (key, device) = crate::certified_device(&SigningKey::generate()?)?;
    let epoch_key = SecretKey::generate()?;
    let ring_key = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, epoch_key.expose()).map_err(|_| anyhow!("AES key"))?,
    );
    let dalek = ed25519_dalek::SigningKey::from_bytes(&random_bytes::<32>()?);
    let dalek_public = dalek.verifying_key();
    let space = SpaceId::random()?;
    let mut out = Vec::new();
    for size in SIZES {
        let content = Content {
            kind: ContentKind::DraftSnapshot,
            body: vec![0x5a; size],
        };
        let n = count(size);
        let (mut ours, mut raw, mut least) = (Vec::new(), Vec::new(), Vec::new());
        let mut seq = 0;
        for _ in 0..runs {
            let start = Instant::now();
            for _ in 0..n {
                seq += 1;
                let header = EnvelopeHeader {
                    space,
                    epoch: 1,
                    sender: device.device,
                    seq,
                    id: EnvelopeId::random()?,
                };
                let envelope = Envelope::seal(header, &epoch_key, &content, &key)?;
                let opened = Envelope::decode(envelope.bytes())?.open(&device, &epoch_key)?;
                if opened.body.len() != size {
                    return Err(anyhow!("an envelope opened to another size"));
                }
            }
            ours.push(start.elapsed());

            let start = Instant::now();
            for _ in 0..n {
                raw_aead(&ring_key, &content.body)?;
            }
            raw.push(start.elapsed());

            let start = Instant::now();
            for _ in 0..n {
                let (n, sealed) = raw_aead_sealed(&ring_key, &content.body)?;
                let signature = dalek.sign(&Sha256::digest(&sealed));
                dalek_public.verify(&Sha256::digest(&sealed), &signature)?;
                raw_aead_open(&ring_key, (n, sealed))?;
            }
            least.push(start.elapsed());
        }
        let bytes = size * n;
        let (ours, raw, least) = (median(ours), median(raw), median(least));
        let (ours, raw, least) = (per_s(bytes, ours), per_s(bytes, raw), per_s(bytes, least));
        let label = match size {
            1024 => "1 KiB",
            65536 => "64 KiB",
            _ => "1 MiB",
        };
        out.push(row(
            format!("envelopes of {label}, seal + open: ours / raw AES-256-GCM (MiB/s)"),
            format!("{ours:.0} / {raw:.0} ({:.2}×)", ours / raw),
            format!("≥ 0.7× {}", verdict(ours / raw >= 0.7)),
        ));
        out.push(row(
            format!(
                "envelopes of {label}: ours / raw AES-256-GCM + SHA-256 + Ed25519 sign and verify (MiB/s)"
            ),
            format!("{ours:.0} / {least:.0} ({:.2}×)", ours / least),
            "measured".to_owned(),
        ));
    }
    Ok(out)
}

fn nonce() -> Result<Nonce> {
    Ok(Nonce::assume_unique_for_key(random_bytes::<12>()?))
}

fn raw_aead_sealed(key: &LessSafeKey, payload: &[u8]) -> Result<(Nonce, Vec<u8>)> {
    let mut buffer = payload.to_vec();
    let n = nonce()?;
    let copy = Nonce::assume_unique_for_key(*n.as_ref());
    key.seal_in_place_append_tag(n, Aad::empty(), &mut buffer)
        .map_err(|_| anyhow!("seal"))?;
    Ok((copy, buffer))
}

fn raw_aead_open(key: &LessSafeKey, (nonce, mut sealed): (Nonce, Vec<u8>)) -> Result<()> {
    key.open_in_place(nonce, Aad::empty(), &mut sealed)
        .map_err(|_| anyhow!("open"))?;
    Ok(())
}

fn raw_aead(key: &LessSafeKey, payload: &[u8]) -> Result<()> {
    raw_aead_open(key, raw_aead_sealed(key, payload)?)
}
