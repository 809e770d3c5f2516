import { useRef, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Api } from '../api';
import type { InboxRequestDto_Deserialize } from '../bindings';
import { MAX_LIST_HEIGHT } from '../lib/scrollScale';
import { counts, fakeApi, ok, summary } from '../test/fakeApi';
import { inboxOver, many } from '../test/fakeInbox';
import { renderWith } from '../test/render';
import { INITIAL_INBOX, Inbox, type InboxState, type ListController } from './Inbox';
import { ROW_HEIGHT } from './ItemRow';

function Harness({
  onOpen = () => undefined,
  refreshToken = 0,
  returnTo = null,
  measureRow,
}: {
  onOpen?: (id: string) => void;
  refreshToken?: number;
  returnTo?: { id: string; index: number; seq: number } | null;
  measureRow?: (probe: HTMLElement) => number;
}) {
  const [state, setState] = useState<InboxState>(INITIAL_INBOX);
  const controller = useRef<ListController>(null);
  return (
    <>
      <Inbox
        state={state}
        onState={setState}
        refreshToken={refreshToken}
        openId={null}
        onOpen={onOpen}
        controller={controller}
        returnTo={returnTo}
        measureRow={measureRow}
      />
      <button onClick={() => controller.current?.move(1)}>next</button>
      <button onClick={() => controller.current?.openSelected()}>open</button>
    </>
  );
}

const ITEMS = [
  summary('a1', { route: 'action', precedence: 'flash', marking: 'dr', subject: 'Flash pour action' }),
  summary('a2', { route: 'action', read: true, subject: 'Routine pour action' }),
  summary('i1', { route: 'info', kind: 'note', subject: 'Note pour information' }),
  summary('i2', { route: 'info', kind: 'email', subject: 'Courriel pour information', read: true }),
  summary('i3', { route: 'info', subject: 'Troisième pour information' }),
  summary('u1', { route: null, kind: 'email', subject: 'Courriel non routé' }),
];

const rows = () => screen.queryAllByTestId('item-row');
const rowOf = (id: string) => rows().find((r) => r.dataset.id === id);
/** Where a row is drawn in the list (its `translateY`). */
const drawnAt = (row: HTMLElement) => Number(/translateY\((-?[\d.]+)px\)/.exec(row.parentElement!.style.transform)?.[1]);

/** A backend inbox of `n` items for action, each page made when it is asked for. */
function inboxOf(n: number) {
  return async (req: InboxRequestDto_Deserialize) => {
    const total = req.filter.section === null || req.filter.section === 'action' ? n : 0;
    const end = Math.min(total, req.offset + req.limit);
    return ok({
      counts: counts({ total, action: n }),
      offset: req.offset,
      items: Array.from({ length: Math.max(0, end - req.offset) }, (_, k) => summary(`action-${req.offset + k}`, { route: 'action' })),
    });
  };
}
const lastFilter = (api: Api) => {
  const calls = vi.mocked(api.inbox).mock.calls;
  return calls[calls.length - 1]?.[0].filter;
};

