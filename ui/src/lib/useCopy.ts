// Copies a text to the clipboard, and says how it went (for a polite status next to the
// button): `copied`, `failed` (the clipboard refused: the text stays selectable), or nothing yet.

import { useCallback, useState } from 'react';

export type CopyOutcome = 'copied' | 'failed' | null;

export function useCopy(): { outcome: CopyOutcome; copy: (text: string) => Promise<void> } {
  const [outcome, setOutcome] = useState<CopyOutcome>(null);
  const copy = useCallback(async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      setOutcome('failed');
    }
  }, []);
  return { outcome, copy };
}
