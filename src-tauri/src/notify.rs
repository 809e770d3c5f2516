//! Desktop notifications: which arrivals are notified, what a notification says (never the
//! subject or body of a Diffusion Restreinte item), Flash reminders until the item is opened
//! (or, for a released text addressed to the user for action, until they acknowledge it), and
//! the freedesktop sender (notify-rust) whose click focuses the app on the item.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use diplomatie_client::{ItemSummary, Language, NotifyRules};
use diplomatie_domain::{ItemId, ItemKind, Marking, Precedence, Route};

/// How often an unopened (or unacknowledged) Flash is notified again.
pub const FLASH_REMINDER: Duration = Duration::from_secs(5 * 60);

/// What ends the reminders of a Flash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Opening it (or marking it read): an item that cannot be acknowledged.
    Opened,
    /// Acknowledging it ("lu et pris en compte"): a released text addressed to the user for
    /// action. Opening it does not end its reminders.
    Acknowledged,
}

/// What a notification shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationText {
    pub summary: String,
    pub body: String,
    pub urgent: bool,
}

fn kind_label(kind: ItemKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (ItemKind::Telegram, Language::Fr) => "Télégramme",
        (ItemKind::Telegram, Language::En) => "Telegram",
        (ItemKind::DiplomaticNote, Language::Fr) => "Note verbale",
        (ItemKind::DiplomaticNote, Language::En) => "Note verbale",
        (ItemKind::FormalEmail, Language::Fr) => "Courriel",
        (ItemKind::FormalEmail, Language::En) => "Email",
    }
}

fn precedence_label(p: Precedence, lang: Language) -> &'static str {
    match (p, lang) {
        (Precedence::Routine, Language::Fr) => "Routine",
        (Precedence::Routine, Language::En) => "Routine",
        (Precedence::Prioritaire, Language::Fr) => "Prioritaire",
        (Precedence::Prioritaire, Language::En) => "Priority",
        (Precedence::Immediat, Language::Fr) => "Immédiat",
        (Precedence::Immediat, Language::En) => "Immediate",
        (Precedence::Flash, _) => "FLASH",
    }
}

fn route_label(route: Option<Route>, lang: Language) -> &'static str {
    match (route, lang) {
        (Some(Route::Action), Language::Fr) => "pour action",
        (Some(Route::Action), Language::En) => "for action",
        (Some(Route::Info), Language::Fr) => "pour information",
        (Some(Route::Info), Language::En) => "for information",
        (None, Language::Fr) => "reçu",
        (None, Language::En) => "received",
    }
}

/// The text of a notification for `item`; `reminder` says it is a reminder and what it waits
/// for. A Diffusion Restreinte item shows only its kind, precedence and route; its subject,
/// origin and body stay in the app.
pub fn text_for(item: &ItemSummary, lang: Language, reminder: Option<Until>) -> NotificationText {
    let mut summary = format!(
        "{} {} — {}",
        kind_label(item.kind, lang),
        precedence_label(item.precedence, lang),
        route_label(item.route, lang)
    );
    if let Some(until) = reminder {
        summary.push_str(match (until, lang) {
            (Until::Opened, Language::Fr) => " (rappel : non ouvert)",
            (Until::Opened, Language::En) => " (reminder: not opened)",
            (Until::Acknowledged, Language::Fr) => " (rappel : non acquitté)",
            (Until::Acknowledged, Language::En) => " (reminder: not acknowledged)",
        });
    }
    let body = match item.marking {
        Marking::DiffusionRestreinte => match lang {
            Language::Fr => "Diffusion Restreinte : ouvrez Diplomatie pour le lire.".to_owned(),
            Language::En => "Diffusion Restreinte: open Diplomatie to read it.".to_owned(),
        },
        Marking::NonProtege => {
            let number = item.number.as_deref().unwrap_or_default();
            let from = match lang {
                Language::Fr => "De",
                Language::En => "From",
            };
            let mut body = item.subject.clone();
            body.push('\n');
            body.push_str(&format!("{from} {} {number}", item.origin));
            body.trim_end().to_owned()
        }
    };
    NotificationText {
        summary,
        body,
        urgent: item.precedence == Precedence::Flash,
    }
}

