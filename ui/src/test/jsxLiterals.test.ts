import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentFiles } from './jsxSource';
import { findJsxLiterals } from './jsxLiterals';

const SRC = join(__dirname, '..');

describe('no bare strings in JSX', () => {
  it('finds a planted literal (the scanner works)', () => {
    const found = findJsxLiterals(`export const A = () => <div title="Bonjour" aria-label={t('x')}>Fermer {n} <b>{'—'}</b> · </div>;`);
    expect(found.map((f) => f.text)).toEqual(['title="Bonjour"', 'Fermer']);
  });

  it('leaves every visible string of the components to the translations', () => {
    const files = componentFiles(SRC);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) => findJsxLiterals(readFileSync(file, 'utf8')).map((l) => `${relative(SRC, file)}:${l.line}: ${l.text}`));
    expect(offenders).toEqual([]);
  });
});
