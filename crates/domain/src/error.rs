use thiserror::Error;

/// A broken rule of the trade. Each message says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error(
        "{0} is above this system's accreditation: use the classified network for this document"
    )]
    AboveAccreditation(String),
    #[error("unknown protection marking '{0}': use NP (non protégé) or DR (diffusion restreinte)")]
    UnknownMarking(String),
    #[error("unknown precedence '{0}': use routine, prioritaire, immediat or flash")]
    UnknownPrecedence(String),
    #[error("unknown kind '{0}': use telegram, note or email")]
    UnknownKind(String),
    #[error("unknown route '{0}': use action or info")]
    UnknownRoute(String),
    #[error("a telegram needs at least one action addressee (--action)")]
    NoActionAddressee,
    #[error("a Flash needs a justification line explaining why it cannot wait")]
    FlashWithoutJustification,
    #[error(
        "the item is marked {item} but paragraph {paragraph} is marked {paragraph_marking}: raise the item's marking to at least {paragraph_marking}"
    )]
    MarkingBelowParagraph {
        item: String,
        paragraph: usize,
        paragraph_marking: String,
    },
    #[error("the {0} is empty: it is required")]
    Missing(&'static str),
    #[error("invalid tag '{0}': use a thematic code or an ISO country code (letters, digits, '-')")]
    InvalidTag(String),
    #[error("invalid item id '{0}': expected a UUID such as 01937b9e-...")]
    InvalidId(String),
    #[error("invalid email address '{0}'")]
    InvalidAddress(String),
    #[error(
        "invalid Message-ID '{0}': write it as id@host, e.g. 20261201.42@diplomatie.gouv.example"
    )]
    InvalidMessageId(String),
    #[error("invalid {kind} number '{given}': write it as {form}")]
    InvalidNumber {
        kind: &'static str,
        given: String,
        form: &'static str,
    },
    #[error("the date-time group must be given in UTC (Z): convert {given} to {utc}")]
    DtgNotUtc { given: String, utc: String },
    #[error("an email cannot be Flash: send a telegram for a Flash, or use Immédiat")]
    FlashEmail,
    #[error("tag '{0}' is too long: use at most 32 letters or digits (counted once upper-cased)")]
    TagTooLong(String),
    #[error(
        "'{id}' is not an item id of this system (a version-{version} UUID; item ids are UUIDv7): copy the id as the application shows it"
    )]
    IdNotV7 { id: String, version: usize },
    #[error(
        "'{0}' is not a language tag: use a BCP 47 tag such as fr, en, de-CH, or leave it unknown"
    )]
    InvalidLanguage(String),
}
