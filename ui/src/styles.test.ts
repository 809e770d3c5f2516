// The style sheet's colours, checked with WCAG's contrast formula from the values it really
// sets: a pale colour chosen for a marker or a focus ring fails here.

import { describe, expect, it } from 'vitest';
import { contrastRatio, parseColor, type Rgb } from './lib/contrast';
import { NARROW_QUERY } from './lib/layout';
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

  it('never hides the focus ring of a control: only the targets focused by the script (tabindex -1) drop their :focus outline', () => {
    const hidden = rules.filter((r) => /^(none|0)\b/.test(r.decls.outline ?? r.decls['outline-style'] ?? '')).flatMap((r) => r.selectors);
    // The main region (the skip link's target) and the reader's title, focused when an item
    // opens; the title still shows the ring from the keyboard (:focus-visible).
    expect(hidden.sort()).toEqual(['.content:focus', '.reader-head h2:focus']);
    expect(hidden.some((sel) => sel.includes(':focus-visible'))).toBe(false);
    expect(line(declsOf(rules, '.reader-head h2:focus-visible').outline).width).toBeGreaterThanOrEqual(2);
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

describe('reflow and the system’s preferences', () => {
  const media = (cond: string) => rules.filter((r) => r.media === cond);
  const narrow = NARROW_QUERY.trim();

  it('collapses to one column at the width where the script shows one pane (320 px, or 200 % zoom)', () => {
    // The style sheet's breakpoint is the one layout.ts uses to show the list OR the reader.
    expect(media(narrow).length).toBeGreaterThan(5);
    expect(declsOf(rules, '.shell', narrow)['grid-template-columns']).toBe('minmax(0, 1fr)');
    expect(declsOf(rules, '.content.two-panes', narrow)['grid-template-columns']).toBe('minmax(0, 1fr)');
    // A window of 1 280 px at 200 % (640 CSS px) is narrow, and so is one of 320 px.
    expect(Number(/max-width:\s*(\d+)px/.exec(narrow)?.[1])).toBeGreaterThanOrEqual(640);
    // The navigation wraps rather than scroll sideways.
    const nav = declsOf(rules, '.nav', narrow);
    expect(nav.overflow ?? nav['overflow-x'] ?? 'visible').toBe('visible');
    expect(declsOf(rules, '.nav ul', narrow)['flex-wrap']).toBe('wrap');
    // A fieldset may shrink below its content's width.
    expect(declsOf(rules, 'fieldset')['min-width']).toBe('0');
  });

  it('lets only a data table scroll sideways', () => {
    const sideways = rules.filter((r) => /^(auto|scroll)$/.test(r.decls['overflow-x'] ?? '')).flatMap((r) => r.selectors);
    expect(sideways).toEqual(['.table-scroll']);
  });

  it('stops every animation and transition when the system asks for reduced motion', () => {
    const reduce = declsOf(rules, '*', '(prefers-reduced-motion: reduce)');
    expect(reduce.animation).toMatch(/^none/);
    expect(reduce.transition).toMatch(/^none/);
    expect(reduce['scroll-behavior']).toMatch(/^auto/);
    expect(media('(prefers-reduced-motion: reduce)').flatMap((r) => r.selectors)).toEqual(expect.arrayContaining(['*::before', '*::after']));
  });

  it('draws focus and selection in system colours in forced-colours mode', () => {
    const forced = '(forced-colors: active)';
    const system = /\b(Highlight|CanvasText|ButtonText|LinkText)\b/;
    expect(declsOf(rules, ':focus-visible', forced).outline).toMatch(system);
    expect(declsOf(rules, '.row-selected', forced).outline).toMatch(system);
    expect(declsOf(rules, '.nav button[aria-current=\'page\']', forced).border).toMatch(system);
  });

  it('keeps 3:1 with darker marks when the system asks for more contrast', () => {
    const more = '(prefers-contrast: more)';
    const moreVars = { ...vars, ...declsOf(rules, ':root', more) };
    const c = (v: string) => parseColor(resolveVars(v, moreVars)) as Rgb;
    for (const bg of ['var(--surface)', 'var(--accent-soft)', 'var(--row-open)']) {
      expect(contrastRatio(c('var(--selected-mark)'), c(bg))).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(c('var(--focus)'), c(bg))).toBeGreaterThanOrEqual(3);
      // Muted text keeps AA for small text.
      expect(contrastRatio(c('var(--muted)'), c(bg))).toBeGreaterThanOrEqual(7);
    }
    expect(parseFloat(declsOf(rules, ':focus-visible', more)['outline-width'] ?? '0')).toBeGreaterThanOrEqual(3);
  });
});
