//! The settings a user chooses for a profile (language, inactivity lock, notification rules),
//! kept inside the encrypted store so they travel with the profile.

use diplomatie_domain::{ItemKind, Precedence, Route};
use diplomatie_store::ItemSummary;
use serde::{Deserialize, Serialize};

use crate::{ClientError, Profile};

const SETTINGS_KEY: &str = "app.settings";

/// The interface languages, French first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Fr,
    En,
}

/// Which new items raise a desktop notification. A Flash item for action always does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyRules {
    pub enabled: bool,
    pub telegram: bool,
    pub note: bool,
    pub email: bool,
    /// Items for action below this precedence are not notified (Flash always is).
    pub min_precedence: Precedence,
    /// Also notify items for information (Flash ones always are).
    pub info: bool,
}

impl Default for NotifyRules {
    fn default() -> Self {
        Self {
            enabled: true,
            telegram: true,
            note: true,
            email: true,
            min_precedence: Precedence::Routine,
            info: false,
        }
    }
}

impl NotifyRules {
    /// Whether a new item is to be notified. Every Flash is, whatever the rules say; otherwise
    /// the item must be for action (or for information when asked), of a kind and at a
    /// precedence the rules accept.
    pub fn wants(&self, item: &ItemSummary) -> bool {
        if item.precedence == Precedence::Flash {
            return true;
        }
        if !self.enabled {
            return false;
        }
        let routed = match item.route {
            Some(Route::Action) => true,
            Some(Route::Info) => self.info,
            None => false,
        };
        let kind = match item.kind {
            ItemKind::Telegram => self.telegram,
            ItemKind::DiplomaticNote => self.note,
            ItemKind::FormalEmail => self.email,
        };
        routed && kind && item.precedence >= self.min_precedence
    }
}

/// A profile's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub language: Language,
    /// Lock the profile after this many minutes without keyboard or pointer activity; 0 never.
    pub lock_after_minutes: u32,
    pub notify: NotifyRules,
    /// The folder the drafts are exchanged through with the other replicas of the post (a
    /// network share, or a folder two profiles of one machine use); none: drafts stay here.
    pub exchange_dir: Option<String>,
    /// The numbering register file of the post (see `numbering::FileAuthority`); none: numbers
    /// come from this device's blocks, provisional when none is left.
    pub number_register: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::Fr,
            lock_after_minutes: 10,
            notify: NotifyRules::default(),
            exchange_dir: None,
            number_register: None,
        }
    }
}

/// The longest inactivity delay accepted, in minutes (a working day).
pub const MAX_LOCK_MINUTES: u32 = 8 * 60;

impl Profile {
    /// The profile's settings (the defaults until the user saves some).
    pub fn settings(&self) -> Result<Settings, ClientError> {
        match self.store().get_meta(SETTINGS_KEY)? {
            Some(raw) => Ok(serde_json::from_slice(&raw).unwrap_or_default()),
            None => Ok(Settings::default()),
        }
    }

