// Dates and sizes in the user's language, every one through Intl for that language.

import en from '../i18n/en.json';
import fr from '../i18n/fr.json';

function locale(lang: string): string {
  return lang === 'en' ? 'en-GB' : 'fr-FR';
}

// Building a formatter costs far more than using one (a list repaints dozens of dates per
// keystroke): one per language and set of options, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateFormat(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), options);
    formatters.set(key, f);
  }
  return f;
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An instant from the backend (RFC 3339, possibly with nanoseconds, or a bare `YYYY-MM-DD`).
 * The fraction is cut to milliseconds first: not every engine parses more digits.
 */
export function parseInstant(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const text = iso.trim();
  // Only ISO forms: engines guess at anything else, differently.
  if (!ISO.test(text)) return null;
  const d = new Date(text.replace(' ', 'T').replace(',', '.').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** An email that carried no date at all is filed at the epoch (see the import): it says so. */
function undated(d: Date, lang: string): string | null {
  if (d.getTime() !== 0) return null;
  return (lang === 'en' ? en : fr).dates.undated;
}

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  const d = parseInstant(iso);
  if (!d) return iso ?? '';
  const none = undated(d, lang);
  if (none) return none;
  return dateFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: string): string {
  const d = parseInstant(iso);
  if (!d) return iso ?? '';
  const none = undated(d, lang);
  if (none) return none;
  // A bare day is that day wherever the reader is.
  const timeZone = iso && DAY_ONLY.test(iso.trim()) ? 'UTC' : undefined;
  return dateFormat(lang, { dateStyle: 'medium', timeZone }).format(d);
}

const DTG_MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * The date-time group of a telegram as the trade writes it, in UTC: `281800Z NOV 26` (day,
 * hours, minutes, Z, the month in three capitals, two-digit year). The input when unreadable.
 */
export function formatDtg(iso: string | null | undefined): string {
  const d = parseInstant(iso);
  if (!d) return iso ?? '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z ${DTG_MONTHS[d.getUTCMonth()]} ${p(d.getUTCFullYear() % 100)}`;
}

/** The same instant for reading, in UTC: `28/11/2026 18:00 UTC`. */
export function formatUtc(iso: string | null | undefined, lang: string): string {
  const d = parseInstant(iso);
  if (!d) return iso ?? '';
  const date = dateFormat(lang, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(d);
  const time = dateFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(d);
  return `${date} ${time} UTC`;
}

export function formatSize(bytes: number, lang: string): string {
  const fmt = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${fmt.format(bytes)} o`;
  if (bytes < 1024 * 1024) return `${fmt.format(bytes / 1024)} Kio`;
  return `${fmt.format(bytes / (1024 * 1024))} Mio`;
}

/** Today as `YYYY-MM-DD`, local time. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** The last segment of a path (the file name). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
