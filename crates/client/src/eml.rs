//! Parsing of `.eml` files (RFC 5322 / MIME) into formal emails.
