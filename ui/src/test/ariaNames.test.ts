import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentFiles } from './jsxSource';
import { findNamedGenerics, namedGenericsIn, unnamedControls } from './ariaNames';

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

describe('controls without a name', () => {
  it('finds a field with no label tied to it, and accepts each way of naming one', () => {
    const div = document.createElement('div');
    div.innerHTML = `
      <input data-testid="bare">
      <label for="a">Nom</label><input id="a">
      <label>Ville <input></label>
      <input aria-label="Recherche">
      <span id="t">Objet</span><textarea aria-labelledby="t"></textarea>
      <select aria-labelledby="missing"></select>
      <button>OK</button>
      <button data-testid="empty"></button>
      <div role="listbox" aria-label="Résultats"></div>`;
    document.body.append(div);
    try {
      expect(unnamedControls(div)).toEqual(['<input data-testid="bare" class="">', '<select data-testid="" class="">', '<button data-testid="empty" class="">']);
    } finally {
      div.remove();
    }
  });
});
