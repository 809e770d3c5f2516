//! Linking a second device to a person's identity: the cryptography both devices do, over
//! the relay's mailbox, which carries the messages and can read none of them.
//!
//! The first device opens a mailbox at the relay and shows a **code**: the relay's address,
//! the mailbox's id and a short password (40 random bits), as one line
//! (`DIPLOMATIE-LIEN:<url>#<mailbox>-<password>`) and as a QR code. The two devices run
//! SPAKE2 (RFC 9382, over Ed25519's group) on the password, bound to the mailbox id: whoever
//! does not hold the code gets one guess per mailbox, and the relay, which carries the
//! messages, learns nothing of the key. From the shared key come one AES-256-GCM key per
//! direction and a **short authentication string**: four words both screens show, which the
//! person compares before the first device hands over anything.
//!
//! ```text
//! slot a   first → new    SPAKE2 message
//! slot b   new → first    postcard(Joining { SPAKE2 message, sealed(new device's public keys) })
//! slot c   first → new    sealed(what the new device needs: identity, certificate, keys…)
//! slot d   new → first    sealed(ready: enrolled, key packages published)
//! ```
//!
//! A wrong password gives the two sides different keys: the first device cannot open slot b
//! and says the code was wrong; nothing is handed over.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use diplomatie_crypto::SecretKey;
use serde::{Deserialize, Serialize};
use spake2::{Ed25519Group, Identity, Password, Spake2};
use zeroize::Zeroizing;

use crate::ProtocolError;

const WHAT: &str = "device link";
/// How a code starts.
pub const CODE_PREFIX: &str = "DIPLOMATIE-LIEN:";
/// The password's bytes: 40 bits, 8 base32 letters.
const PASSWORD_BYTES: usize = 5;
const ID_FIRST: &[u8] = b"diplomatie/link/v1/first";
const ID_NEW: &[u8] = b"diplomatie/link/v1/new";
/// The most bytes of a SPAKE2 message (it takes 33).
const MAX_PAKE_BYTES: usize = 64;

/// The code the first device shows and the new device is given.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkCode {
    /// The relay's address.
    pub relay: String,
    /// The mailbox's id at the relay (hex).
    pub mailbox: String,
    password: [u8; PASSWORD_BYTES],
}

impl fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkCode")
            .field("relay", &self.relay)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

fn invalid_code(why: &str) -> ProtocolError {
    ProtocolError::Invalid {
        what: "device link code",
        why: format!("{why}: copy the whole code the first device shows"),
    }
}

impl LinkCode {
    /// A fresh code for `mailbox` at `relay`.
    pub fn new(relay: &str, mailbox: &str) -> Result<LinkCode, ProtocolError> {
        let password = diplomatie_crypto::random_bytes::<PASSWORD_BYTES>().map_err(|e| {
            ProtocolError::Invalid {
                what: WHAT,
                why: e.to_string(),
            }
        })?;
        let code = LinkCode {
            relay: relay.to_owned(),
            mailbox: mailbox.to_owned(),
            password,
        };
        LinkCode::parse(&code.to_line())
    }

    /// The code as one line.
    pub fn to_line(&self) -> String {
        format!(
            "{CODE_PREFIX}{}#{}-{}",
            self.relay,
            self.mailbox,
            BASE32_NOPAD.encode(&self.password)
        )
    }

    /// The part a person reads out or types: the mailbox and the password.
    pub fn short(&self) -> String {
        format!("{}-{}", self.mailbox, BASE32_NOPAD.encode(&self.password))
    }

