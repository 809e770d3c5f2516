// Elements named with aria-label or aria-labelledby but of no role that takes a name: a div,
// a span, a paragraph… (ARIA forbids naming a generic element; screen readers ignore it, so
// the name meant for the user is lost). Found in the source (JSX) and in a rendered page.

import { walkJsx, type JsxNode } from './jsxSource';

/** Elements whose implicit role is generic (or paragraph, text level…): naming them is prohibited. */
export const GENERIC_TAGS = new Set(['div', 'span', 'p', 'b', 'i', 'em', 'strong', 'small', 'code', 'pre', 'kbd', 'mark', 'u', 's', 'sub', 'sup', 'data', 'time', 'bdi', 'bdo']);
const NAMING = new Set(['aria-label', 'aria-labelledby']);

export interface Found {
  line: number;
  text: string;
}

/** In JSX source: a generic element given a name and no `role` attribute. */
export function findNamedGenerics(source: string): Found[] {
  const found: Found[] = [];
  walkJsx(source, (n, line) => {
    if (n.type !== 'JSXOpeningElement') return;
    const tag = (n.name as JsxNode | undefined)?.type === 'JSXIdentifier' ? String((n.name as JsxNode).name) : '';
    if (!GENERIC_TAGS.has(tag)) return;
    const names = ((n.attributes as JsxNode[] | undefined) ?? []).filter((a) => a.type === 'JSXAttribute').map((a) => String((a.name as JsxNode | undefined)?.name));
    const named = names.filter((a) => NAMING.has(a));
    if (named.length > 0 && !names.includes('role')) found.push({ line, text: `<${tag} ${named.join(' ')}>` });
  });
  return found;
}

/** In a rendered page: the named generic elements, as short descriptions. */
export function namedGenericsIn(root: ParentNode): string[] {
  return Array.from(root.querySelectorAll<HTMLElement>('[aria-label], [aria-labelledby]'))
    .filter((el) => GENERIC_TAGS.has(el.tagName.toLowerCase()) && !el.hasAttribute('role'))
    .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}" aria-label="${el.getAttribute('aria-label') ?? ''}">`);
}

/** The name a control gets from aria-labelledby, aria-label, its label(s) or its text. */
function nameOf(el: HTMLElement): string {
  const byIds = (el.getAttribute('aria-labelledby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => el.ownerDocument.getElementById(id)?.textContent ?? '')
    .join(' ');
  if (byIds.trim()) return byIds.trim();
  const aria = el.getAttribute('aria-label') ?? '';
  if (aria.trim()) return aria.trim();
  const labels = el.id ? Array.from(el.ownerDocument.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`)) : [];
  const wrapping = el.closest('label');
  const text = [...labels, ...(wrapping ? [wrapping] : [])].map((l) => l.textContent ?? '').join(' ');
  if (text.trim()) return text.trim();
  return el.tagName === 'BUTTON' ? (el.textContent ?? '').trim() : '';
}

/** Form fields, buttons and list boxes without an accessible name (a label tied to them, or one of ARIA's). */
export function unnamedControls(root: ParentNode): string[] {
  return Array.from(root.querySelectorAll<HTMLElement>('input:not([type="hidden"]), select, textarea, button, [role="listbox"], [role="combobox"], [role="tablist"]'))
    .filter((el) => !nameOf(el))
    .map((el) => `<${el.tagName.toLowerCase()} data-testid="${el.dataset.testid ?? ''}" class="${el.className}">`);
}
