//! Lowercase hexadecimal, for keys, salts and digests in files and on screen.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends the lowercase hex of `bytes` to `out`.
pub fn push(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(c) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(*c));
            }
        }
    }
}

/// The lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::new();
    push(&mut s, bytes);
    s
}

/// The bytes of a hex string (either case, surrounding whitespace ignored); `None` if it is
/// not hex.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    // `from_str_radix` alone would accept a sign ("+1").
    if !s.len().is_multiple_of(2) || !s.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    s.chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_non_hex() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xff];
        assert_eq!(encode(&bytes), "00017f80ff");
        assert_eq!(decode("00017F80ff").unwrap(), bytes);
        assert_eq!(decode("abc"), None);
        assert_eq!(decode("zz"), None);
        assert_eq!(decode("+1"), None);
        assert_eq!(decode(""), Some(vec![]));
    }
}