    /// Reads a code: spaces around it and the case of the password do not matter.
    pub fn parse(line: &str) -> Result<LinkCode, ProtocolError> {
        let line = line.trim();
        let rest = line
            .strip_prefix(CODE_PREFIX)
            .ok_or_else(|| invalid_code(&format!("a code starts with {CODE_PREFIX}")))?;
        let (relay, tail) = rest
            .rsplit_once('#')
            .ok_or_else(|| invalid_code("the code is cut short"))?;
        let (mailbox, password) = tail
            .rsplit_once('-')
            .ok_or_else(|| invalid_code("the code is cut short"))?;
        if !(relay.starts_with("http://") || relay.starts_with("https://")) {
            return Err(invalid_code("the relay's address in the code is not one"));
        }
        if mailbox.len() != 20 || !mailbox.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid_code("the mailbox in the code is not one"));
        }
        let password = BASE32_NOPAD
            .decode(password.to_ascii_uppercase().as_bytes())
            .ok()
            .and_then(|p| <[u8; PASSWORD_BYTES]>::try_from(p).ok())
            .ok_or_else(|| invalid_code("the password in the code is not one"))?;
        Ok(LinkCode {
            relay: relay.to_owned(),
            mailbox: mailbox.to_ascii_lowercase(),
            password,
        })
    }

    /// What SPAKE2 runs on: the password, bound to the mailbox.
    fn pake_password(&self) -> Password {
        let mut bytes = Vec::with_capacity(PASSWORD_BYTES + self.mailbox.len() + 1);
        bytes.extend_from_slice(&self.password);
        bytes.push(b'/');
        bytes.extend_from_slice(self.mailbox.as_bytes());
        Password::new(&bytes)
    }
}

/// One side of the exchange before the other's message is in: its own message to send.
pub struct LinkStart {
    state: Spake2<Ed25519Group>,
    first: bool,
    /// The message to put in the mailbox.
    pub message: Vec<u8>,
}

impl fmt::Debug for LinkStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkStart")
            .field("first", &self.first)
            .finish_non_exhaustive()
    }
}

impl LinkStart {
    /// The first device's side.
    pub fn first(code: &LinkCode) -> LinkStart {
        let (state, message) = Spake2::<Ed25519Group>::start_a(
            &code.pake_password(),
            &Identity::new(ID_FIRST),
            &Identity::new(ID_NEW),
        );
        LinkStart {
            state,
            first: true,
            message,
        }
    }

    /// The new device's side.
    pub fn new_device(code: &LinkCode) -> LinkStart {
        let (state, message) = Spake2::<Ed25519Group>::start_b(
            &code.pake_password(),
            &Identity::new(ID_FIRST),
            &Identity::new(ID_NEW),
        );
        LinkStart {
            state,
            first: false,
            message,
        }
    }

    /// Takes the other side's message: the keys of the link. With a wrong password they
    /// differ from the other side's, which shows when a sealed message does not open.
    pub fn finish(self, theirs: &[u8]) -> Result<LinkKeys, ProtocolError> {
        if theirs.len() > MAX_PAKE_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_PAKE_BYTES,
            });
        }
        let shared = Zeroizing::new(
            self.state
                .finish(theirs)
                .map_err(|_| ProtocolError::Malformed { what: WHAT })?,
        );
        let root = SecretKey::from_slice(&shared).map_err(|e| ProtocolError::Invalid {
            what: WHAT,
            why: e.to_string(),
        })?;
        let derive = |label: &str| {
            diplomatie_crypto::hkdf_sha256(&root, label.as_bytes()).map_err(|e| {
                ProtocolError::Invalid {
                    what: WHAT,
                    why: e.to_string(),
                }
            })
        };
        let to_new = derive("diplomatie/link/v1/first-to-new")?;
        let to_first = derive("diplomatie/link/v1/new-to-first")?;
        let sas = derive("diplomatie/link/v1/words")?;
        let (send, receive) = if self.first {
            (to_new, to_first)
        } else {
            (to_first, to_new)
        };
        Ok(LinkKeys { send, receive, sas })
    }
}

/// The keys of a link, on one side.
pub struct LinkKeys {
    send: SecretKey,
    receive: SecretKey,
    sas: SecretKey,
}

impl fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKeys(..)")
    }
}

/// What a sealed message of a link is for (its associated data): a message cannot be moved
/// to another slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSlot {
    /// The new device's public keys.
    Joining,
    /// What the first device hands over.
    Handover,
    /// The new device says it is ready.
    Ready,
}

impl LinkSlot {
    fn aad(self) -> &'static [u8] {
        match self {
            LinkSlot::Joining => b"diplomatie/link/v1/b",
            LinkSlot::Handover => b"diplomatie/link/v1/c",
            LinkSlot::Ready => b"diplomatie/link/v1/d",
        }
    }
}

