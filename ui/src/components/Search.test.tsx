import { useRef, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Result } from '../api';
import type { SearchRequestDto_Deserialize, SearchResultDto_Serialize } from '../bindings';
import { fakeApi, ok, summary } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { INITIAL_SEARCH, RESULT_HEIGHT, Search, type SearchFilters } from './Search';
import { FIRST_SEARCH_PAGE, SEARCH_PAGE } from '../lib/useSearch';
import type { ListController } from './Inbox';

function Harness({
  text,
  seq = 0,
  onOpen = () => undefined,
  onPainted,
  measureRow,
}: {
  text: string;
  seq?: number;
  onOpen?: (id: string) => void;
  onPainted?: (seq: number) => void;
  measureRow?: (probe: HTMLElement) => number;
}) {
  const [state, setState] = useState<SearchFilters>(INITIAL_SEARCH);
  const controller = useRef<ListController>(null);
  return (
    <>
      <Search
        text={text}
        textSeq={seq}
        onResultsPainted={onPainted}
        state={state}
        onState={setState}
        openId={null}
        onOpen={onOpen}
        controller={controller}
        measureRow={measureRow}
      />
      <button onClick={() => controller.current?.move(1)}>next</button>
      <button onClick={() => controller.current?.move(30)}>next30</button>
      <button onClick={() => controller.current?.openSelected()}>open</button>
    </>
  );
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
    const { rerender } = renderWith(<Harness text="tra" />, fakeApi({ search }));
    expect(search).toHaveBeenCalledTimes(1);
    expect(search.mock.calls[0]?.[0]).toMatchObject({ text: 'tra', offset: 0, limit: FIRST_SEARCH_PAGE, asYouType: true, from: null, to: null });
    for (const text of ['trai', 'train', 'traité']) rerender(<Harness text={text} />);
    expect(search).toHaveBeenCalledTimes(1);

    // The answer for "tra" is shown, and only the newest input leaves after it.
    await act(async () => pending.shift()?.resolve(hitsFor('tra')));
    expect(screen.getAllByTestId('search-result').map((r) => r.dataset.id)).toEqual(['id-tra']);
    expect(search).toHaveBeenCalledTimes(2);
    expect(search.mock.calls[1]?.[0]).toMatchObject({ text: 'traité' });
    await act(async () => pending.shift()?.resolve(hitsFor('traité')));
    expect(screen.getAllByTestId('search-result').map((r) => r.dataset.id)).toEqual(['id-traité']);
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
    // The order of the results is said, and how to reach older items.
    expect(screen.getByTestId('search-order').textContent).toContain('les plus récents d’abord');
    expect(screen.getByTestId('search-order').textContent).toContain('période');

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

/** A backend with `total` hits for any words, `hit-0`, `hit-1`, …, served by pages. */
function pagedSearch(total: number) {
  return vi.fn(async (r: SearchRequestDto_Deserialize) =>
    ok({
      hits: Array.from({ length: Math.max(0, Math.min(r.limit, total - r.offset)) }, (_, k) => ({
        summary: summary(`hit-${r.offset + k}`, { subject: `Sujet ${r.offset + k}` }),
        snippet: [{ text: `extrait ${r.offset + k}`, highlight: false }],
      })),
      elapsedMs: 4,
    }),
  );
}

const results = () => screen.queryAllByTestId('search-result');

/**
 * happy-dom does no layout: let the list scroll as far as its rows reach, and report a
 * scroll after `scrollTo` as a browser does.
 */
function layOut(list: HTMLElement) {
  const rows = () => list.querySelector('ol');
  Object.defineProperty(list, 'scrollHeight', { configurable: true, get: () => parseFloat(rows()?.style.height ?? '0') || 0 });
  const scrollTo = list.scrollTo.bind(list) as (o: ScrollToOptions) => void;
  list.scrollTo = ((o: ScrollToOptions) => {
    scrollTo(o);
    list.dispatchEvent(new Event('scroll'));
  }) as typeof list.scrollTo;
}
const shownIds = () => results().map((r) => r.dataset.id);
const offsetsAsked = (search: ReturnType<typeof pagedSearch>) => search.mock.calls.map(([r]) => r.offset);

describe('the results list', () => {
  it('renders a window of the rows, each with its place in the list', async () => {
    const search = pagedSearch(120);
    renderWith(<Harness text="budget" />, fakeApi({ search }));
    await waitFor(() => expect(results().length).toBeGreaterThan(0));
    // 25 hits loaded (the first page); the list is 600 px high (test setup) and a row
    // RESULT_HEIGHT: about ten rows rendered, and no second page asked for yet.
    expect(FIRST_SEARCH_PAGE).toBe(25);
    expect(screen.getByText('25+ résultats')).toBeTruthy();
    const n = results().length;
    expect(n).toBeGreaterThanOrEqual(Math.ceil(600 / RESULT_HEIGHT));
    expect(n).toBeLessThan(20);
    expect(shownIds()).toEqual(Array.from({ length: n }, (_, i) => `hit-${i}`));
    const first = results()[0]!;
    expect(first.getAttribute('aria-posinset')).toBe('1');
    // More may follow: the size of the list is unknown.
    expect(first.getAttribute('aria-setsize')).toBe('-1');
    expect(results()[3]!.getAttribute('aria-posinset')).toBe('4');
    expect(first.closest('ol')?.getAttribute('aria-label')).toBe('Résultats de la recherche');
    // The list is as tall as all the rows loaded, not as those in the page.
    expect(first.closest('ol')?.style.height).toBe(`${25 * RESULT_HEIGHT}px`);
    await new Promise((r) => setTimeout(r, 50));
    expect(offsetsAsked(search)).toEqual([0]);
    expect(offsetsAsked(search)).toEqual([0]);
  });

  it('gives the results the height of a probe result when their text needs more (WCAG 1.4.12)', async () => {
    const search = pagedSearch(120);
    let height = 0;
    const probes: HTMLElement[] = [];
    const measure = (el: HTMLElement) => {
      probes.push(el);
      return height;
    };
    renderWith(<Harness text="budget" measureRow={measure} />, fakeApi({ search }));
    await waitFor(() => expect(results().length).toBeGreaterThan(0));
    const ol = results()[0]!.closest('ol')!;
    expect(ol.style.height).toBe(`${25 * RESULT_HEIGHT}px`);
    expect(results()[0]!.style.height).toBe(`${RESULT_HEIGHT}px`);
    // The probe: a result of the tallest kind with a long snippet, out of sight, outside the
    // list box, in a list of its own.
    const probe = probes.at(-1)!;
    expect(probe.classList.contains('result')).toBe(true);
    expect(probe.dataset.testid).toBeUndefined();
    expect(probe.parentElement?.tagName).toBe('OL');
    expect(probe.parentElement?.getAttribute('aria-hidden')).toBe('true');
    expect(probe.closest('[role="listbox"]')).toBeNull();
    expect(probe.querySelectorAll('.badge')).toHaveLength(3);
    expect(probe.querySelector('.snippet')!.textContent!.length).toBeGreaterThan(400);

    // Larger text: every result takes the probe's height, one after the other.
    height = 131.2;
    await act(async () => {
      window.dispatchEvent(new Event('resize'));
    });
    await waitFor(() => expect(ol.style.height).toBe(`${25 * 132}px`));
    const shown = results();
    expect(shown.length).toBeGreaterThan(1);
    shown.forEach((r, i) => {
      expect(r.style.height).toBe('132px');
      expect(r.style.transform).toBe(`translateY(${i * 132}px)`);
    });
  });

  it('asks for the next page as the list scrolls near its end, and stops at the last one', async () => {
    const search = pagedSearch(70);
    renderWith(<Harness text="budget" />, fakeApi({ search }));
    await waitFor(() => expect(results().length).toBeGreaterThan(0));
    const list = screen.getByTestId('search-results');

    // A little down: still far from the end, nothing more is asked.
    await act(async () => {
      list.scrollTop = 3 * RESULT_HEIGHT;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(shownIds()).toContain('hit-9'));
    expect(offsetsAsked(search)).toEqual([0]);

    // Near the end of the 25 loaded: the next page, larger, once, appended after them.
    await act(async () => {
      list.scrollTop = 25 * RESULT_HEIGHT - 600;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(screen.getByText('70 résultats')).toBeTruthy());
    expect(offsetsAsked(search)).toEqual([0, 25]);
    expect(search.mock.calls[1]?.[0]).toMatchObject({ text: 'budget', limit: SEARCH_PAGE });
    await act(async () => {
      list.scrollTop = 70 * RESULT_HEIGHT - 600;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(shownIds()).toContain('hit-69'));
    // The size is known now, and the end was reached: nothing more to ask.
    expect(results().find((r) => r.dataset.id === 'hit-69')?.getAttribute('aria-setsize')).toBe('70');
    expect(results().find((r) => r.dataset.id === 'hit-69')?.getAttribute('aria-posinset')).toBe('70');
    await new Promise((r) => setTimeout(r, 50));
    expect(offsetsAsked(search)).toEqual([0, 25]);
  });

  it('moves the selection with the keyboard, scrolling the selected row into the window', async () => {
    const search = pagedSearch(200);
    const onOpen = vi.fn();
    renderWith(<Harness text="budget" onOpen={onOpen} />, fakeApi({ search }));
    await waitFor(() => expect(results().length).toBeGreaterThan(0));
    layOut(screen.getByTestId('search-results'));
    const selected = () => results().find((r) => r.getAttribute('aria-selected') === 'true')?.dataset.id;
    const listbox = screen.getByRole('listbox');
    // The list box names its highlighted option, which is rendered and selected.
    const active = () => document.getElementById(listbox.getAttribute('aria-activedescendant') ?? '')?.dataset.id;
    expect(selected()).toBe('hit-0');
    expect(shownIds()).not.toContain('hit-20');

    // j (or ↓ in the search box) thirty times: the selection stops at the last loaded (the
    // first page's 25th), which asks for the next page.
    fireEvent.click(screen.getByText('next30'));
    await waitFor(() => expect(offsetsAsked(search)).toEqual([0, 25]));
    await waitFor(() => expect(screen.getByText('75+ résultats')).toBeTruthy());
    expect(selected()).toBe('hit-24');

    // Thirty more: row 54 is rendered, selected, and opens.
    fireEvent.click(screen.getByText('next30'));
    await waitFor(() => expect(selected()).toBe('hit-54'));
    expect(shownIds()).not.toContain('hit-0');
    fireEvent.click(screen.getByText('open'));
    expect(onOpen).toHaveBeenCalledWith('hit-54');

    // Arrow keys in the focused list box move the highlighted option, End goes to the last
    // loaded, Home to the first, Enter opens; the focus stays on the list box.
    expect(active()).toBe('hit-54');
    listbox.focus();
    fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    await waitFor(() => expect(selected()).toBe('hit-55'));
    expect(active()).toBe('hit-55');
    fireEvent.keyDown(listbox, { key: 'End' });
    await waitFor(() => expect(active()).toBe('hit-74'));
    expect(selected()).toBe('hit-74');
    fireEvent.keyDown(listbox, { key: 'Home' });
    await waitFor(() => expect(active()).toBe('hit-0'));
    fireEvent.keyDown(listbox, { key: 'Enter' });
    expect(onOpen).toHaveBeenLastCalledWith('hit-0');
    expect(document.activeElement).toBe(listbox);
  });

  it('gives each result an option id that stays with its item', async () => {
    const search = pagedSearch(120);
    renderWith(<Harness text="budget" />, fakeApi({ search }));
    await waitFor(() => expect(results().length).toBeGreaterThan(0));
    const listbox = screen.getByRole('listbox');
    expect(listbox.tagName).toBe('OL');
    expect(listbox.getAttribute('tabindex')).toBe('0');
    for (const r of results()) {
      expect(r.getAttribute('role')).toBe('option');
      expect(r.id).toBe(`${listbox.id}-opt-${r.dataset.id}`);
      // No control inside an option.
      expect(r.querySelector('button, a, input')).toBeNull();
    }
  });

  it('waits for a third letter before searching a word, and answers at once the inputs that change no word', async () => {
    const search = pagedSearch(3);
    const painted = vi.fn();
    const { rerender } = renderWith(<Harness text="" onPainted={painted} />, fakeApi({ search }));

    rerender(<Harness text="e" seq={1} onPainted={painted} />);
    expect(screen.getByText('Saisissez un mot d’au moins trois lettres ou chiffres.')).toBeTruthy();
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(1));
    rerender(<Harness text="en" seq={2} onPainted={painted} />);
    expect(screen.getByText('Saisissez un mot d’au moins trois lettres ou chiffres.')).toBeTruthy();
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(2));
    expect(search).not.toHaveBeenCalled();

    rerender(<Harness text="ent" seq={3} onPainted={painted} />);
    await waitFor(() => expect(results()).toHaveLength(3));
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(3));
    expect(search).toHaveBeenCalledTimes(1);
    expect(search.mock.calls[0]?.[0]).toMatchObject({ text: 'ent' });

    // A space, then one and two letters of a next word: the same words, the same results, painted at once.
    rerender(<Harness text="ent " seq={4} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(4));
    rerender(<Harness text="ent b" seq={5} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(5));
    rerender(<Harness text="ent bu" seq={6} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(6));
    expect(search).toHaveBeenCalledTimes(1);
    expect(results()).toHaveLength(3);
    expect(screen.queryByText('Saisissez un mot d’au moins trois lettres ou chiffres.')).toBeNull();

    rerender(<Harness text="ent bud" seq={7} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(7));
    expect(search).toHaveBeenCalledTimes(2);
    expect(search.mock.calls[1]?.[0]).toMatchObject({ text: 'ent bud' });

    // A short earlier word is searched whole once a word of three letters follows it.
    rerender(<Harness text="ent bud de" seq={8} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(8));
    expect(search).toHaveBeenCalledTimes(2);
    rerender(<Harness text="ent bud de gau" seq={9} onPainted={painted} />);
    await waitFor(() => expect(painted).toHaveBeenLastCalledWith(9));
    expect(search).toHaveBeenCalledTimes(3);
    expect(search.mock.calls[2]?.[0]).toMatchObject({ text: 'ent bud de gau' });
  });

  it('settles with the answer on its way an input that changes no word', async () => {
    const pending: ((r: Result<SearchResultDto_Serialize>) => void)[] = [];
    const search = vi.fn(
      () =>
        new Promise<Result<SearchResultDto_Serialize>>((resolve) => {
          pending.push(resolve);
        }),
    );
    const painted = vi.fn();
    const { rerender } = renderWith(<Harness text="bud" seq={1} onPainted={painted} />, fakeApi({ search }));
    rerender(<Harness text="bud " seq={2} onPainted={painted} />);
    rerender(<Harness text="bud d" seq={3} onPainted={painted} />);
    rerender(<Harness text="bud de" seq={4} onPainted={painted} />);
    await new Promise((r) => setTimeout(r, 50));
    expect(painted).not.toHaveBeenCalled();
    await act(async () => pending.shift()?.(hitsFor('bud')));
    await waitFor(() => expect(painted).toHaveBeenCalledWith(4));
    expect(search).toHaveBeenCalledTimes(1);
  });
});
