// Elements named with aria-label or aria-labelledby but of no role that takes a name: a div,
// a span, a paragraph… (ARIA forbids naming a generic element; screen readers ignore it, so
// the name meant for the user is lost). Found in the source (JSX) and in a rendered page.

import { parseAst } from 'vite';

/** Elements whose implicit role is generic (or paragraph, text level…): naming them is prohibited. */
export const GENERIC_TAGS = new Set(['div', 'span', 'p', 'b', 'i', 'em', 'strong', 'small', 'code', 'pre', 'kbd', 'mark', 'u', 's', 'sub', 'sup', 'data', 'time', 'bdi', 'bdo']);
const NAMING = new Set(['aria-label', 'aria-labelledby']);

export interface Found {
  line: number;
  text: string;
}

type Node = { type?: string; start?: number; [k: string]: unknown };

/** In JSX source: a generic element given a name and no `role` attribute. */
export function findNamedGenerics(source: string): Found[] {
  const ast = parseAst(source, { lang: 'tsx' }) as unknown as Node;
  const found: Found[] = [];
  const lineOf = (pos: number) => source.slice(0, pos).split('\n').length;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'JSXOpeningElement') {
      const tag = (n.name as Node | undefined)?.type === 'JSXIdentifier' ? String((n.name as Node).name) : '';
      if (GENERIC_TAGS.has(tag)) {
        const names = ((n.attributes as Node[] | undefined) ?? []).filter((a) => a.type === 'JSXAttribute').map((a) => String((a.name as Node | undefined)?.name));
        const named = names.filter((a) => NAMING.has(a));
        if (named.length > 0 && !names.includes('role')) found.push({ line: lineOf(n.start ?? 0), text: `<${tag} ${named.join(' ')}>` });
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'parent') visit(v);
  };
  visit(ast);
  return found;
}

/** In a rendered page: the named generic elements, as short descriptions. */
export function namedGenericsIn(root: ParentNode): string[] {
  return Array.from(root.querySelectorAll<HTMLElement>('[aria-label], [aria-labelledby]'))
    .filter((el) => GENERIC_TAGS.has(el.tagName.toLowerCase()) && !el.hasAttribute('role'))
    .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}" aria-label="${el.getAttribute('aria-label') ?? ''}">`);
}
