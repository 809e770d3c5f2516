import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { act, render, waitFor } from '@testing-library/react';
import { mainScreen } from '../lib/mainScreen';
import { WARMUP_CLASSES, Warmup } from './Warmup';

const css = readFileSync(join(__dirname, '..', 'styles.css'), 'utf8');

describe('Warmup', () => {
  it('names only classes the style sheet still styles', () => {
    for (const c of WARMUP_CLASSES) {
      expect(css, `.${c} is in styles.css`).toMatch(new RegExp(`\\.${c}(?![\\w-])`));
    }
  });

  it('lays out every class it names, hidden from assistive technologies and the keyboard', async () => {
    const { container } = render(<Warmup />);
    await act(() => new Promise((r) => setTimeout(r, 20)));
    const root = container.querySelector('.warmup');
    expect(root).not.toBeNull();
    expect(root?.getAttribute('aria-hidden')).toBe('true');
    expect(root?.hasAttribute('inert')).toBe(true);
    for (const c of WARMUP_CLASSES) {
      expect(root?.querySelector(`.${c}`), `.${c} laid out`).not.toBeNull();
    }
    // Set once the main screen's code is loaded too.
    await waitFor(() => expect(performance.getEntriesByName('unlock:warm', 'mark').length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(mainScreen()?.Shell).toBeTypeOf('function');
  });
});
