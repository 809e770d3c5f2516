import { useEffect, useRef } from 'react';
import type { Unlisten } from '../api';

/**
 * Listens to a backend event while the component is mounted. `handler` may change at every
 * render; `subscribe` (an Api method) decides when to listen again.
 */
export function useListen<T>(subscribe: (cb: (e: T) => void) => Promise<Unlisten>, handler: (e: T) => void): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    let unlisten: Unlisten | undefined;
    let gone = false;
    subscribe((e) => current.current(e))
      .then((u) => {
        if (gone) u();
        else unlisten = u;
      })
      .catch(() => undefined);
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [subscribe]);
}
