// Finds visible strings written straight into JSX: text between tags, and the attributes a
// user sees or hears (aria-label, title, placeholder, alt). Every such string must come from
// the translation files instead.

import { walkJsx, type JsxNode } from './jsxSource';

const VISIBLE_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription']);
const HAS_LETTER = /\p{L}/u;

export interface Literal {
  line: number;
  text: string;
}

export function findJsxLiterals(source: string): Literal[] {
  const found: Literal[] = [];
  walkJsx(source, (n, line) => {
    if (n.type === 'JSXText') {
      const text = String(n.value ?? '').trim();
      if (HAS_LETTER.test(text)) found.push({ line, text });
    }
    if (n.type === 'JSXAttribute') {
      const name = (n.name as JsxNode | undefined)?.name;
      const value = n.value as JsxNode | null;
      if (typeof name === 'string' && VISIBLE_ATTRIBUTES.has(name) && value) {
        const literal = value.type === 'Literal' ? value.value : value.type === 'JSXExpressionContainer' && (value.expression as JsxNode).type === 'Literal' ? (value.expression as JsxNode).value : undefined;
        if (typeof literal === 'string' && HAS_LETTER.test(literal)) found.push({ line, text: `${name}="${literal}"` });
      }
    }
  });
  return found;
}
