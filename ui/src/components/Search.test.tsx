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
  it('waits for a pause in typing before asking', async () => {
    vi.useFakeTimers();
    try {
      const search = vi.fn(async (r: SearchRequestDto_Deserialize) => hitsFor(r.text));
      const { rerender } = renderWith(<Harness text="" />, fakeApi({ search }));
      for (const text of ['t', 'tr', 'tra', 'trai']) {
        rerender(<Harness text={text} />);
        await act(async () => {
          vi.advanceTimersByTime(100);
        });
      }
      expect(search).not.toHaveBeenCalled();
      await act(async () => {
        vi.advanceTimersByTime(150);
      });
      expect(search).toHaveBeenCalledTimes(1);
      expect(search.mock.calls[0]?.[0]).toMatchObject({ text: 'trai', offset: 0, limit: 50, asYouType: true, from: null, to: null });
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops an answer that comes back after a newer request', async () => {
    const pending = new Map<string, (r: Result<SearchResultDto_Serialize>) => void>();
    const search = vi.fn(
      (r: SearchRequestDto_Deserialize) =>
        new Promise<Result<SearchResultDto_Serialize>>((resolve) => {
          pending.set(r.text, resolve);
        }),
    );
    const { rerender } = renderWith(<Harness text="alpha" />, fakeApi({ search }));
    await waitFor(() => expect(pending.has('alpha')).toBe(true));
    rerender(<Harness text="beta" />);
    await waitFor(() => expect(pending.has('beta')).toBe(true));

    await act(async () => pending.get('beta')?.(hitsFor('beta')));
    await act(async () => pending.get('alpha')?.(hitsFor('alpha')));

    const results = screen.getAllByTestId('search-result');
    expect(results.map((r) => r.dataset.id)).toEqual(['id-beta']);
    const mark = results[0]!.querySelector('mark');
    expect(mark?.textContent).toBe('beta');
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
