use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The key is wrong or the data was altered: the two cannot be told apart, by design.
    #[error("decryption failed: wrong key or altered data")]
    Unauthentic,
    #[error("the system's random number generator failed")]
    Random,
    #[error("invalid key material: {0}")]
    InvalidKey(&'static str),
    #[error("signature does not verify")]
    BadSignature,
    #[error("unsupported key derivation parameters: {0}")]
    UnsupportedKdf(String),
    #[error("could not harden the process: {0}")]
    Hardening(String),
}
