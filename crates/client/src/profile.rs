//! A profile: one person's encrypted store, their identity and this device's keys.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diplomatie_crypto::{AgreementKey, KdfCost, PublicIdentity, SigningKey};
use diplomatie_domain::{AttachmentMeta, Item, ItemContent, ItemId, Language, UserIdentity};
use diplomatie_store::{
    AuditAction, AuditEntry, AuditRecord, ItemSummary, NewItem, Page, PutOutcome, SearchHit,
    SearchQuery, Store, StoredItem, TriageCounts, TriageFilter, message_dedupe_key,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tracing::info_span;
use uuid::Uuid;

use crate::ClientError;
use crate::identity::OwnIdentity;
use crate::language::{detect_language, document_text};
use diplomatie_demo::DemoGenerator;

const IDENTITY_KEY: &str = "profile.identity";
const SIGNING_KEY: &str = "device.signing_pkcs8";
const AGREEMENT_KEY: &str = "device.agreement_x25519";

/// How many items a bulk ingest stores per transaction (demo data, benchmarks): large enough
/// that the index pages of a batch are written once, small enough to keep memory flat.
pub const INGEST_BATCH: usize = 2_000;

/// The shortest passphrase a new profile accepts.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Who owns a profile, as shown to them and used by the routing rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileIdentity {
    pub name: String,
    pub org: String,
    pub email: Option<String>,
    /// "Première secrétaire", "Chef de poste"…: shown on the card; may be empty.
    #[serde(default)]
    pub role: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// This device's public keys.
    pub device: PublicIdentity,
}

/// An item made from a form, checked, not stored yet: the item, its attachments' metadata
/// and their bytes.
pub(crate) struct BuiltItem {
    pub item: Item,
    pub metas: Vec<AttachmentMeta>,
    pub files: Vec<NewAttachment>,
}

impl BuiltItem {
    /// The item as it travels in an envelope, with its attachments' bytes.
    pub(crate) fn payload(&self) -> Result<Vec<u8>, ClientError> {
        crate::sync::item_payload_of(
            &self.item,
            self.files.iter().map(|f| f.bytes.clone()).collect(),
        )
    }
}

/// What a linked device's profile is made of (see [`Profile::init_linked`]).
pub(crate) struct LinkedIdentity<'a> {
    pub name: String,
    pub org: String,
    pub email: Option<String>,
    pub role: String,
    pub kdf_cost: Option<KdfCost>,
    pub signing: &'a SigningKey,
    pub agreement: &'a AgreementKey,
    pub identity: &'a SigningKey,
    pub certificate: &'a diplomatie_protocol::DeviceCertificate,
    pub card: &'a diplomatie_protocol::ContactCard,
}

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub name: String,
    pub org: String,
    pub email: Option<String>,
    /// Shown on the card others receive; may be empty.
    pub role: String,
    /// The Argon2id cost of the passphrase; `None` for the default (`KdfCost::DEFAULT`).
    pub kdf_cost: Option<KdfCost>,
}

/// A new item as written by the user: the content, optionally a deadline for action, and an
/// email's attachments.
#[derive(Debug, Clone)]
pub struct Compose {
    pub content: ItemContent,
    pub deadline: Option<OffsetDateTime>,
    /// Only an email carries attachments; their metadata in the content is replaced by what
    /// these bytes are.
    pub attachments: Vec<NewAttachment>,
    /// The language its writer chose; when `None`, detected from the text if it tells.
    pub language: Option<Language>,
}

/// A file attached to an email being composed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// Shown to the reader; any folder part is dropped.
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The most an email composed here may attach in all: 18 MiB, so that the message written
/// out (base64 makes 4 bytes of every 3, plus line ends and headers) stays under the 25 MiB an
/// import accepts, here or at the recipient's.
pub const MAX_ATTACHMENT_BYTES: u64 = 18 * 1024 * 1024;

