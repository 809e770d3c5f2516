//! Bytes and text from elsewhere read as a contact card, a card's line and a device
//! certificate: an error is fine; a panic, an abort or a value accepted without a valid
//! signature is a bug (a card accepted here must re-encode to the very bytes read).
#![no_main]

use diplomatie_protocol::{ContactCard, DeviceCertificate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(card) = ContactCard::decode(data) {
        assert_eq!(card.bytes(), data);
    }
    if let Ok(cert) = DeviceCertificate::decode(data) {
        assert_eq!(cert.bytes(), data);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ContactCard::from_line(text);
    }
});
