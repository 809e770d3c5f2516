import { describe, expect, it } from 'vitest';
import { hasReader, panes } from './layout';

describe('narrow layout', () => {
  it('shows list and reader side by side when wide', () => {
    expect(panes('inbox', false, false)).toEqual({ list: true, reader: true, back: false });
    expect(panes('inbox', false, true)).toEqual({ list: true, reader: true, back: false });
  });

  it('shows the list OR the reader with a back button when narrow', () => {
    expect(panes('inbox', true, false)).toEqual({ list: true, reader: false, back: false });
    expect(panes('inbox', true, true)).toEqual({ list: false, reader: true, back: true });
    expect(panes('search', true, true)).toEqual({ list: false, reader: true, back: true });
  });

  it('has no list or reader in the form views', () => {
    for (const view of ['compose', 'import', 'settings'] as const) {
      expect(hasReader(view)).toBe(false);
      expect(panes(view, true, true)).toEqual({ list: false, reader: false, back: false });
    }
  });
});
