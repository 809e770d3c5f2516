// Copies the generated bindings (src/bindings.ts, written from Rust by
// `UPDATE_BINDINGS=1 cargo test -p diplomatie bindings`) to src/generated/bindings.ts, which the
// interface imports, repairing one thing the generator gets wrong: a command parameter named
// after a JavaScript reserved word (`change_passphrase(old, new)` gives `(old: string,
// new: string) =>`, which no TypeScript parser accepts). Such a parameter is renamed in the
// signature only; the key sent to Rust stays the same (`{ old, new: new_ }`).
//
// Nothing is changed by hand and nothing else is changed: when the Rust side names its
// parameters otherwise, the copy is identical to the original and this step can go.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await').split(' '),
);

export function repair(source) {
  let fixes = 0;
  const out = source.replace(
    /^(\s*\w+: )\(([^)]*)\)( => typedError<[^\n]*__TAURI_INVOKE\("\w+", )\{ ([^}]*) \}\)\),$/gm,
    (line, head, params, middle, keys) => {
      const renamed = new Map();
      const newParams = params.replace(/(^|, )(\w+)(: )/g, (m, sep, name, colon) => {
        if (!RESERVED.has(name)) return m;
        renamed.set(name, `${name}_`);
        return `${sep}${name}_${colon}`;
      });
      if (renamed.size === 0) return line;
      fixes += 1;
      const newKeys = keys
        .split(', ')
        .map((k) => (renamed.has(k) ? `${k}: ${renamed.get(k)}` : k))
        .join(', ');
      return `${head}(${newParams})${middle}{ ${newKeys} })),`;
    },
  );
  return { out, fixes };
}

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', 'src', 'bindings.ts');
const dest = join(here, '..', 'src', 'generated', 'bindings.ts');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(src)) {
    console.error(`missing ${src}: generate it with UPDATE_BINDINGS=1 cargo test -p diplomatie bindings`);
    process.exit(1);
  }
  const { out, fixes } = repair(readFileSync(src, 'utf8'));
  mkdirSync(dirname(dest), { recursive: true });
  const header = '// Copied from src/bindings.ts by scripts/bindings.mjs: do not edit, do not commit.\n';
  writeFileSync(dest, header + out);
  if (fixes > 0) console.log(`bindings: renamed reserved-word parameters in ${fixes} command(s)`);
}
