//! A document being written in the composer, kept in the encrypted store so that it survives a
//! lock or a restart and never reaches the disk in clear. One per kind. (Collaborative drafts,
//! shared and merged between people, are automerge documents: see `drafting`.)

use diplomatie_domain::ItemKind;

use crate::{ClientError, Profile};

/// The largest form kept (a composer's fields, as the interface serialises them).
pub const MAX_FORM_DRAFT_BYTES: usize = 2 * 1024 * 1024;

fn key(kind: ItemKind) -> String {
    format!("form_draft.{}", kind.code())
}

impl Profile {
    /// Keeps the composer's state for `kind` (replacing the previous one).
    pub fn save_form_draft(&self, kind: ItemKind, form: &str) -> Result<(), ClientError> {
        if form.len() > MAX_FORM_DRAFT_BYTES {
            return Err(ClientError::InvalidSetting(format!(
                "the draft is larger than {} MiB: shorten it or send it",
                MAX_FORM_DRAFT_BYTES / (1024 * 1024)
            )));
        }
        self.store().put_meta(&key(kind), form.as_bytes())?;
        Ok(())
    }

    /// The composer's kept state for `kind`, if any.
    pub fn form_draft(&self, kind: ItemKind) -> Result<Option<String>, ClientError> {
        Ok(self
            .store()
            .get_meta(&key(kind))?
            .and_then(|bytes| String::from_utf8(bytes).ok()))
    }

    /// Forgets the composer's kept state for `kind` (after sending, or when discarded).
    pub fn discard_form_draft(&self, kind: ItemKind) -> Result<(), ClientError> {
        self.store().delete_meta(&key(kind))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::InitOptions;

    #[test]
    fn a_form_draft_is_kept_per_kind_in_the_store_and_can_be_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let options = InitOptions {
            role: String::new(),
            name: "alice".into(),
            org: "DFAE".into(),
            email: None,
            kdf_cost: Some(diplomatie_store::KdfCost::MIN),
        };
        let profile = Profile::init(dir.path(), "form draft passphrase", options).unwrap();
        assert_eq!(profile.form_draft(ItemKind::Telegram).unwrap(), None);
        profile
            .save_form_draft(
                ItemKind::Telegram,
                r#"{"subject":"Brouillon secret-canari"}"#,
            )
            .unwrap();
        profile
            .save_form_draft(ItemKind::FormalEmail, r#"{"subject":"autre"}"#)
            .unwrap();
        drop(profile);
        let profile = Profile::open(dir.path(), "form draft passphrase").unwrap();
        assert!(
            profile
                .form_draft(ItemKind::Telegram)
                .unwrap()
                .unwrap()
                .contains("secret-canari")
        );
        // Never in clear on disk.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(13).any(|w| w == b"secret-canari"));
        }
        profile.discard_form_draft(ItemKind::Telegram).unwrap();
        assert_eq!(profile.form_draft(ItemKind::Telegram).unwrap(), None);
        assert!(profile.form_draft(ItemKind::FormalEmail).unwrap().is_some());
        let huge = "x".repeat(MAX_FORM_DRAFT_BYTES + 1);
        assert!(profile.save_form_draft(ItemKind::Telegram, &huge).is_err());
        assert_eq!(profile.form_draft(ItemKind::Telegram).unwrap(), None);
    }
}
