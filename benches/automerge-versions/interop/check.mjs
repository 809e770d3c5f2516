// Loads every doc that the Rust bench saved in DIR (`<name>.automerge`, content in `<name>.json`)
// with @automerge/automerge, and compares contents. Then saves a draft made in JavaScript
// (`js-draft.automerge` + `js-draft.json`) for `automerge-versions interop-load DIR`.
//   usage: node check.mjs DIR
import * as A from "@automerge/automerge";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check.mjs DIR");
  process.exit(2);
}
const version = JSON.parse(readFileSync(new URL("./node_modules/@automerge/automerge/package.json", import.meta.url))).version;
console.log(`@automerge/automerge ${version}`);

// Text objects and scalar strings both become JSON strings (ImmutableString has toJSON).
const plain = (doc) => JSON.parse(JSON.stringify(doc));
const brief = (s) => (s.length > 70 ? `${s.slice(0, 67)}...` : s);

let failed = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith(".automerge") && !n.startsWith("js-")).sort()) {
  const expected = JSON.parse(readFileSync(join(dir, name.replace(/\.automerge$/, ".json")), "utf8"));
  let verdict;
  try {
    const t0 = performance.now();
    const doc = A.load(readFileSync(join(dir, name)));
    const ms = (performance.now() - t0).toFixed(0);
    const got = plain(doc);
    if (isDeepStrictEqual(got, expected)) {
      verdict = `loads in ${ms} ms, same content`;
    } else {
      failed++;
      verdict = `loads, DIFFERENT content: ${brief(JSON.stringify(got))}`;
    }
    if (name.startsWith("draft-")) {
      verdict += `\n    paragraphs: ${JSON.stringify(got.paragraphs?.map((p) => [p.marking, p.text]))}`;
    }
  } catch (e) {
    failed++;
    verdict = `does NOT load: ${e.message ?? e}`;
  }
  console.log(`${name}: ${verdict}`);
}

// The other direction: a draft typed by two JavaScript replicas, merged.
let alice = A.from({
  kind: new A.ImmutableString("telegram"),
  subject: "Visite du ministre à Nairobi : préparation",
  marking: new A.ImmutableString("DR"),
  precedence: new A.ImmutableString("Immediate"),
  addressees: [{ name: new A.ImmutableString("Cabinet"), route: new A.ImmutableString("action") }],
  tags: [new A.ImmutableString("KE")],
  references: [],
  paragraphs: [
    { marking: new A.ImmutableString("NP"), text: "" },
    { marking: new A.ImmutableString("DR"), text: "" },
  ],
});
let bob = A.clone(alice);
alice = A.change(alice, (d) => A.splice(d, ["paragraphs", 0, "text"], 0, 0, "L'Ambassade présente ses compliments."));
bob = A.change(bob, (d) => A.splice(d, ["paragraphs", 1, "text"], 0, 0, "Diffusion restreinte."));
bob = A.change(bob, (d) => A.splice(d, ["paragraphs", 0, "text"], 0, 0, "Objet : visite. "));
alice = A.merge(alice, bob);
writeFileSync(join(dir, "js-draft.automerge"), A.save(alice));
writeFileSync(join(dir, "js-draft.json"), JSON.stringify(plain(alice), null, 2));
console.log(`js-draft.automerge: saved by JavaScript for the Rust side to load`);

if (failed > 0) {
  console.log(`${failed} docs failed`);
  process.exit(1);
}