/// Sets an email's attachment metadata from the files given; refuses attachments on another
/// kind of item, and more than `MAX_ATTACHMENT_BYTES` in all.
fn attach(
    content: &mut ItemContent,
    files: &[NewAttachment],
) -> Result<Vec<AttachmentMeta>, ClientError> {
    let ItemContent::FormalEmail(email) = content else {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        return Err(ClientError::Attachment(
            "only an email carries attachments: quote the document by its reference in a telegram or a note".into(),
        ));
    };
    let total: u64 = files
        .iter()
        .map(|f| u64::try_from(f.bytes.len()).unwrap_or(u64::MAX))
        .fold(0, u64::saturating_add);
    if total > MAX_ATTACHMENT_BYTES {
        return Err(ClientError::AttachmentsTooLarge {
            limit_mib: MAX_ATTACHMENT_BYTES / (1024 * 1024),
        });
    }
    let mut stored = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        let name = crate::eml::safe_file_name(&file.name)
            .unwrap_or_else(|| format!("attachment-{}", index + 1));
        let content_type = file.content_type.trim();
        if content_type.is_empty()
            || !content_type.contains('/')
            || content_type.contains(char::is_whitespace)
        {
            return Err(ClientError::Attachment(format!(
                "'{content_type}' is not a content type: use a form such as application/pdf"
            )));
        }
        let meta = AttachmentMeta {
            name,
            content_type: content_type.to_owned(),
            size: u64::try_from(file.bytes.len()).unwrap_or(u64::MAX),
            sha256: crate::eml::sha256_hex(&file.bytes),
        };
        stored.push(meta);
    }
    // Metadata the caller put in the content without the bytes would describe nothing stored.
    email.attachments.clone_from(&stored);
    Ok(stored)
}

/// The triage view: counts and one page of items in triage order.
#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub counts: TriageCounts,
    pub items: Vec<ItemSummary>,
}

/// An unlocked profile. Every service the desktop app and the CLI use is a method here.
#[derive(Debug)]
pub struct Profile {
    dir: PathBuf,
    /// Shared with the MLS provider of a space operation while it runs.
    store: Arc<Store>,
    identity: ProfileIdentity,
    /// The identity key, this device's certificate and the card as unlocked.
    own: OwnIdentity,
    /// The card as it is now: issued again when the own space's deposit key changes.
    pub(crate) card: std::sync::RwLock<diplomatie_protocol::ContactCard>,
    /// The exchange folder's copies already merged, by path, with the length and time of
    /// change they had then: an unchanged copy is not read again at the next look.
    pub(crate) exchange_stamps: crate::copy_stamps::ExchangeStamps,
}

fn signing_key(store: &Store) -> Result<SigningKey, ClientError> {
    let pkcs8 = zeroize::Zeroizing::new(
        store
            .get_meta(SIGNING_KEY)?
            .ok_or_else(|| ClientError::Identity("device signing key not found".into()))?,
    );
    Ok(SigningKey::from_pkcs8(&pkcs8)?)
}

fn agreement_key(store: &Store) -> Result<AgreementKey, ClientError> {
    let raw = zeroize::Zeroizing::new(
        store
            .get_meta(AGREEMENT_KEY)?
            .ok_or_else(|| ClientError::Identity("device agreement key not found".into()))?,
    );
    let bytes: [u8; 32] = raw
        .as_slice()
        .try_into()
        .map_err(|_| ClientError::Identity("the device agreement key is not 32 bytes".into()))?;
    Ok(AgreementKey::from_bytes(bytes))
}

fn fresh_id() -> ItemId {
    ItemId::from_uuid(Uuid::now_v7())
}

impl Profile {
    /// Creates the encrypted store in `dir` and this device's identity keys.
    pub fn init(dir: &Path, passphrase: &str, options: InitOptions) -> Result<Self, ClientError> {
        let _span = info_span!("profile_init").entered();
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(ClientError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        let name = options.name.trim().to_owned();
        let org = options.org.trim().to_owned();
        if name.is_empty() {
            return Err(diplomatie_domain::DomainError::Missing("name").into());
        }
        if org.is_empty() {
            return Err(diplomatie_domain::DomainError::Missing("organisation").into());
        }
        let email = match options.email.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => Some(diplomatie_domain::Mailbox::parse(e)?.address),
            _ => None,
        };
        let signing = SigningKey::generate()?;
        let agreement = AgreementKey::generate()?;
        let cost = options.kdf_cost.unwrap_or(KdfCost::DEFAULT);
        let role = options.role.trim().to_owned();
        let identity = ProfileIdentity {
            name,
            org,
            email,
            role,
            created_at: OffsetDateTime::now_utc(),
            device: PublicIdentity::of(&signing, &agreement),
        };
        let made = crate::identity::new_identity(&identity, &signing, &agreement)?;
        Ok(Self::create(
            dir,
            passphrase,
            cost,
            identity,
            (&signing, &agreement),
            made,
            AuditAction::ProfileCreated,
        )?
        .with_own_space())
    }

