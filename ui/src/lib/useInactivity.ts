import { useEffect, useRef } from 'react';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Calls `onIdle` once after `minutes` without keyboard or pointer activity; 0 means never. */
export function useInactivity(minutes: number, onIdle: () => void | Promise<void>, checkEveryMs = 5000): void {
  const idle = useRef(onIdle);
  idle.current = onIdle;
  useEffect(() => {
    if (!(minutes > 0)) return;
    let last = Date.now();
    let fired = false;
    const touch = () => {
      last = Date.now();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, touch, { passive: true, capture: true });
    const timer = window.setInterval(() => {
      if (!fired && Date.now() - last >= minutes * 60_000) {
        fired = true;
        void idle.current();
      }
    }, Math.min(checkEveryMs, minutes * 60_000));
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, touch, { capture: true });
    };
  }, [minutes, checkEveryMs]);
}