describe('the triage inbox', () => {
  it('puts each item in its tab, in backend order, with the counts', async () => {
    const api = fakeApi({ inbox: vi.fn(inboxOver(ITEMS)) });
    renderWith(<Harness />, api);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => r.dataset.id)).toEqual(['a1', 'a2']);
    expect(rows().every((r) => r.dataset.route === 'action')).toBe(true);
    expect(screen.getByTestId('count-action').textContent).toBe('2');
    expect(screen.getByTestId('count-info').textContent).toBe('3');
    expect(screen.getByTestId('count-unrouted').textContent).toBe('1');
    expect(screen.getByTestId('tab-action').getAttribute('aria-selected')).toBe('true');

    const first = rows()[0]!;
    expect(first.dataset).toMatchObject({ kind: 'telegram', precedence: 'flash', marking: 'dr', read: 'false' });
    expect(within(first).getByTestId('row-subject').textContent).toBe('Flash pour action');
    expect(within(first).getByText('⚡ FLASH')).toBeTruthy();
    expect(within(first).getByLabelText('télégramme')).toBeTruthy();
    expect(within(first).getByText('Non lu.')).toBeTruthy();
    expect(rows()[1]!.dataset.read).toBe('true');

    fireEvent.click(screen.getByTestId('tab-info'));
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['i1', 'i2', 'i3']));
    expect(screen.getByTestId('tab-info').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('tab-action').getAttribute('aria-selected')).toBe('false');
    expect(rows().map((r) => r.dataset.route)).toEqual(['info', 'info', 'info']);
    expect(lastFilter(api)?.section).toBe('info');

    fireEvent.click(screen.getByTestId('tab-unrouted'));
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['u1']));
    expect(rows()[0]!.dataset.route).toBe('unrouted');
  });

  it('asks the counts of every tab without a section, and the list with one', async () => {
    const api = fakeApi({ inbox: vi.fn(inboxOver(ITEMS)) });
    renderWith(<Harness />, api);
    await waitFor(() => expect(rows()).toHaveLength(2));
    const sections = vi.mocked(api.inbox).mock.calls.map((c) => c[0].filter.section);
    expect(sections).toContain(null);
    expect(sections).toContain('action');
  });

  it('sends the filters it shows as a FilterDto', async () => {
    const api = fakeApi({ inbox: vi.fn(inboxOver(ITEMS)) });
    renderWith(<Harness />, api);
    await waitFor(() => expect(rows()).toHaveLength(2));

    fireEvent.click(screen.getByTestId('filter-kind-email'));
    fireEvent.click(screen.getByTestId('filter-kind-telegram'));
    fireEvent.click(screen.getByTestId('filter-marking-dr'));
    fireEvent.click(screen.getByTestId('filter-precedence-flash'));
    fireEvent.click(screen.getByTestId('filter-precedence-immediat'));
    fireEvent.click(screen.getByTestId('filter-unread'));
    await waitFor(() =>
      expect(lastFilter(api)).toEqual({
        section: 'action',
        kinds: ['telegram', 'email'],
        markings: ['dr'],
        precedences: ['immediat', 'flash'],
        origin: null,
        tag: null,
        unreadOnly: true,
      }),
    );
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['a1']));

    fireEvent.change(screen.getByTestId('filter-origin'), { target: { value: 'WASHINGTON' } });
    fireEvent.change(screen.getByTestId('filter-tag'), { target: { value: 'ECON' } });
    await waitFor(() => expect(lastFilter(api)).toMatchObject({ origin: 'WASHINGTON', tag: 'ECON', kinds: ['telegram', 'email'] }));

    fireEvent.click(screen.getByTestId('filter-kind-email'));
    await waitFor(() => expect(lastFilter(api)).toMatchObject({ kinds: ['telegram'], origin: 'WASHINGTON' }));
  });

  it('fetches pages of 200 as the list scrolls, and only those on screen', async () => {
    const items = many(1000, 'action');
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)) });
    renderWith(<Harness />, api);
    await waitFor(() => expect(rows().length).toBeGreaterThan(5));
    expect(rows()[0]!.dataset.id).toBe('action-0');
    const offsets = () => vi.mocked(api.inbox).mock.calls.filter((c) => c[0].filter.section === 'action').map((c) => [c[0].offset, c[0].limit]);
    expect(offsets()).toEqual([[0, 200]]);

    // Scroll to row 500 (60 px a row): page 2 (rows 400-599) is fetched, nothing else.
    const list = screen.getByTestId('inbox-list');
    await act(async () => {
      list.scrollTop = 500 * 60;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(rows().some((r) => r.dataset.id === 'action-500')).toBe(true));
    expect(offsets()).toEqual([
      [0, 200],
      [400, 200],
    ]);
    // Rows are in list order in the DOM.
    const ids = rows().map((r) => Number(r.dataset.id?.split('-')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('moves the selection and opens the selected item', async () => {
    const onOpen = vi.fn();
    const api = fakeApi({ inbox: vi.fn(inboxOver(ITEMS)) });
    renderWith(<Harness onOpen={onOpen} />, api);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[0]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByText('next'));
    await waitFor(() => expect(rows()[1]!.getAttribute('aria-selected')).toBe('true'));
    fireEvent.click(screen.getByText('open'));
    expect(onOpen).toHaveBeenCalledWith('a2', 1);
    fireEvent.click(rows()[0]!);
    expect(onOpen).toHaveBeenLastCalledWith('a1', 0);
  });

  it('refreshes the counts and the rows on screen when items arrive', async () => {
    const items = [...ITEMS];
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)) });
    const { rerender } = renderWith(<Harness refreshToken={0} />, api);
    await waitFor(() => expect(rows()).toHaveLength(2));
    items.unshift(summary('a0', { route: 'action', precedence: 'flash', subject: 'Nouveau' }));
    rerender(<Harness refreshToken={1} />);
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['a0', 'a1', 'a2']));
    expect(screen.getByTestId('count-action').textContent).toBe('3');
  });

  it('reaches every row of a million, by keys and by the scroll bar, in a list of capped height', async () => {
    const n = 1_000_000;
    const api = fakeApi({ inbox: vi.fn(inboxOf(n)) });
    renderWith(<Harness />, api);
    await waitFor(() => expect(rowOf('action-0')).toBeTruthy());
    const list = screen.getByTestId('inbox-list');
    // 60,000,000 px of rows, drawn no taller than a browser lays out.
    expect((list.firstElementChild as HTMLElement).style.height).toBe(`${MAX_LIST_HEIGHT}px`);

    // End: the last row, selected, drawn at the bottom of the list, its page fetched.
    fireEvent.keyDown(list, { key: 'End' });
    await waitFor(() => expect(rowOf(`action-${n - 1}`)).toBeTruthy());
    const last = rowOf(`action-${n - 1}`)!;
    expect(last.getAttribute('aria-selected')).toBe('true');
    expect(last.getAttribute('aria-posinset')).toBe(String(n));
    expect(last.getAttribute('aria-setsize')).toBe(String(n));
    expect(list.getAttribute('aria-activedescendant')).toBe(last.id);
    expect(list.scrollTop).toBe(MAX_LIST_HEIGHT - list.clientHeight);
    expect(drawnAt(last)).toBe(MAX_LIST_HEIGHT - ROW_HEIGHT);
    expect(vi.mocked(api.inbox).mock.calls.some((c) => c[0].offset === Math.floor((n - 1) / 200) * 200)).toBe(true);

    // ArrowUp, then the controller (k / j): the rows next to it, one row height apart.
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    await waitFor(() => expect(rowOf(`action-${n - 2}`)?.getAttribute('aria-selected')).toBe('true'));
    expect(drawnAt(rowOf(`action-${n - 1}`)!) - drawnAt(rowOf(`action-${n - 2}`)!)).toBe(ROW_HEIGHT);
    fireEvent.click(screen.getByText('next'));
    await waitFor(() => expect(rowOf(`action-${n - 1}`)?.getAttribute('aria-selected')).toBe('true'));

    // Home: the first row at the top.
    fireEvent.keyDown(list, { key: 'Home' });
    await waitFor(() => expect(rowOf('action-0')?.getAttribute('aria-selected')).toBe('true'));
    expect(list.scrollTop).toBe(0);
    expect(drawnAt(rowOf('action-0')!)).toBe(0);

    // The scroll bar dragged to the middle, then to the very bottom: the rows there, in order.
    await act(async () => {
      list.scrollTop = (MAX_LIST_HEIGHT - list.clientHeight) / 2;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(rows().some((r) => Math.abs(Number(r.dataset.id?.split('-')[1]) - n / 2) < n / 100)).toBe(true));
    const ids = rows().map((r) => Number(r.dataset.id?.split('-')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await act(async () => {
      list.scrollTop = MAX_LIST_HEIGHT - list.clientHeight;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(rowOf(`action-${n - 1}`)).toBeTruthy());
    expect(drawnAt(rowOf(`action-${n - 1}`)!)).toBe(MAX_LIST_HEIGHT - ROW_HEIGHT);
  });

  it('comes back, mounted anew, to a row deep in a million, once the list knows its rows', async () => {
    const n = 1_000_000;
    const index = 765_432;
    const api = fakeApi({ inbox: vi.fn(inboxOf(n)) });
    renderWith(<Harness returnTo={{ id: `action-${index}`, index, seq: 1 }} />, api);
    await waitFor(() => expect(rowOf(`action-${index}`)?.getAttribute('aria-selected')).toBe('true'));
    const list = screen.getByTestId('inbox-list');
    expect(list.getAttribute('aria-activedescendant')).toBe(rowOf(`action-${index}`)!.id);
    expect(document.activeElement).toBe(list);
    // Drawn within the view.
    const y = drawnAt(rowOf(`action-${index}`)!) - list.scrollTop;
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y + ROW_HEIGHT).toBeLessThanOrEqual(list.clientHeight);
  });
});

/**
 * A probe row whose height the test sets (happy-dom lays nothing out): `height` px, and the
 * probes it was asked to measure. A resize of the window has it measured again.
 */
function probeOf(height: number) {
  const probe = { height, measured: [] as HTMLElement[] };
  const measure = (el: HTMLElement) => {
    probe.measured.push(el);
    return probe.height;
  };
  const resize = async (h: number) => {
    probe.height = h;
    await act(async () => {
      window.dispatchEvent(new Event('resize'));
    });
  };
  return { probe, measure, resize };
}

describe('rows as tall as their text (WCAG 1.4.12)', () => {
  it('take the height of a probe row, and keep the row at the top of the view when it changes', async () => {
    const n = 1000;
    const { probe, measure, resize } = probeOf(0);
    renderWith(<Harness measureRow={measure} />, fakeApi({ inbox: vi.fn(inboxOf(n)) }));
    await waitFor(() => expect(rowOf('action-0')).toBeTruthy());
    const list = screen.getByTestId('inbox-list');
    const rowsBox = list.firstElementChild as HTMLElement;
    // happy-dom lays nothing out: the scroll range is the rows' box, as a browser has it.
    Object.defineProperty(list, 'scrollHeight', { configurable: true, get: () => parseFloat(rowsBox.style.height) });
    // Nothing measured: the least height.
    expect(rowsBox.style.height).toBe(`${n * ROW_HEIGHT}px`);
    // The probe is an item row of the tallest kind, out of sight, and no row of the list.
    const measured = probe.measured.at(-1)!;
    expect(measured.classList.contains('row')).toBe(true);
    expect(measured.dataset.testid).toBeUndefined();
    expect(measured.parentElement?.getAttribute('aria-hidden')).toBe('true');
    expect(measured.parentElement?.closest('[role="listbox"]')).toBeNull();
    expect(measured.querySelectorAll('.badge')).toHaveLength(3);
    expect(measured.querySelector('.row-number')).toBeTruthy();
    expect(measured.querySelector('.row-deadline')).toBeTruthy();

    // Scrolled to 20 px into row 500.
    await act(async () => {
      list.scrollTop = 500 * ROW_HEIGHT + 20;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(rowOf('action-500')).toBeTruthy());

    // The text grows: rows of 90.4 px are drawn 91 px apart, and the view still starts 20/60
    // of the way into row 500.
    await resize(90.4);
    expect(rowsBox.style.height).toBe(`${n * 91}px`);
    expect(list.scrollTop).toBeCloseTo(500 * 91 + (20 * 91) / ROW_HEIGHT, 0);
    await act(async () => {
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(drawnAt(rowOf('action-500')!)).toBe(500 * 91));
    expect(drawnAt(rowOf('action-501')!) - drawnAt(rowOf('action-500')!)).toBe(91);
    expect(rowOf('action-500')!.parentElement!.style.height).toBe('91px');

    // Back to the least height: back where it was.
    await resize(40);
    expect(rowsBox.style.height).toBe(`${n * ROW_HEIGHT}px`);
    expect(list.scrollTop).toBeCloseTo(500 * ROW_HEIGHT + 20, 0);
  });

  it('keep a row deep in a million in view when their height changes, in a list of capped height', async () => {
    const n = 1_000_000;
    const index = 765_432;
    const { resize, measure } = probeOf(0);
    renderWith(<Harness measureRow={measure} returnTo={{ id: `action-${index}`, index, seq: 1 }} />, fakeApi({ inbox: vi.fn(inboxOf(n)) }));
    await waitFor(() => expect(rowOf(`action-${index}`)?.getAttribute('aria-selected')).toBe('true'));
    const list = screen.getByTestId('inbox-list');
    const y = drawnAt(rowOf(`action-${index}`)!) - list.scrollTop;
    expect(y).toBeGreaterThanOrEqual(0);

    await resize(75);
    await waitFor(() => expect(rowOf(`action-${index}`)).toBeTruthy());
    const row = rowOf(`action-${index}`)!;
    expect((list.firstElementChild as HTMLElement).style.height).toBe(`${MAX_LIST_HEIGHT}px`);
    expect(row.parentElement!.style.height).toBe('75px');
    // Where it was in the view, counted in rows.
    expect(drawnAt(row) - list.scrollTop).toBeCloseTo((y * 75) / ROW_HEIGHT, 3);
    expect(drawnAt(rowOf(`action-${index + 1}`)!) - drawnAt(row)).toBe(75);
    // And still reachable to the last row.
    fireEvent.keyDown(list, { key: 'End' });
    await waitFor(() => expect(rowOf(`action-${n - 1}`)?.getAttribute('aria-selected')).toBe('true'));
    expect(drawnAt(rowOf(`action-${n - 1}`)!)).toBe(MAX_LIST_HEIGHT - 75);
  });

  it('scale the list once their height takes it past the cap, on the same row', async () => {
    // 130,000 rows: 7,800,000 px at 60 px, drawn as they are; 9,750,000 px at 75 px, scaled.
    const n = 130_000;
    const { resize, measure } = probeOf(0);
    renderWith(<Harness measureRow={measure} />, fakeApi({ inbox: vi.fn(inboxOf(n)) }));
    await waitFor(() => expect(rowOf('action-0')).toBeTruthy());
    const list = screen.getByTestId('inbox-list');
    const rowsBox = list.firstElementChild as HTMLElement;
    expect(rowsBox.style.height).toBe(`${n * ROW_HEIGHT}px`);
    await act(async () => {
      list.scrollTop = 100_000 * ROW_HEIGHT;
      fireEvent.scroll(list);
    });
    await waitFor(() => expect(rowOf('action-100000')).toBeTruthy());

    await resize(75);
    expect(rowsBox.style.height).toBe(`${MAX_LIST_HEIGHT}px`);
    await waitFor(() => expect(rowOf('action-100000')).toBeTruthy());
    expect(drawnAt(rowOf('action-100000')!) - list.scrollTop).toBeCloseTo(0, 3);
  });
});