impl LinkKeys {
    /// Seals `plaintext` for the other side.
    pub fn seal(&self, slot: LinkSlot, plaintext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        diplomatie_crypto::seal(&self.send, slot.aad(), plaintext).map_err(|e| {
            ProtocolError::Invalid {
                what: WHAT,
                why: e.to_string(),
            }
        })
    }

    /// Opens what the other side sealed; fails when the two sides do not share the key (a
    /// wrong code), or the message was altered or moved.
    pub fn open(&self, slot: LinkSlot, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, ProtocolError> {
        diplomatie_crypto::open(&self.receive, slot.aad(), sealed).map_err(|_| {
            ProtocolError::Invalid {
                what: WHAT,
                why: "it does not open with the link's key: the code was wrong, or the message \
                      was altered"
                    .into(),
            }
        })
    }

    /// The four words both screens show (the same on both sides only if they share the key).
    pub fn words(&self) -> [&'static str; 4] {
        let bytes = self.sas.expose();
        let word = |i: usize| {
            let at = usize::from(bytes.get(i).copied().unwrap_or_default());
            WORDS.get(at).copied().unwrap_or_default()
        };
        [word(0), word(1), word(2), word(3)]
    }
}

/// The new device's message in slot b: its SPAKE2 message and, sealed, its public keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joining {
    pub pake: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// The most bytes of slot b.
pub const MAX_JOINING_BYTES: usize = 4096;

impl Joining {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Joining, ProtocolError> {
        if bytes.len() > MAX_JOINING_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_JOINING_BYTES,
            });
        }
        postcard::from_bytes(bytes).map_err(|_| ProtocolError::Malformed { what: WHAT })
    }
}

/// The new device's public keys, sealed in slot b.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeviceKeys {
    pub signing: [u8; 32],
    pub agreement: [u8; 32],
    /// What the person calls the device ("Portable", "Bureau").
    pub label: String,
}

