//! Synthetic correspondence for trying the product and for benchmarks.
//!
//! [`DemoGenerator`] makes an endless, deterministic stream of realistic French diplomatic
//! correspondence for one user: telegrams (about 55 %), notes verbales (15 %) and formal emails
//! (30 %), received over the 18 months before a given instant, about a third of them for the
//! user's action, a third for their information. The same seed always gives the same items, so
//! a benchmark or a bug report can name its data set by its seed.
//!
//! The same seed gives the same items across versions of `rand` too: the generator is
//! `rand_chacha`'s ChaCha12, a named algorithm whose output that crate documents as
//! reproducible (unlike `StdRng`, which may change algorithm in any release). A test pins the
//! first items of one seed; it fails if a dependency update or a change here alters them.

use std::fmt::{self, Write as _};

use diplomatie_domain::{
    Addressee, AttachmentMeta, DiplomaticNote, FormalEmail, Item, ItemContent, ItemId, Language,
    Mailbox, Marking, NoteNumber, Paragraph, Precedence, Reference, Route, Tag, Telegram,
    TelegramNumber, UserIdentity,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use time::{Date, Month, OffsetDateTime, UtcOffset};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The window the items are received in: about 18 months before `now`, in microseconds.
const WINDOW_US: i64 = 548 * DAY_MS * 1000;
/// How many items [`DemoGenerator::new`] expects to spread over the window: the size of the
/// `make run` demo.
const DEFAULT_EXPECTED_COUNT: u64 = 2_000;
/// Keeps the pace finite at the expected count and makes it slow down harmonically after it.
const PACE_SLACK: u64 = 2;
const MINISTRY_DOMAIN: &str = "diplomatie.gouv.example";
const MEAE: &str = "Ministère de l'Europe et des Affaires étrangères";
const FRANCE_GOV: &str = "le Gouvernement de la République française";
/// How many recent telegrams and email threads are remembered for references and replies.
const RECENT_TELEGRAMS: usize = 512;
const RECENT_THREADS: usize = 96;

/// A deterministic generator of synthetic diplomatic correspondence addressed, in part, to
/// one user.
///
/// Items come out in the order they were received, with strictly increasing `received_at`
/// and ids (UUIDv7 built from `received_at`). Every item passes [`Item::validate`].
///
/// The generator paces arrivals so that an expected number of items (2,000 unless told
/// otherwise with [`DemoGenerator::with_expected_count`]) fills the window evenly and the
/// last one arrives shortly before `now`. Items drawn beyond that number keep arriving ever
/// closer to `now` (microseconds apart at the end), so a 200,000-item benchmark that forgot to
/// say so still gets valid, ordered items, but most of them in the last day: say the count.
pub struct DemoGenerator {
    seed: u64,
    rng: ChaCha12Rng,
    cast: Cast,
    now_us: i64,
    cursor_us: i64,
    expected: u64,
    generated: u64,
    last_dtg_ms: i64,
    last_note_ms: i64,
    /// Telegram numbering per origin (posts, then central services): (year, last serial).
    serials: Vec<(i32, u32)>,
    /// Note numbering per country: French embassy at 2i, the country's embassy in Paris at 2i+1.
    note_serials: Vec<(i32, u32)>,
    telegrams: Vec<SentTelegram>,
    /// The last unanswered note per country.
    notes: Vec<Option<SentNote>>,
    threads: Vec<Thread>,
}

impl fmt::Debug for DemoGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoGenerator")
            .field("seed", &self.seed)
            .field("generated", &self.generated)
            .field("expected", &self.expected)
            .field("cursor_us", &self.cursor_us)
            .field("now_us", &self.now_us)
            .finish_non_exhaustive()
    }
}

impl DemoGenerator {
    /// A generator for `user`, whose items are received over the 18 months before `now`.
    pub fn new(seed: u64, user: UserIdentity, now: OffsetDateTime) -> Self {
        let now_us = unix_us(now);
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        let serials = (0..POST_COUNT + SERVICES.len())
            .map(|_| (0, rng.random_range(20..=400)))
            .collect();
        let note_serials = (0..2 * COUNTRIES.len())
            .map(|_| (0, rng.random_range(10..=200)))
            .collect();
        Self {
            seed,
            rng,
            cast: Cast::new(&user),
            now_us,
            cursor_us: now_us - WINDOW_US,
            expected: DEFAULT_EXPECTED_COUNT,
            generated: 0,
            last_dtg_ms: i64::MIN,
            last_note_ms: i64::MIN,
            serials,
            note_serials,
            telegrams: Vec::with_capacity(RECENT_TELEGRAMS),
            notes: vec![None; COUNTRIES.len()],
            threads: Vec::with_capacity(RECENT_THREADS),
        }
    }

    /// Spreads `count` items over the whole window instead of the default 2,000: call it
    /// with the number of items you are about to draw (a benchmark's 200,000, a demo's 500).
    #[must_use]
    pub fn with_expected_count(mut self, count: u64) -> Self {
        self.expected = count;
        self
    }

    /// The next item, received after the previous one.
    pub fn next_item(&mut self) -> Item {
        let received_us = self.advance();
        let received_ms = received_us.div_euclid(1000);
        // RFC 9562 method 3: the microseconds within the millisecond go in the 12 bits of
        // rand_a, so that ids sort like `received_at` even within one millisecond.
        let mut random = [0u8; 10];
        self.rng.fill(&mut random);
        let [high, low] = u16::try_from(received_us.rem_euclid(1000))
            .unwrap_or_default()
            .to_be_bytes();
        random[0] = high;
        random[1] = low;
        let millis = u64::try_from(received_ms).unwrap_or_default();
        let id = ItemId::from_uuid(
            uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid(),
        );
        let kind = self.rng.random_range(0..100u32);
        let (content, route, language) = if kind < 55 {
            let route = self.roll_route(!self.cast.targets.is_empty());
            let telegram = self.telegram(id, received_ms, route);
            (ItemContent::Telegram(telegram), route, Language::FRENCH)
        } else if kind < 70 {
            let route = self.roll_route(!self.cast.targets.is_empty());
            let note = self.note(id, received_ms, route);
            (ItemContent::DiplomaticNote(note), route, Language::FRENCH)
        } else {
            let route = self.roll_route(self.cast.mailbox.is_some());
            let (email, language) = self.email(received_us, route);
            (ItemContent::FormalEmail(email), route, language)
        };
        let deadline = self.deadline(received_ms, route, &content);
        self.generated += 1;
        Item {
            id,
            received_at: datetime_us(received_us),
            deadline,
            content,
            language: Some(language),
        }
    }

    /// Moves the clock to the next arrival, in microseconds: exponential gaps whose mean
    /// shares what remains before `now` among the items still expected (and, past the
    /// expected count, among ever more), never more than half of it, at least 1 µs.
    fn advance(&mut self) -> i64 {
        let remaining = (self.now_us - self.cursor_us) as f64;
        let share = self.expected.abs_diff(self.generated) + PACE_SLACK;
        let mean = remaining / share as f64;
        let u: f64 = self.rng.random();
        let gap = (-(1.0 - u).ln() * mean).min(remaining / 2.0).max(1.0) as i64;
        self.cursor_us = self.cursor_us.saturating_add(gap);
        self.cursor_us
    }

    /// About 35 % for action, 35 % for information, the rest for others.
    fn roll_route(&mut self, possible: bool) -> Option<Route> {
        let roll = self.rng.random_range(0..100u32);
        match roll {
            _ if !possible => None,
            0..35 => Some(Route::Action),
            35..70 => Some(Route::Info),
            _ => None,
        }
    }

    /// About 20 % of items carry a deadline, more often those for the user's action.
    fn deadline(
        &mut self,
        received_ms: i64,
        route: Option<Route>,
        content: &ItemContent,
    ) -> Option<OffsetDateTime> {
        let p = if route == Some(Route::Action) {
            0.35
        } else {
            0.12
        };
        if !self.rng.random_bool(p) {
            return None;
        }
        let urgent = match content {
            ItemContent::Telegram(t) => t.precedence >= Precedence::Immediat,
            ItemContent::DiplomaticNote(n) => n.precedence >= Precedence::Immediat,
            ItemContent::FormalEmail(e) => e.precedence >= Precedence::Immediat,
        };
        let delay = if urgent {
            self.rng.random_range(2..=24) * HOUR_MS
        } else {
            self.rng.random_range(1..=21) * DAY_MS + self.rng.random_range(0..8) * HOUR_MS
        };
        let due = (received_ms + delay) / HOUR_MS * HOUR_MS;
        Some(datetime(due))
    }

    fn telegram(&mut self, id: ItemId, received_ms: i64, route: Option<Route>) -> Telegram {
        let rng = &mut self.rng;
        let ci = rng.random_range(0..COUNTRIES.len());
        let country = country_at(ci);
        let other = country_at(other_index(rng, ci));
        let theme = THEMES.choose(rng).unwrap_or(&THEMES[0]);

        let origin = pick_origin(rng, ci, theme);
        let delay = rng.random_range(MINUTE_MS..=40 * MINUTE_MS);
        let dtg_ms = ((received_ms - delay) / MINUTE_MS * MINUTE_MS)
            .max(self.last_dtg_ms)
            .min(received_ms);
        self.last_dtg_ms = dtg_ms;
        let dtg = datetime(dtg_ms);
        let year = dtg.year();
        let origin_code = origin.code();
        let serial = next_serial(&mut self.serials, origin.serial_index(), year);
        let number = TelegramNumber {
            post: origin_code.to_owned(),
            year,
            serial,
        };

        let ctx = Ctx::new(country, other, theme, year);
        let mut pen = Pen {
            rng: &mut self.rng,
            cast: &self.cast,
        };
        let tpl = pen.pick(theme.subjects);
        let subject = pen.text(tpl, &ctx);
        let tpl = pen.pick(theme.summaries);
        let mut summary = pen.text(tpl, &ctx);
        if pen.rng.random_bool(0.3) {
            summary.push(' ');
            let tpl = pen.pick(SUMMARY_TAILS);
            pen.sentence(&mut summary, tpl, &ctx, None);
        }
        let paragraphs = pen.telegram_paragraphs(&ctx, origin);
        let (precedence, justification) = pen.precedence([60, 25, 12, 3], &ctx);
        let mut marking = paragraphs
            .iter()
            .map(|p| p.marking)
            .max()
            .unwrap_or_default();
        if pen.rng.random_bool(0.04) {
            marking = Marking::DiffusionRestreinte;
        }
        let caveats = if pen
            .rng
            .random_bool(if marking == Marking::DiffusionRestreinte {
                0.12
            } else {
                0.02
            }) {
            vec![pen.pick(CAVEATS).to_owned()]
        } else {
            Vec::new()
        };

        let (mut action, mut info) = pen.telegram_addressees(ci, theme, origin);
        pen.route_user(route, &mut action, &mut info);
        let tags = pen.tags(theme, country, other);

        let drafter = pen.person_name();
        let clearers = (0..pen.rng.random_range(0..=3usize))
            .map(|_| pen.person_name())
            .collect();
        let approver = pen.rng.random_bool(0.92).then(|| {
            let head = origin.serial_index().wrapping_mul(131).wrapping_add(7);
            pen.cast
                .people
                .get(head % pen.cast.people.len().max(1))
                .map_or_else(|| "Le Chef de poste".to_owned(), |p| p.name.clone())
        });

        let references = self.telegram_references(ci, year);
        remember(
            &mut self.telegrams,
            RECENT_TELEGRAMS,
            self.generated,
            SentTelegram {
                label: format!("TD {number}"),
                id,
                country: ci,
            },
        );

        Telegram {
            number: Some(number),
            dtg,
            origin: origin_code.to_owned(),
            action,
            info,
            subject,
            tags,
            references,
            summary,
            paragraphs,
            drafter,
            clearers,
            approver,
            precedence,
            justification,
            marking,
            caveats,
        }
    }

    /// References to earlier telegrams: mostly generated ones (preferably about the same
    /// country), sometimes older ones known only by their label.
    fn telegram_references(&mut self, ci: usize, year: i32) -> Vec<Reference> {
        if !self.rng.random_bool(0.3) {
            return Vec::new();
        }
        let count = self.rng.random_range(1..=2usize);
        let mut references: Vec<Reference> = Vec::with_capacity(count);
        for _ in 0..count {
            let known = if self.telegrams.is_empty() || self.rng.random_bool(0.2) {
                None
            } else {
                let mut found = None;
                for _ in 0..6 {
                    let Some(candidate) = self.telegrams.choose(&mut self.rng) else {
                        break;
                    };
                    found = Some(candidate);
                    if candidate.country == ci {
                        break;
                    }
                }
                found
            };
            let reference = match known {
                Some(sent) => Reference {
                    label: sent.label.clone(),
                    item: Some(sent.id),
                },
                None => Reference {
                    label: format!(
                        "TD {} {}-{:04}",
                        post_code(self.rng.random_range(0..POST_COUNT)),
                        year - self.rng.random_range(1..=3),
                        self.rng.random_range(1..=2400)
                    ),
                    item: None,
                },
            };
            if !references.iter().any(|r| r.label == reference.label) {
                references.push(reference);
            }
        }
        references
    }

    fn note(&mut self, id: ItemId, received_ms: i64, route: Option<Route>) -> DiplomaticNote {
        let ci = self.rng.random_range(0..COUNTRIES.len());
        let country = country_at(ci);
        let other = country_at(other_index(&mut self.rng, ci));
        let answered = if self.rng.random_bool(0.4) {
            self.notes.get_mut(ci).and_then(Option::take)
        } else {
            None
        };
        let france_sends = match &answered {
            Some(previous) => !previous.france_sent,
            None => self.rng.random_bool(0.5),
        };
        let topic = NOTE_TOPICS.choose(&mut self.rng).unwrap_or(&NOTE_TOPICS[0]);
        let theme = THEMES.get(topic.theme).unwrap_or(&THEMES[0]);

        let delay = self.rng.random_range(HOUR_MS..=48 * HOUR_MS);
        let created_ms = ((received_ms - delay) / 1000 * 1000)
            .max(self.last_note_ms)
            .min(received_ms);
        self.last_note_ms = created_ms;
        let created_at = datetime(created_ms);
        let year = created_at.year();
        let serial = next_serial(
            &mut self.note_serials,
            2 * ci + usize::from(!france_sends),
            year,
        );
        let number = NoteNumber {
            mission: if france_sends {
                country.post.to_owned()
            } else {
                format!("{}-PARIS", country.iso)
            },
            year,
            serial,
        };
        let (sending_mission, receiving_institution, place) = if france_sends {
            (
                format!("Ambassade de France {}", country.en),
                country.ministry,
                country.capital,
            )
        } else {
            (country.embassy.to_owned(), MEAE, "Paris")
        };
        let formal_sender = format!("L'{sending_mission}");

        let answered_label = answered
            .as_ref()
            .map(|a| format!("n° {} du {}", a.number, fr_date(a.date)));
        let mut ctx = Ctx::new(country, other, theme, year);
        ctx.france_sends = Some(france_sends);
        ctx.answered = answered_label
            .as_deref()
            .zip(answered.as_ref().map(|a| a.subject.as_str()));

        let mut pen = Pen {
            rng: &mut self.rng,
            cast: &self.cast,
        };
        let base_subject = match &answered {
            Some(previous) => previous.subject.clone(),
            None => pen.text(topic.subject, &ctx),
        };
        let subject = if answered.is_some() {
            format!("Réponse – {base_subject}")
        } else {
            base_subject.clone()
        };
        let (first, body): (&str, &[&str]) = if answered.is_some() {
            (pen.pick(ANSWER_FIRST), ANSWER_BODY)
        } else {
            (topic.first, topic.body)
        };
        let mut paragraphs = Vec::with_capacity(4);
        // The first paragraph continues the opening formula: "… et a l'honneur de solliciter …".
        let mut text = String::with_capacity(256);
        pen.expand(&mut text, first, &ctx);
        paragraphs.push(np(text));
        let count = pen.rng.random_range(1..=body.len().clamp(1, 3));
        for tpl in body.choose_multiple(pen.rng, count) {
            paragraphs.push(np(pen.text(tpl, &ctx)));
        }
        let closer = pen.pick(NOTE_CLOSERS);
        paragraphs.push(np(pen.text(closer, &ctx)));
        let marking = if pen.rng.random_bool(0.1) {
            if let Some(p) = paragraphs.get_mut(1) {
                p.marking = Marking::DiffusionRestreinte;
            }
            Marking::DiffusionRestreinte
        } else {
            Marking::NonProtege
        };
        let (precedence, justification) = pen.precedence([75, 20, 4, 1], &ctx);

        let mut action = Vec::with_capacity(3);
        let mut info = Vec::with_capacity(4);
        pen.push_service(&mut action, country.service);
        if pen.rng.random_bool(0.5) {
            pen.push_service(&mut action, topic.service);
        }
        pen.push_post(&mut info, ci);
        if pen.rng.random_bool(0.3) {
            pen.push_service(&mut info, PROTOCOLE);
        }
        for _ in 0..pen.rng.random_range(0..=2) {
            pen.push_person(&mut info);
        }
        pen.route_user(route, &mut action, &mut info);
        let tags = [topic.tag, country.iso]
            .iter()
            .filter_map(|t| Tag::new(t).ok())
            .collect();

        if answered.is_none()
            && let Some(slot) = self.notes.get_mut(ci)
        {
            *slot = Some(SentNote {
                id,
                number: number.to_string(),
                date: created_at.date(),
                subject: base_subject,
                france_sent: france_sends,
            });
        }
        DiplomaticNote {
            number: Some(number),
            opening: DiplomaticNote::default_opening(&formal_sender, receiving_institution),
            closing: DiplomaticNote::default_closing(&formal_sender, receiving_institution),
            sending_mission,
            receiving_institution: receiving_institution.to_owned(),
            subject,
            paragraphs,
            place: place.to_owned(),
            date: created_at.date(),
            answers: answered.map(|a| Reference {
                label: format!("Note verbale n° {}", a.number),
                item: Some(a.id),
            }),
            action,
            info,
            tags,
            precedence,
            justification,
            marking,
            created_at,
        }
    }