/// What a draft that now waits for the user asks of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftRequest {
    /// A clearer's turn: "Visa demandé".
    Clearance,
    /// The approver's turn (ready for approval, or approved and to be released).
    Approval,
    /// Back to the drafter (a clearer rejected it).
    Returned,
}

/// The text of the notification that a draft waits for the user. A Diffusion Restreinte
/// draft shows only its kind; its subject stays in the app, as for items.
pub fn draft_text(
    request: DraftRequest,
    kind: ItemKind,
    marking: Marking,
    subject: &str,
    lang: Language,
) -> NotificationText {
    let summary = match (request, lang) {
        (DraftRequest::Clearance, Language::Fr) => "Visa demandé",
        (DraftRequest::Clearance, Language::En) => "Clearance requested",
        (DraftRequest::Approval, Language::Fr) => "Approbation demandée",
        (DraftRequest::Approval, Language::En) => "Approval requested",
        (DraftRequest::Returned, Language::Fr) => "Projet renvoyé au rédacteur",
        (DraftRequest::Returned, Language::En) => "Draft returned to its drafter",
    };
    let what = match lang {
        Language::Fr => "Projet de",
        Language::En => "Draft",
    };
    let kind = kind_label(kind, lang);
    let body = match marking {
        Marking::DiffusionRestreinte => match lang {
            Language::Fr => {
                format!("{what} {kind} — Diffusion Restreinte : ouvrez Diplomatie pour le lire.")
            }
            Language::En => {
                format!("{what} {kind} — Diffusion Restreinte: open Diplomatie to read it.")
            }
        },
        Marking::NonProtege => {
            let kind = if lang == Language::Fr {
                kind.to_lowercase()
            } else {
                kind.to_owned()
            };
            format!("{what} {kind}\n{}", subject.trim())
                .trim_end()
                .to_owned()
        }
    };
    NotificationText {
        summary: format!("{summary} — Diplomatie"),
        body,
        urgent: false,
    }
}

/// The Flash items being reminded: when each is next due, and what ends its reminders.
#[derive(Debug)]
pub struct FlashTracker {
    interval: Duration,
    next: BTreeMap<ItemId, (Instant, Until)>,
}

impl FlashTracker {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            next: BTreeMap::new(),
        }
    }

    /// A Flash was just notified: remind at `now + interval`, and every interval after,
    /// until what `until` says happens.
    pub fn track(&mut self, id: ItemId, now: Instant, until: Until) {
        self.next.insert(id, (now + self.interval, until));
    }

    /// The item was opened (or marked read): this ends the reminders of an item that cannot
    /// be acknowledged, not those of one that waits for its acknowledgement.
    pub fn opened(&mut self, id: ItemId) {
        if self
            .next
            .get(&id)
            .is_some_and(|(_, until)| *until == Until::Opened)
        {
            self.next.remove(&id);
        }
    }

    /// The item was acknowledged: no more reminders, whatever they waited for.
    pub fn acknowledged(&mut self, id: ItemId) {
        self.next.remove(&id);
    }

    /// The items due for a reminder at `now`, with what they wait for, each rescheduled one
    /// interval later.
    pub fn due(&mut self, now: Instant) -> Vec<(ItemId, Until)> {
        let due: Vec<(ItemId, Until)> = self
            .next
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(id, (_, until))| (*id, *until))
            .collect();
        for (id, until) in &due {
            self.next.insert(*id, (now + self.interval, *until));
        }
        due
    }

    /// Whether `id` is still reminded.
    pub fn tracks(&self, id: ItemId) -> bool {
        self.next.contains_key(&id)
    }

    pub fn is_empty(&self) -> bool {
        self.next.is_empty()
    }
}

/// Which arrivals raise a notification: those the rules want, except items this user wrote
/// in this app (nobody is notified of their own telegram).
pub fn to_notify<'a>(
    arrivals: &'a [ItemSummary],
    own: &BTreeSet<ItemId>,
    rules: &NotifyRules,
) -> Vec<&'a ItemSummary> {
    arrivals
        .iter()
        .filter(|s| !own.contains(&s.id) && !s.read && rules.wants(s))
        .collect()
}

/// Shows notifications and reports clicks.
pub trait Notifier: Send + Sync {
    /// Shows `text`; `on_click` runs if the user clicks it.
    fn show(&self, text: &NotificationText, on_click: Box<dyn FnOnce() + Send>);
}