/// Short words, one per byte value, for the authentication string (ASCII, all different).
pub const WORDS: [&str; 256] = [
    "abeille", "abri", "acier", "aigle", "aile", "algue", "ami", "ancre", "ange", "anis", "arbre",
    "arche", "ardoise", "argent", "arome", "astre", "atlas", "avion", "azur", "badge", "baie",
    "baleine", "balle", "bambou", "banc", "barque", "bateau", "baume", "berger", "bijou", "bison",
    "blason", "bleu", "bloc", "bois", "bol", "bonbon", "bouleau", "bouton", "branche", "brin",
    "brise", "brume", "bruyere", "bulle", "cactus", "cadre", "caillou", "calme", "camp", "canal",
    "canne", "cape", "carte", "cascade", "castor", "cedre", "cerf", "cerise", "chalet", "champ",
    "chat", "chaume", "chene", "cheval", "cible", "cidre", "cigale", "citron", "clef", "cloche",
    "clou", "coeur", "col", "colline", "comete", "coq", "corail", "corde", "cornet", "coton",
    "coupe", "crabe", "crayon", "cristal", "cube", "cygne", "dalle", "dame", "dauphin", "delta",
    "dent", "desert", "diamant", "disque", "dune", "eau", "eclair", "ecorce", "ecrin", "ecume",
    "elan", "email", "encre", "epi", "erable", "escale", "etoile", "fable", "falaise", "fanal",
    "faon", "ferme", "feu", "figue", "fil", "flamme", "fleur", "flute", "foret", "forge", "fort",
    "fougere", "fruit", "galet", "gazelle", "geai", "givre", "gland", "globe", "gomme", "grain",
    "grange", "grive", "grotte", "guide", "harpe", "herbe", "heron", "hibou", "hiver", "horloge",
    "houx", "ile", "iris", "ivoire", "jade", "jardin", "jasmin", "jonc", "joyau", "jungle", "kiwi",
    "lac", "lagune", "lame", "lampe", "lance", "lapin", "laurier", "lave", "lierre", "lilas",
    "lime", "lin", "lion", "lune", "lynx", "mais", "manche", "marbre", "mare", "merle", "miel",
    "mimosa", "miroir", "mont", "mouette", "mousse", "mur", "myrte", "nacre", "navire", "neige",
    "nid", "noix", "nord", "nuage", "oasis", "ocre", "olive", "ombre", "onde", "opale", "orage",
    "orge", "orme", "ours", "paille", "palme", "panda", "papier", "parc", "pavot", "perle",
    "phare", "pic", "pin", "plage", "plume", "poivre", "pomme", "pont", "port", "prairie", "prune",
    "puits", "quai", "quartz", "radeau", "raisin", "rameau", "renard", "rideau", "rive", "roc",
    "rose", "rubis", "ruche", "sable", "sapin", "saule", "sel", "signe", "silex", "soleil",
    "source", "tapis", "terre", "thym", "tigre", "toile", "tour", "trefle", "tulipe", "vague",
    "val", "vallee", "vent", "verger", "vigne", "violon", "voile", "volcan", "zebre", "zephyr",
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn code() -> LinkCode {
        LinkCode::new("https://relais.example", "0123456789abcdef0123").unwrap()
    }

    #[test]
    fn a_code_reads_back_from_its_line_and_a_damaged_one_is_refused() {
        let code = code();
        let line = code.to_line();
        assert!(line.starts_with("DIPLOMATIE-LIEN:https://relais.example#0123456789abcdef0123-"));
        assert_eq!(LinkCode::parse(&format!("  {line}\n")).unwrap(), code);
        assert_eq!(
            LinkCode::parse(&line.to_lowercase().replace("diplomatie-lien:", CODE_PREFIX))
                .unwrap()
                .mailbox,
            code.mailbox
        );
        for bad in [
            "",
            "0123456789abcdef0123-ABCDEFGH",
            &line.replace(CODE_PREFIX, "DIPLOMATIE:"),
            &line[..line.len() - 2],
            &line.replace("#", "/"),
            &line.replace("https://", "ftp://"),
            &line.replace("0123456789abcdef0123", "0123"),
        ] {
            assert!(LinkCode::parse(bad).is_err(), "{bad}");
        }
        // Never shown by Debug.
        let shown = format!("{code:?}");
        assert!(!shown.contains(&code.short()[21..]), "{shown}");
    }

    #[test]
    fn both_sides_with_the_code_share_keys_and_words_and_a_wrong_code_opens_nothing() {
        let code = code();
        let first = LinkStart::first(&code);
        let new = LinkStart::new_device(&code);
        let (a, b) = (first.message.clone(), new.message.clone());
        let first = first.finish(&b).unwrap();
        let new = new.finish(&a).unwrap();
        assert_eq!(first.words(), new.words());
        let sealed = new.seal(LinkSlot::Joining, b"cles").unwrap();
        assert_eq!(&*first.open(LinkSlot::Joining, &sealed).unwrap(), b"cles");
        // Not in another slot, not back to its sender, not altered.
        assert!(first.open(LinkSlot::Handover, &sealed).is_err());
        assert!(new.open(LinkSlot::Joining, &sealed).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(first.open(LinkSlot::Joining, &altered).is_err());

        // Someone with a wrong password (or another mailbox) gets other keys and other words.
        let mut wrong = code.clone();
        wrong.password[0] ^= 1;
        let mut moved = code.clone();
        moved.mailbox = "ffffffffffffffffffff".into();
        for guess in [wrong, moved] {
            let first = LinkStart::first(&code);
            let mallory = LinkStart::new_device(&guess);
            let (a, b) = (first.message.clone(), mallory.message.clone());
            let first = first.finish(&b).unwrap();
            let mallory = mallory.finish(&a).unwrap();
            assert_ne!(first.words(), mallory.words());
            let sealed = mallory.seal(LinkSlot::Joining, b"cles").unwrap();
            assert!(first.open(LinkSlot::Joining, &sealed).is_err());
        }
        // A message that is not SPAKE2's is refused.
        assert!(LinkStart::first(&code).finish(&[0; 3]).is_err());
        assert!(LinkStart::first(&code).finish(&[0; 65]).is_err());
    }

    #[test]
    fn the_words_are_all_different() {
        let mut words = WORDS.to_vec();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), 256);
        assert!(WORDS.iter().all(|w| w.is_ascii() && !w.is_empty()));
    }
}
