// The style sheet's colours, checked with WCAG's contrast formula from the values it really
// sets: a pale colour chosen for a marker or a focus ring fails here.

import { describe, expect, it } from 'vitest';
import { contrastRatio, parseColor, type Rgb } from './lib/contrast';
import { appStyles, declsOf, resolveVars, rootVars, type CssRule } from './test/css';

const rules = appStyles();
const vars = rootVars(rules);

function color(value: string | undefined): Rgb {
  const c = parseColor(resolveVars(value ?? '', vars));
  if (!c) throw new Error(`not a colour: ${value}`);
  return c;
}

/** The width, style and colour of an `outline` or `border` shorthand such as `3px solid var(--x)`. */
function line(value: string | undefined): { width: number; style: string; color: Rgb } {
  const parts = resolveVars(value ?? '', vars).split(/\s+(?![^(]*\))/);
  const width = parts.find((p) => /^\d+(\.\d+)?px$/.test(p));
  const style = parts.find((p) => /^(solid|dashed|dotted|double)$/.test(p));
  const c = parts.map(parseColor).find((x) => x !== null);
  if (!width || !style || !c) throw new Error(`not a line: ${value}`);
  return { width: parseFloat(width), style, color: c };
}

/** Every background a row of the lists can have: those of the rows' rules and of the lists. */
function rowBackgrounds(all: CssRule[]): Map<string, Rgb> {
  const out = new Map<string, Rgb>([
    ['--surface', color('var(--surface)')],
    ['--bg', color('var(--bg)')],
  ]);
  for (const r of all) {
    if (r.media !== null) continue;
    // A row or a list itself (`.row-open`, `.result.row-selected`), not an element inside one.
    if (!r.selectors.some((s) => /^\.(row|result|virtual-list|results)[\w-]*(\.[\w-]+)*$/.test(s))) continue;
    const bg = r.decls.background ?? r.decls['background-color'];
    if (!bg) continue;
    const c = parseColor(resolveVars(bg, vars));
    if (c) out.set(r.selectors.join(', '), c);
  }
  return out;
}

describe('contrast of the style sheet', () => {
  it('computes WCAG ratios (the formula works)', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio(color('#777777'), color('#ffffff'))).toBeCloseTo(4.48, 2);
    expect(parseColor('#1d3a6e')).toEqual([29, 58, 110]);
    expect(parseColor('rgb(255 255 255 / 15%)')).toEqual([255, 255, 255]);
  });

  it('marks the selected row with a solid outline of 3:1 at least against every row background, Flash rows included', () => {
    const selected = declsOf(rules, '.row-selected');
    const mark = line(selected.outline);
    expect(mark.style).toBe('solid');
    expect(mark.width).toBeGreaterThanOrEqual(2);
    // The outline is drawn inside the row, so that the virtual list does not clip it.
    expect(parseFloat(selected['outline-offset'] ?? '0')).toBeLessThanOrEqual(-mark.width);
    const backgrounds = rowBackgrounds(rules);
    // The selected row's own background, the open row's, the list's, Flash's bar's neighbour.
    expect(backgrounds.size).toBeGreaterThanOrEqual(4);
    const low = [...backgrounds].map(([name, bg]) => [name, Number(contrastRatio(mark.color, bg).toFixed(2))] as const).filter(([, r]) => r < 3);
    expect(low).toEqual([]);
  });

  it('would refuse a pale marker (the check can fail)', () => {
    const pale = color('var(--accent-soft)');
    const backgrounds = [...rowBackgrounds(rules).values()];
    expect(backgrounds.some((bg) => contrastRatio(pale, bg) < 3)).toBe(true);
  });

  it('draws the focus ring at 3:1 at least against the surfaces it sits on', () => {
    const ring = line(declsOf(rules, ':focus-visible').outline);
    expect(ring.width).toBeGreaterThanOrEqual(2);
    for (const bg of ['--surface', '--bg', '--accent-soft', '--row-open', '--dr-bg', '--error-bg']) {
      expect([bg, contrastRatio(ring.color, color(`var(${bg})`)) >= 3]).toEqual([bg, true]);
    }
    // In the dark header the ring is white.
    const header = color(declsOf(rules, '.header :focus-visible')['outline-color']);
    expect(contrastRatio(header, color(declsOf(rules, '.header').background))).toBeGreaterThanOrEqual(3);
  });
});
