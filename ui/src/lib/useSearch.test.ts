import { describe, expect, it } from 'vitest';
import { SHORTEST_PREFIX, searchedText } from './useSearch';

/** Each input, with the words searched while the box reads it. */
function expectSearched(cases: [string, string][]) {
  for (const [text, searched] of cases) expect(searchedText(text), JSON.stringify(text)).toBe(searched);
}

describe('the words searched as you type', () => {
  it('leaves out a last word of one or two letters or digits, until its third character', () => {
    expect(SHORTEST_PREFIX).toBe(3);
    expectSearched([
      ['e', ''],
      ['en', ''],
      ['ent', 'ent'],
      ['  sommet g ', 'sommet'],
      ['sommet ge', 'sommet'],
      ['sommet gen', 'sommet gen'],
      ['sommet g2', 'sommet'],
      ['sommet g20', 'sommet g20'],
      ['élections 2', 'élections'],
      ['élections 20', 'élections'],
      ['élections 202', 'élections 202'],
      // With their accents, composed or not: a letter and its marks are one character.
      ['é', ''],
      ['e\u0301', ''],
      ['e\u0301t', ''],
      ['été', 'été'],
      ['e\u0301te\u0301', 'e\u0301te\u0301'],
      ['\u0301ab', ''],
    ]);
  });

  it('searches earlier words of any length, as whole words', () => {
    expectSearched([
      ['de gaulle', 'de gaulle'],
      ['de gau', 'de gau'],
      ['a 3 sur 4 ans', 'a 3 sur 4 ans'],
      ['sommet de la paix', 'sommet de la paix'],
    ]);
  });

  it('leaves out every trailing short word, whatever separates them: each becomes the last, a prefix', () => {
    expectSearched([
      ['a b', ''],
      ['de la', ''],
      ['de g', ''],
      ['sommet de la p', 'sommet'],
      ["l'a", ''],
      ["l'am", ''],
      ["l'ami", "l'ami"],
      ['accord c-', 'accord'],
      ['accord cd-', 'accord'],
      ['accord-cd', 'accord-'],
      ['e*', ''],
      ['ab*', ''],
      ['abc*', 'abc*'],
    ]);
  });

  it('searches a phrase closed by a quote as typed, and nothing for signs alone', () => {
    expectSearched([
      ['sommet "g"', 'sommet "g"'],
      ['"g"', '"g"'],
      ['"de la"', '"de la"'],
      ['"sommet g', '"sommet'],
      ['"sommet de', '"sommet'],
      ['"g', ''],
      ['"de', ''],
      [' - ', ''],
      ['', ''],
    ]);
  });
});
