import { useRef, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { fakeApi, ok, summary } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { ItemRow } from './ItemRow';
import { INITIAL_SEARCH, Search, type SearchFilters } from './Search';
import type { ListController } from './Inbox';

function row(language: string | null) {
  const item = summary('tg1', { subject: language === 'en' ? 'Minutes of the meeting' : 'Compte rendu', language });
  renderWith(<ItemRow item={item} index={0} total={1} selected={false} open={false} onClick={() => undefined} />, fakeApi());
  return screen.getByTestId('item-row');
}

describe('the language of a list row (RGAA 8.7)', () => {
  it('is declared on the subject when known, never on the interface words around it', () => {
    const r = row('en');
    expect(screen.getByTestId('row-subject').getAttribute('lang')).toBe('en');
    expect(r.getAttribute('lang')).toBeNull();
    expect(r.querySelectorAll('[lang]')).toHaveLength(1);
  });

  it('is not declared when unknown: the interface language applies', () => {
    const r = row(null);
    expect(r.querySelector('[lang]')).toBeNull();
  });
});

function SearchHarness({ text }: { text: string }) {
  const [state, setState] = useState<SearchFilters>(INITIAL_SEARCH);
  const controller = useRef<ListController>(null);
  return <Search text={text} textSeq={0} state={state} onState={setState} openId={null} onOpen={() => undefined} controller={controller} />;
}

describe('the language of a search result (RGAA 8.7)', () => {
  it('is declared on its subject and snippet when known, and only then', async () => {
    const search = async () =>
      ok({
        hits: [
          { summary: summary('en1', { subject: 'Trade mission', language: 'en' }), snippet: [{ text: 'the trade mission', highlight: false }] },
          { summary: summary('xx1', { subject: 'Mission', language: null }), snippet: [{ text: 'la mission', highlight: false }] },
        ],
        elapsedMs: 3,
      });
    renderWith(<SearchHarness text="mission" />, fakeApi({ search }));
    const [english, unknown] = await screen.findAllByTestId('search-result');
    expect(english!.querySelector('.row-subject')?.getAttribute('lang')).toBe('en');
    expect(english!.querySelector('.snippet')?.getAttribute('lang')).toBe('en');
    expect(english!.getAttribute('lang')).toBeNull();
    expect(unknown!.querySelector('[lang]')).toBeNull();
  });
});
