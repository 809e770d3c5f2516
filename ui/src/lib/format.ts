// Dates and sizes in the user's language.

function locale(lang: string): string {
  return lang === 'en' ? 'en-GB' : 'fr-FR';
}

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium' }).format(d);
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