    /// An email, in French or, for a fifth of the threads, in English: with its language.
    fn email(&mut self, received_us: i64, route: Option<Route>) -> (FormalEmail, Language) {
        let delay = self.rng.random_range(2_000..=900_000);
        let date = datetime((received_us.div_euclid(1000) - delay) / 1000 * 1000);
        let message_id = format!(
            "<{:013x}.{:08x}@{MINISTRY_DOMAIN}>",
            received_us,
            self.rng.random::<u32>()
        );
        let reply_to = if !self.threads.is_empty() && self.rng.random_bool(0.35) {
            Some(self.rng.random_range(0..self.threads.len()))
        } else {
            None
        };
        let thread = reply_to.and_then(|i| self.threads.get(i));
        let (ci, theme_index, english) = match thread {
            Some(t) => (t.country, t.theme, t.english),
            None => (
                self.rng.random_range(0..COUNTRIES.len()),
                self.rng.random_range(0..THEMES.len()),
                self.rng.random_bool(0.22),
            ),
        };
        let country = country_at(ci);
        let other = country_at(other_index(&mut self.rng, ci));
        let theme = THEMES.get(theme_index).unwrap_or(&THEMES[0]);
        let ctx = Ctx::new(country, other, theme, date.year());

        let mut pen = Pen {
            rng: &mut self.rng,
            cast: &self.cast,
        };
        let from = if english {
            pen.io_mailbox()
        } else {
            pen.ministry_mailbox()
        };
        let (subject, base_subject) = match thread {
            Some(t) => {
                let prefix = if pen.rng.random_bool(0.85) {
                    "RE: "
                } else {
                    "TR: "
                };
                (format!("{prefix}{}", t.subject), t.subject.clone())
            }
            None => {
                let tpl = if english {
                    pen.pick(EN_SUBJECTS)
                } else {
                    pen.pick(EMAIL_SUBJECTS)
                };
                let s = pen.text(tpl, &ctx);
                (s.clone(), s)
            }
        };
        let mut to = Vec::with_capacity(4);
        for _ in 0..pen.rng.random_range(1..=3) {
            let m = if pen.rng.random_bool(0.2) {
                pen.functional_mailbox()
            } else {
                pen.ministry_mailbox()
            };
            push_mailbox(&mut to, m);
        }
        let mut cc = Vec::with_capacity(5);
        for _ in 0..pen.rng.random_range(0..=4) {
            let m = pen.ministry_mailbox();
            if !to.iter().any(|t| t.address == m.address) {
                push_mailbox(&mut cc, m);
            }
        }
        if let Some(user) = pen.cast.mailbox.clone() {
            match route {
                Some(Route::Action) => {
                    let at = pen.rng.random_range(0..=to.len());
                    to.insert(at, user);
                }
                Some(Route::Info) => {
                    let at = pen.rng.random_range(0..=cc.len());
                    cc.insert(at, user);
                }
                None => {}
            }
        }
        if to.is_empty() && cc.is_empty() {
            to.push(pen.functional_mailbox());
        }
        let body = if english {
            pen.english_body(&ctx, &from, thread)
        } else {
            pen.french_body(&ctx, &from, thread)
        };
        let attachments = if pen.rng.random_bool(0.25) {
            (0..pen.rng.random_range(1..=3))
                .map(|_| pen.attachment(&ctx, english))
                .collect()
        } else {
            Vec::new()
        };
        let precedence = match pen.rng.random_range(0..100u32) {
            0..78 => Precedence::Routine,
            78..96 => Precedence::Prioritaire,
            _ => Precedence::Immediat,
        };
        let marking = if !english && pen.rng.random_bool(0.08) {
            Marking::DiffusionRestreinte
        } else {
            Marking::NonProtege
        };
        let from_name = from.name.clone().unwrap_or_else(|| from.address.clone());

        let (in_reply_to, references) = match reply_to.and_then(|i| self.threads.get_mut(i)) {
            Some(t) => {
                let in_reply_to = vec![t.last_id.clone()];
                t.references.push(t.last_id.clone());
                if t.references.len() > 10 {
                    let end = t.references.len() - 9;
                    t.references.drain(1..end);
                }
                let references = t.references.clone();
                t.last_id.clone_from(&message_id);
                t.last_from = from_name;
                t.last_date = date;
                (in_reply_to, references)
            }
            None => {
                let generated = self.generated;
                remember(
                    &mut self.threads,
                    RECENT_THREADS,
                    generated,
                    Thread {
                        subject: base_subject,
                        last_id: message_id.clone(),
                        references: Vec::new(),
                        last_from: from_name,
                        last_date: date,
                        english,
                        country: ci,
                        theme: theme_index,
                    },
                );
                (Vec::new(), Vec::new())
            }
        };
        let email = FormalEmail {
            from,
            to,
            cc,
            date,
            message_id: Some(message_id),
            in_reply_to,
            references,
            subject,
            body,
            attachments,
            marking,
            precedence,
        };
        let language = if english {
            Language::ENGLISH
        } else {
            Language::FRENCH
        };
        (email, language)
    }
}

impl Iterator for DemoGenerator {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        Some(self.next_item())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl std::iter::FusedIterator for DemoGenerator {}

fn unix_us(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or_default()
}

fn datetime_us(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(UtcOffset::UTC)
}

fn datetime(ms: i64) -> OffsetDateTime {
    datetime_us(ms.saturating_mul(1000))
}

fn country_at(index: usize) -> &'static Country {
    COUNTRIES.get(index).unwrap_or(&COUNTRIES[0])
}

/// A country index other than `ci`.
fn other_index(rng: &mut ChaCha12Rng, ci: usize) -> usize {
    let i = rng.random_range(0..COUNTRIES.len() - 1);
    if i >= ci { i + 1 } else { i }
}

/// The next serial of a numbering, restarting at 1 each year (the first year of the window
/// starts mid-way, from the random base set at construction).
fn next_serial(serials: &mut [(i32, u32)], index: usize, year: i32) -> u32 {
    let Some((last_year, serial)) = serials.get_mut(index) else {
        return 1;
    };
    if *last_year != year {
        if *last_year != 0 {
            *serial = 0;
        }
        *last_year = year;
    }
    *serial += 1;
    *serial
}

/// Keeps the last `cap` entries of a ring, replacing them in turn once full.
fn remember<T>(ring: &mut Vec<T>, cap: usize, counter: u64, entry: T) {
    if ring.len() < cap {
        ring.push(entry);
    } else if let Some(slot) = ring.get_mut(usize::try_from(counter).unwrap_or_default() % cap) {
        *slot = entry;
    }
}

fn push_mailbox(list: &mut Vec<Mailbox>, m: Mailbox) {
    if !list.iter().any(|x| x.address == m.address) {
        list.push(m);
    }
}

fn np(text: String) -> Paragraph {
    Paragraph {
        marking: Marking::NonProtege,
        text,
    }
}

fn month_fr(month: Month) -> &'static str {
    MONTHS_FR
        .get(usize::from(u8::from(month)).saturating_sub(1))
        .copied()
        .unwrap_or("janvier")
}

/// `3 mars 2026`, `1er août 2025`.
fn fr_date(date: Date) -> String {
    let day = date.day();
    let month = month_fr(date.month());
    if day == 1 {
        format!("1er {month} {}", date.year())
    } else {
        format!("{day} {month} {}", date.year())
    }
}

/// Upper-cases the character at byte `start` (a char boundary) if it is lower-case.
fn capitalize_at(s: &mut String, start: usize) {
    let Some(first) = s.get(start..).and_then(|t| t.chars().next()) else {
        return;
    };
    if first.is_lowercase() {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(start..start + first.len_utf8(), &upper);
    }
}

/// Lower-cases the character at byte `start` when it begins an ordinary word ("Le", "L'"),
/// not an acronym ("OMS") nor a proper name that a connector cannot lower.
fn decapitalize_at(s: &mut String, start: usize) {
    let mut chars = s.get(start..).map(str::chars).into_iter().flatten();
    let (Some(first), second) = (chars.next(), chars.next()) else {
        return;
    };
    let ordinary = second.is_some_and(|c| c.is_lowercase() || c == '\'' || c == ' ');
    if first.is_uppercase() && ordinary {
        let lower: String = first.to_lowercase().collect();
        s.replace_range(start..start + first.len_utf8(), &lower);
    }
}

/// The people, units and mailboxes the generator addresses, prepared once for the user.
struct Cast {
    /// Addressees that designate the user (their units, their name).
    targets: Vec<Addressee>,
    /// The user's first email address, as a mailbox.
    mailbox: Option<Mailbox>,
    /// Ministry staff, never the user.
    people: Vec<Person>,
    /// Whether each central service / post does not designate the user.
    service_ok: Vec<bool>,
    post_ok: Vec<bool>,
    /// Functional mailboxes of the services, never the user's.
    functional: Vec<Mailbox>,
}

struct Person {
    name: String,
    address: String,
    feminine: bool,
}

impl Cast {
    fn new(user: &UserIdentity) -> Self {
        let mut targets: Vec<Addressee> = user
            .units
            .iter()
            .filter(|u| !u.trim().is_empty())
            .map(|u| Addressee::Unit(u.clone()))
            .collect();
        if !user.name.trim().is_empty() {
            targets.push(Addressee::Person(user.name.clone()));
        }
        let mailbox = user
            .emails
            .first()
            .and_then(|e| Mailbox::parse(e).ok())
            .map(|m| Mailbox {
                name: m
                    .name
                    .or_else(|| (!user.name.trim().is_empty()).then(|| user.name.clone())),
                address: m.address,
            });
        let mut people = Vec::with_capacity(FIRST_NAMES.len() * LAST_NAMES.len());
        for (first, first_ascii, feminine) in FIRST_NAMES {
            for (last, last_ascii) in LAST_NAMES {
                let name = format!("{first} {last}");
                let address = format!("{first_ascii}.{last_ascii}@{MINISTRY_DOMAIN}");
                if user.is_addressed_by(&Addressee::Person(name.clone()))
                    || user.has_email(&address)
                {
                    continue;
                }
                people.push(Person {
                    name,
                    address,
                    feminine: *feminine,
                });
            }
        }
        let service_ok = SERVICES
            .iter()
            .map(|(code, _)| !user.is_addressed_by(&Addressee::Unit((*code).to_owned())))
            .collect();
        let post_ok = (0..POST_COUNT)
            .map(|p| !user.is_addressed_by(&Addressee::Unit(post_code(p).to_owned())))
            .collect();
        let functional = SERVICES
            .iter()
            .filter_map(|(code, _)| {
                let short = code.rsplit('/').next().unwrap_or(code);
                let address = format!(
                    "secretariat.{}@{MINISTRY_DOMAIN}",
                    short.to_ascii_lowercase()
                );
                (!user.has_email(&address)).then(|| Mailbox {
                    name: Some(format!("Secrétariat {short}")),
                    address,
                })
            })
            .collect();
        Self {
            targets,
            mailbox,
            people,
            service_ok,
            post_ok,
            functional,
        }
    }
}

struct SentTelegram {
    label: String,
    id: ItemId,
    country: usize,
}

#[derive(Clone)]
struct SentNote {
    id: ItemId,
    number: String,
    date: Date,
    subject: String,
    france_sent: bool,
}

struct Thread {
    subject: String,
    last_id: String,
    references: Vec<String>,
    last_from: String,
    last_date: OffsetDateTime,
    english: bool,
    country: usize,
    theme: usize,
}

/// Where a telegram comes from: a post abroad or a central service in Paris.
#[derive(Clone, Copy)]
enum Origin {
    Post(usize),
    Service(usize),
}

impl Origin {
    fn code(self) -> &'static str {
        match self {
            Origin::Post(p) => post_code(p),
            Origin::Service(s) => service_code(s),
        }
    }

    fn serial_index(self) -> usize {
        match self {
            Origin::Post(p) => p,
            Origin::Service(s) => POST_COUNT + s,
        }
    }
}

fn pick_origin(rng: &mut ChaCha12Rng, ci: usize, theme: &Theme) -> Origin {
    if !theme.missions.is_empty() && rng.random_bool(0.45) {
        let m = theme.missions.choose(rng).copied().unwrap_or(RP_UE);
        return Origin::Post(COUNTRIES.len() + m);
    }
    if rng.random_bool(0.7) {
        let country = country_at(ci);
        let consulate = EXTRA_POSTS
            .iter()
            .position(|(_, iso)| *iso == Some(country.iso));
        let p_consulate = if theme.service == FAE { 0.4 } else { 0.12 };
        return match consulate {
            Some(c) if rng.random_bool(p_consulate) => Origin::Post(COUNTRIES.len() + c),
            _ => Origin::Post(ci),
        };
    }
    if rng.random_bool(0.6) {
        Origin::Service(country_at(ci).service)
    } else {
        Origin::Service(theme.service)
    }
}

fn post_code(p: usize) -> &'static str {
    match COUNTRIES.get(p) {
        Some(c) => c.post,
        None => EXTRA_POSTS
            .get(p - COUNTRIES.len())
            .map_or("PARIS", |(code, _)| code),
    }
}

fn service_code(s: usize) -> &'static str {
    SERVICES.get(s).map_or("DIPLOMATIE", |(code, _)| code)
}

fn service_label(s: usize) -> &'static str {
    SERVICES.get(s).map_or(MEAE, |(_, label)| label)
}

/// What placeholders in a template stand for.
struct Ctx<'a> {
    country: &'a Country,
    other: &'a Country,
    theme: &'a Theme,
    year: i32,
    /// For a note: whether the French side sends it.
    france_sends: Option<bool>,
    /// For a note that answers another: its label and subject.
    answered: Option<(&'a str, &'a str)>,
}

impl<'a> Ctx<'a> {
    fn new(country: &'a Country, other: &'a Country, theme: &'a Theme, year: i32) -> Self {
        Self {
            country,
            other,
            theme,
            year,
            france_sends: None,
            answered: None,
        }
    }
}

/// Writes text: templates, names, numbers, addressees.
struct Pen<'a> {
    rng: &'a mut ChaCha12Rng,
    cast: &'a Cast,
}

