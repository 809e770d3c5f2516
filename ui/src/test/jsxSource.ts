// What the source-scanning tests share: the components' files, and a walk over the nodes of a
// TSX file's syntax tree with the line of each.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAst } from 'vite';

export type JsxNode = { type?: string; start?: number; [k: string]: unknown };

/** The components' .tsx files under `dir` (tests and test helpers left out). */
export function componentFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : componentFiles(path);
    return name.endsWith('.tsx') && !name.endsWith('.test.tsx') ? [path] : [];
  });
}

/** Calls `at` on every node of `source` (TSX), with the line it starts on. */
export function walkJsx(source: string, at: (node: JsxNode, line: number) => void): void {
  const ast = parseAst(source, { lang: 'tsx' }) as unknown as JsxNode;
  const lineOf = (pos: number) => source.slice(0, pos).split('\n').length;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as JsxNode;
    if (n.type) at(n, lineOf(n.start ?? 0));
    for (const [k, v] of Object.entries(n)) if (k !== 'parent') visit(v);
  };
  visit(ast);
}