    /// Creates the encrypted store in `dir` with this device's keys, the person's identity
    /// and `made`'s identity records, in one transaction with the audit entry `action`: a
    /// profile is whole or absent.
    fn create(
        dir: &Path,
        passphrase: &str,
        cost: KdfCost,
        identity: ProfileIdentity,
        (signing, agreement): (&SigningKey, &AgreementKey),
        made: crate::identity::NewIdentity,
        action: AuditAction,
    ) -> Result<Self, ClientError> {
        let json =
            serde_json::to_vec(&identity).map_err(|e| ClientError::Identity(e.to_string()))?;
        let agreement_secret = agreement.secret_bytes();
        let store = Store::create_with(
            dir,
            passphrase,
            cost,
            &[
                &[
                    (SIGNING_KEY, signing.pkcs8()),
                    (AGREEMENT_KEY, agreement_secret.as_slice()),
                    (IDENTITY_KEY, &json),
                ][..],
                &made.records()[..],
            ]
            .concat(),
            Some(&AuditRecord {
                actor: identity.name.clone(),
                action,
                item: None,
                detail: made.describe(),
            }),
        )?;
        let own = made.into_own();
        Ok(Self {
            dir: dir.to_owned(),
            store: Arc::new(store),
            identity,
            card: std::sync::RwLock::new(own.card.clone()),
            own,
            exchange_stamps: Default::default(),
        })
    }

