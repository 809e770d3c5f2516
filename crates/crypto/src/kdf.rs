//! Passphrase-based key derivation and HKDF for sub-keys.
//!
//! A passphrase becomes a key through **Argon2id** (RFC 9106, RustCrypto's `argon2`): memory
//! hard, so that guessing passphrases on a stolen key file costs memory as well as time. Its
//! cost (`KdfCost`: memory, passes, lanes) was chosen by measurement on the reference machine
//! (`DIPLOMATIE_BENCH=kdf make bench`, table in docs/BENCHMARKS.md): at least 64 MiB, and an
//! unlock under one second.
//!
//! PBKDF2-HMAC-SHA256 (ring) is still read: the first key files used it, and they are moved
//! to Argon2id by the store at their next unlock.
//!
//! Parameters read from a file are bounded both ways before anything is derived
//! (`KdfParams::check`): a file asking for gigabytes of memory or a billion passes is refused
//! with a clear message rather than obeyed, and so is one asking for less than the minimum.

use std::num::NonZeroU32;

use argon2::{Algorithm, Argon2, Params, Version};
use ring::{hkdf, pbkdf2};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{CryptoError, SecretKey, random_bytes};

/// The cost of an Argon2id derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfCost {
    /// Memory, in KiB (Argon2's `m`).
    pub memory_kib: u32,
    /// Passes over the memory (Argon2's `t`).
    pub passes: u32,
    /// Lanes (Argon2's `p`; computed one after the other here).
    pub lanes: u32,
}

impl KdfCost {
    /// What new key files use: 64 MiB, 3 passes, 1 lane, chosen by measurement (about
    /// 0.2 s on the reference machine in a release build, docs/BENCHMARKS.md): RFC 9106's
    /// second recommended option, and inside the one-second unlock budget with room for a
    /// slower laptop.
    pub const DEFAULT: KdfCost = KdfCost {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };

    /// The cheapest cost a key file may ask for (8 MiB, 1 pass): what tests use, so that
    /// they do not spend their time deriving keys. Below it a file is refused.
    pub const MIN: KdfCost = KdfCost {
        memory_kib: 8 * 1024,
        passes: 1,
        lanes: 1,
    };

    /// The dearest cost a key file may ask for. Above it a file is refused before anything
    /// is derived: obeying would take minutes or exhaust the machine's memory.
    pub const MAX: KdfCost = KdfCost {
        memory_kib: 1024 * 1024,
        passes: 10,
        lanes: 8,
    };

    fn check(self) -> Result<(), CryptoError> {
        let (min, max) = (Self::MIN, Self::MAX);
        let bounded = |what: &str, value: u32, low: u32, high: u32, unit: &str| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(CryptoError::UnsupportedKdf(format!(
                    "Argon2id {what} {value}{unit} is outside the accepted {low}{unit}..={high}{unit} \
                     (the key file was altered or made by another program: restore profile.key from a backup)"
                )))
            }
        };
        bounded(
            "memory",
            self.memory_kib,
            min.memory_kib,
            max.memory_kib,
            " KiB",
        )?;
        bounded("passes", self.passes, min.passes, max.passes, "")?;
        bounded("lanes", self.lanes, min.lanes, max.lanes, "")?;
        Ok(())
    }
}

impl std::fmt::Display for KdfCost {
    /// `m=65536,t=3,p=1`: RFC 9106's letters, memory in KiB.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "m={},t={},p={}",
            self.memory_kib, self.passes, self.lanes
        )
    }
}

impl std::str::FromStr for KdfCost {
    type Err = CryptoError;

    /// Reads `m=KIB,t=PASSES[,p=LANES]` (lanes 1 when absent), checked against the bounds.
    fn from_str(text: &str) -> Result<Self, CryptoError> {
        let invalid = |why: &str| {
            CryptoError::UnsupportedKdf(format!(
                "{why}: write the cost as m=KIB,t=PASSES[,p=LANES], for example m=65536,t=3"
            ))
        };
        let (mut memory, mut passes, mut lanes) = (None, None, Some(1));
        for part in text.split(',') {
            let (key, value) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| invalid(&format!("'{part}' is not key=value")))?;
            let value: u32 = value
                .trim()
                .parse()
                .map_err(|_| invalid(&format!("'{value}' is not a whole number")))?;
            match key.trim() {
                "m" => memory = Some(value),
                "t" => passes = Some(value),
                "p" => lanes = Some(value),
                other => return Err(invalid(&format!("unknown parameter '{other}'"))),
            }
        }
        let cost = KdfCost {
            memory_kib: memory.ok_or_else(|| invalid("the memory (m) is missing"))?,
            passes: passes.ok_or_else(|| invalid("the passes (t) are missing"))?,
            lanes: lanes.unwrap_or(1),
        };
        cost.check()?;
        Ok(cost)
    }
}

