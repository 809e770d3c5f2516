import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAst } from 'vite';
import { repair } from '../../scripts/bindings.mjs';

describe('the bindings copy', () => {
  it('renames a reserved-word parameter and keeps the key sent to Rust', () => {
    const line = '\tchangePassphrase: (old: string, new: string) => typedError<null, E>(__TAURI_INVOKE("change_passphrase", { old, new })),';
    const { out, fixes } = repair(line);
    expect(fixes).toBe(1);
    expect(out).toBe('\tchangePassphrase: (old: string, new_: string) => typedError<null, E>(__TAURI_INVOKE("change_passphrase", { old, new: new_ })),');
  });

  it('leaves ordinary commands alone', () => {
    const line = '\tunlock: (passphrase: string) => typedError<S, E>(__TAURI_INVOKE("unlock", { passphrase })),';
    expect(repair(line)).toEqual({ out: line, fixes: 0 });
  });

  it('makes the committed bindings parse', () => {
    const source = readFileSync(join(__dirname, '..', 'bindings.ts'), 'utf8');
    expect(() => parseAst(repair(source).out, { lang: 'ts' })).not.toThrow();
  });
});
