use thiserror::Error;

/// Why bytes from elsewhere are not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error(
        "this {what} has format {format}, which this version does not know: update the application"
    )]
    UnknownFormat { what: &'static str, format: u8 },
    #[error("this {what} is cut short or malformed: ask for it again")]
    Malformed { what: &'static str },
    #[error("this {what} is larger than {limit} bytes: it is not one of Diplomatie's")]
    TooLarge { what: &'static str, limit: usize },
    #[error("the signature of this {what} does not match its content: it was altered or forged")]
    BadSignature { what: &'static str },
    #[error("this {what} is not valid: {why}")]
    Invalid { what: &'static str, why: String },
    #[error(
        "this is not a contact card of Diplomatie (a card is one line starting with DIPLOMATIE:): copy the whole line"
    )]
    NotACard,
}
