import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../api';
import fr from './fr.json';
import en from './en.json';

type Tree = { [k: string]: string | Tree };

function keys(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of keys(v, key)) out.set(kk, vv);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const FR = keys(fr as Tree);
const EN = keys(en as Tree);
const SRC = join(__dirname, '..');

describe('translations', () => {
  it('have the same keys in French and English', () => {
    const onlyFr = [...FR.keys()].filter((k) => !EN.has(k));
    const onlyEn = [...EN.keys()].filter((k) => !FR.has(k));
    expect({ onlyFr, onlyEn }).toEqual({ onlyFr: [], onlyEn: [] });
  });

  it('have no empty value', () => {
    const empty = [...FR, ...EN].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const differ = [...FR].filter(([k, v]) => JSON.stringify(vars(v)) !== JSON.stringify(vars(EN.get(k) ?? ''))).map(([k]) => k);
    expect(differ).toEqual([]);
  });

  it('translate every error kind the backend sends', () => {
    const missing = ERROR_KINDS.filter((k) => !FR.has(`errors.${k}`) || !EN.has(`errors.${k}`));
    expect(missing).toEqual([]);
  });

  it('have every literal key the code asks for', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      // t('a.b'), and keys kept in tables ('inbox.forAction', 'shortcuts.next', …).
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) used.add(m[1] as string);
      for (const m of text.matchAll(/'((?:inbox|nav|shortcuts)\.[a-zA-Z]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !FR.has(k));
    expect(missing).toEqual([]);
  });
});
