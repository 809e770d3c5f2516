import { describe, expect, it } from 'vitest';
import { searchedText } from './useSearch';

describe('the words searched as you type', () => {
  it('leaves out a last word of one letter or digit, until its second character', () => {
    expect(searchedText('e')).toBe('');
    expect(searchedText('en')).toBe('en');
    expect(searchedText('  sommet g ')).toBe('sommet');
    expect(searchedText('sommet g2')).toBe('sommet g2');
    expect(searchedText('élections 2')).toBe('élections');
    // With its accent, composed or not.
    expect(searchedText('é')).toBe('');
    expect(searchedText('e\u0301')).toBe('');
  });

  it('leaves out every trailing one-letter word, whatever separates them', () => {
    expect(searchedText('a b')).toBe('');
    expect(searchedText("l'a")).toBe('');
    expect(searchedText("l'am")).toBe("l'am");
    expect(searchedText('accord c-')).toBe('accord');
    expect(searchedText('e*')).toBe('');
  });

  it('searches a phrase closed by a quote as typed, and nothing for signs alone', () => {
    expect(searchedText('sommet "g"')).toBe('sommet "g"');
    expect(searchedText('"g"')).toBe('"g"');
    expect(searchedText('"sommet g')).toBe('"sommet');
    expect(searchedText('"g')).toBe('');
    expect(searchedText(' - ')).toBe('');
    expect(searchedText('')).toBe('');
  });
});
