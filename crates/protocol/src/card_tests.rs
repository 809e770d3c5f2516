#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::*;
use crate::DeviceId;

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap()
}

fn device(identity: &SigningKey, id: u8) -> DeviceCertificate {
    DeviceCertificate::issue(
        identity,
        DeviceId([id; 16]),
        [id; 32],
        [id.wrapping_add(1); 32],
        at(1_800_000_000),
        None,
    )
    .unwrap()
}

fn details(name: &str) -> CardDetails {
    CardDetails {
        name: name.into(),
        org: "BERLIN".into(),
        role: "Première secrétaire".into(),
        email: Some("alice@example.org".into()),
    }
}

#[test]
fn a_card_round_trips_as_bytes_and_as_a_line() {
    let identity = SigningKey::generate().unwrap();
    let card = ContactCard::issue(
        &identity,
        details("Alice Lefèvre"),
        at(1_800_000_100),
        &[device(&identity, 1)],
    )
    .unwrap();
    assert_eq!(ContactCard::decode(card.bytes()).unwrap(), card);
    let line = card.to_line();
    assert!(line.starts_with(CARD_PREFIX));
    assert!(
        line.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':')
    );
    assert_eq!(ContactCard::from_line(&line).unwrap(), card);
    // Wrapped by a mail client and lowered.
    let wrapped: String = line
        .to_lowercase()
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            if i % 60 == 59 {
                vec![c, '\n', ' ']
            } else {
                vec![c]
            }
        })
        .collect();
    assert_eq!(ContactCard::from_line(&wrapped).unwrap(), card);
    // A card with one device is short enough for a QR code read on a phone.
    assert!(line.len() < 800, "{} characters", line.len());
}

#[test]
fn a_card_listing_another_identitys_device_is_refused() {
    let alice = SigningKey::generate().unwrap();
    let mallory = SigningKey::generate().unwrap();
    let err = ContactCard::issue(
        &mallory,
        details("Alice Lefèvre"),
        at(1_800_000_100),
        &[device(&alice, 1)],
    )
    .unwrap_err();
    assert!(matches!(err, ProtocolError::Invalid { .. }), "{err}");
}

#[test]
fn a_card_with_no_device_or_a_device_twice_is_refused() {
    let alice = SigningKey::generate().unwrap();
    assert!(ContactCard::issue(&alice, details("Alice"), at(0), &[]).is_err());
    let d = device(&alice, 1);
    assert!(ContactCard::issue(&alice, details("Alice"), at(0), &[d.clone(), d]).is_err());
}

#[test]
fn text_that_is_not_a_card_says_so() {
    assert_eq!(
        ContactCard::from_line("hello"),
        Err(ProtocolError::NotACard)
    );
    assert!(matches!(
        ContactCard::from_line("DIPLOMATIE:0189"),
        Err(ProtocolError::Malformed { .. })
    ));
    assert!(matches!(
        ContactCard::from_line(&format!("DIPLOMATIE:{}", "A".repeat(100_000))),
        Err(ProtocolError::TooLarge { .. })
    ));
}

#[test]
fn control_characters_and_empty_names_are_refused() {
    let alice = SigningKey::generate().unwrap();
    for name in ["", "  ", "Alice\u{202e}", "Alice\nBob"] {
        assert!(
            ContactCard::issue(&alice, details(name), at(0), &[device(&alice, 1)]).is_err(),
            "{name:?}"
        );
    }
}

fn field() -> impl Strategy<Value = String> {
    "[a-zA-Zéèàç' /-]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any card encodes and decodes to itself, as bytes and as a line.
    #[test]
    fn cards_round_trip(
        name in field(),
        org in field(),
        role in "[a-zA-Z ]{0,30}",
        email in proptest::option::of("[a-z]{1,10}@[a-z]{1,10}\\.org"),
        issued in 0i64..4_000_000_000,
        devices in 1u8..5,
    ) {
        let identity = SigningKey::generate().unwrap();
        let certs: Vec<_> = (0..devices).map(|i| device(&identity, i)).collect();
        let card = ContactCard::issue(
            &identity,
            CardDetails { name, org, role, email },
            at(issued),
            &certs,
        ).unwrap();
        prop_assert_eq!(&ContactCard::decode(card.bytes()).unwrap(), &card);
        prop_assert_eq!(&ContactCard::from_line(&card.to_line()).unwrap(), &card);
        prop_assert_eq!(card.devices.len(), usize::from(devices));
    }

    /// Flipping any bit of a card's bytes makes it refused, never accepted as another card.
    #[test]
    fn any_altered_card_is_refused(bit in 0usize..4000) {
        let identity = SigningKey::generate().unwrap();
        let card = ContactCard::issue(&identity, details("Alice"), at(1_800_000_000), &[device(&identity, 1)]).unwrap();
        let mut bytes = card.bytes().to_vec();
        let bit = bit % (bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(ContactCard::decode(&bytes).is_err());
    }

    /// Arbitrary bytes are refused with an error, never a panic.
    #[test]
    fn arbitrary_bytes_are_refused_without_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Some(first) = bytes.first_mut() {
            *first = 1;
        }
        prop_assert!(ContactCard::decode(&bytes).is_err());
        prop_assert!(DeviceCertificate::decode(&bytes).is_err());
    }
}
