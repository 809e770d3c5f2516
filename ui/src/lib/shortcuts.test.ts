import { describe, expect, it } from 'vitest';
import { isTyping, resolveShortcut, type KeyInput } from './shortcuts';

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

  it('acts in a checkbox (no text is typed there), but leaves Enter to buttons', () => {
    const box = el('<input type="checkbox">');
    expect(isTyping(box)).toBe(false);
    expect(resolveShortcut(key('j', box), false).action).toBe('next');
    expect(resolveShortcut(key('Enter', el('<button>ok</button>')), false).action).toBeNull();
    expect(resolveShortcut(key('Enter', el('<div role="listbox" tabindex="0"></div>')), false).action).toBe('open');
  });

  it('leaves other modified keys to the system', () => {
    expect(resolveShortcut(key('j', body(), { ctrlKey: true }), false).action).toBeNull();
    expect(resolveShortcut(key('c', body(), { altKey: true }), false).action).toBeNull();
    expect(resolveShortcut(key('L', body(), { ctrlKey: true }), false).action).toBe('lock');
  });
});
