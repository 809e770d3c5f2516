//! AES-256-GCM with a random 96-bit nonce: `nonce || ciphertext || tag`.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::{CryptoError, SecretKey, random_bytes};

fn cipher(key: &SecretKey) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&AES_256_GCM, key.expose())
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::InvalidKey("AES-256-GCM key"))
}

/// Encrypts and authenticates `plaintext`, binding `aad` (authenticated, not encrypted).
pub fn seal(key: &SecretKey, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    out.extend_from_slice(&nonce_bytes);
    let mut body = plaintext.to_vec();
    cipher(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad),
            &mut body,
        )
        .map_err(|_| CryptoError::InvalidKey("AES-256-GCM seal"))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Checks and decrypts what `seal` produced with the same key and `aad`.
pub fn open(key: &SecretKey, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (nonce, body) = sealed
        .split_at_checked(NONCE_LEN)
        .ok_or(CryptoError::Unauthentic)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Unauthentic)?;
    let mut buf = Zeroizing::new(body.to_vec());
    let len = cipher(key)?
        .open_in_place(nonce, Aad::from(aad), buf.as_mut_slice())
        .map_err(|_| CryptoError::Unauthentic)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = SecretKey::generate().unwrap();
        let sealed = seal(&key, b"ctx", b"compliments").unwrap();
        assert_eq!(
            open(&key, b"ctx", &sealed).unwrap().as_slice(),
            b"compliments"
        );
        assert_eq!(open(&key, b"other", &sealed), Err(CryptoError::Unauthentic));
        let other = SecretKey::generate().unwrap();
        assert_eq!(open(&other, b"ctx", &sealed), Err(CryptoError::Unauthentic));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                open(&key, b"ctx", &bad),
                Err(CryptoError::Unauthentic),
                "byte {i}"
            );
        }
        assert_eq!(
            open(&key, b"ctx", &sealed[..5]),
            Err(CryptoError::Unauthentic)
        );
    }
}
