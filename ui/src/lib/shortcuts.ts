// Keyboard shortcuts as a pure function of the key pressed, the element it was pressed in and
// the user's preferences (single-key shortcuts on or off, and which key does what).

export type ShortcutAction =
  | 'next'
  | 'prev'
  | 'open'
  | 'compose'
  | 'focusSearch'
  | 'goInbox'
  | 'goDrafts'
  | 'help'
  | 'escape'
  | 'lock';

/** The shortcuts of one character the user may remap (`goPrefix` then `goInbox` / `goDrafts`). */
export type KeyedAction = 'next' | 'prev' | 'compose' | 'focusSearch' | 'help' | 'goPrefix' | 'goInbox' | 'goDrafts';
export const KEYED_ACTIONS: KeyedAction[] = ['next', 'prev', 'compose', 'focusSearch', 'help', 'goPrefix', 'goInbox', 'goDrafts'];

/**
 * The single-key shortcuts (WCAG 2.1.4): they can be turned off, and each remapped to another
 * character. Escape and Ctrl+L are not single characters and always act.
 */
export interface ShortcutPrefs {
  enabled: boolean;
  keys: Record<KeyedAction, string>;
}

export const DEFAULT_SHORTCUTS: ShortcutPrefs = {
  enabled: true,
  keys: { next: 'j', prev: 'k', compose: 'c', focusSearch: '/', help: '?', goPrefix: 'g', goInbox: 'i', goDrafts: 'p' },
};

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** The shortcuts listed in the help dialog (keys and the i18n key of what they do), for `prefs`. */
export function shortcutList(prefs: ShortcutPrefs = DEFAULT_SHORTCUTS): { keys: string[]; action: string; single?: boolean }[] {
  const k = prefs.keys;
  const single = prefs.enabled
    ? [
        { keys: [k.next], action: 'shortcuts.next', single: true },
        { keys: [k.prev], action: 'shortcuts.prev', single: true },
        { keys: ['Enter'], action: 'shortcuts.open' },
        { keys: [k.compose], action: 'shortcuts.compose', single: true },
        { keys: [k.focusSearch], action: 'shortcuts.focusSearch', single: true },
        { keys: [k.goPrefix, k.goInbox], action: 'shortcuts.goInbox', single: true },
        { keys: [k.goPrefix, k.goDrafts], action: 'shortcuts.goDrafts', single: true },
      ]
    : [];
  return [
    ...single,
    { keys: ['Alt', '↑'], action: 'shortcuts.moveParagraphUp' },
    { keys: ['Alt', '↓'], action: 'shortcuts.moveParagraphDown' },
    { keys: ['Ctrl', 'Enter'], action: 'shortcuts.addParagraph' },
    ...(prefs.enabled ? [{ keys: [k.help], action: 'shortcuts.help', single: true }] : []),
    { keys: ['Esc'], action: 'shortcuts.escape' },
    { keys: ['Ctrl', 'L'], action: 'shortcuts.lock' },
  ];
}

const TEXT_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton']);

/**
 * Whether keys pressed in `target` may be typing: any input (even a checkbox, where a screen
 * reader's letters must reach the page), a text area, a list box of a form, an editable element
 * or one whose role takes text. Shortcuts of one character never act there.
 */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target as Element).tagName) return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || tag === 'input') return true;
  if (TEXT_ROLES.has(el.getAttribute?.('role') ?? '')) return true;
  if (el.isContentEditable === true) return true;
  const editable = el.closest?.('[contenteditable]');
  return !!editable && editable.getAttribute('contenteditable') !== 'false';
}

/** Whether Enter in `target` already means something (a button, a link, a field). */
function enterIsTaken(target: EventTarget | null): boolean {
  if (!target || !(target as Element).tagName) return false;
  const el = target as HTMLElement;
  if (el.getAttribute?.('role') === 'listbox') return false;
  const tag = el.tagName.toLowerCase();
  return ['a', 'button', 'input', 'select', 'textarea', 'summary'].includes(tag) || isTyping(target);
}

export interface Resolved {
  action: ShortcutAction | null;
  /** The prefix (`g`) was pressed and waits for its second key. */
  pendingG: boolean;
}

const NONE: Resolved = { action: null, pendingG: false };

export function resolveShortcut(e: KeyInput, pendingG: boolean, prefs: ShortcutPrefs = DEFAULT_SHORTCUTS): Resolved {
  if (e.key === 'Escape') return { action: 'escape', pendingG: false };
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'l') return { action: 'lock', pendingG: false };
  // A modifier held (Ctrl, Alt, AltGr, Cmd): the key is the system's or the field's.
  if (e.ctrlKey || e.metaKey || e.altKey) return NONE;
  if (!prefs.enabled) return NONE;
  if (e.key === 'Enter') return { action: enterIsTaken(e.target) ? null : 'open', pendingG: false };
  if (isTyping(e.target)) return NONE;
  const k = prefs.keys;
  if (pendingG) return { action: e.key === k.goInbox ? 'goInbox' : e.key === k.goDrafts ? 'goDrafts' : null, pendingG: false };
  switch (e.key) {
    case k.next:
      return { action: 'next', pendingG: false };
    case k.prev:
      return { action: 'prev', pendingG: false };
    case k.compose:
      return { action: 'compose', pendingG: false };
    case k.focusSearch:
      return { action: 'focusSearch', pendingG: false };
    case k.help:
      return { action: 'help', pendingG: false };
    case k.goPrefix:
      return { action: null, pendingG: true };
    default:
      return NONE;
  }
}

export type KeyProblem = 'length' | 'duplicate';

/**
 * What is wrong with a set of keys: each must be one visible character, and the keys pressed
 * first (all but the two after the prefix) must differ, as must the two after the prefix.
 */
export function keyProblems(keys: Record<KeyedAction, string>): Partial<Record<KeyedAction, KeyProblem>> {
  const out: Partial<Record<KeyedAction, KeyProblem>> = {};
  for (const a of KEYED_ACTIONS) {
    const chars = Array.from(keys[a]);
    if (chars.length !== 1 || /\s/u.test(keys[a])) out[a] = 'length';
  }
  const groups: KeyedAction[][] = [
    ['next', 'prev', 'compose', 'focusSearch', 'help', 'goPrefix'],
    ['goInbox', 'goDrafts'],
  ];
  for (const group of groups) {
    for (const a of group) {
      if (out[a]) continue;
      if (group.some((b) => b !== a && keys[b] === keys[a])) out[a] = 'duplicate';
    }
  }
  return out;
}

const STORAGE_KEY = 'diplomatie.shortcuts';

/**
 * The preferences kept on this machine, beside the interface language: keys and a switch, no
 * piece of the profile. Anything unreadable gives the defaults.
 */
export function loadShortcutPrefs(): ShortcutPrefs {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return DEFAULT_SHORTCUTS;
    const v = JSON.parse(raw) as Partial<ShortcutPrefs>;
    const keys = { ...DEFAULT_SHORTCUTS.keys };
    for (const a of KEYED_ACTIONS) {
      const k = v.keys?.[a];
      if (typeof k === 'string') keys[a] = k;
    }
    const prefs = { enabled: v.enabled !== false, keys };
    return Object.keys(keyProblems(keys)).length === 0 ? prefs : { ...prefs, keys: DEFAULT_SHORTCUTS.keys };
  } catch {
    return DEFAULT_SHORTCUTS;
  }
}

export function saveShortcutPrefs(prefs: ShortcutPrefs): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify({ enabled: prefs.enabled, keys: prefs.keys }));
  } catch {
    // Storage unavailable: the preferences still apply until the window closes.
  }
}
