import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentFiles } from './jsxSource';
import { findNamedGenerics, namedGenericsIn } from './ariaNames';

const SRC = join(__dirname, '..');

describe('no name on an element without a role', () => {
  it('finds a planted one (the scanner works)', () => {
    const found = findNamedGenerics(`export const A = () => (
      <section aria-label={t('a')}>
        <div aria-label={t('b')}>x</div>
        <div role="group" aria-label={t('c')} />
        <span
          className="x"
          aria-labelledby="y"
        />
        <button aria-label={t('d')} />
      </section>
    );`);
    expect(found).toEqual([
      { line: 3, text: '<div aria-label>' },
      { line: 5, text: '<span aria-labelledby>' },
    ]);
    const div = document.createElement('div');
    div.innerHTML = '<div aria-label="a"></div><div role="img" aria-label="b"></div><nav aria-label="c"></nav><span aria-labelledby="x"></span>';
    expect(namedGenericsIn(div)).toHaveLength(2);
  });

  it('names no div, span or paragraph without a role in the components', () => {
    const files = componentFiles(SRC);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) => findNamedGenerics(readFileSync(file, 'utf8')).map((f) => `${relative(SRC, file)}:${f.line}: ${f.text}`));
    expect(offenders).toEqual([]);
  });
});
