// Finds visible strings written straight into JSX: text between tags, and the attributes a
// user sees or hears (aria-label, title, placeholder, alt). Every such string must come from
// the translation files instead.

import { parseAst } from 'vite';

const VISIBLE_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription']);
const HAS_LETTER = /\p{L}/u;

export interface Literal {
  line: number;
  text: string;
}

type Node = { type?: string; start?: number; [k: string]: unknown };

export function findJsxLiterals(source: string): Literal[] {
  const ast = parseAst(source, { lang: 'tsx' }) as unknown as Node;
  const found: Literal[] = [];
  const lineOf = (pos: number) => source.slice(0, pos).split('\n').length;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'JSXText') {
      const text = String(n.value ?? '').trim();
      if (HAS_LETTER.test(text)) found.push({ line: lineOf(n.start ?? 0), text });
    }
    if (n.type === 'JSXAttribute') {
      const name = (n.name as Node | undefined)?.name;
      const value = n.value as Node | null;
      if (typeof name === 'string' && VISIBLE_ATTRIBUTES.has(name) && value) {
        const literal = value.type === 'Literal' ? value.value : value.type === 'JSXExpressionContainer' && (value.expression as Node).type === 'Literal' ? (value.expression as Node).value : undefined;
        if (typeof literal === 'string' && HAS_LETTER.test(literal)) found.push({ line: lineOf(n.start ?? 0), text: `${name}="${literal}"` });
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'parent') visit(v);
  };
  visit(ast);
  return found;
}