impl Pen<'_> {
    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items.choose(self.rng).copied().unwrap_or_default()
    }

    /// Expands `{x}` placeholders (one character between braces) into `out`.
    fn expand(&mut self, out: &mut String, template: &str, ctx: &Ctx<'_>) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(rest.get(..open).unwrap_or_default());
            let after = rest.get(open + 1..).unwrap_or_default();
            let mut chars = after.chars();
            match (chars.next(), chars.next()) {
                (Some(key), Some('}')) => {
                    self.fill(out, key, ctx);
                    rest = after.get(key.len_utf8() + 1..).unwrap_or_default();
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
    }

    fn fill(&mut self, out: &mut String, key: char, ctx: &Ctx<'_>) {
        let c = ctx.country;
        let france_sends = ctx.france_sends.unwrap_or(true);
        match key {
            'p' => out.push_str(c.name),
            'l' => out.push_str(c.le),
            'e' => out.push_str(c.en),
            'd' => out.push_str(c.du),
            'a' => out.push_str(c.adj),
            'A' => {
                out.push_str(c.adj);
                out.push('s');
            }
            'v' => out.push_str(c.capital),
            'P' => out.push_str(c.english),
            'Q' => out.push_str(ctx.other.le),
            't' => out.push_str(ctx.theme.label),
            'i' => {
                let s = self.pick(INTERLOCUTORS);
                out.push_str(s);
            }
            'o' => {
                let s = self.pick(ORGANISATIONS);
                out.push_str(s);
            }
            's' => {
                let n = self.cast.people.choose(self.rng).map_or("", |p| &p.name);
                out.push_str(n);
            }
            'n' => {
                let _ = write!(out, "{}", self.rng.random_range(2..=60));
            }
            'N' => self.amount(out),
            'x' => {
                let _ = write!(
                    out,
                    "{},{} %",
                    self.rng.random_range(1..=68),
                    self.rng.random_range(0..=9)
                );
            }
            'X' => {
                let _ = write!(
                    out,
                    "{}.{}%",
                    self.rng.random_range(1..=68),
                    self.rng.random_range(0..=9)
                );
            }
            'm' => {
                let m = self.pick(&MONTHS_FR);
                out.push_str(m);
            }
            'j' => {
                let day = self.rng.random_range(1..=28);
                let m = self.pick(&MONTHS_FR);
                if day == 1 {
                    let _ = write!(out, "1er {m}");
                } else {
                    let _ = write!(out, "{day} {m}");
                }
            }
            'J' => {
                let day = self.rng.random_range(1..=28);
                let m = self.pick(&MONTHS_EN);
                let _ = write!(out, "{day} {m}");
            }
            'y' => {
                let _ = write!(out, "{}", ctx.year);
            }
            'S' => {
                out.push_str("la partie ");
                out.push_str(if france_sends { "française" } else { c.adj });
            }
            'R' => {
                out.push_str("les autorités ");
                if france_sends {
                    out.push_str(c.adj);
                    out.push('s');
                } else {
                    out.push_str("françaises");
                }
            }
            'E' => out.push_str(if france_sends { c.en } else { "en France" }),
            'G' => out.push_str(if france_sends { FRANCE_GOV } else { c.gov }),
            'H' => out.push_str(if france_sends { c.gov } else { FRANCE_GOV }),
            'V' => out.push_str(if france_sends { c.capital } else { "Paris" }),
            'r' => out.push_str(ctx.answered.map_or("", |(label, _)| label)),
            'u' => out.push_str(ctx.answered.map_or("", |(_, subject)| subject)),
            _ => {}
        }
    }

    fn amount(&mut self, out: &mut String) {
        let _ = match self.rng.random_range(0..10u32) {
            0..5 => write!(out, "{} millions d'euros", self.rng.random_range(12..=950)),
            5..8 => write!(
                out,
                "{},{} milliards d'euros",
                self.rng.random_range(1..=40),
                self.rng.random_range(1..=9)
            ),
            _ => write!(
                out,
                "{} millions de dollars",
                self.rng.random_range(15..=900)
            ),
        };
    }

    /// A template expanded as a standalone text, its first letter upper-case.
    fn text(&mut self, template: &str, ctx: &Ctx<'_>) -> String {
        let mut out = String::with_capacity(template.len() + 48);
        self.expand(&mut out, template, ctx);
        capitalize_at(&mut out, 0);
        out
    }

    /// Appends one sentence, optionally after a connector ("Par ailleurs, …").
    fn sentence(
        &mut self,
        out: &mut String,
        template: &str,
        ctx: &Ctx<'_>,
        connector: Option<&str>,
    ) {
        if let Some(connector) = connector {
            let start = out.len();
            out.push_str(connector);
            capitalize_at(out, start);
            let body = out.len();
            self.expand(out, template, ctx);
            decapitalize_at(out, body);
        } else {
            let start = out.len();
            self.expand(out, template, ctx);
            capitalize_at(out, start);
        }
    }

    fn telegram_paragraphs(&mut self, ctx: &Ctx<'_>, origin: Origin) -> Vec<Paragraph> {
        let theme = ctx.theme;
        let count = self.rng.random_range(3..=9usize);
        let sensitive = self.rng.random_bool(0.3);
        let mut facts = theme
            .facts
            .choose_multiple(self.rng, theme.facts.len())
            .copied();
        let mut generic = GENERIC_FACTS.choose_multiple(self.rng, 14).copied();
        let mut paragraphs = Vec::with_capacity(count);
        for index in 0..count {
            let last = index + 1 == count;
            let mut text = String::with_capacity(480);
            if last {
                if self.rng.random_bool(0.8) {
                    text.push_str("Commentaire : ");
                    let tpl = self.pick_either(theme.comments, GENERIC_COMMENTS, 0.7);
                    let body = text.len();
                    self.expand(&mut text, tpl, ctx);
                    decapitalize_at(&mut text, body);
                } else {
                    let tpl = self.pick_either(theme.comments, GENERIC_COMMENTS, 0.7);
                    self.sentence(&mut text, tpl, ctx, None);
                }
                if self.rng.random_bool(0.6) {
                    text.push(' ');
                    let tpl = self.pick(GENERIC_COMMENTS);
                    self.sentence(&mut text, tpl, ctx, None);
                }
            } else {
                if index == 0 {
                    let opener = match origin {
                        Origin::Service(_) => Some(self.pick(INSTRUCTIONS)),
                        Origin::Post(_) if self.rng.random_bool(0.35) => Some(self.pick(INTROS)),
                        Origin::Post(_) => None,
                    };
                    if let Some(tpl) = opener {
                        self.sentence(&mut text, tpl, ctx, None);
                    }
                }
                for _ in 0..self.rng.random_range(1..=3) {
                    let tpl = if self.rng.random_bool(0.72) {
                        facts.next().or_else(|| generic.next())
                    } else {
                        generic.next().or_else(|| facts.next())
                    };
                    let Some(tpl) = tpl else { break };
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    let connector = self.rng.random_bool(0.22).then(|| self.pick(CONNECTORS));
                    self.sentence(&mut text, tpl, ctx, connector);
                }
                if text.is_empty() {
                    let tpl = self.pick(GENERIC_COMMENTS);
                    self.sentence(&mut text, tpl, ctx, None);
                }
            }
            let p_dr = match (sensitive, last) {
                (false, _) => 0.0,
                (true, true) => 0.6,
                (true, false) => 0.3,
            };
            let marking = if self.rng.random_bool(p_dr) {
                Marking::DiffusionRestreinte
            } else {
                Marking::NonProtege
            };
            paragraphs.push(Paragraph { marking, text });
        }
        paragraphs
    }

    fn pick_either(&mut self, a: &[&'static str], b: &[&'static str], p_a: f64) -> &'static str {
        if self.rng.random_bool(p_a) {
            self.pick(a)
        } else {
            self.pick(b)
        }
    }

    /// A precedence by weights (Routine, Prioritaire, Immédiat, Flash); a Flash always comes
    /// with its justification line.
    fn precedence(&mut self, weights: [u32; 4], ctx: &Ctx<'_>) -> (Precedence, Option<String>) {
        let total: u32 = weights.iter().sum();
        let mut roll = self.rng.random_range(0..total.max(1));
        let mut chosen = Precedence::Routine;
        for (precedence, weight) in Precedence::ALL.into_iter().zip(weights) {
            if roll < weight {
                chosen = precedence;
                break;
            }
            roll -= weight;
        }
        let justification = (chosen == Precedence::Flash).then(|| {
            let tpl = self.pick(FLASH_JUSTIFICATIONS);
            self.text(tpl, ctx)
        });
        (chosen, justification)
    }

    fn push_unit(list: &mut Vec<Addressee>, code: &str) {
        if !list.iter().any(|a| a.name() == code) {
            list.push(Addressee::Unit(code.to_owned()));
        }
    }

    fn push_service(&mut self, list: &mut Vec<Addressee>, s: usize) {
        if self.cast.service_ok.get(s).copied().unwrap_or(false) {
            Self::push_unit(list, service_code(s));
        }
    }

    fn push_post(&mut self, list: &mut Vec<Addressee>, p: usize) {
        if self.cast.post_ok.get(p).copied().unwrap_or(false) {
            Self::push_unit(list, post_code(p));
        }
    }

    fn push_person(&mut self, list: &mut Vec<Addressee>) {
        if let Some(p) = self.cast.people.choose(self.rng)
            && !list.iter().any(|a| a.name() == p.name)
        {
            list.push(Addressee::Person(p.name.clone()));
        }
    }

    fn telegram_addressees(
        &mut self,
        ci: usize,
        theme: &Theme,
        origin: Origin,
    ) -> (Vec<Addressee>, Vec<Addressee>) {
        let country = country_at(ci);
        let mut action = Vec::with_capacity(4);
        let mut info = Vec::with_capacity(8);
        match origin {
            Origin::Post(p) => {
                self.push_service(&mut action, country.service);
                if self.rng.random_bool(0.4) {
                    self.push_service(&mut action, theme.service);
                }
                if p >= COUNTRIES.len() {
                    // A consulate or a mission also informs the embassy.
                    self.push_post(&mut info, ci);
                }
                for _ in 0..self.rng.random_range(0..=3) {
                    let other = self.rng.random_range(0..POST_COUNT);
                    if other != p {
                        self.push_post(&mut info, other);
                    }
                }
                if self.rng.random_bool(0.5) {
                    self.push_service(&mut info, CAB);
                }
                if self.rng.random_bool(0.1) {
                    self.push_service(&mut info, DCP);
                }
            }
            Origin::Service(s) => {
                self.push_post(&mut action, ci);
                if !theme.missions.is_empty() && self.rng.random_bool(0.5) {
                    let m = theme
                        .missions
                        .choose(&mut self.rng)
                        .copied()
                        .unwrap_or(RP_UE);
                    self.push_post(&mut action, COUNTRIES.len() + m);
                }
                for _ in 0..self.rng.random_range(1..=2) {
                    let other = self.rng.random_range(0..SERVICES.len());
                    if other != s {
                        self.push_service(&mut info, other);
                    }
                }
                for _ in 0..self.rng.random_range(0..=2) {
                    let other = self.rng.random_range(0..COUNTRIES.len());
                    self.push_post(&mut info, other);
                }
            }
        }
        for _ in 0..self.rng.random_range(0..=2) {
            self.push_person(&mut info);
        }
        if self.rng.random_bool(0.15) {
            self.push_person(&mut action);
        }
        if action.is_empty() {
            let fallback = (0..SERVICES.len())
                .find(|s| self.cast.service_ok.get(*s).copied().unwrap_or(false))
                .unwrap_or(CAB);
            Self::push_unit(&mut action, service_code(fallback));
        }
        (action, info)
    }

    /// Puts the user on the action or info list (by one of their units or their name).
    fn route_user(
        &mut self,
        route: Option<Route>,
        action: &mut Vec<Addressee>,
        info: &mut Vec<Addressee>,
    ) {
        let list = match route {
            Some(Route::Action) => action,
            Some(Route::Info) => info,
            None => return,
        };
        if let Some(target) = self.cast.targets.choose(self.rng) {
            let at = self.rng.random_range(0..=list.len());
            list.insert(at, target.clone());
        }
    }

    fn tags(&mut self, theme: &Theme, country: &Country, other: &Country) -> Vec<Tag> {
        let mut codes: Vec<&str> = Vec::with_capacity(5);
        let thematic = self.rng.random_range(1..=theme.tags.len().max(1));
        codes.extend(theme.tags.iter().take(thematic));
        codes.push(country.iso);
        if self.rng.random_bool(0.12) {
            codes.push(other.iso);
        }
        codes.iter().filter_map(|c| Tag::new(c).ok()).collect()
    }

    fn person_name(&mut self) -> String {
        self.cast
            .people
            .choose(self.rng)
            .map_or_else(|| "Le Rédacteur".to_owned(), |p| p.name.clone())
    }

    fn ministry_mailbox(&mut self) -> Mailbox {
        match self.cast.people.choose(self.rng) {
            Some(p) => Mailbox {
                name: Some(p.name.clone()),
                address: p.address.clone(),
            },
            None => self.functional_mailbox(),
        }
    }

    fn functional_mailbox(&mut self) -> Mailbox {
        self.cast
            .functional
            .choose(self.rng)
            .cloned()
            .unwrap_or_else(|| Mailbox {
                name: Some("Secrétariat général".to_owned()),
                address: format!("secretariat.general@{MINISTRY_DOMAIN}"),
            })
    }

    fn io_mailbox(&mut self) -> Mailbox {
        let (name, local) = IO_PEOPLE
            .choose(self.rng)
            .copied()
            .unwrap_or(("Sarah Mitchell", "sarah.mitchell"));
        let (_, domain) = IO_ORGS
            .choose(self.rng)
            .copied()
            .unwrap_or(("United Nations Secretariat", "un.example"));
        let address = format!("{local}@{domain}");
        let mailbox = Mailbox {
            name: Some(name.to_owned()),
            address,
        };
        match &self.cast.mailbox {
            Some(user) if user.address.eq_ignore_ascii_case(&mailbox.address) => {
                self.ministry_mailbox()
            }
            _ => mailbox,
        }
    }

    fn french_body(&mut self, ctx: &Ctx<'_>, from: &Mailbox, thread: Option<&Thread>) -> String {
        let mut body = String::with_capacity(1400);
        let greeting = self.pick(GREETINGS_FR);
        body.push_str(greeting);
        body.push_str("\n\n");
        if thread.is_some() {
            let tpl = self.pick(REPLY_OPENERS_FR);
            self.sentence(&mut body, tpl, ctx, None);
            body.push(' ');
        }
        let count = self.rng.random_range(1..=3);
        for (i, tpl) in EMAIL_SENTENCES_FR
            .choose_multiple(self.rng, count)
            .enumerate()
        {
            if i > 0 {
                body.push(' ');
            }
            self.sentence(&mut body, tpl, ctx, None);
        }
        if self.rng.random_bool(0.6) {
            body.push_str("\n\nÉléments de contexte : ");
            let start = body.len();
            let tpl = self.pick(ctx.theme.facts);
            self.expand(&mut body, tpl, ctx);
            decapitalize_at(&mut body, start);
            if self.rng.random_bool(0.5) {
                body.push(' ');
                let tpl = self.pick(ctx.theme.facts);
                self.sentence(&mut body, tpl, ctx, None);
            }
        }
        if self.rng.random_bool(0.5) {
            body.push_str("\n\n");
            let tpl = self.pick(EMAIL_CLOSERS_FR);
            self.sentence(&mut body, tpl, ctx, None);
        }
        body.push_str("\n\n");
        body.push_str(self.pick(SIGNOFFS_FR));
        body.push_str("\n\n");
        self.signature(&mut body, from);
        if let Some(t) = thread {
            let _ = write!(
                body,
                "\n\n-----Message d'origine-----\nDe : {}\nEnvoyé : {} {:02}:{:02}\nObjet : {}\n\n> ",
                t.last_from,
                fr_date(t.last_date.date()),
                t.last_date.hour(),
                t.last_date.minute(),
                t.subject
            );
            let tpl = self.pick(ctx.theme.facts);
            self.sentence(&mut body, tpl, ctx, None);
        }
        body
    }

    fn signature(&mut self, body: &mut String, from: &Mailbox) {
        let feminine = self
            .cast
            .people
            .iter()
            .find(|p| p.address == from.address)
            .is_some_and(|p| p.feminine);
        let (masculine_title, feminine_title) = TITLES
            .choose(self.rng)
            .copied()
            .unwrap_or(("Rédacteur", "Rédactrice"));
        let title = if feminine {
            feminine_title
        } else {
            masculine_title
        };
        let service = self.rng.random_range(0..SERVICES.len());
        let _ = write!(
            body,
            "{}\n{title}\n{}\n{MEAE}\n37, quai d'Orsay – 75007 Paris\nTél. : +33 1 43 17 {:02} {:02}",
            from.name.as_deref().unwrap_or(&from.address),
            service_label(service),
            self.rng.random_range(10..=99),
            self.rng.random_range(10..=99)
        );
    }

    fn english_body(&mut self, ctx: &Ctx<'_>, from: &Mailbox, thread: Option<&Thread>) -> String {
        let mut body = String::with_capacity(1200);
        body.push_str(self.pick(GREETINGS_EN));
        body.push_str("\n\n");
        if thread.is_some() {
            body.push_str(self.pick(REPLY_OPENERS_EN));
            body.push(' ');
        }
        let count = self.rng.random_range(2..=4);
        for (i, tpl) in EN_SENTENCES.choose_multiple(self.rng, count).enumerate() {
            if i > 0 {
                body.push(' ');
            }
            self.sentence(&mut body, tpl, ctx, None);
        }
        body.push_str("\n\n");
        body.push_str(self.pick(SIGNOFFS_EN));
        body.push_str("\n\n");
        let org = IO_ORGS
            .iter()
            .find(|(_, domain)| from.address.ends_with(domain))
            .map_or("United Nations Secretariat", |(org, _)| org);
        let _ = write!(
            body,
            "{}\n{}\n{org}",
            from.name.as_deref().unwrap_or(&from.address),
            self.pick(EN_TITLES)
        );
        body
    }

    fn attachment(&mut self, ctx: &Ctx<'_>, english: bool) -> AttachmentMeta {
        let pool = if english { EN_ATTACHMENTS } else { ATTACHMENTS };
        let (name, content_type) = pool
            .choose(self.rng)
            .copied()
            .unwrap_or(("Note.pdf", "application/pdf"));
        let mut expanded = String::with_capacity(name.len() + 4);
        self.expand(&mut expanded, name, ctx);
        let mut digest = [0u8; 32];
        self.rng.fill(&mut digest);
        let mut sha256 = String::with_capacity(64);
        for byte in digest {
            let _ = write!(sha256, "{byte:02x}");
        }
        AttachmentMeta {
            name: expanded,
            content_type: content_type.to_owned(),
            size: self.rng.random_range(8_000..=6_000_000),
            sha256,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus. Placeholders (one character between braces), expanded by `Pen::fill`:
//   {p} country, {l} with its article, {e} "en …/au …", {d} "de l'…/du …", {a} adjective
//   (feminine singular), {A} (feminine plural), {v} capital, {P} English name, {Q} another
//   country with its article, {t} theme label, {i} an interlocutor, {o} an organisation,
//   {s} a person, {n} a small number, {N} an amount, {x} a percentage (fr), {X} (en),
//   {m} a month, {j} a day and month (fr), {J} (en), {y} the year.
//   Notes only: {S} the sending party, {R} the receiving authorities, {E} "en <receiving
//   country>", {G} the sending government, {H} the receiving one, {V} the receiving capital,
//   {r} the answered note's number and date, {u} its subject.
// ---------------------------------------------------------------------------------------------

struct Country {
    name: &'static str,
    le: &'static str,
    en: &'static str,
    du: &'static str,
    adj: &'static str,
    capital: &'static str,
    iso: &'static str,
    english: &'static str,
    /// The foreign ministry, as the receiving institution of a French note.
    ministry: &'static str,
    /// The country's embassy in Paris, sending notes to the ministry.
    embassy: &'static str,
    gov: &'static str,
    /// The French embassy's telegram post.
    post: &'static str,
    /// The geographic direction in Paris.
    service: usize,
}

const DUE: usize = 0;
const EUC: usize = 1;
const AMERIQUES: usize = 2;
const ASIE: usize = 3;
const DAOI: usize = 4;
const ANMO: usize = 5;
const DGM: usize = 6;
const NUOI: usize = 7;
const ASD: usize = 8;
const FAE: usize = 9;
const CDC: usize = 10;
const DE: usize = 11;
const DJ: usize = 12;
const PROTOCOLE: usize = 13;
const CAB: usize = 14;
const DCP: usize = 15;

static SERVICES: [(&str, &str); 16] = [
    ("DIPLOMATIE/DUE", "Direction de l'Union européenne"),
    ("DIPLOMATIE/EUC", "Direction de l'Europe continentale"),
    (
        "DIPLOMATIE/AMERIQUES",
        "Direction des Amériques et des Caraïbes",
    ),
    ("DIPLOMATIE/ASIE", "Direction d'Asie et d'Océanie"),
    (
        "DIPLOMATIE/DAOI",
        "Direction d'Afrique et de l'océan Indien",
    ),
    (
        "DIPLOMATIE/ANMO",
        "Direction d'Afrique du Nord et du Moyen-Orient",
    ),
    ("DIPLOMATIE/DGM", "Direction générale de la mondialisation"),
    (
        "DIPLOMATIE/NUOI",
        "Direction des Nations unies et des organisations internationales",
    ),
    (
        "DIPLOMATIE/ASD",
        "Direction des affaires stratégiques, de sécurité et du désarmement",
    ),
    (
        "DIPLOMATIE/FAE",
        "Direction des Français à l'étranger et de l'administration consulaire",
    ),
    ("DIPLOMATIE/CDC", "Centre de crise et de soutien"),
    (
        "DIPLOMATIE/DE",
        "Direction des entreprises et de l'économie internationale",
    ),
    ("DIPLOMATIE/DJ", "Direction des affaires juridiques"),
    ("DIPLOMATIE/PROTOCOLE", "Direction du Protocole"),
    ("DIPLOMATIE/CAB", "Cabinet du ministre"),
    (
        "DIPLOMATIE/DCP",
        "Direction de la communication et de la presse",
    ),
];

/// The missions to organisations, by their place in `EXTRA_POSTS`.
const RP_UE: usize = 0;
const NEW_YORK_UN: usize = 1;
const GENEVE_UN: usize = 2;
const OTAN: usize = 3;

/// Missions to organisations (no country) and consulates general (with their country).
static EXTRA_POSTS: [(&str, Option<&str>); 7] = [
    ("BRUXELLES (RP UE)", None),
    ("NEW YORK (NATIONS UNIES)", None),
    ("GENEVE (NATIONS UNIES)", None),
    ("BRUXELLES (OTAN)", None),
    ("SHANGHAI (CONSULAT GENERAL)", Some("CN")),
    ("CASABLANCA (CONSULAT GENERAL)", Some("MA")),
    ("MONTREAL (CONSULAT GENERAL)", Some("CA")),
];

const POST_COUNT: usize = COUNTRIES.len() + EXTRA_POSTS.len();

static COUNTRIES: [Country; 29] = [
    Country {
        name: "Allemagne",
        le: "l'Allemagne",
        en: "en Allemagne",
        du: "de l'Allemagne",
        adj: "allemande",
        capital: "Berlin",
        iso: "DE",
        english: "Germany",
        ministry: "Ministère fédéral des Affaires étrangères",
        embassy: "Ambassade de la République fédérale d'Allemagne",
        gov: "le Gouvernement de la République fédérale d'Allemagne",
        post: "BERLIN",
        service: DUE,
    },
    Country {
        name: "États-Unis",
        le: "les États-Unis",
        en: "aux États-Unis",
        du: "des États-Unis",
        adj: "américaine",
        capital: "Washington",
        iso: "US",
        english: "the United States",
        ministry: "Département d'État",
        embassy: "Ambassade des États-Unis d'Amérique",
        gov: "le Gouvernement des États-Unis d'Amérique",
        post: "WASHINGTON",
        service: AMERIQUES,
    },
    Country {
        name: "Chine",
        le: "la Chine",
        en: "en Chine",
        du: "de la Chine",
        adj: "chinoise",
        capital: "Pékin",
        iso: "CN",
        english: "China",
        ministry: "Ministère des Affaires étrangères de la République populaire de Chine",
        embassy: "Ambassade de la République populaire de Chine",
        gov: "le Gouvernement de la République populaire de Chine",
        post: "PEKIN",
        service: ASIE,
    },
    Country {
        name: "Sénégal",
        le: "le Sénégal",
        en: "au Sénégal",
        du: "du Sénégal",
        adj: "sénégalaise",
        capital: "Dakar",
        iso: "SN",
        english: "Senegal",
        ministry: "Ministère de l'Intégration africaine et des Affaires étrangères",
        embassy: "Ambassade de la République du Sénégal",
        gov: "le Gouvernement de la République du Sénégal",
        post: "DAKAR",
        service: DAOI,
    },
    Country {
        name: "Royaume-Uni",
        le: "le Royaume-Uni",
        en: "au Royaume-Uni",
        du: "du Royaume-Uni",
        adj: "britannique",
        capital: "Londres",
        iso: "GB",
        english: "the United Kingdom",
        ministry: "Foreign, Commonwealth and Development Office",
        embassy: "Ambassade du Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        gov: "le Gouvernement du Royaume-Uni",
        post: "LONDRES",
        service: EUC,
    },
    Country {
        name: "Espagne",
        le: "l'Espagne",
        en: "en Espagne",
        du: "de l'Espagne",
        adj: "espagnole",
        capital: "Madrid",
        iso: "ES",
        english: "Spain",
        ministry: "Ministère des Affaires étrangères, de l'Union européenne et de la Coopération",
        embassy: "Ambassade du Royaume d'Espagne",
        gov: "le Gouvernement du Royaume d'Espagne",
        post: "MADRID",
        service: DUE,
    },
    Country {
        name: "Italie",
        le: "l'Italie",
        en: "en Italie",
        du: "de l'Italie",
        adj: "italienne",
        capital: "Rome",
        iso: "IT",
        english: "Italy",
        ministry: "Ministère des Affaires étrangères et de la Coopération internationale",
        embassy: "Ambassade d'Italie",
        gov: "le Gouvernement de la République italienne",
        post: "ROME",
        service: DUE,
    },
    Country {
        name: "Russie",
        le: "la Russie",
        en: "en Russie",
        du: "de la Russie",
        adj: "russe",
        capital: "Moscou",
        iso: "RU",
        english: "Russia",
        ministry: "Ministère des Affaires étrangères de la Fédération de Russie",
        embassy: "Ambassade de la Fédération de Russie",
        gov: "le Gouvernement de la Fédération de Russie",
        post: "MOSCOU",
        service: EUC,
    },
    Country {
        name: "Ukraine",
        le: "l'Ukraine",
        en: "en Ukraine",
        du: "de l'Ukraine",
        adj: "ukrainienne",
        capital: "Kyiv",
        iso: "UA",
        english: "Ukraine",
        ministry: "Ministère des Affaires étrangères d'Ukraine",
        embassy: "Ambassade d'Ukraine",
        gov: "le Gouvernement de l'Ukraine",
        post: "KYIV",
        service: EUC,
    },
    Country {
        name: "Japon",
        le: "le Japon",
        en: "au Japon",
        du: "du Japon",
        adj: "japonaise",
        capital: "Tokyo",
        iso: "JP",
        english: "Japan",
        ministry: "Ministère des Affaires étrangères du Japon",
        embassy: "Ambassade du Japon",
        gov: "le Gouvernement du Japon",
        post: "TOKYO",
        service: ASIE,
    },
    Country {
        name: "Inde",
        le: "l'Inde",
        en: "en Inde",
        du: "de l'Inde",
        adj: "indienne",
        capital: "New Delhi",
        iso: "IN",
        english: "India",
        ministry: "Ministère des Affaires extérieures de l'Inde",
        embassy: "Ambassade de l'Inde",
        gov: "le Gouvernement de la République de l'Inde",
        post: "NEW DELHI",
        service: ASIE,
    },
    Country {
        name: "Brésil",
        le: "le Brésil",
        en: "au Brésil",
        du: "du Brésil",
        adj: "brésilienne",
        capital: "Brasília",
        iso: "BR",
        english: "Brazil",
        ministry: "Ministère des Relations extérieures du Brésil",
        embassy: "Ambassade de la République fédérative du Brésil",
        gov: "le Gouvernement de la République fédérative du Brésil",
        post: "BRASILIA",
        service: AMERIQUES,
    },
    Country {
        name: "Algérie",
        le: "l'Algérie",
        en: "en Algérie",
        du: "de l'Algérie",
        adj: "algérienne",
        capital: "Alger",
        iso: "DZ",
        english: "Algeria",
        ministry: "Ministère des Affaires étrangères et de la Communauté nationale à l'étranger",
        embassy: "Ambassade de la République algérienne démocratique et populaire",
        gov: "le Gouvernement de la République algérienne démocratique et populaire",
        post: "ALGER",
        service: ANMO,
    },
    Country {
        name: "Maroc",
        le: "le Maroc",
        en: "au Maroc",
        du: "du Maroc",
        adj: "marocaine",
        capital: "Rabat",
        iso: "MA",
        english: "Morocco",
        ministry: "Ministère des Affaires étrangères, de la Coopération africaine et des Marocains résidant à l'étranger",
        embassy: "Ambassade du Royaume du Maroc",
        gov: "le Gouvernement du Royaume du Maroc",
        post: "RABAT",
        service: ANMO,
    },
    Country {
        name: "Tunisie",
        le: "la Tunisie",
        en: "en Tunisie",
        du: "de la Tunisie",
        adj: "tunisienne",
        capital: "Tunis",
        iso: "TN",
        english: "Tunisia",
        ministry: "Ministère des Affaires étrangères, de la Migration et des Tunisiens à l'étranger",
        embassy: "Ambassade de Tunisie",
        gov: "le Gouvernement de la République tunisienne",
        post: "TUNIS",
        service: ANMO,
    },
    Country {
        name: "Égypte",
        le: "l'Égypte",
        en: "en Égypte",
        du: "de l'Égypte",
        adj: "égyptienne",
        capital: "Le Caire",
        iso: "EG",
        english: "Egypt",
        ministry: "Ministère des Affaires étrangères de la République arabe d'Égypte",
        embassy: "Ambassade de la République arabe d'Égypte",
        gov: "le Gouvernement de la République arabe d'Égypte",
        post: "LE CAIRE",
        service: ANMO,
    },
    Country {
        name: "Arabie saoudite",
        le: "l'Arabie saoudite",
        en: "en Arabie saoudite",
        du: "de l'Arabie saoudite",
        adj: "saoudienne",
        capital: "Riyad",
        iso: "SA",
        english: "Saudi Arabia",
        ministry: "Ministère des Affaires étrangères du Royaume d'Arabie saoudite",
        embassy: "Ambassade du Royaume d'Arabie saoudite",
        gov: "le Gouvernement du Royaume d'Arabie saoudite",
        post: "RIYAD",
        service: ANMO,
    },
    Country {
        name: "Turquie",
        le: "la Turquie",
        en: "en Turquie",
        du: "de la Turquie",
        adj: "turque",
        capital: "Ankara",
        iso: "TR",
        english: "Türkiye",
        ministry: "Ministère des Affaires étrangères de la République de Turquie",
        embassy: "Ambassade de Turquie",
        gov: "le Gouvernement de la République de Turquie",
        post: "ANKARA",
        service: EUC,
    },
    Country {
        name: "Mali",
        le: "le Mali",
        en: "au Mali",
        du: "du Mali",
        adj: "malienne",
        capital: "Bamako",
        iso: "ML",
        english: "Mali",
        ministry: "Ministère des Affaires étrangères et de la Coopération internationale du Mali",
        embassy: "Ambassade de la République du Mali",
        gov: "le Gouvernement de la République du Mali",
        post: "BAMAKO",
        service: DAOI,
    },
    Country {
        name: "Niger",
        le: "le Niger",
        en: "au Niger",
        du: "du Niger",
        adj: "nigérienne",
        capital: "Niamey",
        iso: "NE",
        english: "Niger",
        ministry: "Ministère des Affaires étrangères et de la Coopération du Niger",
        embassy: "Ambassade de la République du Niger",
        gov: "le Gouvernement de la République du Niger",
        post: "NIAMEY",
        service: DAOI,
    },
    Country {
        name: "Côte d'Ivoire",
        le: "la Côte d'Ivoire",
        en: "en Côte d'Ivoire",
        du: "de la Côte d'Ivoire",
        adj: "ivoirienne",
        capital: "Abidjan",
        iso: "CI",
        english: "Côte d'Ivoire",
        ministry: "Ministère des Affaires étrangères, de l'Intégration africaine et de la Diaspora",
        embassy: "Ambassade de la République de Côte d'Ivoire",
        gov: "le Gouvernement de la République de Côte d'Ivoire",
        post: "ABIDJAN",
        service: DAOI,
    },
    Country {
        name: "Afrique du Sud",
        le: "l'Afrique du Sud",
        en: "en Afrique du Sud",
        du: "de l'Afrique du Sud",
        adj: "sud-africaine",
        capital: "Pretoria",
        iso: "ZA",
        english: "South Africa",
        ministry: "Département des Relations internationales et de la Coopération",
        embassy: "Ambassade de la République d'Afrique du Sud",
        gov: "le Gouvernement de la République d'Afrique du Sud",
        post: "PRETORIA",
        service: DAOI,
    },
    Country {
        name: "Canada",
        le: "le Canada",
        en: "au Canada",
        du: "du Canada",
        adj: "canadienne",
        capital: "Ottawa",
        iso: "CA",
        english: "Canada",
        ministry: "Ministère des Affaires mondiales du Canada",
        embassy: "Ambassade du Canada",
        gov: "le Gouvernement du Canada",
        post: "OTTAWA",
        service: AMERIQUES,
    },
    Country {
        name: "Mexique",
        le: "le Mexique",
        en: "au Mexique",
        du: "du Mexique",
        adj: "mexicaine",
        capital: "Mexico",
        iso: "MX",
        english: "Mexico",
        ministry: "Secrétariat aux Relations extérieures",
        embassy: "Ambassade des États-Unis du Mexique",
        gov: "le Gouvernement des États-Unis du Mexique",
        post: "MEXICO",
        service: AMERIQUES,
    },
    Country {
        name: "Pologne",
        le: "la Pologne",
        en: "en Pologne",
        du: "de la Pologne",
        adj: "polonaise",
        capital: "Varsovie",
        iso: "PL",
        english: "Poland",
        ministry: "Ministère des Affaires étrangères de la République de Pologne",
        embassy: "Ambassade de la République de Pologne",
        gov: "le Gouvernement de la République de Pologne",
        post: "VARSOVIE",
        service: DUE,
    },
    Country {
        name: "Liban",
        le: "le Liban",
        en: "au Liban",
        du: "du Liban",
        adj: "libanaise",
        capital: "Beyrouth",
        iso: "LB",
        english: "Lebanon",
        ministry: "Ministère des Affaires étrangères et des Émigrés",
        embassy: "Ambassade du Liban",
        gov: "le Gouvernement de la République libanaise",
        post: "BEYROUTH",
        service: ANMO,
    },
    Country {
        name: "Tchad",
        le: "le Tchad",
        en: "au Tchad",
        du: "du Tchad",
        adj: "tchadienne",
        capital: "N'Djamena",
        iso: "TD",
        english: "Chad",
        ministry: "Ministère des Affaires étrangères et de l'Intégration africaine du Tchad",
        embassy: "Ambassade de la République du Tchad",
        gov: "le Gouvernement de la République du Tchad",
        post: "N'DJAMENA",
        service: DAOI,
    },
    Country {
        name: "Indonésie",
        le: "l'Indonésie",
        en: "en Indonésie",
        du: "de l'Indonésie",
        adj: "indonésienne",
        capital: "Jakarta",
        iso: "ID",
        english: "Indonesia",
        ministry: "Ministère des Affaires étrangères de la République d'Indonésie",
        embassy: "Ambassade de la République d'Indonésie",
        gov: "le Gouvernement de la République d'Indonésie",
        post: "JAKARTA",
        service: ASIE,
    },
    Country {
        name: "Grèce",
        le: "la Grèce",
        en: "en Grèce",
        du: "de la Grèce",
        adj: "grecque",
        capital: "Athènes",
        iso: "GR",
        english: "Greece",
        ministry: "Ministère des Affaires étrangères de la République hellénique",
        embassy: "Ambassade de Grèce",
        gov: "le Gouvernement de la République hellénique",
        post: "ATHENES",
        service: DUE,
    },
];

struct Theme {
    label: &'static str,
    tags: &'static [&'static str],
    /// The thematic service in Paris.
    service: usize,
    /// The missions to organisations that write about it (indices into `EXTRA_POSTS`): the
    /// permanent representation to the EU on sanctions, Geneva on global health, none on a
    /// theme no organisation deals with.
    missions: &'static [usize],
    subjects: &'static [&'static str],
    summaries: &'static [&'static str],
    facts: &'static [&'static str],
    comments: &'static [&'static str],
}

