import { useRef, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Result } from '../api';
import type { SearchRequestDto_Deserialize, SearchResultDto_Serialize } from '../bindings';
import { fakeApi, ok, summary } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { INITIAL_SEARCH, Search, type SearchFilters } from './Search';
import type { ListController } from './Inbox';

function Harness({ text, onOpen = () => undefined }: { text: string; onOpen?: (id: string) => void }) {
  const [state, setState] = useState<SearchFilters>(INITIAL_SEARCH);
  const controller = useRef<ListController>(null);
  return <Search text={text} state={state} onState={setState} openId={null} onOpen={onOpen} controller={controller} />;
}

const hitsFor = (word: string) =>
  ok({
    hits: [
      {
        summary: summary(`id-${word}`, { subject: `Sujet ${word}` }),
        snippet: [
          { text: 'avant ', highlight: false },
          { text: word, highlight: true },
          { text: ' après', highlight: false },
        ],
      },
    ],
    elapsedMs: 7,
  });

describe('search as you type', () => {
  it('asks at once, and while a request is in flight keeps only the newest input', async () => {
    const pending: { text: string; resolve: (r: Result<SearchResultDto_Serialize>) => void }[] = [];
    const search = vi.fn(
      (r: SearchRequestDto_Deserialize) =>
        new Promise<Result<SearchResultDto_Serialize>>((resolve) => {
          pending.push({ text: r.text, resolve });
        }),
    );
    const { rerender } = renderWith(<Harness text="t" />, fakeApi({ search }));
    expect(search).toHaveBeenCalledTimes(1);
    expect(search.mock.calls[0]?.[0]).toMatchObject({ text: 't', offset: 0, limit: 50, asYouType: true, from: null, to: null });
    for (const text of ['tr', 'tra', 'trai']) rerender(<Harness text={text} />);
    expect(search).toHaveBeenCalledTimes(1);

    // The answer for "t" is shown, and only the newest input leaves after it.
    await act(async () => pending.shift()?.resolve(hitsFor('t')));
    expect(screen.getAllByTestId('search-result').map((r) => r.dataset.id)).toEqual(['id-t']);
    expect(search).toHaveBeenCalledTimes(2);
    expect(search.mock.calls[1]?.[0]).toMatchObject({ text: 'trai' });
    await act(async () => pending.shift()?.resolve(hitsFor('trai')));
    expect(screen.getAllByTestId('search-result').map((r) => r.dataset.id)).toEqual(['id-trai']);
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('never has more than one request in flight, however fast the typing', async () => {
    let inFlight = 0;
    let most = 0;
    const search = vi.fn(async (r: SearchRequestDto_Deserialize) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((done) => setTimeout(done, 15));
      inFlight -= 1;
      return hitsFor(r.text);
    });
    const word = 'consulaire et securite regionale';
    const { rerender } = renderWith(<Harness text="" />, fakeApi({ search }));
    for (let i = 1; i <= word.length; i += 1) {
      rerender(<Harness text={word.slice(0, i)} />);
      await act(() => new Promise((r) => setTimeout(r, 2)));
    }
    await waitFor(() => expect(screen.getAllByTestId('search-result').map((r) => r.dataset.id)).toEqual([`id-${word}`]));
    expect(most).toBe(1);
    // Each request is for a longer input than the one before, the last for the whole text.
    const asked = search.mock.calls.map(([r]) => r.text.length);
    expect(asked).toEqual([...asked].sort((x, y) => x - y));
    expect(new Set(asked).size).toBe(asked.length);
    expect(search.mock.calls[search.mock.calls.length - 1]?.[0]).toMatchObject({ text: word });
  });

  it('drops an answer that comes back after the box was emptied', async () => {
    const pending = new Map<string, (r: Result<SearchResultDto_Serialize>) => void>();
    const search = vi.fn(
      (r: SearchRequestDto_Deserialize) =>
        new Promise<Result<SearchResultDto_Serialize>>((resolve) => {
          pending.set(r.text, resolve);
        }),
    );
    const { rerender } = renderWith(<Harness text="alpha" />, fakeApi({ search }));
    await waitFor(() => expect(pending.has('alpha')).toBe(true));
    rerender(<Harness text="" />);
    await act(async () => pending.get('alpha')?.(hitsFor('alpha')));
    expect(screen.queryAllByTestId('search-result')).toHaveLength(0);
    expect(screen.getByText('Saisissez des mots dans la zone de recherche.')).toBeTruthy();

    // Typed again: the new answer shows, with its time.
    rerender(<Harness text="beta" />);
    await waitFor(() => expect(pending.has('beta')).toBe(true));
    await act(async () => pending.get('beta')?.(hitsFor('beta')));
    const results = screen.getAllByTestId('search-result');
    expect(results.map((r) => r.dataset.id)).toEqual(['id-beta']);
    expect(results[0]!.querySelector('mark')?.textContent).toBe('beta');
    expect(screen.getByTestId('search-elapsed').textContent).toContain('7 ms');
  });

  it('sends the filters and the date range, and opens a result', async () => {
    const search = vi.fn(async (r: SearchRequestDto_Deserialize) => hitsFor(r.text));
    const onOpen = vi.fn();
    renderWith(<Harness text="budget" onOpen={onOpen} />, fakeApi({ search }));
    await screen.findByTestId('search-result');
    fireEvent.click(screen.getByTestId('filter-marking-dr'));
    fireEvent.change(screen.getByTestId('search-from'), { target: { value: '2026-01-01' } });
    await waitFor(() =>
      expect(search.mock.calls[search.mock.calls.length - 1]?.[0]).toMatchObject({
        text: 'budget',
        from: '2026-01-01',
        filter: { section: null, markings: ['dr'] },
      }),
    );
    fireEvent.click(screen.getByText('Sujet budget'));
    expect(onOpen).toHaveBeenCalledWith('id-budget');
  });

  it('asks nothing for an empty box', async () => {
    const search = vi.fn(async (r: SearchRequestDto_Deserialize) => hitsFor(r.text));
    renderWith(<Harness text="   " />, fakeApi({ search }));
    await new Promise((r) => setTimeout(r, 250));
    expect(search).not.toHaveBeenCalled();
    expect(screen.queryAllByTestId('search-result')).toHaveLength(0);
  });
});
