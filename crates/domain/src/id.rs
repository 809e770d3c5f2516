use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

/// The id of an item: a UUIDv7, so that ids sort by creation time.
///
/// Parsing (`FromStr`) and deserialising refuse any other UUID version: an id from outside
/// that is not v7 was not made by this system. The infallible constructors trust their caller,
/// which makes the id with `Uuid::now_v7()` or reads back one it stored.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct ItemId(Uuid);

impl ItemId {
    /// Wraps a UUIDv7 made by the caller (the domain makes neither time nor randomness).
    /// Not checked: use `ItemId::try_from` for a UUID of unknown origin.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemId({})", self.0.hyphenated())
    }
}

impl FromStr for ItemId {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let uuid = Uuid::parse_str(s.trim()).map_err(|_| DomainError::InvalidId(s.to_owned()))?;
        Self::try_from(uuid)
    }
}

/// Accepts a UUIDv7 only.
impl TryFrom<Uuid> for ItemId {
    type Error = DomainError;

    fn try_from(uuid: Uuid) -> Result<Self, Self::Error> {
        match uuid.get_version_num() {
            7 => Ok(Self(uuid)),
            version => Err(DomainError::IdNotV7 {
                id: uuid.hyphenated().to_string(),
                version,
            }),
        }
    }
}

impl From<ItemId> for Uuid {
    fn from(id: ItemId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V7: &str = "01937b9e-5c3a-7d2e-9f10-1a2b3c4d5e6f";
    const V4: &str = "166e272e-7a30-4d09-97ce-f1c012b43c34";

    #[test]
    fn only_uuidv7_ids_parse() {
        let id: ItemId = V7.parse().unwrap();
        assert_eq!(id.to_string(), V7);
        assert_eq!(
            V4.parse::<ItemId>(),
            Err(DomainError::IdNotV7 {
                id: V4.into(),
                version: 4
            })
        );
        let nil = Uuid::nil().to_string();
        assert!(matches!(
            nil.parse::<ItemId>(),
            Err(DomainError::IdNotV7 { version: 0, .. })
        ));
        assert!(matches!(
            "01937b9e".parse::<ItemId>(),
            Err(DomainError::InvalidId(_))
        ));
    }

    #[test]
    fn only_uuidv7_ids_deserialise_and_the_error_says_why() {
        let id: ItemId = serde_json::from_str(&format!("\"{V7}\"")).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{V7}\""));
        let err = serde_json::from_str::<ItemId>(&format!("\"{V4}\"")).unwrap_err();
        assert!(err.to_string().contains("item ids are UUIDv7"), "{err}");
    }
}
