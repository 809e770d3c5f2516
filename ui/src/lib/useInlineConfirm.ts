// A confirmation shown in place, under the button that opens it (a removal, a revocation):
// its "Annuler" gets the focus when it opens, and the button gets it back when it is cancelled
// (Escape too).

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export function useInlineConfirm() {
  const [asking, setAsking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const back = useRef(false);
  useEffect(() => {
    if (asking) cancelButton.current?.focus();
    else if (back.current) {
      back.current = false;
      opener.current?.focus();
    }
  }, [asking]);
  const cancel = () => {
    back.current = true;
    setAsking(false);
  };
  return {
    asking,
    opener,
    cancelButton,
    toggle: () => (asking ? cancel() : setAsking(true)),
    cancel,
    close: () => setAsking(false),
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Escape' && asking) {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
    },
  };
}

export type InlineConfirm = ReturnType<typeof useInlineConfirm>;
