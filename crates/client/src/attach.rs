//! Files attached to an email composed here: read from disk with their name and content type,
//! the sizes added up before any file is read.

use std::path::{Path, PathBuf};

use crate::{ClientError, MAX_ATTACHMENT_BYTES, NewAttachment};

/// The content type of common attachments, from the file's extension.
pub fn content_type_of(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "txt" | "text" => "text/plain",
        "csv" => "text/csv",
        "htm" | "html" => "text/html",
        "md" => "text/markdown",
        "xml" => "application/xml",
        "json" => "application/json",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "tif" | "tiff" => "image/tiff",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "7z" => "application/x-7z-compressed",
        "eml" => "message/rfc822",
        "ics" => "text/calendar",
        "vcf" => "text/vcard",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Reads the files to attach: name = the file's name, content type from its extension. A
/// file that is missing, not a file or unreadable is named in the error; more than
/// `MAX_ATTACHMENT_BYTES` in all is refused before any file is read.
pub fn read_attachments(paths: &[PathBuf]) -> Result<Vec<NewAttachment>, ClientError> {
    let unreadable = |path: &Path, cause: String| ClientError::AttachmentUnreadable {
        name: path.display().to_string(),
        cause,
    };
    let mut total: u64 = 0;
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e.to_string()))?;
        if !meta.is_file() {
            return Err(unreadable(path, "it is not a file".into()));
        }
        total = total.saturating_add(meta.len());
        if total > MAX_ATTACHMENT_BYTES {
            return Err(ClientError::AttachmentsTooLarge {
                limit_mib: MAX_ATTACHMENT_BYTES / (1024 * 1024),
            });
        }
    }
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| unreadable(path, e.to_string()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(NewAttachment {
                name,
                content_type: content_type_of(path).to_owned(),
                bytes,
            })
        })
        .collect()
}
