// Keyboard shortcuts as a pure function of the key pressed and the element it was pressed in.

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

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** The shortcuts listed in the help dialog: keys and the i18n key of what they do. */
export const SHORTCUT_LIST: { keys: string[]; action: string }[] = [
  { keys: ['j'], action: 'shortcuts.next' },
  { keys: ['k'], action: 'shortcuts.prev' },
  { keys: ['Enter'], action: 'shortcuts.open' },
  { keys: ['c'], action: 'shortcuts.compose' },
  { keys: ['/'], action: 'shortcuts.focusSearch' },
  { keys: ['g', 'i'], action: 'shortcuts.goInbox' },
  { keys: ['g', 'p'], action: 'shortcuts.goDrafts' },
  { keys: ['Alt', '↑'], action: 'shortcuts.moveParagraphUp' },
  { keys: ['Alt', '↓'], action: 'shortcuts.moveParagraphDown' },
  { keys: ['Ctrl', 'Enter'], action: 'shortcuts.addParagraph' },
  { keys: ['?'], action: 'shortcuts.help' },
  { keys: ['Esc'], action: 'shortcuts.escape' },
  { keys: ['Ctrl', 'L'], action: 'shortcuts.lock' },
];

const TEXT_INPUT_TYPES = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Whether keys pressed in `target` type text (letters must not trigger shortcuts there). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target as Element).tagName) return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') return !TEXT_INPUT_TYPES.has(((el as HTMLInputElement).type || 'text').toLowerCase());
  return el.isContentEditable === true || el.getAttribute?.('contenteditable') === 'true';
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
  /** A `g` was pressed and waits for its second key. */
  pendingG: boolean;
}

export function resolveShortcut(e: KeyInput, pendingG: boolean): Resolved {
  if (e.key === 'Escape') return { action: 'escape', pendingG: false };
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'l') return { action: 'lock', pendingG: false };
  if (e.ctrlKey || e.metaKey || e.altKey) return { action: null, pendingG: false };
  if (e.key === 'Enter') return { action: enterIsTaken(e.target) ? null : 'open', pendingG: false };
  if (isTyping(e.target)) return { action: null, pendingG: false };
  if (pendingG) return { action: e.key === 'i' ? 'goInbox' : e.key === 'p' ? 'goDrafts' : null, pendingG: false };
  switch (e.key) {
    case 'j':
      return { action: 'next', pendingG: false };
    case 'k':
      return { action: 'prev', pendingG: false };
    case 'c':
      return { action: 'compose', pendingG: false };
    case '/':
      return { action: 'focusSearch', pendingG: false };
    case '?':
      return { action: 'help', pendingG: false };
    case 'g':
      return { action: null, pendingG: true };
    default:
      return { action: null, pendingG: false };
  }
}