static THEMES: [Theme; 13] = [
    Theme {
        label: "situation politique et élections",
        tags: &["POL", "ELECTIONS"],
        service: CAB,
        missions: &[],
        subjects: &[
            "{p} : campagne pour les élections législatives – état des lieux à {n} jours du scrutin",
            "{p} : résultats du premier tour de l'élection présidentielle",
            "{p} : recomposition de la coalition gouvernementale après la démission du ministre des Finances",
            "{p} : adoption de la réforme constitutionnelle par le Parlement",
            "{p} : tensions au sein de la majorité et perspectives de remaniement",
            "{p} : élections locales – progression de l'opposition dans les grandes villes",
        ],
        summaries: &[
            "La campagne électorale {a} se resserre : les sondages placent l'opposition à {x} des intentions de vote. L'issue du scrutin reste incertaine.",
            "Le premier tour a été marqué par une participation en baisse ({x}) et par la percée d'un parti protestataire. Le second tour se tiendra le {j}.",
            "Le Premier ministre a présenté un gouvernement remanié ; les ministères régaliens restent inchangés. Aucune inflexion de la politique étrangère n'est attendue.",
            "La réforme constitutionnelle adoptée le {j} renforce les prérogatives du chef de l'État. L'opposition dénonce une dérive institutionnelle.",
        ],
        facts: &[
            "Selon les derniers sondages publiés par la presse de {v}, l'écart entre les deux principaux candidats ne dépasse pas {x}.",
            "La commission électorale a validé {n} candidatures et écarté plusieurs dossiers pour vice de forme.",
            "Une mission d'observation de {o} comptant {n} experts sera déployée dans les principales circonscriptions.",
            "La participation, estimée à {x}, est la plus faible enregistrée depuis le retour au multipartisme.",
            "Le débat télévisé de jeudi soir a été dominé par les questions de pouvoir d'achat, de sécurité et d'immigration.",
            "Plusieurs interlocuteurs ont fait état de pressions exercées sur les médias indépendants à l'approche du scrutin.",
            "Le parti au pouvoir mise sur son bilan économique, notamment la baisse du chômage à {x} de la population active.",
            "L'opposition, divisée entre trois listes, peine à faire émerger une candidature commune.",
            "Le président du Parlement a assuré à l'ambassadeur que le calendrier électoral serait respecté « quoi qu'il arrive ».",
            "Les réseaux sociaux ont joué un rôle déterminant dans la mobilisation des jeunes électeurs, en particulier dans les quartiers périphériques de {v}.",
            "La coalition sortante devrait conserver une courte majorité de {n} sièges, selon les projections de l'institut national de la statistique.",
            "Des manifestations ont rassemblé plusieurs milliers de personnes dans le centre de {v} pour dénoncer des irrégularités.",
            "La Cour constitutionnelle doit se prononcer sur les recours déposés avant le {j}.",
        ],
        comments: &[
            "La victoire de la majorité sortante, probable, ne modifierait pas les grandes orientations de la politique étrangère {a}.",
            "Une alternance ouvrirait en revanche une période d'incertitude sur nos coopérations en matière de défense et d'énergie.",
            "Ce poste recommande de maintenir un contact étroit avec les principales formations de l'opposition, sans donner le sentiment d'une ingérence.",
            "Un message de félicitations rapide au vainqueur serait apprécié par les autorités {A}.",
        ],
    },
    Theme {
        label: "énergie",
        tags: &["ENERGIE", "ECON"],
        service: DGM,
        missions: &[],
        subjects: &[
            "{p} : nouvelle stratégie énergétique et relance du programme nucléaire civil",
            "{p} : approvisionnement en gaz naturel liquéfié pour l'hiver – état des stocks",
            "Coopération énergétique franco-{a} : perspectives",
            "{p} : appel d'offres pour la construction de parcs éoliens en mer",
            "{p} : hausse des tarifs de l'électricité et mécontentement social",
            "{p} : découverte d'un gisement d'hydrogène naturel et intérêt des entreprises françaises",
        ],
        summaries: &[
            "Le gouvernement {a} a présenté une stratégie énergétique à l'horizon 2040 qui prévoit {n} gigawatts de capacités renouvelables supplémentaires. Des opportunités se dessinent pour nos entreprises.",
            "Les stocks de gaz atteignent {x} de leur capacité ; les autorités se disent confiantes pour l'hiver mais redoutent une forte volatilité des prix.",
            "La hausse de {x} des tarifs réglementés de l'électricité suscite une contestation croissante. Le gouvernement envisage un bouclier tarifaire ciblé.",
        ],
        facts: &[
            "Le ministre de l'Énergie a confirmé le lancement d'un appel d'offres portant sur {N} d'investissements dans les réseaux électriques.",
            "La part des énergies renouvelables dans le mix électrique a atteint {x} l'an dernier, contre moins de dix pour cent il y a cinq ans.",
            "Les taux de remplissage des stockages souterrains de gaz sont supérieurs à la moyenne des cinq dernières années.",
            "Le gouvernement envisage de prolonger la durée de vie de {n} réacteurs au-delà de soixante ans.",
            "Plusieurs entreprises françaises, dont des spécialistes de l'hydrogène et des réseaux intelligents, ont manifesté leur intérêt.",
            "La compagnie nationale d'électricité accuse un déficit de {N} et sollicite une garantie de l'État.",
            "Un accord-cadre sur le gaz naturel liquéfié pourrait être signé à l'occasion du forum économique prévu à {v} le {j}.",
            "Les délestages électriques se sont multipliés cet été, jusqu'à {n} heures par jour dans certaines régions.",
            "La loi sur l'efficacité énergétique des bâtiments, adoptée en {m}, impose la rénovation de {x} du parc public d'ici 2030.",
            "Les négociations sur le prix de cession de l'électricité nucléaire achoppent toujours sur la question des investissements futurs.",
            "La banque publique d'investissement a annoncé une ligne de crédit de {N} destinée au solaire décentralisé.",
            "La sécurité d'approvisionnement en uranium et en métaux critiques est désormais évoquée au plus haut niveau.",
        ],
        comments: &[
            "La relance du nucléaire civil ouvre une fenêtre d'opportunité pour la filière française, à condition de se positionner avant la fin de l'année.",
            "Il serait utile qu'une délégation d'entreprises françaises du secteur se rende à {v} dans les prochains mois.",
            "Nos concurrents, notamment {Q}, sont également très actifs sur ce marché.",
            "Ce poste suggère d'inscrire la coopération énergétique à l'ordre du jour du prochain dialogue stratégique.",
        ],
    },
    Theme {
        label: "relations commerciales",
        tags: &["ECON", "COMMERCE"],
        service: DE,
        missions: &[],
        subjects: &[
            "{p} : négociations commerciales avec l'Union européenne – point d'étape",
            "{p} : mesures de sauvegarde sur l'acier et l'aluminium",
            "{p} : climat des affaires et difficultés rencontrées par les entreprises françaises",
            "{p} : adoption du budget pour {y} – priorités et arbitrages",
            "{p} : ralentissement de la croissance et tensions sur la dette publique",
            "{p} : contrôle des investissements étrangers – nouveau décret",
        ],
        summaries: &[
            "Le dernier cycle de négociation a permis des avancées sur les marchés publics, mais les divergences persistent sur l'agriculture et les indications géographiques.",
            "La croissance {a} devrait ralentir à {x} cette année ; le déficit public dépasse les prévisions et la notation souveraine est sous surveillance.",
            "Les entreprises françaises implantées {e} signalent un durcissement des contrôles douaniers et des retards de paiement des administrations.",
            "Le nouveau décret soumet à autorisation préalable les investissements étrangers supérieurs à {x} du capital dans {n} secteurs jugés stratégiques.",
        ],
        facts: &[
            "Les exportations françaises vers {l} ont progressé de {x} sur les neuf premiers mois de l'année.",
            "Le négociateur en chef a indiqué que son pays ne transigerait pas sur l'accès à son marché agricole.",
            "La chambre de commerce franco-{a} recense {n} dossiers de contentieux fiscal en cours.",
            "Le ministère des Finances prévoit un déficit budgétaire de {x} du PIB, au-delà de l'objectif fixé avec le FMI.",
            "Les droits de douane additionnels de {x} sur les vins et spiritueux européens entreront en vigueur le {j}.",
            "Plusieurs groupes français ont remporté des contrats dans le secteur ferroviaire, pour un montant total de {N}.",
            "Le gouverneur de la banque centrale a relevé le taux directeur de cinquante points de base.",
            "L'inflation reste élevée, à {x} sur un an, tirée par les prix de l'alimentation et de l'énergie.",
            "Un forum d'affaires réunira à {v} une cinquantaine d'entreprises des deux pays le {j}.",
            "Les indications géographiques, dont le comté, le roquefort et le champagne, demeurent un point dur de la négociation.",
            "La délégation de l'Union européenne a transmis une nouvelle offre tarifaire portant sur {n} lignes.",
            "Le bureau de Business France fait état d'un intérêt marqué pour l'agroalimentaire, la santé et les technologies vertes.",
            "Le stock d'investissements directs français {e} s'élève à {N}.",
        ],
        comments: &[
            "La fenêtre de négociation se refermera avec le début de la campagne électorale ; un geste sur les quotas agricoles pourrait débloquer la situation.",
            "Ce poste recommande une démarche conjointe avec nos partenaires européens auprès du ministère du Commerce.",
            "La visite d'un membre du gouvernement avec une délégation d'entreprises permettrait de concrétiser plusieurs projets en attente.",
            "Les difficultés signalées relèvent davantage de pratiques administratives que d'une volonté politique de discrimination.",
        ],
    },
    Theme {
        label: "protection consulaire",
        tags: &["CONSUL"],
        service: FAE,
        missions: &[],
        subjects: &[
            "{p} : arrestation d'un ressortissant français à {v} – protection consulaire",
            "{p} : situation sécuritaire et mise à jour des conseils aux voyageurs",
            "{p} : demandes de visas – hausse de la fréquentation et délais de traitement",
            "{p} : décès d'une ressortissante française – rapatriement du corps",
            "{p} : actualisation du plan de sécurité de la communauté française",
            "{p} : enlèvement d'un ressortissant binational – point de situation",
        ],
        summaries: &[
            "Un ressortissant français a été interpellé le {j} à {v}. Le consulat a obtenu un droit de visite ; l'intéressé est en bonne santé et a été informé de ses droits.",
            "La dégradation de la situation sécuritaire justifie le passage de plusieurs régions en zone rouge sur la fiche Conseils aux voyageurs.",
            "Le nombre de demandes de visas a augmenté de {x} ; les délais de rendez-vous atteignent {n} jours.",
            "Le plan de sécurité de la communauté française a été actualisé ; {n} chefs d'îlot ont été désignés et un exercice est prévu le {j}.",
        ],
        facts: &[
            "Le consul général a rendu visite à notre compatriote à la maison d'arrêt, en présence de son avocat.",
            "L'intéressé, inscrit au registre des Français établis hors de France, réside {e} depuis {n} ans.",
            "La famille a été informée par le Centre de crise et de soutien ; elle souhaite que l'affaire ne soit pas médiatisée.",
            "Les autorités {A} n'ont pas notifié l'arrestation dans les délais prévus par la convention de Vienne sur les relations consulaires.",
            "La communauté française {e} compte environ {n} 000 inscrits, dont une majorité de binationaux.",
            "Un exercice de mise en sûreté de la communauté française s'est déroulé au lycée français de {v}.",
            "Le délai moyen de délivrance des visas de court séjour est désormais de {n} jours ouvrés.",
            "Les assurances de voyage ne couvrent pas les frais d'évacuation sanitaire dans les zones déconseillées.",
            "Le procureur a requis une peine de {n} mois d'emprisonnement ; le jugement sera rendu le {j}.",
            "Le poste a mis en place une cellule de veille joignable jour et nuit pour les familles.",
            "Le rapatriement sanitaire a été organisé en lien avec l'assureur et la compagnie aérienne nationale.",
            "Aucun Français ne figure à ce stade parmi les victimes recensées par les autorités locales.",
        ],
        comments: &[
            "Une intervention au niveau politique ne paraît pas opportune à ce stade ; ce poste privilégie le canal consulaire.",
            "Ce poste suggère de ne pas relever le niveau de vigilance avant la fin de la période électorale.",
            "L'absence de notification consulaire mériterait une démarche formelle par note verbale.",
            "La famille pourrait solliciter un entretien avec le cabinet du ministre ; il conviendrait de préparer des éléments de réponse.",
        ],
    },
    Theme {
        label: "climat",
        tags: &["CLIMAT", "ENVIRONNEMENT"],
        service: DGM,
        missions: &[RP_UE, NEW_YORK_UN],
        subjects: &[
            "{p} : préparation de la COP – positions de négociation",
            "{p} : financement climatique et partenariat pour une transition énergétique juste",
            "{p} : inondations meurtrières et demande d'assistance internationale",
            "{p} : nouvelle contribution déterminée au niveau national",
            "{p} : déforestation et lutte contre l'orpaillage illégal",
        ],
        summaries: &[
            "{l} soutiendra un objectif de sortie progressive des énergies fossiles à la COP, sous réserve de garanties sur le financement de l'adaptation.",
            "Les inondations ont fait au moins {n} morts et déplacé plusieurs dizaines de milliers de personnes. Les autorités sollicitent une aide d'urgence.",
            "La nouvelle contribution déterminée au niveau national prévoit une réduction de {x} des émissions d'ici 2035 par rapport à 2019.",
        ],
        facts: &[
            "La négociatrice en chef a plaidé pour un nouvel objectif collectif de financement ambitieux mais réaliste.",
            "Le pays reste dépendant du charbon pour {x} de sa production d'électricité.",
            "La ministre de l'Environnement a salué le rôle de la France dans l'accord de Paris et souhaite une coordination étroite avant la conférence.",
            "Les bailleurs ont promis {N} au titre du partenariat pour une transition énergétique juste.",
            "Les pertes et dommages liés aux catastrophes climatiques sont évalués à {x} du PIB pour l'année écoulée.",
            "La saison des pluies, arrivée avec trois semaines d'avance, a provoqué des crues exceptionnelles dans le delta.",
            "L'Agence française de développement finance un programme d'adaptation des zones côtières à hauteur de {N}.",
            "Les autorités envisagent d'instaurer un marché du carbone national inspiré du système européen.",
            "Le groupe des pays les moins avancés demande que l'adaptation représente au moins la moitié des financements.",
            "La question de l'élargissement de la base des contributeurs reste très sensible.",
        ],
        comments: &[
            "{l} pourrait jouer un rôle de passerelle entre pays développés et pays émergents ; un appel du ministre à son homologue serait utile.",
            "Ce poste recommande de proposer une déclaration conjointe sur la préservation des forêts.",
            "La position {a} reste toutefois fragile et dépendra de l'issue des prochaines élections.",
        ],
    },
    Theme {
        label: "sanctions",
        tags: &["SANCTIONS", "PESC"],
        service: DJ,
        missions: &[RP_UE, NEW_YORK_UN],
        subjects: &[
            "{p} : mise en œuvre des sanctions européennes – contournement par des pays tiers",
            "{p} : réaction au nouveau paquet de sanctions de l'Union européenne",
            "Gel des avoirs : demande d'information des autorités {A}",
            "{p} : exportations de biens à double usage et risques de contournement",
        ],
        summaries: &[
            "Les autorités {A} affirment respecter les sanctions mais les flux de biens à double usage ont progressé de {x} en un an.",
            "Le ministère des Affaires étrangères a dénoncé publiquement le dernier paquet de sanctions, jugé « contre-productif ».",
            "Plusieurs sociétés écrans enregistrées à {v} serviraient d'intermédiaires pour la réexportation de composants électroniques.",
        ],
        facts: &[
            "Les douanes ont saisi {n} conteneurs de composants électroniques à destination d'un pays tiers.",
            "Le gel des avoirs concerne {n} personnes et entités, dont deux banques régionales.",
            "Le vice-ministre a fait valoir que son pays n'était pas lié par les mesures restrictives adoptées par l'Union européenne.",
            "L'envoyé spécial de l'Union européenne pour la mise en œuvre des sanctions s'est rendu à {v} le {j}.",
            "Les banques locales appliquent désormais une vigilance renforcée sur les transactions en provenance de la région.",
            "Les réexportations de machines-outils ont été multipliées par {n} depuis l'entrée en vigueur des sanctions.",
            "Un mécanisme d'échange d'informations entre services douaniers est en cours de négociation.",
            "La liste des entités visées par le dernier paquet comprend trois sociétés de transport maritime.",
        ],
        comments: &[
            "Une démarche conjointe avec nos partenaires du G7 aurait davantage de poids qu'une approche bilatérale.",
            "Il conviendrait de sensibiliser les entreprises françaises présentes {e} aux risques de contournement.",
            "Les autorités {A} sont soucieuses de ne pas apparaître comme alignées ; une approche discrète est préférable.",
        ],
    },
    Theme {
        label: "visites et entretiens",
        tags: &["VISITE", "POL"],
        service: PROTOCOLE,
        missions: &[],
        subjects: &[
            "Visite du ministre de l'Europe et des Affaires étrangères {e} – programme et enjeux",
            "{p} : visite d'État du Président de la République – préparation",
            "{p} : entretien de l'ambassadeur avec {i}",
            "{p} : compte rendu de la visite de la secrétaire d'État chargée du Commerce extérieur",
            "Consultations politiques franco-{a} à {v}",
        ],
        summaries: &[
            "L'entretien, cordial et substantiel, a permis de passer en revue nos priorités bilatérales, la situation au Proche-Orient et la préparation du sommet du G20.",
            "Les autorités {A} attendent de la visite des annonces concrètes dans les domaines de l'énergie, de la santé et de l'enseignement supérieur.",
            "Le programme proposé prévoit un entretien avec le chef de l'État, un déjeuner avec le Premier ministre et une rencontre avec la communauté française.",
        ],
        facts: &[
            "{i} a reçu l'ambassadeur pendant près d'une heure, en présence de son conseiller diplomatique.",
            "Notre interlocuteur a insisté sur la qualité de la relation bilatérale et sur la nécessité de « passer aux actes ».",
            "La partie {a} souhaite la signature d'une déclaration d'intention sur la mobilité des étudiants et des chercheurs.",
            "Les services du protocole ont proposé la date du {j}, qui conviendrait à la présidence.",
            "Une conférence de presse conjointe est envisagée à l'issue de l'entretien en format restreint.",
            "Un dîner officiel sera offert au palais présidentiel, suivi d'un entretien en tête-à-tête.",
            "Les questions régionales ont occupé l'essentiel de l'échange, notamment la situation au Sahel et en mer Rouge.",
            "La partie {a} a exprimé le souhait que la visite donne lieu à la signature de {n} accords.",
            "Le ministre a rappelé l'attachement de son pays au multilatéralisme et au respect du droit international.",
            "La rencontre avec les acteurs de la société civile se tiendra à l'Institut français de {v}.",
        ],
        comments: &[
            "La visite intervient à un moment favorable ; il conviendra de ménager la susceptibilité de nos interlocuteurs sur la question des visas.",
            "Ce poste suggère d'annoncer à cette occasion le doublement des bourses du Gouvernement français.",
            "Le ton très chaleureux de l'entretien contraste avec la fermeté des déclarations publiques de la semaine dernière.",
        ],
    },
    Theme {
        label: "G20 et Nations unies",
        tags: &["G20", "ONU"],
        service: NUOI,
        missions: &[NEW_YORK_UN, GENEVE_UN],
        subjects: &[
            "G20 – réunion des sherpas à {v} : compte rendu",
            "Conseil de sécurité : projet de résolution sur la situation humanitaire",
            "{p} : position sur la réforme de l'architecture financière internationale",
            "Assemblée générale des Nations unies : consultations sur la déclaration finale",
            "{p} : candidature au Conseil des droits de l'homme – demande de soutien",
        ],
        summaries: &[
            "La réunion des sherpas a permis d'avancer sur la dette des pays vulnérables, mais le paragraphe relatif à l'Ukraine reste entre crochets.",
            "Les membres élus du Conseil de sécurité soutiennent le projet de résolution ; la position de deux membres permanents demeure incertaine.",
            "{l} sollicite le soutien de la France à sa candidature ; un échange de soutiens est évoqué.",
        ],
        facts: &[
            "La présidence a fait circuler une nouvelle version du projet de déclaration, qui compte désormais {n} paragraphes.",
            "Les négociations se poursuivent sur la taxation internationale des très grandes fortunes.",
            "Plusieurs délégations ont exprimé des réserves sur la référence à l'intégrité territoriale.",
            "Le vote est prévu le {j}, à l'issue d'une séance d'information de la coordinatrice des secours d'urgence.",
            "Le groupe africain demande une mention explicite de la réforme du Conseil de sécurité.",
            "La délégation {a} a proposé un compromis sur le paragraphe relatif à la dette.",
            "Le texte final devrait être adopté par consensus, sans vote.",
            "La présidence a invité les délégations à transmettre leurs commentaires avant le {j}.",
            "L'élection aura lieu au scrutin secret lors de la prochaine session de l'Assemblée générale.",
            "Nos partenaires européens se sont coordonnés en amont de la réunion, à l'initiative de la présidence du Conseil de l'Union européenne.",
        ],
        comments: &[
            "Un compromis reste possible si nous acceptons de reporter la question du mécanisme de suivi.",
            "Ce poste recommande de soutenir la candidature {d} en échange de son soutien à nos priorités.",
            "La présidence brésilienne du G20 a montré qu'un texte ambitieux restait possible ; il faut s'en inspirer.",
        ],
    },
    Theme {
        label: "sécurité au Sahel",
        tags: &["DEF", "SAHEL", "SECURITE"],
        service: ASD,
        missions: &[NEW_YORK_UN, OTAN],
        subjects: &[
            "Sahel : situation sécuritaire dans la zone des trois frontières",
            "{p} : attaque contre un poste militaire – bilan et réactions",
            "{p} : coopération de défense – réunion du comité mixte",
            "{p} : menace terroriste et mesures de sûreté des emprises françaises",
            "{p} : présence de sociétés militaires privées et campagnes de désinformation",
        ],
        summaries: &[
            "Une attaque revendiquée par un groupe armé a fait au moins {n} victimes parmi les forces de sécurité. Les autorités ont décrété trois jours de deuil national.",
            "Le comité mixte de coopération de défense a adopté une feuille de route pour {y}, centrée sur la formation et le renseignement.",
            "Une campagne de désinformation visant la France circule sur les réseaux sociaux ; elle reprend des éléments déjà observés dans la région.",
        ],
        facts: &[
            "Les groupes armés terroristes ont intensifié leurs opérations le long des axes routiers menant à la capitale.",
            "Le chef d'état-major a sollicité un appui en matière de formation des forces spéciales et de lutte contre les engins explosifs improvisés.",
            "Les mesures de sûreté des emprises françaises ont été renforcées ; l'accès au lycée français est désormais filtré.",
            "Une campagne de désinformation accusant la France de soutenir les groupes armés a été relayée par plusieurs comptes influents.",
            "Les déplacements hors de la capitale sont soumis à une autorisation préalable du poste.",
            "Le bilan humain communiqué par les autorités ({n} morts) est jugé sous-estimé par les organisations humanitaires.",
            "L'aide humanitaire peine à atteindre les populations déplacées, estimées à plus de {n} 000 personnes.",
            "Les exercices militaires conjoints prévus en {m} ont été confirmés par le ministère de la Défense.",
            "Les autorités ont expulsé deux journalistes étrangers accusés d'« atteinte au moral des troupes ».",
            "La coopération en matière de renseignement avec les pays voisins reste embryonnaire.",
        ],
        comments: &[
            "La dégradation sécuritaire est durable ; ce poste recommande de revoir le dispositif de sécurité de la communauté française.",
            "Les autorités cherchent à diversifier leurs partenariats de sécurité ; notre offre doit rester lisible et sans conditionnalité excessive.",
            "La désinformation appelle une réponse coordonnée avec nos partenaires européens plutôt qu'un démenti isolé.",
        ],
    },
    Theme {
        label: "santé mondiale",
        tags: &["SANTE"],
        service: DGM,
        missions: &[GENEVE_UN],
        subjects: &[
            "{p} : épidémie de choléra – mesures sanitaires et situation des Français",
            "{p} : négociations sur l'accord de l'OMS sur les pandémies",
            "{p} : coopération en santé mondiale – projet d'institut de formation",
        ],
        summaries: &[
            "L'épidémie de choléra a fait {n} morts depuis le début de l'année ; les autorités ont déclenché un plan de riposte avec l'appui de l'OMS.",
            "Les autorités {A} soutiennent le projet d'accord sur les pandémies mais restent attachées au partage équitable des vaccins.",
        ],
        facts: &[
            "Le ministère de la Santé a recensé {n} nouveaux cas au cours de la semaine écoulée.",
            "Une campagne de vaccination de masse est prévue dans les quartiers les plus touchés de {v}.",
            "L'Institut Pasteur local contribue à la surveillance génomique des variants.",
            "Le médecin-conseil du poste recommande à la communauté française une vigilance particulière sur la qualité de l'eau.",
            "L'accès aux agents pathogènes et le partage des avantages restent le principal point de blocage.",
            "La pénurie de médicaments essentiels touche en particulier les antibiotiques et l'insuline.",
            "Un laboratoire français s'est vu attribuer un marché de {N} pour la fourniture de vaccins.",
            "Les hôpitaux publics signalent un taux d'occupation supérieur à {x}.",
        ],
        comments: &[
            "La situation sanitaire ne justifie pas à ce stade de modification des conseils aux voyageurs.",
            "Ce poste recommande de proposer l'envoi d'une équipe d'experts de Santé publique France.",
        ],
    },
    Theme {
        label: "numérique et cybersécurité",
        tags: &["NUMERIQUE", "CYBER"],
        service: DGM,
        missions: &[OTAN],
        subjects: &[
            "{p} : régulation de l'intelligence artificielle – projet de loi",
            "{p} : cyberattaque contre les systèmes informatiques du ministère des Finances",
            "{p} : souveraineté numérique et câbles sous-marins",
        ],
        summaries: &[
            "Le projet de loi sur l'intelligence artificielle s'inspire largement du règlement européen, avec des obligations allégées pour les jeunes pousses.",
            "Une cyberattaque par rançongiciel a paralysé pendant {n} heures les services fiscaux ; l'attribution reste incertaine.",
        ],
        facts: &[
            "Le ministre du Numérique a souhaité un dialogue structuré avec la France sur la gouvernance des données.",
            "L'agence nationale de cybersécurité a confirmé l'exfiltration de données personnelles concernant {n} 000 contribuables.",
            "Le projet de câble sous-marin reliant {v} à Marseille a reçu les autorisations nécessaires.",
            "Les plateformes numériques seront tenues de désigner un représentant légal dans le pays.",
            "Plusieurs jeunes pousses françaises de l'intelligence artificielle envisagent de s'implanter {e}.",
            "La stratégie nationale prévoit la formation de {n} 000 ingénieurs en cybersécurité d'ici cinq ans.",
        ],
        comments: &[
            "La convergence réglementaire avec l'Union européenne constitue un atout pour nos entreprises ; il conviendrait de l'encourager.",
            "L'attribution de l'attaque fait l'objet d'échanges discrets entre services ; ce poste n'en fera pas état publiquement.",
        ],
    },
    Theme {
        label: "migrations",
        tags: &["MIGRATIONS", "CONSUL"],
        service: FAE,
        missions: &[],
        subjects: &[
            "{p} : coopération migratoire et réadmissions",
            "{p} : départs de migrants par la route de la Méditerranée centrale",
        ],
        summaries: &[
            "Le nombre de laissez-passer consulaires délivrés a progressé de {x} ; la coopération reste toutefois inégale selon les préfectures.",
            "Les départs d'embarcations ont fortement augmenté depuis le début de l'été ; les autorités invoquent un manque de moyens.",
        ],
        facts: &[
            "Les autorités ont intercepté {n} embarcations au cours du mois écoulé.",
            "Le taux de délivrance des laissez-passer consulaires atteint {x}, contre moins d'un tiers l'an dernier.",
            "Un groupe de travail conjoint sur la mobilité et les migrations se réunira à {v} le {j}.",
            "Les autorités demandent en contrepartie un assouplissement de la délivrance des visas pour les étudiants et les hommes d'affaires.",
            "Les passeurs adaptent leurs itinéraires et privilégient désormais les départs depuis le sud du pays.",
        ],
        comments: &[
            "Une approche fondée uniquement sur la restriction des visas risquerait de braquer nos interlocuteurs.",
        ],
    },
    Theme {
        label: "influence et francophonie",
        tags: &["CULTURE", "FRANCOPHONIE"],
        service: DGM,
        missions: &[],
        subjects: &[
            "{p} : avenir du réseau des alliances françaises",
            "{p} : enseignement du français et lycées français – rentrée {y}",
            "{p} : saison culturelle croisée – préparation",
        ],
        summaries: &[
            "Le réseau des alliances françaises {e} accueille {n} 000 apprenants ; plusieurs établissements connaissent des difficultés financières.",
            "La saison croisée s'ouvrira en {m} ; une centaine de manifestations sont prévues dans les deux pays.",
        ],
        facts: &[
            "Le lycée français de {v} accueille cette année {n}00 élèves, dont près de la moitié de nationalité {a}.",
            "Le festival du film francophone a attiré un public nombreux et une couverture de presse très favorable.",
            "Le ministère de l'Éducation envisage de rendre obligatoire l'apprentissage d'une deuxième langue étrangère dès le collège.",
            "Les bourses du Gouvernement français restent très demandées, avec {n} candidatures pour chaque place.",
            "La francophonie bénéficie d'une image positive auprès de la jeunesse urbaine, en dépit de la concurrence de l'anglais.",
        ],
        comments: &[
            "La fermeture d'une alliance française serait mal comprise localement ; ce poste propose une solution de mutualisation.",
        ],
    },
];

