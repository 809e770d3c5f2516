import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDtg, formatUtc, parseInstant } from './format';

describe('the date-time group', () => {
  it('writes day, hours, minutes, Z, the month and a two-digit year, in UTC', () => {
    expect(formatDtg('2026-11-28T18:00:00Z')).toBe('281800Z NOV 26');
    // Nanoseconds and an offset: the same instant in UTC.
    expect(formatDtg('2026-11-28T19:05:42.123456789+01:00')).toBe('281805Z NOV 26');
    expect(formatDtg('2027-01-01T00:30:00+02:00')).toBe('312230Z DEC 26');
    expect(formatDtg('2030-07-04T09:07:00Z')).toBe('040907Z JUL 30');
    expect(formatDtg('2105-03-09T23:59:00Z')).toBe('092359Z MAR 05');
  });

  it('names every month in three capitals, JAN to DEC', () => {
    const months = Array.from({ length: 12 }, (_, m) => formatDtg(`2026-${String(m + 1).padStart(2, '0')}-15T12:00:00Z`).split(' ')[1]);
    expect(months).toEqual(['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']);
  });

  it('gives back what it cannot read', () => {
    expect(formatDtg('241030Z NOV 26')).toBe('241030Z NOV 26');
    expect(formatDtg('')).toBe('');
    expect(formatDtg(null)).toBe('');
  });

  it('has a readable form in UTC, day first in both languages', () => {
    expect(formatUtc('2026-11-28T18:00:00.000000001Z', 'fr')).toBe('28/11/2026 18:00 UTC');
    expect(formatUtc('2026-11-28T18:00:00Z', 'en')).toBe('28/11/2026 18:00 UTC');
    expect(formatUtc('2026-11-29T00:15:00+01:00', 'fr')).toBe('28/11/2026 23:15 UTC');
  });
});

describe('dates', () => {
  it('reads RFC 3339 with nanoseconds, and never shows it raw', () => {
    expect(parseInstant('2026-11-28T18:00:00.123456789Z')?.toISOString()).toBe('2026-11-28T18:00:00.123Z');
    const shown = formatDateTime('2026-11-28T18:00:00.123456789Z', 'fr');
    expect(shown).not.toContain('T18');
    expect(shown).toContain('2026');
  });

  it('shows a bare day as that day, in the language', () => {
    expect(formatDate('2026-12-05', 'fr')).toBe('5 déc. 2026');
    expect(formatDate('2026-12-05', 'en')).toBe('5 Dec 2026');
  });

  it('says an email had no date rather than showing 1970', () => {
    expect(formatDateTime('1970-01-01T00:00:00Z', 'fr')).toBe('sans date');
    expect(formatDate('1970-01-01T00:00:00Z', 'en')).toBe('no date');
    expect(formatDateTime('1970-01-01T00:00:01Z', 'fr')).toContain('1970');
  });
});
