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

/// Seals `plaintext` after what `out` already holds, which is the associated data: appends
/// `nonce || ciphertext || tag` to `out`, the plaintext copied once. For bulk content that the
/// caller keeps in the clear anyway (an envelope's): nothing is wiped.
pub fn seal_appending(
    key: &SecretKey,
    out: &mut Vec<u8>,
    plaintext: &[&[u8]],
) -> Result<(), CryptoError> {
    let aad_end = out.len();
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let length: usize = plaintext.iter().map(|p| p.len()).sum();
    out.reserve(NONCE_LEN + length + AES_256_GCM.tag_len());
    out.extend_from_slice(&nonce_bytes);
    for part in plaintext {
        out.extend_from_slice(part);
    }
    let (aad, body) = out.split_at_mut(aad_end + NONCE_LEN);
    let aad = aad.get(..aad_end).ok_or(CryptoError::Unauthentic)?;
    let tag = cipher(key)?
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad),
            body,
        )
        .map_err(|_| CryptoError::InvalidKey("AES-256-GCM seal"))?;
    out.extend_from_slice(tag.as_ref());
    Ok(())
}

/// Opens `nonce || ciphertext || tag` sealed under `aad` into a plain buffer (the bulk-content
/// counterpart of [`seal_appending`]: nothing is wiped).
pub fn open_plain(key: &SecretKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let (nonce, body) = sealed
        .split_at_checked(NONCE_LEN)
        .ok_or(CryptoError::Unauthentic)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Unauthentic)?;
    let mut buf = body.to_vec();
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

    #[test]
    fn sealing_after_the_associated_data_opens_alike() {
        let key = SecretKey::generate().unwrap();
        let mut out = b"header".to_vec();
        seal_appending(&key, &mut out, &[b"compli", b"ments"]).unwrap();
        let (aad, sealed) = out.split_at(6);
        assert_eq!(aad, b"header");
        assert_eq!(open(&key, aad, sealed).unwrap().as_slice(), b"compliments");
        assert_eq!(open_plain(&key, aad, sealed).unwrap(), b"compliments");
        assert_eq!(
            open_plain(&key, b"other", sealed),
            Err(CryptoError::Unauthentic)
        );
        let mut bad = sealed.to_vec();
        bad[14] ^= 1;
        assert_eq!(open_plain(&key, aad, &bad), Err(CryptoError::Unauthentic));
    }
}