static INTERLOCUTORS: &[&str] = &[
    "le ministre des Affaires étrangères",
    "la ministre du Commerce extérieur",
    "le conseiller diplomatique du chef de l'État",
    "la secrétaire d'État chargée de l'Europe",
    "le directeur de cabinet du Premier ministre",
    "le vice-ministre chargé de l'Afrique",
    "la directrice Europe du ministère des Affaires étrangères",
    "le chef d'état-major des armées",
    "le gouverneur de la banque centrale",
    "le président de la commission des affaires étrangères du Parlement",
    "la ministre de l'Énergie",
    "le secrétaire général de la présidence",
];

static ORGANISATIONS: &[&str] = &[
    "l'Union européenne",
    "l'Organisation des Nations unies",
    "l'OTAN",
    "l'OCDE",
    "l'Union africaine",
    "l'Organisation mondiale du commerce",
    "l'OSCE",
    "la CEDEAO",
    "l'Organisation internationale de la francophonie",
];

static INTROS: &[&str] = &[
    "Le présent télégramme fait le point sur ce dossier à la date du {j}.",
    "Ce poste rend compte ci-après des principaux éléments recueillis.",
    "Le poste a pu s'entretenir à ce sujet avec plusieurs interlocuteurs de haut niveau.",
    "Il est rendu compte ci-après de l'entretien de l'ambassadeur avec {i}.",
];

