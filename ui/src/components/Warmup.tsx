// Text laid out out of sight while the unlock screen waits, so that the main screen finds its
// fonts ready, and the main screen's code loaded meanwhile.
//
// The web engine loads a font for each family, size and weight the first time it lays out text
// in it (WebKitGTK asks fontconfig, then builds the face): about 10 ms each, and the inbox opens
// with a dozen (header, tabs, rows, badges), which cost 100 ms and more between the unlock's
// answer and the painted rows. Laid out here, while the user types the passphrase and the key
// is derived, they cost nothing then. The elements carry the main screen's own classes, inside
// the same parents, so the styles are the ones it will use; `Warmup.test.tsx` checks that every
// class named here is still in the style sheet.

import { useEffect, useState } from 'react';
import type { ItemSummaryDto_Serialize } from '../bindings';
import { loadMainScreen } from '../lib/mainScreen';
import { MARK, mark } from '../lib/perf';
import { ItemRow, probeItem } from './ItemRow';

/**
 * The styled classes this warm-up lays out (kept in step with the style sheet by a test); the
 * others it uses (`user-org`, `tab-label`) take their parent's font, as in the main screen.
 */
export const WARMUP_CLASSES = [
  'header',
  'app-name',
  'user',
  'user-name',
  'tab',
  'tab-count',
  'tab-unread',
  'filters-title',
  'sync-state',
  'row-subject',
  'row-meta',
  'row-deadline',
  'badge-kind',
  'badge-flash',
  'badge-dr',
] as const;

const SAMPLE = 'Télégramme diplomatique — 12/11/2026 14:05 «ÉÀÇ» 0123456789';

/** The probe row's item (unread Flash telegram), or a read routine note beside it. */
function sampleRow(read: boolean): ItemSummaryDto_Serialize {
  const item = probeItem(SAMPLE);
  return read ? { ...item, kind: 'note', precedence: 'routine', read } : item;
}

/** Lays out the main screen's text styles once, on the first idle moment after mounting. */
export function Warmup() {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const idle = (globalThis as { requestIdleCallback?: (cb: () => void) => number }).requestIdleCallback;
    if (idle) {
      const handle = idle(() => setShown(true));
      const cancel = (globalThis as { cancelIdleCallback?: (h: number) => void }).cancelIdleCallback;
      return () => cancel?.(handle);
    }
    const timer = setTimeout(() => setShown(true), 0);
    return () => clearTimeout(timer);
  }, []);
  useEffect(() => {
    if (!shown) return;
    // The layout is what loads the fonts: ask for it now rather than at the next frame.
    document.querySelector('.warmup')?.getBoundingClientRect();
    let live = true;
    // The main screen's code too (`mainScreen.ts`); a failure is told when it is needed.
    loadMainScreen().then(
      () => live && mark(MARK.unlockWarm),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [shown]);
  if (!shown) return null;
  return (
    <div className="warmup" aria-hidden="true" inert>
      <header className="header">
        <span className="app-name">{SAMPLE}</span>
        <span className="user">
          <span className="user-name">{SAMPLE}</span>
          <span className="user-org">{SAMPLE}</span>
        </span>
      </header>
      <button type="button" className="tab" tabIndex={-1}>
        <span className="tab-label">{SAMPLE}</span> <span className="tab-count">0123456789</span>
        <span className="tab-unread">{SAMPLE}</span>
      </button>
      <h2 className="filters-title">{SAMPLE}</h2>
      <p className="sync-state">{SAMPLE}</p>
      <div role="listbox">
        <ItemRow item={sampleRow(false)} index={0} total={2} selected={false} open={false} onClick={() => undefined} />
        <ItemRow item={sampleRow(true)} index={1} total={2} selected={false} open={false} onClick={() => undefined} />
      </div>
    </div>
  );
}
