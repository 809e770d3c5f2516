import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER, KINDS, toFilterDto, toggle } from './filter';

describe('filters', () => {
  it('toggles values in canonical order', () => {
    expect(toggle(['email'], 'telegram', KINDS)).toEqual(['telegram', 'email']);
    expect(toggle(['telegram', 'email'], 'telegram', KINDS)).toEqual(['email']);
  });

  it('sends empty text filters as null', () => {
    expect(toFilterDto({ ...EMPTY_FILTER, origin: '  ', tag: ' ECON ' }, 'info')).toEqual({
      section: 'info',
      kinds: [],
      markings: [],
      precedences: [],
      origin: null,
      tag: 'ECON',
      unreadOnly: false,
    });
  });
});
