// Which panes show, as a pure function of the window's width and the state.

/** Narrower than this, the list and the reader share one column. */
export const NARROW_QUERY = '(max-width: 760px)';

export type View = 'inbox' | 'compose' | 'drafts' | 'search' | 'import' | 'contacts' | 'spaces' | 'settings';

export interface Panes {
  list: boolean;
  reader: boolean;
  /** The reader's back button (narrow layout, reader shown). */
  back: boolean;
}

/** Views with a list and a reading pane. */
export function hasReader(view: View): boolean {
  return view === 'inbox' || view === 'search';
}

export function panes(view: View, narrow: boolean, readerOpen: boolean): Panes {
  if (!hasReader(view)) return { list: false, reader: false, back: false };
  if (!narrow) return { list: true, reader: true, back: false };
  return readerOpen ? { list: false, reader: true, back: true } : { list: true, reader: false, back: false };
}