/// The parameters of a passphrase derivation, stored beside the data they protect (with the
/// salt) so that they can be raised later without losing anything.
///
/// Serialised with the algorithm's name as a tag: `{"algorithm":"argon2id","version":19,
/// "memory_kib":65536,"passes":3,"lanes":1,"salt":"…"}` or, for the first key files,
/// `{"algorithm":"pbkdf2-hmac-sha256","iterations":600000,"salt":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm")]
pub enum KdfParams {
    #[serde(rename = "pbkdf2-hmac-sha256")]
    Pbkdf2HmacSha256 {
        iterations: u32,
        /// At least 16 random bytes, lowercase hex.
        salt: String,
    },
    #[serde(rename = "argon2id")]
    Argon2id {
        /// Argon2's version number: 19 (0x13).
        version: u32,
        memory_kib: u32,
        passes: u32,
        lanes: u32,
        /// At least 16 random bytes, lowercase hex.
        salt: String,
    },
}

/// Argon2's version 1.3, the only one accepted.
const ARGON2_VERSION: u32 = 0x13;
const SALT_BYTES: std::ops::RangeInclusive<usize> = 16..=64;

impl KdfParams {
    /// PBKDF2's iteration count for new PBKDF2 parameters: OWASP's 2023 figure.
    pub const DEFAULT_ITERATIONS: u32 = 600_000;
    /// Below this, PBKDF2 parameters are refused as tampered or obsolete.
    pub const MIN_ITERATIONS: u32 = 1_000;
    /// Above this, PBKDF2 parameters are refused before deriving (minutes of work).
    pub const MAX_ITERATIONS: u32 = 10_000_000;

    /// Fresh Argon2id parameters of this cost, with a random salt.
    pub fn argon2id(cost: KdfCost) -> Result<Self, CryptoError> {
        cost.check()?;
        let salt: [u8; 16] = random_bytes()?;
        Ok(Self::Argon2id {
            version: ARGON2_VERSION,
            memory_kib: cost.memory_kib,
            passes: cost.passes,
            lanes: cost.lanes,
            salt: crate::hex::encode(&salt),
        })
    }

    /// Fresh PBKDF2-HMAC-SHA256 parameters with a random salt. Passphrase keys of profiles use
    /// `argon2id`; this remains for keys whose format still names PBKDF2.
    pub fn generate(iterations: u32) -> Result<Self, CryptoError> {
        let salt: [u8; 16] = random_bytes()?;
        Ok(Self::Pbkdf2HmacSha256 {
            iterations,
            salt: crate::hex::encode(&salt),
        })
    }

    /// The algorithm's name as it is written in files.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Pbkdf2HmacSha256 { .. } => "pbkdf2-hmac-sha256",
            Self::Argon2id { .. } => "argon2id",
        }
    }

    /// The Argon2id cost, `None` for PBKDF2.
    pub fn argon2_cost(&self) -> Option<KdfCost> {
        match self {
            Self::Argon2id {
                memory_kib,
                passes,
                lanes,
                ..
            } => Some(KdfCost {
                memory_kib: *memory_kib,
                passes: *passes,
                lanes: *lanes,
            }),
            Self::Pbkdf2HmacSha256 { .. } => None,
        }
    }

    /// The salt, as written (hex).
    pub fn salt(&self) -> &str {
        match self {
            Self::Pbkdf2HmacSha256 { salt, .. } | Self::Argon2id { salt, .. } => salt,
        }
    }

    /// Every parameter in one canonical line (`argon2id|v=19|m=65536|t=3|p=1|salt=…`), for
    /// binding them in authenticated data: changing any of them changes the line.
    pub fn canonical(&self) -> String {
        match self {
            Self::Pbkdf2HmacSha256 { iterations, salt } => {
                format!("pbkdf2-hmac-sha256|i={iterations}|salt={salt}")
            }
            Self::Argon2id {
                version,
                memory_kib,
                passes,
                lanes,
                salt,
            } => format!("argon2id|v={version}|m={memory_kib}|t={passes}|p={lanes}|salt={salt}"),
        }
    }

    /// Refuses parameters outside the accepted bounds (either way) or a malformed salt,
    /// without deriving anything.
    pub fn check(&self) -> Result<(), CryptoError> {
        match self {
            Self::Pbkdf2HmacSha256 { iterations, .. } => {
                if !(Self::MIN_ITERATIONS..=Self::MAX_ITERATIONS).contains(iterations) {
                    return Err(CryptoError::UnsupportedKdf(format!(
                        "{iterations} PBKDF2 iterations is outside the accepted {}..={} \
                         (the key file was altered: restore profile.key from a backup)",
                        Self::MIN_ITERATIONS,
                        Self::MAX_ITERATIONS
                    )));
                }
            }
            Self::Argon2id { version, .. } => {
                if *version != ARGON2_VERSION {
                    return Err(CryptoError::UnsupportedKdf(format!(
                        "Argon2 version {version} (only version {ARGON2_VERSION} is read)"
                    )));
                }
                if let Some(cost) = self.argon2_cost() {
                    cost.check()?;
                }
            }
        }
        self.salt_bytes().map(drop)
    }

    fn salt_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        let salt = crate::hex::decode(self.salt())
            .ok_or_else(|| CryptoError::UnsupportedKdf("salt is not hex".into()))?;
        if !SALT_BYTES.contains(&salt.len()) {
            return Err(CryptoError::UnsupportedKdf(format!(
                "the salt must be {} to {} bytes",
                SALT_BYTES.start(),
                SALT_BYTES.end()
            )));
        }
        Ok(salt)
    }
}

