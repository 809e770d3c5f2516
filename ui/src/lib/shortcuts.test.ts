import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORTCUTS, isTyping, keyProblems, loadShortcutPrefs, resolveShortcut, saveShortcutPrefs, shortcutList, type KeyInput, type ShortcutPrefs } from './shortcuts';

const body = () => document.body;
function key(k: string, target: EventTarget | null = body(), mods: Partial<KeyInput> = {}): KeyInput {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, target, ...mods };
}
function el(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div.firstElementChild as HTMLElement;
}

describe('shortcuts', () => {
  it('maps the single keys', () => {
    expect(resolveShortcut(key('j'), false).action).toBe('next');
    expect(resolveShortcut(key('k'), false).action).toBe('prev');
    expect(resolveShortcut(key('Enter'), false).action).toBe('open');
    expect(resolveShortcut(key('c'), false).action).toBe('compose');
    expect(resolveShortcut(key('/'), false).action).toBe('focusSearch');
    expect(resolveShortcut(key('?'), false).action).toBe('help');
    expect(resolveShortcut(key('x'), false).action).toBeNull();
  });

  it('reads g then i as go to the inbox', () => {
    const g = resolveShortcut(key('g'), false);
    expect(g).toEqual({ action: null, pendingG: true });
    expect(resolveShortcut(key('i'), g.pendingG).action).toBe('goInbox');
    expect(resolveShortcut(key('j'), true)).toEqual({ action: null, pendingG: false });
  });

  it('reads g then p as go to the drafts', () => {
    expect(resolveShortcut(key('p'), true).action).toBe('goDrafts');
  });

  it('ignores letters while typing, but not Escape nor Ctrl+L', () => {
    for (const html of ['<input type="text">', '<textarea></textarea>', '<select></select>', '<input type="search">', '<div contenteditable="true"></div>']) {
      const target = el(html);
      expect(isTyping(target)).toBe(true);
      for (const k of ['j', 'k', 'c', '/', '?', 'g', 'Enter']) expect(resolveShortcut(key(k, target), false).action).toBeNull();
      expect(resolveShortcut(key('Escape', target), false).action).toBe('escape');
      expect(resolveShortcut(key('l', target, { ctrlKey: true }), false).action).toBe('lock');
    }
  });

  it('ignores single keys in any input, even a checkbox, and in elements that take text; leaves Enter to buttons', () => {
    for (const html of ['<input type="checkbox">', '<input type="radio">', '<div role="combobox" tabindex="0"></div>', '<div role="textbox" tabindex="0"></div>', '<div contenteditable="true"><span>mot</span></div>']) {
      const target = el(html);
      const inner = target.querySelector('span') ?? target;
      expect(isTyping(inner)).toBe(true);
      for (const k of ['j', 'k', 'c', '/', '?', 'g']) expect(resolveShortcut(key(k, inner), false).action).toBeNull();
    }
    expect(isTyping(el('<div contenteditable="false"></div>'))).toBe(false);
    expect(resolveShortcut(key('j', el('<button>ok</button>')), false).action).toBe('next');
    expect(resolveShortcut(key('Enter', el('<button>ok</button>')), false).action).toBeNull();
    expect(resolveShortcut(key('Enter', el('<div role="listbox" tabindex="0"></div>')), false).action).toBe('open');
  });

  it('leaves other modified keys to the system', () => {
    expect(resolveShortcut(key('j', body(), { ctrlKey: true }), false).action).toBeNull();
    expect(resolveShortcut(key('c', body(), { altKey: true }), false).action).toBeNull();
    expect(resolveShortcut(key('L', body(), { ctrlKey: true }), false).action).toBe('lock');
  });

  it('turned off, no single key acts, but Escape and Ctrl+L still do', () => {
    const off: ShortcutPrefs = { ...DEFAULT_SHORTCUTS, enabled: false };
    for (const k of ['j', 'k', 'c', '/', '?', 'g', 'Enter']) expect(resolveShortcut(key(k), false, off)).toEqual({ action: null, pendingG: false });
    expect(resolveShortcut(key('i'), true, off).action).toBeNull();
    expect(resolveShortcut(key('Escape'), false, off).action).toBe('escape');
    expect(resolveShortcut(key('l', body(), { ctrlKey: true }), false, off).action).toBe('lock');
    // The help lists no single key then.
    expect(shortcutList(off).some((s) => s.single)).toBe(false);
    expect(shortcutList(off).map((s) => s.action)).toContain('shortcuts.lock');
  });

  it('follows remapped keys, and the defaults no longer act', () => {
    const mine: ShortcutPrefs = { enabled: true, keys: { ...DEFAULT_SHORTCUTS.keys, next: 'n', prev: 'p', goPrefix: 'a', goInbox: 'b' } };
    expect(resolveShortcut(key('n'), false, mine).action).toBe('next');
    expect(resolveShortcut(key('p'), false, mine).action).toBe('prev');
    expect(resolveShortcut(key('j'), false, mine).action).toBeNull();
    expect(resolveShortcut(key('g'), false, mine).pendingG).toBe(false);
    expect(resolveShortcut(key('a'), false, mine).pendingG).toBe(true);
    expect(resolveShortcut(key('b'), true, mine).action).toBe('goInbox');
    expect(resolveShortcut(key('p'), true, mine).action).toBe('goDrafts');
    expect(shortcutList(mine).find((s) => s.action === 'shortcuts.goInbox')?.keys).toEqual(['a', 'b']);
  });

  it('refuses empty, long, blank or clashing keys', () => {
    expect(keyProblems(DEFAULT_SHORTCUTS.keys)).toEqual({});
    expect(keyProblems({ ...DEFAULT_SHORTCUTS.keys, next: '', prev: 'kk', compose: ' ' })).toEqual({ next: 'length', prev: 'length', compose: 'length' });
    expect(keyProblems({ ...DEFAULT_SHORTCUTS.keys, compose: 'j' })).toEqual({ next: 'duplicate', compose: 'duplicate' });
    // After the prefix, a key may be one of the others, but the two must differ.
    expect(keyProblems({ ...DEFAULT_SHORTCUTS.keys, goInbox: 'j' })).toEqual({});
    expect(keyProblems({ ...DEFAULT_SHORTCUTS.keys, goDrafts: 'i' })).toEqual({ goInbox: 'duplicate', goDrafts: 'duplicate' });
  });

  it('keeps the preferences on this machine, and falls back to the defaults on anything unreadable', () => {
    expect(loadShortcutPrefs()).toEqual(DEFAULT_SHORTCUTS);
    const mine: ShortcutPrefs = { enabled: false, keys: { ...DEFAULT_SHORTCUTS.keys, next: 'n' } };
    saveShortcutPrefs(mine);
    expect(loadShortcutPrefs()).toEqual(mine);
    expect(Object.keys(localStorage)).toEqual(['diplomatie.shortcuts']);
    localStorage.setItem('diplomatie.shortcuts', '{not json');
    expect(loadShortcutPrefs()).toEqual(DEFAULT_SHORTCUTS);
    localStorage.setItem('diplomatie.shortcuts', JSON.stringify({ enabled: true, keys: { next: 'k' } }));
    expect(loadShortcutPrefs().keys).toEqual(DEFAULT_SHORTCUTS.keys);
  });
});