static INSTRUCTIONS: &[&str] = &[
    "Je vous serais obligé de bien vouloir effectuer une démarche auprès des autorités {A} afin de leur faire part de notre préoccupation.",
    "Vous trouverez ci-après des éléments de langage que vous pourrez utiliser dans vos entretiens.",
    "Le Département souhaite disposer, avant le {j}, de votre analyse sur les points suivants.",
    "Vous voudrez bien rendre compte de l'accueil réservé à cette démarche.",
    "Cette démarche pourra être effectuée conjointement avec nos partenaires européens, si vous le jugez opportun.",
    "Je vous remercie de veiller à ce que la communauté française soit informée de ces dispositions.",
];

static CONNECTORS: &[&str] = &[
    "selon nos interlocuteurs, ",
    "de source diplomatique, ",
    "par ailleurs, ",
    "en outre, ",
    "d'après la presse locale, ",
    "selon une source proche de la présidence, ",
    "à ce stade, ",
    "dans ce contexte, ",
    "de l'avis de nos partenaires européens, ",
];

static GENERIC_FACTS: &[&str] = &[
    "L'ambassadeur a rappelé à cette occasion la position constante de la France sur ce dossier.",
    "Nos partenaires européens présents à {v} partagent largement cette analyse.",
    "Le sujet a été évoqué lors de la réunion de coordination des chefs de mission de l'Union européenne.",
    "La presse locale a largement relayé ces déclarations, en des termes parfois virulents à l'égard de l'Europe.",
    "Plusieurs ambassades européennes ont effectué une démarche similaire le {j}.",
    "Le sujet devrait être inscrit à l'ordre du jour du prochain Conseil des ministres, prévu le {j}.",
    "Cette évolution s'inscrit dans un contexte régional marqué par de fortes tensions.",
    "Aucune réaction officielle n'a été enregistrée à ce stade.",
    "Le porte-parole du gouvernement a qualifié la situation de « préoccupante mais maîtrisée ».",
    "Le dossier est suivi personnellement par {i}.",
    "Des contacts réguliers sont entretenus avec la délégation de l'Union européenne.",
    "La situation reste fluide et pourrait évoluer rapidement dans les prochains jours.",
    "Ces informations n'ont pas encore été rendues publiques.",
    "Le chiffre de {n} avancé par les autorités doit être pris avec prudence.",
    "Une réunion interministérielle s'est tenue le {j} sous la présidence du Premier ministre.",
    "L'opposition a dénoncé une décision prise « dans la précipitation et sans concertation ».",
    "Les milieux d'affaires ont accueilli favorablement cette annonce.",
    "{l} et {Q} ont convenu de relancer leur dialogue à haut niveau.",
    "Notre interlocuteur a souhaité que ces échanges restent confidentiels.",
    "Le représentant de {o} sur place partage nos préoccupations.",
    "La visite à {v} d'une délégation {a} de haut niveau est envisagée avant la fin de l'année.",
    "Le calendrier annoncé paraît très ambitieux au regard des moyens disponibles.",
];

static GENERIC_COMMENTS: &[&str] = &[
    "Il conviendra de suivre de près la mise en œuvre effective de ces annonces.",
    "Ce poste se tient à la disposition du Département pour toute précision utile.",
    "Il serait utile que le Département nous fasse connaître sa position avant le {j}.",
    "Ce poste propose de saisir cette occasion pour relancer le dialogue stratégique bilatéral.",
    "Sauf avis contraire du Département, ce poste entend répondre favorablement à cette demande.",
    "Une coordination étroite avec nos partenaires européens paraît indispensable.",
];

static SUMMARY_TAILS: &[&str] = &[
    "Ce poste suggère une réponse rapide du Département.",
    "Aucune action n'est requise à ce stade.",
    "Une démarche auprès des autorités {A} paraît opportune.",
    "Le sujet sera évoqué lors de la prochaine réunion des chefs de mission européens.",
];

static FLASH_JUSTIFICATIONS: &[&str] = &[
    "Décision attendue du Conseil de sécurité dans les prochaines heures.",
    "Risque immédiat pour la sécurité de ressortissants français à {v}.",
    "Entretien téléphonique présidentiel avec les autorités {A} prévu dans la soirée.",
    "Annonce publique imminente des autorités {A}, avant l'ouverture des marchés.",
    "Évacuation possible de l'emprise diplomatique dans les prochaines heures.",
    "Vote au Conseil de l'Union européenne prévu demain matin à l'ouverture de la séance.",
];

static CAVEATS: &[&str] = &[
    "EXCLUSIF DESTINATAIRES",
    "DIFFUSION LIMITÉE AU CABINET",
    "NE PAS DIFFUSER AUX PARTENAIRES",
    "PERSONNEL POUR LE DIRECTEUR",
];

struct NoteTopic {
    tag: &'static str,
    /// Index in `THEMES` of the closest theme (for its facts in emails and its label).
    theme: usize,
    /// The service in Paris that handles it.
    service: usize,
    subject: &'static str,
    /// Continues "… et a l'honneur de": starts with a lower-case infinitive.
    first: &'static str,
    body: &'static [&'static str],
}