    /// Saves the settings after checking them.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), ClientError> {
        if settings.lock_after_minutes > MAX_LOCK_MINUTES {
            return Err(ClientError::InvalidSetting(format!(
                "the inactivity lock must be between 0 (never) and {MAX_LOCK_MINUTES} minutes"
            )));
        }
        if let Some(dir) = &settings.exchange_dir
            && !std::path::Path::new(dir).is_dir()
        {
            return Err(ClientError::InvalidSetting(format!(
                "the exchange folder {dir} does not exist: create it, or choose another one"
            )));
        }
        if let Some(register) = &settings.number_register
            && !std::path::Path::new(register)
                .parent()
                .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir())
        {
            return Err(ClientError::InvalidSetting(format!(
                "the folder of the numbering register {register} does not exist: create it, or choose another file"
            )));
        }
        let raw = serde_json::to_vec(settings).map_err(|e| ClientError::Identity(e.to_string()))?;
        self.store().put_meta(SETTINGS_KEY, &raw)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use diplomatie_domain::{ItemId, Marking};
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;

    fn summary(kind: ItemKind, precedence: Precedence, route: Option<Route>) -> ItemSummary {
        let now = OffsetDateTime::now_utc();
        ItemSummary {
            id: ItemId::from_uuid(Uuid::now_v7()),
            kind,
            subject: "s".into(),
            marking: Marking::NonProtege,
            precedence,
            route,
            origin: "o".into(),
            number: None,
            written_at: now,
            received_at: now,
            deadline: None,
            read: false,
            tags: Vec::new(),
            language: None,
        }
    }

    #[test]
    fn default_rules_notify_action_items_only() {
        let rules = NotifyRules::default();
        for kind in ItemKind::ALL {
            assert!(rules.wants(&summary(kind, Precedence::Routine, Some(Route::Action))));
            assert!(!rules.wants(&summary(kind, Precedence::Immediat, Some(Route::Info))));
            assert!(!rules.wants(&summary(kind, Precedence::Immediat, None)));
        }
    }

    #[test]
    fn flash_is_always_notified_even_when_disabled() {
        let rules = NotifyRules {
            enabled: false,
            telegram: false,
            note: false,
            email: false,
            min_precedence: Precedence::Flash,
            info: false,
        };
        assert!(rules.wants(&summary(
            ItemKind::Telegram,
            Precedence::Flash,
            Some(Route::Info)
        )));
        assert!(rules.wants(&summary(ItemKind::FormalEmail, Precedence::Flash, None)));
        assert!(!rules.wants(&summary(
            ItemKind::Telegram,
            Precedence::Immediat,
            Some(Route::Action)
        )));
    }

    #[test]
    fn rules_filter_by_kind_precedence_and_route() {
        let rules = NotifyRules {
            email: false,
            min_precedence: Precedence::Immediat,
            info: true,
            ..NotifyRules::default()
        };
        let action = Some(Route::Action);
        assert!(!rules.wants(&summary(
            ItemKind::FormalEmail,
            Precedence::Immediat,
            action
        )));
        assert!(!rules.wants(&summary(
            ItemKind::Telegram,
            Precedence::Prioritaire,
            action
        )));
        assert!(rules.wants(&summary(ItemKind::Telegram, Precedence::Immediat, action)));
        assert!(rules.wants(&summary(
            ItemKind::DiplomaticNote,
            Precedence::Immediat,
            Some(Route::Info)
        )));
    }

    #[test]
    fn settings_round_trip_through_the_store_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let options = crate::InitOptions {
            role: String::new(),
            name: "alice".into(),
            org: "DFAE".into(),
            email: None,
            kdf_cost: Some(diplomatie_store::KdfCost::MIN),
        };
        let profile = Profile::init(dir.path(), "settings test passphrase", options).unwrap();
        assert_eq!(profile.settings().unwrap(), Settings::default());
        let chosen = Settings {
            language: Language::En,
            lock_after_minutes: 3,
            notify: NotifyRules {
                info: true,
                ..NotifyRules::default()
            },
            exchange_dir: Some(dir.path().to_string_lossy().into_owned()),
            number_register: Some(
                dir.path()
                    .join("registre.json")
                    .to_string_lossy()
                    .into_owned(),
            ),
        };
        profile.save_settings(&chosen).unwrap();
        drop(profile);
        let profile = Profile::open(dir.path(), "settings test passphrase").unwrap();
        assert_eq!(profile.settings().unwrap(), chosen);
        let too_long = Settings {
            lock_after_minutes: MAX_LOCK_MINUTES + 1,
            ..Settings::default()
        };
        let err = profile.save_settings(&too_long).unwrap_err();
        assert!(err.to_string().contains("inactivity lock"), "{err}");
        let missing = Settings {
            exchange_dir: Some(dir.path().join("absent").to_string_lossy().into_owned()),
            ..chosen.clone()
        };
        let err = profile.save_settings(&missing).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert_eq!(
            profile.settings().unwrap(),
            chosen,
            "a refused value changes nothing"
        );
    }
}
