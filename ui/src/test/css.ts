// A small reader of the app's style sheet for tests: its rules (with the media query they sit
// in), the custom properties of :root, and values with var() resolved.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CssRule {
  selectors: string[];
  decls: Record<string, string>;
  /** The condition of the @media block holding the rule; null at the top level. */
  media: string | null;
}

export function parseCss(text: string): CssRule[] {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '');
  const rules: CssRule[] = [];
  const walk = (body: string, media: string | null) => {
    let i = 0;
    while (i < body.length) {
      const open = body.indexOf('{', i);
      if (open < 0) break;
      const head = body.slice(i, open).trim();
      let depth = 1;
      let j = open + 1;
      while (j < body.length && depth > 0) {
        if (body[j] === '{') depth += 1;
        else if (body[j] === '}') depth -= 1;
        j += 1;
      }
      const inner = body.slice(open + 1, j - 1);
      if (head.startsWith('@media')) walk(inner, head.slice(6).trim());
      else if (!head.startsWith('@')) {
        const decls: Record<string, string> = {};
        for (const d of inner.split(';')) {
          const colon = d.indexOf(':');
          if (colon > 0) decls[d.slice(0, colon).trim()] = d.slice(colon + 1).trim();
        }
        rules.push({ selectors: head.split(',').map((s) => s.trim()), decls, media });
      }
      i = j;
    }
  };
  walk(src, null);
  return rules;
}

export function appStyles(): CssRule[] {
  return parseCss(readFileSync(join(__dirname, '..', 'styles.css'), 'utf8'));
}

/** The custom properties set on :root at the top level. */
export function rootVars(rules: CssRule[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) if (r.media === null && r.selectors.includes(':root')) for (const [k, v] of Object.entries(r.decls)) if (k.startsWith('--')) out[k] = v;
  return out;
}

/** `value` with each var(--x) replaced by its :root value (recursively). */
export function resolveVars(value: string, vars: Record<string, string>): string {
  let v = value;
  for (let n = 0; n < 10 && v.includes('var('); n += 1) v = v.replace(/var\((--[\w-]+)(?:,\s*([^)]+))?\)/g, (_, name: string, fallback?: string) => vars[name] ?? fallback ?? '');
  return v;
}

/** The declarations of the top-level rules that name exactly `selector`, later ones winning. */
export function declsOf(rules: CssRule[], selector: string, media: string | null = null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) if (r.media === media && r.selectors.includes(selector)) Object.assign(out, r.decls);
  return out;
}