static NOTE_TOPICS: [NoteTopic; 10] = [
    NoteTopic {
        tag: "PROTOCOLE",
        theme: 6,
        service: PROTOCOLE,
        subject: "Demande d'autorisation de survol et d'atterrissage – aéronef d'État",
        first: "solliciter de sa bienveillance l'autorisation de survol et d'atterrissage pour un aéronef d'État qui transportera une délégation officielle le {j}.",
        body: &[
            "L'appareil, un Airbus A330 de l'escadron de transport, transportera {n} passagers et quinze membres d'équipage.",
            "Les caractéristiques techniques de l'appareil et la liste des membres d'équipage figurent en annexe à la présente note.",
            "L'Ambassade serait reconnaissante au Ministère de bien vouloir lui faire connaître la suite réservée à cette demande avant le {j}.",
        ],
    },
    NoteTopic {
        tag: "VISITE",
        theme: 6,
        service: PROTOCOLE,
        subject: "Demande de visas pour une délégation officielle",
        first: "lui faire savoir qu'une délégation conduite par {i} se rendra {E} du {j} au {j} et de solliciter la délivrance de visas de courtoisie à ses membres.",
        body: &[
            "La délégation comprendra {n} personnes, dont la liste figure en annexe avec les numéros de passeport correspondants.",
            "L'Ambassade saurait gré au Ministère de bien vouloir faciliter les formalités d'arrivée de la délégation à l'aéroport de {V}.",
            "Le programme détaillé de la visite sera communiqué au Ministère dès qu'il aura été arrêté.",
        ],
    },
    NoteTopic {
        tag: "PROTOCOLE",
        theme: 6,
        service: PROTOCOLE,
        subject: "Notification de l'arrivée d'un agent diplomatique",
        first: "lui notifier l'arrivée de {s}, qui exercera les fonctions de premier secrétaire à compter du {j}.",
        body: &[
            "L'Ambassade saurait gré au Ministère de bien vouloir procéder à l'enregistrement de l'agent concerné et lui délivrer la carte d'identité diplomatique correspondante.",
            "Les copies du passeport diplomatique et du formulaire de notification sont jointes à la présente note.",
            "L'intéressé sera accompagné de son conjoint et de deux enfants mineurs.",
        ],
    },
    NoteTopic {
        tag: "ONU",
        theme: 7,
        service: NUOI,
        subject: "Candidature au Conseil des droits de l'homme – demande de soutien",
        first: "l'informer que {G} a décidé de présenter sa candidature au Conseil des droits de l'homme pour le mandat qui débutera en {y}.",
        body: &[
            "{G} attache une grande importance à cette candidature, qui traduit son engagement constant en faveur du multilatéralisme et des droits de l'homme.",
            "L'Ambassade serait reconnaissante au Ministère de bien vouloir lui faire savoir si {H} serait disposé à soutenir cette candidature.",
            "{G} est disposé à envisager favorablement un échange de soutiens pour d'autres candidatures au sein du système des Nations unies.",
        ],
    },
    NoteTopic {
        tag: "PROTOCOLE",
        theme: 6,
        service: PROTOCOLE,
        subject: "Réception à l'occasion de la fête nationale",
        first: "l'informer qu'une réception sera donnée le {j} à la résidence de l'ambassadeur, à l'occasion de la fête nationale.",
        body: &[
            "L'Ambassade serait honorée que des représentants du Ministère puissent y assister.",
            "Les invitations nominatives seront adressées dans les prochains jours.",
        ],
    },
    NoteTopic {
        tag: "CONSUL",
        theme: 3,
        service: FAE,
        subject: "Demande d'accès consulaire – ressortissant interpellé",
        first: "solliciter, conformément à l'article 36 de la convention de Vienne sur les relations consulaires, un droit de visite auprès de {s}, interpellé le {j} et actuellement détenu à {V}.",
        body: &[
            "L'Ambassade regrette de n'avoir pas été informée de cette interpellation dans les délais prévus par la convention.",
            "Elle saurait gré au Ministère de bien vouloir lui communiquer les motifs de la détention ainsi que le nom de l'avocat désigné.",
            "L'Ambassade souhaite également s'assurer que l'intéressé bénéficie des soins médicaux que requiert son état de santé.",
        ],
    },
    NoteTopic {
        tag: "PRIVILEGES",
        theme: 2,
        service: DJ,
        subject: "Exonération des droits et taxes – travaux à la chancellerie",
        first: "solliciter, au titre de la convention de Vienne sur les relations diplomatiques, l'exonération des droits et taxes afférents aux travaux de rénovation de la chancellerie.",
        body: &[
            "Le montant des travaux est estimé à {N}.",
            "Les factures pro forma et le devis de l'entreprise retenue sont joints à la présente note.",
            "L'Ambassade rappelle que cette demande s'inscrit dans le cadre de la réciprocité.",
        ],
    },
    NoteTopic {
        tag: "CLIMAT",
        theme: 4,
        service: CDC,
        subject: "Condoléances à la suite des inondations",
        first: "lui exprimer, au nom de son Gouvernement, ses plus sincères condoléances à la suite des inondations qui ont durement frappé le pays.",
        body: &[
            "{G} se tient prêt à apporter toute l'assistance que {R} jugeraient utile.",
            "Une équipe de la sécurité civile pourrait être déployée dans les quarante-huit heures.",
        ],
    },
    NoteTopic {
        tag: "POL",
        theme: 0,
        service: CAB,
        subject: "Consultations politiques bilatérales – proposition de dates",
        first: "proposer la tenue des prochaines consultations politiques bilatérales le {j} à {V}.",
        body: &[
            "La délégation serait conduite par le secrétaire général du ministère.",
            "L'Ambassade serait reconnaissante au Ministère de bien vouloir lui indiquer si cette date lui convient ou, à défaut, de proposer une date alternative.",
            "{S} propose d'inscrire à l'ordre du jour la sécurité régionale, la transition énergétique et la mobilité des jeunes.",
        ],
    },
    NoteTopic {
        tag: "SECURITE",
        theme: 8,
        service: DJ,
        subject: "Dégradations commises devant les locaux de l'Ambassade",
        first: "appeler son attention sur les dégradations commises le {j} devant les locaux de l'Ambassade lors d'une manifestation.",
        body: &[
            "L'Ambassade rappelle l'obligation spéciale de l'État accréditaire de prendre toutes mesures appropriées afin d'empêcher que les locaux de la mission ne soient envahis ou endommagés.",
            "Elle saurait gré au Ministère de bien vouloir renforcer le dispositif de protection des locaux diplomatiques.",
            "L'Ambassade se réserve le droit de demander réparation du préjudice subi.",
        ],
    },
];

static ANSWER_FIRST: &[&str] = &[
    "se référer à la note verbale {r}, relative à « {u} », et de lui faire savoir que {G} y a réservé une suite favorable.",
    "accuser réception de la note verbale {r}, relative à « {u} », et de lui faire connaître les éléments suivants.",
    "se référer à la note verbale {r} et de l'informer que la demande qu'elle contient fait actuellement l'objet d'un examen attentif.",
];

static ANSWER_BODY: &[&str] = &[
    "{R} ont été saisies de cette demande et ont donné leur accord de principe.",
    "Les modalités pratiques pourront être précisées lors d'une réunion de travail entre les services compétents.",
    "L'Ambassade ne manquera pas d'informer le Ministère de toute évolution de ce dossier.",
    "{S} regrette de ne pouvoir donner suite à cette demande dans les délais indiqués.",
];

static NOTE_CLOSERS: &[&str] = &[
    "L'Ambassade remercie par avance le Ministère de son concours.",
    "L'Ambassade remercie le Ministère de l'attention qu'il voudra bien porter à la présente note.",
    "L'Ambassade saurait gré au Ministère de bien vouloir lui faire connaître sa réponse dans les meilleurs délais.",
];

static EMAIL_SUBJECTS: &[&str] = &[
    "Réunion de coordination sur {l} – {j}",
    "Demande de contribution : note de situation sur {l} avant le {j}",
    "Projet d'éléments de langage – {t}",
    "Compte rendu de la réunion interservices sur {t}",
    "Relecture du projet de TD : {t} ({p})",
    "Invitation – petit-déjeuner de travail sur {t} le {j}",
    "Visite de la délégation {a} : programme actualisé",
    "Point presse du {j} : questions attendues sur {l}",
    "Fiche de synthèse {t} – version consolidée",
    "Dossier du ministre pour son déplacement à {v} – contributions attendues",
    "Note au cabinet : {t} – options de réponse",
    "Préparation du Conseil des affaires étrangères – éléments sur {l}",
];

static GREETINGS_FR: &[&str] = &[
    "Bonjour,",
    "Chers collègues,",
    "Madame, Monsieur,",
    "Bonjour à tous,",
    "Monsieur le Directeur,",
    "Madame la Conseillère,",
    "Chère collègue, cher collègue,",
];

static REPLY_OPENERS_FR: &[&str] = &[
    "Merci pour ces éléments, très utiles.",
    "Bien noté, je transmets au cabinet.",
    "Je vous remercie de votre réactivité.",
    "Quelques remarques de forme sur le projet ci-dessous.",
    "Je me joins à cet échange pour apporter un complément.",
];

static EMAIL_SENTENCES_FR: &[&str] = &[
    "Vous trouverez ci-joint le projet de note, qui tient compte des observations formulées lors de notre dernière réunion.",
    "Je vous serais reconnaissant de bien vouloir me faire part de vos commentaires d'ici le {j}, midi.",
    "La réunion se tiendra en salle {n} au Quai d'Orsay ; une connexion à distance sera proposée aux postes.",
    "Le cabinet souhaite disposer d'une fiche de deux pages au maximum, assortie d'éléments de langage.",
    "Pourriez-vous vérifier les chiffres du commerce bilatéral, qui me semblent différer de ceux de la direction générale du Trésor ?",
    "Je me permets de vous relancer au sujet de la contribution attendue de votre service.",
    "À la suite de notre échange téléphonique, je vous confirme les éléments suivants.",
    "Le dossier du ministre doit être remis au secrétariat au plus tard vendredi.",
    "Merci de bien vouloir diffuser ce message aux agents concernés de votre direction.",
    "La version ci-jointe intègre les corrections de forme demandées par le secrétariat général.",
    "Pour mémoire, le dernier télégramme du poste faisait état d'une évolution préoccupante.",
    "L'ambassade de France {e} a transmis ce matin une mise à jour que je vous fais suivre.",
];

static EMAIL_CLOSERS_FR: &[&str] = &[
    "N'hésitez pas à me contacter pour toute précision complémentaire.",
    "Je reste à votre disposition pour en discuter de vive voix.",
    "Merci d'avance pour votre retour rapide.",
];

static SIGNOFFS_FR: &[&str] = &[
    "Bien cordialement,",
    "Cordialement,",
    "Très cordialement,",
    "Avec mes remerciements,",
    "Bien à vous,",
];

static TITLES: &[(&str, &str)] = &[
    ("Rédacteur", "Rédactrice"),
    ("Chargé de mission", "Chargée de mission"),
    ("Conseiller", "Conseillère"),
    ("Sous-directeur", "Sous-directrice"),
    ("Chef de bureau", "Cheffe de bureau"),
    ("Directeur adjoint", "Directrice adjointe"),
    ("Attaché", "Attachée"),
];

