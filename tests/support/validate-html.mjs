// Validates documents with html-validate (the npm package pinned in ui/package.json, installed
// by `npm ci` in ui): reads `[{ "name": ..., "html": ... }]` as JSON on stdin, writes
// `{ "version": ..., "results": [{ "name": ..., "errors": [...] }] }` as JSON on stdout.
//
// The rules are those of the WHATWG standard (`html-validate:standard`: nesting, required and
// permitted content and parents, attributes and their values, where `aria-label` may be,
// duplicate ids, obsolete elements and attributes), with the doctype required, no element of
// a name HTML does not know, and every id reference (`for`, `aria-labelledby`,
// `aria-describedby`, `aria-controls`, …) resolved. The names and values of ARIA attributes
// are axe-core's checks (tests/src/axe.rs). The style rules of a hand-written page are left
// out (`html-validate:browser`): the markup is the browser's serialisation of the DOM, which
// writes attributes and void elements its own way.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../../ui/package.json', import.meta.url));
const { HtmlValidate, StaticConfigLoader, version } = require('html-validate');

const CONFIG = {
  extends: ['html-validate:standard', 'html-validate:browser'],
  rules: {
    'missing-doctype': 'error',
    'no-missing-references': 'error',
    'no-unknown-elements': 'error',
  },
};

const validator = new HtmlValidate(new StaticConfigLoader(CONFIG));
const documents = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const { name, html } of documents) {
  const report = await validator.validateString(html, name);
  const errors = [];
  for (const result of report.results) {
    for (const m of result.messages) {
      if (m.severity !== 2) continue;
      errors.push({ rule: m.ruleId, message: m.message, selector: m.selector ?? '', url: m.ruleUrl ?? '', line: m.line, column: m.column });
    }
  }
  results.push({ name, errors });
}
process.stdout.write(JSON.stringify({ version, results }));
