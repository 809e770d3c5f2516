// Loads a draft saved by diplomatie-client (crates/client/src/draft) with the official
// JavaScript automerge and prints what it reads, as JSON, for tests/automerge_interop.rs:
//   { automerge, schema, kind, fields, conflicts, paragraphs: [{id, marking, text}] }
// `fields` holds every key of the draft's fields map as read by JavaScript (Text as strings,
// scalar strings as strings, lists as arrays); `conflicts` every field key and paragraph
// marking (`paragraphs.<id>.marking`) with more than one value, the values sorted.
//   usage: node load-draft.mjs FILE
import * as A from "@automerge/automerge";
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node load-draft.mjs FILE");
  process.exit(2);
}
const version = JSON.parse(
  readFileSync(new URL("./node_modules/@automerge/automerge/package.json", import.meta.url)),
).version;

// Text objects come back as strings, scalar strings as ImmutableString (whose toJSON is its
// string): a JSON round trip makes both plain strings, recursively.
const plain = (value) => JSON.parse(JSON.stringify(value));

// Every distinct value written concurrently to obj[key], sorted; [] when there is one.
const conflicts = (obj, key) => {
  const all = A.getConflicts(obj, key);
  if (!all) return [];
  const values = [...new Set(Object.values(all).map((v) => plain(v)))].sort();
  return values.length > 1 ? values : [];
};

const doc = A.load(new Uint8Array(readFileSync(file)));
const out = {
  automerge: version,
  schema: doc.schema,
  kind: plain(doc.kind),
  fields: plain(doc.fields),
  conflicts: {},
  paragraphs: plain(doc.paragraphs),
};
for (const key of Object.keys(doc.fields)) {
  const values = conflicts(doc.fields, key);
  if (values.length) out.conflicts[key] = values;
}
for (const p of doc.paragraphs) {
  const values = conflicts(p, "marking");
  if (values.length) out.conflicts[`paragraphs.${plain(p.id)}.marking`] = values;
}
console.log(JSON.stringify(out));