    /// Creates the encrypted store in `dir` for a device linked to an existing identity: its
    /// own keys (made on this device), the identity key and card the first device handed
    /// over, and the certificate it issued for this device. The own space is the person's,
    /// joined at the first sync: none is made here.
    pub(crate) fn init_linked(
        dir: &Path,
        passphrase: &str,
        linked: LinkedIdentity<'_>,
    ) -> Result<Self, ClientError> {
        let _span = info_span!("profile_init_linked").entered();
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(ClientError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        let identity = ProfileIdentity {
            name: linked.name,
            org: linked.org,
            email: linked.email,
            role: linked.role,
            created_at: OffsetDateTime::now_utc(),
            device: PublicIdentity::of(linked.signing, linked.agreement),
        };
        let made = crate::identity::NewIdentity {
            identity_secret: SigningKey::from_pkcs8(linked.identity.pkcs8())?,
            certificate: linked.certificate.clone(),
            card: linked.card.clone(),
        };
        Self::create(
            dir,
            passphrase,
            linked.kdf_cost.unwrap_or(KdfCost::DEFAULT),
            identity,
            (linked.signing, linked.agreement),
            made,
            AuditAction::DeviceLinked,
        )
    }

    /// Unlocks an existing profile.
    pub fn open(dir: &Path, passphrase: &str) -> Result<Self, ClientError> {
        let _span = info_span!("profile_open").entered();
        let store = Store::open(dir, passphrase)?;
        let raw = store
            .get_meta(IDENTITY_KEY)?
            .ok_or_else(|| ClientError::Identity("not found".into()))?;
        let identity: ProfileIdentity =
            serde_json::from_slice(&raw).map_err(|e| ClientError::Identity(e.to_string()))?;
        let own = crate::identity::ensure(
            &store,
            &identity,
            || signing_key(&store),
            || agreement_key(&store),
        )?;
        Ok(Self {
            dir: dir.to_owned(),
            store: Arc::new(store),
            identity,
            card: std::sync::RwLock::new(own.card.clone()),
            own,
            exchange_stamps: Default::default(),
        }
        .with_own_space())
    }

    /// The profile, its own space made if it had none. A failure here leaves the profile
    /// usable (its card without a deposit key) and is tried again at the next unlock and sync.
    fn with_own_space(self) -> Self {
        if let Err(e) = self.ensure_own_space() {
            tracing::warn!(error = %e, "the own space could not be made");
        }
        self
    }

    /// This person's identity signing key (which certifies their devices and signs their card).
    pub(crate) fn identity_secret(&self) -> Result<SigningKey, ClientError> {
        let pkcs8 = zeroize::Zeroizing::new(
            self.store
                .get_meta(crate::identity::IDENTITY_SECRET)?
                .ok_or_else(|| ClientError::Identity("identity key not found".into()))?,
        );
        Ok(SigningKey::from_pkcs8(&pkcs8)?)
    }

    /// Closes the profile and drops its keys from memory, including the process unlock
    /// cache: opening it again asks for the passphrase.
    pub fn lock(self) {
        match Arc::try_unwrap(self.store) {
            Ok(store) => store.close(),
            // A space operation still holds it: forget the key now; the store closes when the
            // operation drops it.
            Err(shared) => shared.forget_cached_key(),
        }
    }

    /// Drops this profile's key from the process unlock cache without closing it (when other
    /// holders of the profile still finish their work before it is dropped).
    pub fn forget_cached_key(&self) {
        self.store.forget_cached_key();
    }

    pub fn exists(dir: &Path) -> bool {
        Store::exists(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn identity(&self) -> &ProfileIdentity {
        &self.identity
    }

    /// The user as the routing rules see them.
    pub fn user(&self) -> UserIdentity {
        UserIdentity {
            name: self.identity.name.clone(),
            units: vec![self.identity.org.clone()],
            emails: self.identity.email.iter().cloned().collect(),
        }
    }

    /// This device's signing key, for releases and signed acknowledgements.
    pub fn signing_key(&self) -> Result<SigningKey, ClientError> {
        signing_key(&self.store)
    }

    /// This person's identity key (public), this device's certificate and their card.
    pub fn own(&self) -> &OwnIdentity {
        &self.own
    }

    /// A JSON value kept in the profile's encrypted meta; `None` before it was first written.
    pub(crate) fn meta_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, ClientError> {
        self.store
            .get_meta(key)?
            .map(|raw| {
                serde_json::from_slice(&raw).map_err(|e| {
                    ClientError::Store(diplomatie_store::StoreError::Damaged(format!(
                        "the profile's record {key} is unreadable ({e})"
                    )))
                })
            })
            .transpose()
    }

    pub(crate) fn put_meta_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), ClientError> {
        let raw = zeroize::Zeroizing::new(serde_json::to_vec(value).map_err(|e| {
            ClientError::Store(diplomatie_store::StoreError::Damaged(format!(
                "the profile's record {key} cannot be written ({e})"
            )))
        })?);
        self.store.put_meta(key, &raw)?;
        Ok(())
    }

    /// Writes an audit entry of this person now, with no item.
    pub(crate) fn audit_now(&self, action: AuditAction, detail: &str) -> Result<(), ClientError> {
        Ok(self
            .store()
            .append_audit(&self.audit(action, None, detail))?)
    }

    pub(crate) fn audit(
        &self,
        action: AuditAction,
        item: Option<ItemId>,
        detail: &str,
    ) -> AuditRecord {
        AuditRecord {
            actor: self.identity.name.clone(),
            action,
            item,
            detail: detail.to_owned(),
        }
    }

    /// Checks the rules, files the new item with this user's route for it, and logs it.
    pub fn compose(&self, compose: Compose) -> Result<ItemId, ClientError> {
        let built = self.build_item(compose)?;
        self.store_built(&built, &[])
    }

    /// The item a form describes, checked, with its attachments.
    pub(crate) fn build_item(&self, compose: Compose) -> Result<BuiltItem, ClientError> {
        let _span = info_span!("compose").entered();
        let id = fresh_id();
        let mut content = compose.content;
        if let ItemContent::FormalEmail(e) = &mut content
            && e.message_id.is_none()
        {
            let domain = e
                .from
                .address
                .rsplit_once('@')
                .map_or("localhost", |(_, d)| d);
            e.message_id = Some(format!("{}@{domain}", id.as_uuid().simple()));
        }
        let metas = attach(&mut content, &compose.attachments)?;
        let language = compose
            .language
            .or_else(|| detect_language(&document_text(&content)));
        let item = Item {
            id,
            received_at: OffsetDateTime::now_utc(),
            deadline: compose.deadline,
            content,
            language,
        };
        item.validate()?;
        Ok(BuiltItem {
            item,
            metas,
            files: compose.attachments,
        })
    }

    /// Files a built item with this user's route for it and logs it, with `rows` (the sync
    /// engine's outbox entries that send it) in the same transaction.
    pub(crate) fn store_built(
        &self,
        built: &BuiltItem,
        rows: &[diplomatie_sync::Write],
    ) -> Result<ItemId, ClientError> {
        let item = &built.item;
        let stored_attachments: Vec<(AttachmentMeta, &[u8])> = built
            .metas
            .iter()
            .cloned()
            .zip(built.files.iter().map(|f| f.bytes.as_slice()))
            .collect();
        let route = item.route_for(&self.user());
        let thread = threading(item);
        // An email composed here is found by its Message-ID, like an imported one: imported
        // back, it is the same message; a reply to it joins its thread.
        let dedupe = thread.message_id.map(message_dedupe_key);
        let new = NewItem {
            item,
            route,
            dedupe_key: dedupe.as_deref(),
            thread_key: thread.key,
            thread_parents: &thread.parents,
            message_id: thread.message_id,
            attachments: &stored_attachments,
        };
        let audit = self.audit(AuditAction::ItemComposed, Some(item.id), item.kind().code());
        let rows: Vec<diplomatie_store::RowWrite<'_>> = rows
            .iter()
            .map(|w| match w {
                diplomatie_sync::Write::Put { key, value } => {
                    diplomatie_store::RowWrite::Put(key, value)
                }
                diplomatie_sync::Write::Delete { key } => diplomatie_store::RowWrite::Delete(key),
            })
            .collect();
        match self.store.put_item_with_rows(&new, &audit, &rows)? {
            PutOutcome::Inserted(id) => Ok(id),
            PutOutcome::Duplicate(existing) => {
                Err(ClientError::DuplicateMessage(existing.to_string()))
            }
        }
    }

    /// Finds an item by its full id or a unique prefix of it.
    pub fn resolve_id(&self, id_or_prefix: &str) -> Result<ItemId, ClientError> {
        if let Ok(id) = id_or_prefix.parse::<ItemId>() {
            return Ok(id);
        }
        let matches = self.store.find_items_by_prefix(id_or_prefix.trim())?;
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(ClientError::NotFound(id_or_prefix.to_owned())),
            many => Err(ClientError::AmbiguousId {
                prefix: id_or_prefix.to_owned(),
                count: many.len(),
            }),
        }
    }

    /// The item a reference label quotes (`TD BERLIN 2026-0042`), when it is in this profile.
    pub fn find_by_number(&self, label: &str) -> Result<Option<ItemId>, ClientError> {
        Ok(self.store.find_by_number(label)?)
    }

    /// Opens an item: returns it, marks it read and logs the consultation.
    pub fn show(&self, id_or_prefix: &str) -> Result<StoredItem, ClientError> {
        let id = self.resolve_id(id_or_prefix)?;
        let stored = self
            .store
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id_or_prefix.to_owned()))?;
        let viewed = self.audit(AuditAction::ItemViewed, Some(id), "");
        if stored.read {
            self.store.append_audit(&viewed)?;
        } else {
            self.store.mark_read(id, true, &viewed)?;
        }
        Ok(stored)
    }

    /// The list line of one item, without opening it.
    pub fn summary(&self, id: ItemId) -> Result<Option<ItemSummary>, ClientError> {
        Ok(self.store.summary(id)?)
    }

    /// Marks an item read or unread (opening it marks it read too).
    pub fn set_read(&self, id: ItemId, read: bool) -> Result<(), ClientError> {
        let action = if read {
            AuditAction::ItemRead
        } else {
            AuditAction::ItemUnread
        };
        self.store
            .mark_read(id, read, &self.audit(action, Some(id), ""))?;
        Ok(())
    }

    /// The messages of the thread an item belongs to, oldest first.
    pub fn thread_of(&self, id: ItemId) -> Result<Vec<ItemSummary>, ClientError> {
        let stored = self
            .store
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id.to_string()))?;
        match stored.thread_key {
            Some(key) => Ok(self.store.thread(&key)?),
            None => Ok(Vec::new()),
        }
    }

    /// The triage view.
    pub fn inbox(&self, filter: &TriageFilter, page: Page) -> Result<Inbox, ClientError> {
        Ok(Inbox {
            counts: self.store.triage_counts(filter)?,
            items: self.store.triage(filter, page)?,
        })
    }

    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, ClientError> {
        let _span = info_span!("search").entered();
        Ok(self.store.search(query)?)
    }

    pub fn attachment(
        &self,
        id: ItemId,
        index: u32,
    ) -> Result<(diplomatie_domain::AttachmentMeta, Vec<u8>), ClientError> {
        self.store
            .attachment(id, index)?
            .ok_or_else(|| ClientError::NotFound(format!("{id} attachment {index}")))
    }

    /// Changes the passphrase; everything stored is kept.
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<(), ClientError> {
        if new.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(ClientError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        self.store.change_passphrase(old, new)?;
        self.store
            .append_audit(&self.audit(AuditAction::PassphraseChanged, None, ""))?;
        Ok(())
    }

    pub fn audit_log(
        &self,
        item: Option<ItemId>,
        page: Page,
    ) -> Result<Vec<AuditEntry>, ClientError> {
        Ok(self.store.audit_log(item, page)?)
    }

    /// Checks every page of the store and its structure, without writing. It reads the whole
    /// file: seconds on a large profile.
    pub fn verify(&self) -> Result<(), ClientError> {
        Ok(self.store.verify_integrity()?)
    }

    pub fn item_count(&self) -> Result<u64, ClientError> {
        Ok(self.store.item_count()?)
    }

    /// Fills the profile with `count` synthetic items addressed in part to this user, in
    /// batches; `progress` is called with the number stored so far.
    pub fn fill_demo(
        &self,
        count: u64,
        seed: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, ClientError> {
        const BATCH: u64 = INGEST_BATCH as u64;
        let user = self.user();
        let mut generator = DemoGenerator::new(seed, user.clone(), OffsetDateTime::now_utc())
            .with_expected_count(count);
        let audit = self.audit(AuditAction::ItemImported, None, "demo generator");
        let mut done = 0;
        while done < count {
            let n = BATCH.min(count - done);
            let items: Vec<Item> = (0..n).map(|_| generator.next_item()).collect();
            let routes: Vec<_> = items.iter().map(|i| i.route_for(&user)).collect();
            // The generator gives every message of a thread its References: the key each
            // names itself is the thread's, with no lookup of its parents.
            let batch: Vec<NewItem<'_>> = items
                .iter()
                .zip(&routes)
                .map(|(item, route)| NewItem {
                    item,
                    route: *route,
                    thread_key: threading(item).key,
                    ..NewItem::new(item)
                })
                .collect();
            self.store.put_items(&batch, &audit)?;
            done += n;
            progress(done);
        }
        Ok(done)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The store, shared (for an MLS provider).
    pub(crate) fn shared_store(&self) -> Arc<Store> {
        Arc::clone(&self.store)
    }
}

/// How an item joins a conversation; only emails carry the ids that link one.
#[derive(Debug, Default)]
pub(crate) struct Threading<'a> {
    /// The key it gives itself (`FormalEmail::thread_key`).
    pub key: Option<&'a str>,
    /// The messages it refers to, root first: References, then In-Reply-To.
    pub parents: Vec<&'a str>,
    pub message_id: Option<&'a str>,
}

pub(crate) fn threading(item: &Item) -> Threading<'_> {
    match &item.content {
        ItemContent::FormalEmail(e) => Threading {
            key: e.thread_key(),
            parents: e
                .references
                .iter()
                .chain(&e.in_reply_to)
                .map(String::as_str)
                .collect(),
            message_id: e.message_id.as_deref(),
        },
        _ => Threading::default(),
    }
}
