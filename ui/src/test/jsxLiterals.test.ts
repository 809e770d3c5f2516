import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findJsxLiterals } from './jsxLiterals';

const SRC = join(__dirname, '..');

function components(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : components(path);
    return name.endsWith('.tsx') && !name.endsWith('.test.tsx') ? [path] : [];
  });
}

describe('no bare strings in JSX', () => {
  it('finds a planted literal (the scanner works)', () => {
    const found = findJsxLiterals(`export const A = () => <div title="Bonjour" aria-label={t('x')}>Fermer {n} <b>{'—'}</b> · </div>;`);
    expect(found.map((f) => f.text)).toEqual(['title="Bonjour"', 'Fermer']);
  });

  it('leaves every visible string of the components to the translations', () => {
    const files = components(SRC);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) => findJsxLiterals(readFileSync(file, 'utf8')).map((l) => `${relative(SRC, file)}:${l.line}: ${l.text}`));
    expect(offenders).toEqual([]);
  });
});
