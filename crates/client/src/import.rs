//! Importing `.eml` files into a profile: a result per file, the batch goes on after a bad one.

use std::path::{Path, PathBuf};

use diplomatie_domain::{Item, ItemContent, ItemId};
use diplomatie_store::{AuditAction, NewItem, PutOutcome};
use serde::Serialize;
use time::OffsetDateTime;
use tracing::{info_span, warn};
use uuid::Uuid;

use crate::eml::{EmlLimits, parse_eml, read_eml_file};
use crate::{ClientError, Profile};

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported {
        id: ItemId,
    },
    /// The same message was already in the profile.
    Duplicate {
        id: ItemId,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub path: PathBuf,
    #[serde(flatten)]
    pub outcome: ImportOutcome,
}

impl Profile {
    /// Imports each file; `progress(done, total)` is called after each one.
    pub fn import_eml_files(
        &self,
        paths: &[PathBuf],
        limits: &EmlLimits,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Vec<ImportReport> {
        let _span = info_span!("import_eml", files = paths.len()).entered();
        let total = paths.len();
        paths
            .iter()
            .enumerate()
            .map(|(done, path)| {
                let outcome = match self.import_one(path, limits) {
                    Ok(PutOutcome::Inserted(id)) => ImportOutcome::Imported { id },
                    Ok(PutOutcome::Duplicate(id)) => ImportOutcome::Duplicate { id },
                    Err(e) => {
                        warn!(file = done, "import failed");
                        ImportOutcome::Failed {
                            error: e.to_string(),
                        }
                    }
                };
                progress(done + 1, total);
                ImportReport {
                    path: path.clone(),
                    outcome,
                }
            })
            .collect()
    }

    fn import_one(&self, path: &Path, limits: &EmlLimits) -> Result<PutOutcome, ClientError> {
        let bytes = read_eml_file(path, limits)?;
        let parsed = parse_eml(&bytes, limits)?;
        let id = ItemId::from_uuid(Uuid::now_v7());
        let item = Item {
            id,
            received_at: OffsetDateTime::now_utc(),
            deadline: None,
            content: ItemContent::FormalEmail(parsed.email),
            language: parsed.language,
        };
        let route = item.route_for(&self.user());
        let thread = crate::profile::threading(&item);
        let attachments: Vec<_> = parsed
            .attachments
            .iter()
            .map(|a| (a.meta.clone(), a.bytes.as_slice()))
            .collect();
        let new = NewItem {
            item: &item,
            route,
            dedupe_key: Some(&parsed.dedupe_key),
            thread_key: thread.key,
            thread_parents: &thread.parents,
            message_id: thread.message_id,
            attachments: &attachments,
        };
        let audit = self.audit(AuditAction::ItemImported, Some(id), "eml");
        Ok(self.store().put_item(&new, &audit)?)
    }
}