/// Derives a 256-bit key from a passphrase. Deliberately slow: that is its job. The
/// parameters are checked first (`KdfParams::check`).
pub fn derive_key(passphrase: &[u8], params: &KdfParams) -> Result<SecretKey, CryptoError> {
    params.check()?;
    let salt = params.salt_bytes()?;
    let mut out = Zeroizing::new([0u8; SecretKey::LEN]);
    match params {
        KdfParams::Pbkdf2HmacSha256 { iterations, .. } => {
            let iterations = NonZeroU32::new(*iterations)
                .ok_or_else(|| CryptoError::UnsupportedKdf("zero iterations".into()))?;
            pbkdf2::derive(
                pbkdf2::PBKDF2_HMAC_SHA256,
                iterations,
                &salt,
                passphrase,
                out.as_mut_slice(),
            );
        }
        KdfParams::Argon2id {
            memory_kib,
            passes,
            lanes,
            ..
        } => {
            let argon_params = Params::new(*memory_kib, *passes, *lanes, Some(SecretKey::LEN))
                .map_err(|e| CryptoError::UnsupportedKdf(format!("Argon2id parameters: {e}")))?;
            Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
                .hash_password_into(passphrase, &salt, out.as_mut_slice())
                .map_err(|e| CryptoError::UnsupportedKdf(format!("Argon2id: {e}")))?;
        }
    }
    Ok(SecretKey::from_bytes(*out))
}

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// A sub-key for one purpose (`info`), derived from a key with HKDF-SHA256.
pub fn hkdf_sha256(key: &SecretKey, info: &[u8]) -> Result<SecretKey, CryptoError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"diplomatie-hkdf-v1").extract(key.expose());
    let infos = [info];
    let okm = prk
        .expand(&infos, Len32)
        .map_err(|_| CryptoError::InvalidKey("HKDF output length"))?;
    let mut out = Zeroizing::new([0u8; 32]);
    okm.fill(out.as_mut_slice())
        .map_err(|_| CryptoError::InvalidKey("HKDF output length"))?;
    Ok(SecretKey::from_bytes(*out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_reads_back_from_its_text_and_bad_text_says_how_to_write_it() {
        for cost in [KdfCost::MIN, KdfCost::DEFAULT, KdfCost::MAX] {
            assert_eq!(cost.to_string().parse::<KdfCost>().unwrap(), cost);
        }
        assert_eq!("m=8192,t=1".parse::<KdfCost>().unwrap(), KdfCost::MIN);
        for bad in [
            "",
            "m=8192",
            "t=1",
            "m=8192,t=x",
            "m=8192,t=1,q=2",
            "m=1,t=1",
            "8192,1",
        ] {
            let err = bad.parse::<KdfCost>().unwrap_err().to_string();
            assert!(
                err.contains("m=KIB,t=PASSES") || err.contains("outside the accepted"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn derivation_is_deterministic_per_salt_and_passphrase() {
        for p in [
            KdfParams::generate(2_000).unwrap(),
            KdfParams::argon2id(KdfCost::MIN).unwrap(),
        ] {
            let a = derive_key(b"correct horse", &p).unwrap();
            assert_eq!(a, derive_key(b"correct horse", &p).unwrap());
            assert_ne!(a, derive_key(b"correct horsf", &p).unwrap());
        }
        let p = KdfParams::argon2id(KdfCost::MIN).unwrap();
        let q = KdfParams::argon2id(KdfCost::MIN).unwrap();
        assert_ne!(
            derive_key(b"correct horse", &p).unwrap(),
            derive_key(b"correct horse", &q).unwrap()
        );
    }

    /// RFC 9106's Argon2id test vector needs a secret and associated data, which this
    /// derivation does not use; this vector (no secret, no data) is the reference
    /// implementation's (`argon2 -id -t 2 -m 16 -p 1 -l 32`, salt "somesalt", password
    /// "password"), so the parameters mean what the file says.
    #[test]
    fn argon2id_matches_the_reference_implementation() {
        let params = Params::new(1 << 16, 2, 1, Some(32)).unwrap();
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(b"password", b"somesalt", &mut out)
            .unwrap();
        assert_eq!(
            crate::hex::encode(&out),
            "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
        );
    }

    #[test]
    fn parameters_outside_the_bounds_are_refused_before_deriving() {
        let argon = |memory_kib, passes, lanes| KdfParams::Argon2id {
            version: ARGON2_VERSION,
            memory_kib,
            passes,
            lanes,
            salt: "00".repeat(16),
        };
        // 4 GiB of memory, a billion passes: refused at once, not obeyed.
        for (p, word) in [
            (argon(4 * 1024 * 1024, 1, 1), "memory"),
            (argon(u32::MAX, 1, 1), "memory"),
            (argon(65536, 1_000_000_000, 1), "passes"),
            (argon(65536, 3, 1000), "lanes"),
            (argon(8, 3, 1), "memory"),
            (argon(65536, 0, 1), "passes"),
            (argon(65536, 3, 0), "lanes"),
        ] {
            let start = std::time::Instant::now();
            let err = derive_key(b"x", &p).unwrap_err();
            assert!(start.elapsed() < std::time::Duration::from_millis(50));
            assert!(
                matches!(&err, CryptoError::UnsupportedKdf(m) if m.contains(word) && m.contains("backup")),
                "{err}"
            );
        }
        let mut v = argon(65536, 3, 1);
        if let KdfParams::Argon2id { version, .. } = &mut v {
            *version = 0x10;
        }
        assert!(
            matches!(derive_key(b"x", &v), Err(CryptoError::UnsupportedKdf(m)) if m.contains("version"))
        );
        for iterations in [10, 1_000_000_000] {
            let p = KdfParams::Pbkdf2HmacSha256 {
                iterations,
                salt: "00".repeat(16),
            };
            assert!(matches!(
                derive_key(b"x", &p),
                Err(CryptoError::UnsupportedKdf(_))
            ));
        }
        assert!(
            KdfParams::argon2id(KdfCost {
                memory_kib: 4 * 1024 * 1024,
                ..KdfCost::DEFAULT
            })
            .is_err()
        );
    }

    #[test]
    fn malformed_salts_are_refused() {
        for salt in ["zz", "00", &"00".repeat(65)] {
            let mut q = KdfParams::argon2id(KdfCost::MIN).unwrap();
            if let KdfParams::Argon2id { salt: s, .. } = &mut q {
                *s = salt.to_owned();
            }
            assert!(matches!(
                derive_key(b"x", &q),
                Err(CryptoError::UnsupportedKdf(_))
            ));
        }
    }

    #[test]
    fn parameters_read_back_from_their_json_and_the_first_files_still_parse() {
        let p = KdfParams::argon2id(KdfCost::DEFAULT).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert!(
            json.starts_with(r#"{"algorithm":"argon2id","version":19,"memory_kib":65536"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<KdfParams>(&json).unwrap(), p);
        let old: KdfParams = serde_json::from_str(
            r#"{"algorithm":"pbkdf2-hmac-sha256","iterations":2000,"salt":"254f7ad13ff641733637e8f822a10f77"}"#,
        )
        .unwrap();
        assert_eq!(old.argon2_cost(), None);
        assert_eq!(
            old.canonical(),
            "pbkdf2-hmac-sha256|i=2000|salt=254f7ad13ff641733637e8f822a10f77"
        );
        assert!(
            serde_json::from_str::<KdfParams>(r#"{"algorithm":"scrypt","salt":"00"}"#).is_err()
        );
    }

    #[test]
    fn hkdf_separates_purposes() {
        let k = SecretKey::generate().unwrap();
        assert_ne!(
            hkdf_sha256(&k, b"a").unwrap(),
            hkdf_sha256(&k, b"b").unwrap()
        );
        assert_eq!(
            hkdf_sha256(&k, b"a").unwrap(),
            hkdf_sha256(&k, b"a").unwrap()
        );
    }
}
