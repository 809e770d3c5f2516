//! A document's language: declared where its writer said it (the composer's choice, an email's
//! `Content-Language`), otherwise detected from its text, and then only when the detection is
//! reliable. A language that cannot be told stays unknown: the interface's language applies,
//! which is the honest default.
//!
//! Detection is whatlang's (trigrams of 70 languages, no model to load): it says a text is
//! reliably of a language when its best guess is well ahead of the next one, which a
//! paragraph of prose usually is and a subject line or a list of names usually is not.

use diplomatie_domain::{Item, ItemContent, Language};
use diplomatie_draft::DraftView;
use whatlang::Lang;

/// The text read for detection is at most this long: the first few paragraphs tell the
/// language as well as the whole, and a long email costs no more than a short one.
const SAMPLE_BYTES: usize = 4096;

/// The language of a text, when whatlang tells it reliably.
pub fn detect_language(text: &str) -> Option<Language> {
    let info = whatlang::detect(cut(text, SAMPLE_BYTES))?;
    if !info.is_reliable() {
        return None;
    }
    Language::parse(iso_639_1(info.lang())).ok()
}

/// The language of an item: the one it declares, else the one its text reliably shows.
pub fn document_language(item: &Item) -> Option<Language> {
    item.language
        .or_else(|| detect_language(&document_text(&item.content)))
}

/// The language of a draft as it stands, when its text reliably shows one (a draft declares
/// none: the editor's fields take it from here).
pub fn draft_language(view: &DraftView) -> Option<Language> {
    let f = &view.fields;
    let parts: Vec<&str> = [f.subject.as_str(), f.summary.as_str(), f.opening.as_str()]
        .into_iter()
        .chain(view.paragraphs.iter().map(|p| p.text.as_str()))
        .chain([f.closing.as_str()])
        .collect();
    detect_language(&text_sample(&parts))
}

/// The words of a document that tell its language, at most `SAMPLE_BYTES` of them: its
/// subject and prose, not its addressees, numbers or tags.
pub(crate) fn document_text(content: &ItemContent) -> String {
    let parts: Vec<&str> = match content {
        ItemContent::Telegram(t) => [t.subject.as_str(), t.summary.as_str()]
            .into_iter()
            .chain(t.paragraphs.iter().map(|p| p.text.as_str()))
            .collect(),
        ItemContent::DiplomaticNote(n) => [n.subject.as_str(), n.opening.as_str()]
            .into_iter()
            .chain(n.paragraphs.iter().map(|p| p.text.as_str()))
            .chain([n.closing.as_str()])
            .collect(),
        ItemContent::FormalEmail(e) => vec![e.subject.as_str(), e.body.as_str()],
    };
    text_sample(&parts)
}

/// The non-blank `parts`, one a line, up to `SAMPLE_BYTES` in all.
pub(crate) fn text_sample(parts: &[&str]) -> String {
    let mut text = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let room = SAMPLE_BYTES.saturating_sub(text.len());
        if room == 0 {
            break;
        }
        text.push_str(cut(part, room));
        text.push('\n');
    }
    text
}

/// The value of a `Content-Language` header (RFC 3282): the language it names, when it names
/// one. A list of several languages (a bilingual message) names none, nor does a malformed or
/// indeterminate tag: the text is then read instead.
pub fn content_language(value: &str) -> Option<Language> {
    let mut languages = value
        .split(',')
        .filter(|tag| !tag.trim().is_empty())
        .map(Language::parse);
    let first = languages.next()?.ok()?;
    languages
        .all(|other| other.ok() == Some(first))
        .then_some(first)
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or(text)
}

/// The two-letter code (ISO 639-1) of a language whatlang knows, as BCP 47 wants it when there
/// is one (each of whatlang's languages has one; its own codes are ISO 639-3).
fn iso_639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const FRENCH: &str = "L'Ambassade de France présente ses compliments au Ministère des \
        Affaires étrangères et a l'honneur de lui faire savoir que la délégation arrivera \
        mardi prochain. Les entretiens porteront sur la coopération économique et sur la \
        préparation du sommet, dont le calendrier reste à arrêter avec les services du \
        protocole.";
    const ENGLISH: &str = "The committee met on Tuesday to review the draft agreement. \
        Most delegations welcomed the text, although several of them asked for more time to \
        consult their capitals before the final reading, which is now expected early next \
        month.";

    #[test]
    fn a_clear_french_or_english_text_is_detected() {
        assert_eq!(detect_language(FRENCH), Some(Language::FRENCH));
        assert_eq!(detect_language(ENGLISH), Some(Language::ENGLISH));
        let german = "Die Delegation wird am Dienstag in Berlin erwartet. Die Gespräche \
            betreffen die wirtschaftliche Zusammenarbeit und die Vorbereitung des Gipfels.";
        assert_eq!(detect_language(german), Language::parse("de").ok());
        let arabic = "تتشرف سفارة الجمهورية الفرنسية بأن تقدم تحياتها إلى وزارة الشؤون \
            الخارجية وتود أن تبلغها بأن الوفد سيصل يوم الثلاثاء المقبل لإجراء محادثات حول التعاون \
            الاقتصادي.";
        assert_eq!(detect_language(arabic), Language::parse("ar").ok());
    }

    #[test]
    fn a_text_too_short_or_mixed_to_tell_stays_unknown() {
        for text in [
            "",
            "   ",
            "OK",
            "RE: TD 42",
            "BERLIN 2026-0042 DFAE/EUROPE",
            "Paris, Berlin, Madrid",
            "12/03 14:00",
            "Merci, thanks",
        ] {
            assert_eq!(detect_language(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_long_text_is_read_from_its_start_only_and_cut_on_a_character() {
        let long = format!("{FRENCH} {}", "é".repeat(SAMPLE_BYTES));
        assert!(cut(&long, SAMPLE_BYTES).len() <= SAMPLE_BYTES);
        assert_eq!(detect_language(&long), Some(Language::FRENCH));
        let sample = text_sample(&[ENGLISH, "", &"é".repeat(SAMPLE_BYTES), ENGLISH]);
        assert!(sample.len() <= SAMPLE_BYTES + 2);
        assert!(sample.starts_with("The committee") && sample.ends_with("é\n"));
    }

    #[test]
    fn a_content_language_names_one_language_or_none() {
        let en = Some(Language::ENGLISH);
        assert_eq!(content_language("en"), en);
        assert_eq!(content_language(" en-GB "), en);
        assert_eq!(content_language("en-GB, en-US"), en);
        assert_eq!(content_language("fr-CA"), Some(Language::FRENCH));
        for value in [
            "",
            ",",
            "en, fr",
            "x-klingon",
            "und",
            "en;q=1",
            "english",
            "fr,,x",
        ] {
            assert_eq!(content_language(value), None, "{value:?}");
        }
        // Hostile values are refused, never a panic.
        assert_eq!(content_language(&"a".repeat(100_000)), None);
        assert_eq!(content_language(&"en-".repeat(10_000)), None);
        assert_eq!(content_language("\u{0}\u{feff}é-\u{202e}"), None);
    }
}