static ATTACHMENTS: &[(&str, &str)] = &[
    (
        "Projet_de_conclusions_v{n}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("Note_de_synthèse.pdf", "application/pdf"),
    (
        "Éléments_de_langage.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("Compte_rendu_réunion_interservices.pdf", "application/pdf"),
    ("Programme_de_la_visite.pdf", "application/pdf"),
    (
        "Tableau_de_suivi_des_échanges.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "Présentation_stratégie_énergétique.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("Carte_des_zones_de_vigilance.png", "image/png"),
];

static EN_ATTACHMENTS: &[(&str, &str)] = &[
    ("Draft_agenda.pdf", "application/pdf"),
    (
        "Revised_draft_declaration_v{n}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "List_of_participants.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("Concept_note.pdf", "application/pdf"),
];

static EN_SUBJECTS: &[&str] = &[
    "Draft agenda – informal consultations on {P}",
    "Invitation: high-level panel on climate finance, {J}",
    "Follow-up: G20 Development Working Group – revised draft",
    "Request for inputs – Secretary-General's report on the Sahel",
    "Security Council: elements for the briefing on {P}",
    "OECD Working Party on Export Credits – summary record",
    "IAEA Board of Governors – draft statement",
    "Pandemic agreement – compilation text, version {n}",
    "Call for nominations: expert group on critical minerals",
];

static EN_SENTENCES: &[&str] = &[
    "Please find attached the revised draft, which reflects the comments received from delegations.",
    "We would be grateful to receive your written inputs by {J} at the latest.",
    "The meeting will take place in Conference Room {n} and will also be accessible online.",
    "The Chair intends to circulate a compromise text ahead of the next round of informal consultations.",
    "Several delegations have requested additional time to consult their capitals.",
    "Interpretation will be provided in English, French and Spanish.",
    "As discussed during our call, the paragraph on debt sustainability remains bracketed.",
    "The Secretariat will prepare a summary of the discussion, without attribution.",
    "Please note that the deadline for registration is {J}.",
    "We look forward to the active participation of France in this process.",
    "The situation in {P} will be discussed under any other business.",
    "Our estimates suggest that humanitarian needs have increased by {X} since last year.",
    "Delegations are invited to confirm the composition of their delegation to the Secretariat.",
];

static GREETINGS_EN: &[&str] = &[
    "Dear colleagues,",
    "Dear Madam, dear Sir,",
    "Dear all,",
    "Dear colleague,",
];

static REPLY_OPENERS_EN: &[&str] = &[
    "Many thanks for your prompt reply.",
    "Thank you for these comments, which we will take into account.",
    "Following up on the message below:",
];

static SIGNOFFS_EN: &[&str] = &[
    "Best regards,",
    "Kind regards,",
    "With best wishes,",
    "Sincerely,",
];

static EN_TITLES: &[&str] = &[
    "Political Affairs Officer",
    "Senior Policy Adviser",
    "Programme Manager",
    "Head of Unit",
    "Legal Officer",
];

static IO_ORGS: &[(&str, &str)] = &[
    ("United Nations Secretariat", "un.example"),
    ("OECD", "oecd.example"),
    ("Council of the European Union", "consilium.europa.example"),
    ("World Health Organization", "who.example"),
    ("International Atomic Energy Agency", "iaea.example"),
    ("G20 Presidency", "g20.example"),
    ("World Bank Group", "worldbank.example"),
];

static IO_PEOPLE: &[(&str, &str)] = &[
    ("Sarah Mitchell", "sarah.mitchell"),
    ("James O'Connor", "james.oconnor"),
    ("Priya Raman", "priya.raman"),
    ("Lars Johansson", "lars.johansson"),
    ("Ana Gómez", "ana.gomez"),
    ("Kwame Mensah", "kwame.mensah"),
    ("Mei Lin Tan", "meilin.tan"),
    ("Thomas Becker", "thomas.becker"),
    ("Olga Nowak", "olga.nowak"),
    ("David Cohen", "david.cohen"),
    ("Fatima Al-Sayed", "fatima.alsayed"),
    ("Jean-Baptiste Ndiaye", "jean-baptiste.ndiaye"),
];

static FIRST_NAMES: &[(&str, &str, bool)] = &[
    ("Hélène", "helene", true),
    ("Jérôme", "jerome", false),
    ("Cécile", "cecile", true),
    ("François", "francois", false),
    ("Anaïs", "anais", true),
    ("Loïc", "loic", false),
    ("Stéphane", "stephane", false),
    ("Frédérique", "frederique", true),
    ("Agnès", "agnes", true),
    ("Benoît", "benoit", false),
    ("Chloé", "chloe", true),
    ("Mélanie", "melanie", true),
    ("Noémie", "noemie", true),
    ("Thérèse", "therese", true),
    ("Gaëlle", "gaelle", true),
    ("Raphaël", "raphael", false),
    ("Joël", "joel", false),
    ("Valérie", "valerie", true),
    ("Séverine", "severine", true),
    ("Éric", "eric", false),
    ("Élodie", "elodie", true),
    ("Amélie", "amelie", true),
    ("Clément", "clement", false),
    ("Aurélien", "aurelien", false),
    ("Bérénice", "berenice", true),
    ("Léa", "lea", true),
    ("Maël", "mael", false),
    ("Zoé", "zoe", true),
    ("Thomas", "thomas", false),
    ("Camille", "camille", true),
    ("Nicolas", "nicolas", false),
    ("Sophie", "sophie", true),
    ("Julien", "julien", false),
    ("Claire", "claire", true),
    ("Mathieu", "mathieu", false),
    ("Isabelle", "isabelle", true),
    ("Karim", "karim", false),
    ("Aminata", "aminata", true),
    ("Pierre-Édouard", "pierre-edouard", false),
    ("Marie-Hélène", "marie-helene", true),
];

static LAST_NAMES: &[(&str, &str)] = &[
    ("Bérard", "berard"),
    ("Lefèvre", "lefevre"),
    ("Dubois", "dubois"),
    ("Leclerc", "leclerc"),
    ("Mercier", "mercier"),
    ("Rousseau", "rousseau"),
    ("Fournier", "fournier"),
    ("Giraud", "giraud"),
    ("Lemaître", "lemaitre"),
    ("Deschênes", "deschenes"),
    ("Chevalier", "chevalier"),
    ("Hébert", "hebert"),
    ("Féraud", "feraud"),
    ("Lacôte", "lacote"),
    ("Moreau", "moreau"),
    ("Fabre", "fabre"),
    ("Pépin", "pepin"),
    ("Durand", "durand"),
    ("Roussel", "roussel"),
    ("Vidal", "vidal"),
    ("Caron", "caron"),
    ("Faure", "faure"),
    ("Delacroix", "delacroix"),
    ("Lévêque", "leveque"),
    ("Després", "despres"),
    ("Ménard", "menard"),
    ("Thébault", "thebault"),
    ("Gaillard", "gaillard"),
    ("Brûlé", "brule"),
    ("Cordier", "cordier"),
    ("Perrin", "perrin"),
    ("Nguyen", "nguyen"),
    ("Haddad", "haddad"),
    ("Diallo", "diallo"),
    ("Kowalski", "kowalski"),
    ("Da Silva", "dasilva"),
    ("Garçon", "garcon"),
    ("Besnard", "besnard"),
    ("Aubry", "aubry"),
    ("Marchal", "marchal"),
];

static MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

static MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use diplomatie_domain::ItemKind;
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-15 09:30 UTC);
    const PINNED_SEED_7: [&str; 6] = [
        "0191ebff-2fa3-708f-9b03-8e87ec3951f1 email Réunion de coordination sur le Brésil – 26 mai",
        "0191edf2-74b0-7018-bbdf-ab2799a665e6 telegram Grèce : visite d'État du Président de la République – préparation",
        "0191ee96-5ff8-70a3-8f77-c5b78183bf97 email Demande de contribution : note de situation sur l'Allemagne avant le 23 novembre",
        "0191ef3d-3095-7078-bd4e-3261272cc76d email OECD Working Party on Export Credits – summary record",
        "0191f0ff-e898-7379-981f-d58ff3c5ea7b note Condoléances à la suite des inondations",
        "0191f260-eff8-715d-b43f-6460b0a96b80 email RE: Réunion de coordination sur le Brésil – 26 mai",
    ];

    fn alice() -> UserIdentity {
        UserIdentity {
            name: "Alice Lefèvre".into(),
            units: vec!["DIPLOMATIE/DUE".into()],
            emails: vec!["alice.lefevre@diplomatie.gouv.example".into()],
        }
    }

    fn items(seed: u64, count: usize) -> Vec<Item> {
        DemoGenerator::new(seed, alice(), NOW)
            .with_expected_count(count as u64)
            .take(count)
            .collect()
    }

    #[test]
    fn every_item_passes_the_rules_of_the_trade() {
        for seed in [1, 2, 3, 42] {
            for (n, item) in items(seed, 5_000).iter().enumerate() {
                if let Err(e) = item.validate() {
                    panic!("seed {seed}, item {n} ({}): {e}", item.kind());
                }
            }
        }
    }

    #[test]
    fn missions_to_organisations_write_only_on_the_themes_they_deal_with() {
        let mut from_missions = 0;
        for item in items(13, 6_000) {
            let ItemContent::Telegram(t) = &item.content else {
                continue;
            };
            let Some(m) = EXTRA_POSTS
                .iter()
                .take(4)
                .position(|(code, _)| *code == t.origin)
            else {
                continue;
            };
            from_missions += 1;
            let first = t.tags.first().map(Tag::as_str).unwrap_or_default();
            let theme = THEMES
                .iter()
                .find(|th| th.tags.first() == Some(&first))
                .unwrap_or_else(|| panic!("no theme starts with {first}"));
            assert!(
                theme.missions.contains(&m),
                "{} writes on {}",
                t.origin,
                theme.label
            );
        }
        assert!(
            from_missions > 50,
            "{from_missions} telegrams from missions"
        );
    }

    #[test]
    fn every_item_declares_the_language_it_is_written_in() {
        let all = items(5, 3_000);
        let mut english = 0;
        for item in &all {
            match (&item.content, item.language) {
                (ItemContent::FormalEmail(e), Some(Language::ENGLISH)) => {
                    english += 1;
                    assert!(e.body.starts_with("Dear "), "{:?}", item.id);
                }
                (ItemContent::FormalEmail(e), Some(Language::FRENCH)) => {
                    assert!(!e.body.starts_with("Dear "), "{:?}", item.id);
                }
                (ItemContent::FormalEmail(_), other) => panic!("an email in {other:?}"),
                (_, language) => assert_eq!(language, Some(Language::FRENCH)),
            }
        }
        // About a fifth of the email threads are in English.
        assert!(english > 50, "{english} English emails");
    }

    #[test]
    fn the_same_seed_gives_the_same_items() {
        assert_eq!(items(7, 800), items(7, 800));
        assert_ne!(items(7, 50), items(8, 50));
    }

    #[test]
    fn routes_for_the_user_hit_their_targets() {
        let user = alice();
        let all = items(11, 10_000);
        let mut counts: BTreeMap<Option<Route>, usize> = BTreeMap::new();
        for item in &all {
            *counts.entry(item.route_for(&user)).or_default() += 1;
        }
        let share = |r| counts.get(&r).copied().unwrap_or_default() as f64 / all.len() as f64;
        assert!(
            (0.31..0.39).contains(&share(Some(Route::Action))),
            "{counts:?}"
        );
        assert!(
            (0.31..0.39).contains(&share(Some(Route::Info))),
            "{counts:?}"
        );
        assert!((0.26..0.34).contains(&share(None)), "{counts:?}");
        // The same within each kind: telegrams and notes by name or unit, emails by address.
        for kind in ItemKind::ALL {
            let of_kind: Vec<_> = all.iter().filter(|i| i.kind() == kind).collect();
            let action = of_kind
                .iter()
                .filter(|i| i.route_for(&user) == Some(Route::Action))
                .count() as f64
                / of_kind.len() as f64;
            assert!((0.28..0.42).contains(&action), "{kind}: {action}");
        }
    }

    #[test]
    fn a_user_without_names_is_never_addressed() {
        let nobody = UserIdentity::default();
        for item in DemoGenerator::new(5, nobody.clone(), NOW).take(2_000) {
            assert_eq!(item.route_for(&nobody), None);
            item.validate().unwrap();
        }
    }

    #[test]
    fn the_mix_has_the_three_kinds_in_proportion() {
        let all = items(3, 10_000);
        let mut kinds: BTreeMap<ItemKind, usize> = BTreeMap::new();
        for item in &all {
            *kinds.entry(item.kind()).or_default() += 1;
        }
        let share = |k| kinds.get(&k).copied().unwrap_or_default() as f64 / all.len() as f64;
        assert!(
            (0.52..0.58).contains(&share(ItemKind::Telegram)),
            "{kinds:?}"
        );
        assert!(
            (0.13..0.17).contains(&share(ItemKind::DiplomaticNote)),
            "{kinds:?}"
        );
        assert!(
            (0.27..0.33).contains(&share(ItemKind::FormalEmail)),
            "{kinds:?}"
        );
        let with_deadline = all.iter().filter(|i| i.deadline.is_some()).count() as f64;
        assert!((0.17..0.23).contains(&(with_deadline / all.len() as f64)));
    }

    #[test]
    fn ids_are_unique_and_sorted_by_time() {
        // Past the default expected count too: many items end up microseconds apart.
        let all: Vec<Item> = DemoGenerator::new(9, alice(), NOW).take(20_000).collect();
        let start = NOW - Duration::days(550);
        for pair in all.windows(2) {
            assert!(pair[0].id < pair[1].id);
            assert!(pair[0].received_at < pair[1].received_at);
        }
        for item in &all {
            assert!(item.received_at > start && item.received_at <= NOW);
            assert!(item.written_at() <= item.received_at);
            assert!(item.deadline.is_none_or(|d| d > item.received_at));
            let uuid = item.id.as_uuid();
            assert_eq!(uuid.get_version_num(), 7);
            let (secs, nanos) = uuid.get_timestamp().unwrap().to_unix();
            let ms = i128::from(secs) * 1000 + i128::from(nanos / 1_000_000);
            assert_eq!(ms, item.received_at.unix_timestamp_nanos() / 1_000_000);
        }
    }

    #[test]
    fn the_expected_count_spreads_items_over_the_window() {
        for count in [300, 2_000, 20_000] {
            let all: Vec<Item> = DemoGenerator::new(4, alice(), NOW)
                .with_expected_count(count)
                .take(usize::try_from(count).unwrap())
                .collect();
            let at = |fraction: f64| all[((all.len() - 1) as f64 * fraction) as usize].received_at;
            let start = NOW - Duration::days(548);
            assert!(at(0.0) < start + Duration::days(30), "{count}: {}", at(0.0));
            assert!(
                at(0.5) > start + Duration::days(200),
                "{count}: {}",
                at(0.5)
            );
            assert!(
                at(0.5) < start + Duration::days(350),
                "{count}: {}",
                at(0.5)
            );
            assert!(at(1.0) > NOW - Duration::days(20), "{count}: {}", at(1.0));
            assert!(at(1.0) <= NOW);
        }
        // Drawing far more than expected still gives ordered items before now.
        let mut previous = NOW - Duration::days(600);
        for item in DemoGenerator::new(4, alice(), NOW)
            .with_expected_count(100)
            .take(30_000)
        {
            assert!(item.received_at > previous && item.received_at <= NOW);
            previous = item.received_at;
        }
    }

    #[test]
    fn telegrams_are_numbered_per_post_and_year_and_flash_is_justified() {
        let all = items(21, 20_000);
        let mut last: BTreeMap<(String, i32), u32> = BTreeMap::new();
        let mut precedences: BTreeMap<Precedence, usize> = BTreeMap::new();
        let mut telegrams = 0;
        let ids: BTreeSet<ItemId> = all.iter().map(|i| i.id).collect();
        let mut resolved = 0;
        for item in &all {
            let ItemContent::Telegram(t) = &item.content else {
                continue;
            };
            telegrams += 1;
            let n = t.number.as_ref().unwrap();
            assert_eq!(n.post, t.origin);
            assert_eq!(n.year, t.dtg.year());
            let previous = last.insert((n.post.clone(), n.year), n.serial);
            assert!(previous.is_none_or(|p| p < n.serial), "{n}");
            *precedences.entry(t.precedence).or_default() += 1;
            if t.precedence == Precedence::Flash {
                assert!(!t.justification.as_deref().unwrap().trim().is_empty());
            }
            assert!((3..=9).contains(&t.paragraphs.len()));
            assert!(t.marking >= t.highest_paragraph_marking());
            assert!(!t.tags.is_empty() && !t.summary.is_empty() && !t.drafter.is_empty());
            for r in &t.references {
                assert!(r.label.starts_with("TD "));
                if let Some(id) = r.item {
                    assert!(ids.contains(&id) && id < item.id);
                    resolved += 1;
                }
            }
        }
        let share = |p| precedences.get(&p).copied().unwrap_or_default() as f64 / telegrams as f64;
        assert!((0.56..0.64).contains(&share(Precedence::Routine)));
        assert!((0.21..0.29).contains(&share(Precedence::Prioritaire)));
        assert!((0.09..0.15).contains(&share(Precedence::Immediat)));
        assert!((0.015..0.045).contains(&share(Precedence::Flash)));
        assert!(resolved > 1_000, "{resolved}");
        let posts: BTreeSet<&str> = last.keys().map(|(p, _)| p.as_str()).collect();
        assert!(posts.len() >= 40, "{posts:?}");
        let dr = all
            .iter()
            .filter(|i| i.marking() == Marking::DiffusionRestreinte)
            .count();
        assert!(dr > 2_000 && dr < 8_000, "{dr}");
    }

    #[test]
    fn notes_verbales_follow_the_formulas_and_answer_earlier_notes() {
        let all = items(31, 10_000);
        let ids: BTreeSet<ItemId> = all.iter().map(|i| i.id).collect();
        let mut answers = 0;
        for item in &all {
            let ItemContent::DiplomaticNote(n) = &item.content else {
                continue;
            };
            assert!(n.opening.starts_with("L'Ambassade "), "{}", n.opening);
            assert!(n.opening.ends_with("et a l'honneur de"));
            assert!(
                n.closing
                    .contains("saisit cette occasion pour renouveler au ")
            );
            assert!(
                n.closing
                    .ends_with("les assurances de sa haute considération.")
            );
            let first = n.paragraphs[0].text.chars().next().unwrap();
            assert!(first.is_lowercase(), "{}", n.paragraphs[0].text);
            assert_eq!(n.date, n.created_at.date());
            if let Some(a) = &n.answers {
                answers += 1;
                let answered = a.item.unwrap();
                assert!(ids.contains(&answered) && answered < item.id);
                assert!(a.label.starts_with("Note verbale n° "));
                assert!(n.subject.starts_with("Réponse – "));
            }
        }
        assert!(answers > 100, "{answers}");
    }

    #[test]
    fn emails_have_unique_message_ids_threads_and_attachments() {
        let user = alice();
        let all = items(41, 10_000);
        let mut message_ids = BTreeSet::new();
        let (mut replies, mut english, mut attachments) = (0, 0, 0);
        for item in &all {
            let ItemContent::FormalEmail(e) = &item.content else {
                continue;
            };
            let id = e.message_id.clone().unwrap();
            assert!(id.starts_with('<') && id.ends_with("@diplomatie.gouv.example>"));
            assert!(message_ids.insert(id));
            if !e.in_reply_to.is_empty() {
                replies += 1;
                assert!(e.subject.starts_with("RE: ") || e.subject.starts_with("TR: "));
                assert_eq!(e.references.last(), e.in_reply_to.first());
                assert!(message_ids.contains(e.thread_key().unwrap()));
            }
            if e.body.contains("Dear ") {
                english += 1;
            }
            assert!(!user.has_email(&e.from.address));
            for m in e.to.iter().chain(&e.cc).chain([&e.from]) {
                Mailbox::parse(&m.to_string()).unwrap();
            }
            for a in &e.attachments {
                attachments += 1;
                assert_eq!(a.sha256.len(), 64);
                assert!(a.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
                assert!(a.size > 0 && a.content_type.contains('/'));
            }
        }
        assert!(replies > 500 && english > 300 && attachments > 500);
    }

    #[test]
    fn text_is_varied_accented_french_with_some_english() {
        let all = items(51, 3_000);
        let mut words: BTreeSet<String> = BTreeSet::new();
        let mut text = String::new();
        for item in &all {
            let body = match &item.content {
                ItemContent::Telegram(t) => {
                    let mut s = format!("{} {}", t.subject, t.summary);
                    for p in &t.paragraphs {
                        s.push(' ');
                        s.push_str(&p.text);
                    }
                    s
                }
                ItemContent::DiplomaticNote(n) => {
                    let mut s = format!("{} {}", n.subject, n.opening);
                    for p in &n.paragraphs {
                        s.push(' ');
                        s.push_str(&p.text);
                    }
                    s
                }
                ItemContent::FormalEmail(e) => format!("{} {}", e.subject, e.body),
            };
            assert!(!body.contains('{') && !body.contains('}'), "{body}");
            words.extend(
                body.split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.chars().count() > 3)
                    .map(str::to_lowercase),
            );
            text.push_str(&body);
        }
        assert!(words.len() > 1_000, "{} distinct words", words.len());
        for accent in ['é', 'è', 'à', 'ç', 'ô', 'ê', 'û', 'ï'] {
            assert!(text.contains(accent), "no {accent}");
        }
        for word in [
            "télégramme",
            "sécurité",
            "Commentaire",
            "Please",
            "compliments",
        ] {
            assert!(text.contains(word), "no {word}");
        }
    }

    /// The first items of seed 7, as this version makes them: a change of `rand`,
    /// `rand_chacha` or of the generator that alters them fails here (update the pin only for a
    /// deliberate change of the generator, and say so in the change log of the demo).
    #[test]
    fn the_first_items_of_a_seed_are_pinned() {
        let pinned: Vec<String> = DemoGenerator::new(7, alice(), NOW)
            .take(6)
            .map(|item| {
                let kind = match &item.content {
                    ItemContent::Telegram(_) => "telegram",
                    ItemContent::DiplomaticNote(_) => "note",
                    ItemContent::FormalEmail(_) => "email",
                };
                format!("{} {kind} {}", item.id, item.subject())
            })
            .collect();
        assert_eq!(pinned, PINNED_SEED_7);
    }

    #[test]
    fn every_template_expands_cleanly() {
        let mut rng = ChaCha12Rng::seed_from_u64(0);
        let cast = Cast::new(&alice());
        let mut pen = Pen {
            rng: &mut rng,
            cast: &cast,
        };
        let mut templates: Vec<&str> = Vec::new();
        for t in &THEMES {
            templates.extend(t.subjects.iter().chain(t.summaries).chain(t.facts));
            templates.extend(t.comments);
        }
        for n in &NOTE_TOPICS {
            templates.extend([n.subject, n.first]);
            templates.extend(n.body);
        }
        for list in [
            INTROS,
            INSTRUCTIONS,
            GENERIC_FACTS,
            GENERIC_COMMENTS,
            SUMMARY_TAILS,
            FLASH_JUSTIFICATIONS,
            ANSWER_FIRST,
            ANSWER_BODY,
            NOTE_CLOSERS,
            EMAIL_SUBJECTS,
            EMAIL_SENTENCES_FR,
            EN_SUBJECTS,
            EN_SENTENCES,
        ] {
            templates.extend(list);
        }
        for country in &COUNTRIES {
            let mut ctx = Ctx::new(country, &COUNTRIES[0], &THEMES[0], 2026);
            ctx.answered = Some(("n° BERLIN/2026/0001 du 2 mars 2026", "Objet"));
            for france_sends in [true, false] {
                ctx.france_sends = Some(france_sends);
                for tpl in &templates {
                    let out = pen.text(tpl, &ctx);
                    assert!(!out.contains('{') && !out.contains('}'), "{tpl} -> {out}");
                    assert!(!out.contains("de le ") && !out.contains("à le "), "{out}");
                    assert!(!out.contains("de les ") && !out.contains("à les "), "{out}");
                }
            }
        }
    }

    #[test]
    #[ignore = "a benchmark: cargo test --release -p diplomatie-demo --lib tests::throughput -- --ignored --nocapture"]
    fn throughput() {
        let count = 200_000;
        let started = std::time::Instant::now();
        let mut bytes = 0usize;
        let generator = DemoGenerator::new(1, alice(), NOW).with_expected_count(count as u64);
        for item in generator.take(count) {
            bytes += item.subject().len();
        }
        let elapsed = started.elapsed();
        println!(
            "{count} items in {elapsed:?}: {:.0} items/s ({bytes} subject bytes)",
            count as f64 / elapsed.as_secs_f64()
        );
    }
}