/// The freedesktop notification server on the session D-Bus (notify-rust).
#[derive(Debug, Default)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn show(&self, text: &NotificationText, on_click: Box<dyn FnOnce() + Send>) {
        let mut n = notify_rust::Notification::new();
        n.appname("Diplomatie")
            .summary(&text.summary)
            .body(&text.body)
            .icon("mail-message-new")
            .action("default", "Ouvrir")
            .hint(notify_rust::Hint::Category("im.received".into()));
        if text.urgent {
            n.urgency(notify_rust::Urgency::Critical);
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        match n.show() {
            Ok(handle) => {
                // Waits for the click or the closing, off the caller's thread.
                let spawned = std::thread::Builder::new()
                    .name("notification".into())
                    .spawn(move || {
                        let mut on_click = Some(on_click);
                        handle.wait_for_action(|action| {
                            if action == "default"
                                && let Some(f) = on_click.take()
                            {
                                f();
                            }
                        });
                    });
                if spawned.is_err() {
                    tracing::warn!("could not wait for a notification click");
                }
            }
            Err(e) => tracing::warn!(error = %e, "notification not shown"),
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            drop(on_click);
            if let Err(e) = n.show() {
                tracing::warn!(error = %e, "notification not shown");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;

    fn item(marking: Marking, precedence: Precedence, route: Option<Route>) -> ItemSummary {
        let now = OffsetDateTime::now_utc();
        ItemSummary {
            id: ItemId::from_uuid(Uuid::now_v7()),
            kind: ItemKind::Telegram,
            subject: "Visite du ministre à Berlin".into(),
            marking,
            precedence,
            route,
            origin: "BERLIN".into(),
            number: Some("BERLIN 2026-0042".into()),
            written_at: now,
            received_at: now,
            deadline: None,
            read: false,
            tags: vec!["DE".into()],
            language: None,
        }
    }

    #[test]
    fn a_diffusion_restreinte_notification_shows_neither_subject_nor_origin() {
        for lang in [Language::Fr, Language::En] {
            let dr = item(
                Marking::DiffusionRestreinte,
                Precedence::Immediat,
                Some(Route::Action),
            );
            let text = text_for(&dr, lang, None);
            for secret in ["Visite", "ministre", "BERLIN", "0042"] {
                assert!(!text.summary.contains(secret), "{lang:?}: {}", text.summary);
                assert!(!text.body.contains(secret), "{lang:?}: {}", text.body);
            }
            assert!(text.summary.contains("Imm"));
        }
        let np = item(Marking::NonProtege, Precedence::Flash, Some(Route::Action));
        let text = text_for(&np, Language::Fr, None);
        assert_eq!(text.summary, "Télégramme FLASH — pour action");
        assert!(text.body.contains("Visite du ministre"));
        assert!(text.urgent);
        assert!(text.summary.ends_with("pour action"), "{}", text.summary);
        let opened = text_for(&np, Language::Fr, Some(Until::Opened));
        assert!(
            opened.summary.ends_with("(rappel : non ouvert)"),
            "{}",
            opened.summary
        );
        let acked = text_for(&np, Language::Fr, Some(Until::Acknowledged));
        assert!(
            acked.summary.ends_with("(rappel : non acquitté)"),
            "{}",
            acked.summary
        );
        let acked = text_for(&np, Language::En, Some(Until::Acknowledged));
        assert!(
            acked.summary.ends_with("(reminder: not acknowledged)"),
            "{}",
            acked.summary
        );
        // A DR reminder says what it waits for and still nothing of the item.
        let dr = item(
            Marking::DiffusionRestreinte,
            Precedence::Flash,
            Some(Route::Action),
        );
        let text = text_for(&dr, Language::Fr, Some(Until::Acknowledged));
        assert!(text.summary.contains("non acquitté") && !text.body.contains("Visite"));
    }

    #[test]
    fn a_clearance_request_for_a_dr_draft_shows_no_subject() {
        let subject = "Visite du ministre à Berlin";
        for lang in [Language::Fr, Language::En] {
            let text = draft_text(
                DraftRequest::Clearance,
                ItemKind::Telegram,
                Marking::DiffusionRestreinte,
                subject,
                lang,
            );
            assert!(!text.summary.contains("Visite") && !text.body.contains("Visite"));
            assert!(!text.body.contains("ministre"), "{lang:?}: {}", text.body);
            assert!(text.body.contains("Diffusion Restreinte"));
        }
        let fr = draft_text(
            DraftRequest::Clearance,
            ItemKind::Telegram,
            Marking::NonProtege,
            subject,
            Language::Fr,
        );
        assert!(fr.summary.starts_with("Visa demandé"), "{}", fr.summary);
        assert!(fr.body.contains(subject));
        let en = draft_text(
            DraftRequest::Clearance,
            ItemKind::DiplomaticNote,
            Marking::NonProtege,
            subject,
            Language::En,
        );
        assert!(en.summary.starts_with("Clearance requested"));
        let approval = draft_text(
            DraftRequest::Approval,
            ItemKind::Telegram,
            Marking::NonProtege,
            subject,
            Language::En,
        );
        assert!(approval.summary.starts_with("Approval requested"));
    }

    #[test]
    fn flash_reminders_of_an_item_that_cannot_be_acknowledged_end_when_it_is_opened() {
        let mut tracker = FlashTracker::new(Duration::from_secs(300));
        let t0 = Instant::now();
        let (a, b) = (
            ItemId::from_uuid(Uuid::now_v7()),
            ItemId::from_uuid(Uuid::now_v7()),
        );
        tracker.track(a, t0, Until::Opened);
        tracker.track(b, t0 + Duration::from_secs(60), Until::Opened);
        assert!(tracker.due(t0 + Duration::from_secs(299)).is_empty());
        assert_eq!(
            tracker.due(t0 + Duration::from_secs(300)),
            vec![(a, Until::Opened)]
        );
        assert!(tracker.due(t0 + Duration::from_secs(301)).is_empty());
        assert_eq!(
            tracker.due(t0 + Duration::from_secs(360)),
            vec![(b, Until::Opened)]
        );
        tracker.opened(a);
        assert_eq!(
            tracker.due(t0 + Duration::from_secs(900)),
            vec![(b, Until::Opened)]
        );
        tracker.opened(b);
        assert!(tracker.is_empty());
    }

    #[test]
    fn flash_reminders_of_a_released_text_for_action_go_on_after_opening_until_acknowledged() {
        let mut tracker = FlashTracker::new(Duration::from_secs(300));
        let t0 = Instant::now();
        let (ack, plain) = (
            ItemId::from_uuid(Uuid::now_v7()),
            ItemId::from_uuid(Uuid::now_v7()),
        );
        tracker.track(ack, t0, Until::Acknowledged);
        tracker.track(plain, t0, Until::Opened);
        // Both opened before the first reminder: only the one to acknowledge is reminded.
        tracker.opened(ack);
        tracker.opened(plain);
        assert!(tracker.tracks(ack) && !tracker.tracks(plain));
        assert_eq!(
            tracker.due(t0 + Duration::from_secs(300)),
            vec![(ack, Until::Acknowledged)]
        );
        // Every interval after, however often it is opened again.
        tracker.opened(ack);
        assert!(tracker.due(t0 + Duration::from_secs(599)).is_empty());
        assert_eq!(
            tracker.due(t0 + Duration::from_secs(600)),
            vec![(ack, Until::Acknowledged)]
        );
        tracker.acknowledged(ack);
        assert!(tracker.due(t0 + Duration::from_secs(3600)).is_empty());
        assert!(tracker.is_empty());
        // Acknowledging an item that is not tracked (or twice) changes nothing.
        tracker.acknowledged(ack);
        assert!(tracker.is_empty());
    }

    #[test]
    fn own_items_and_unwanted_ones_are_not_notified() {
        let rules = NotifyRules::default();
        let mine = item(Marking::NonProtege, Precedence::Flash, Some(Route::Action));
        let other = item(
            Marking::NonProtege,
            Precedence::Routine,
            Some(Route::Action),
        );
        let info = item(Marking::NonProtege, Precedence::Routine, Some(Route::Info));
        let arrivals = vec![mine.clone(), other.clone(), info];
        let own: BTreeSet<ItemId> = [mine.id].into_iter().collect();
        let picked: Vec<ItemId> = to_notify(&arrivals, &own, &rules)
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(picked, vec![other.id]);
    }
}
