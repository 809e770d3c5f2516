//! The workloads, written once and expanded for each automerge version by `version_suite!`.
//! The three versions share this public API (`AutoCommit`, `Transactable`, `ReadDoc`,
//! `sync::SyncDoc`), so the same text compiles against each.

/// Expands to the workloads for the automerge crate `$am`, labelled `$label`.
macro_rules! version_suite {
    ($am:ident, $label:expr) => {
        use std::time::{Duration, Instant};

        use anyhow::{Context, Result, bail, ensure};
        use $am::sync::{Message, State, SyncDoc};
        use $am::transaction::Transactable;
        use $am::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

        use crate::figures::{LoadMemory, MergeFigures, RunFigures};
        use crate::rng::{Editor, Rng};
        use crate::trace::{Patch, Trace};

        pub const LABEL: &str = $label;

        /// Replicas get fixed actor ids, so sizes are the same on every run.
        fn doc(actor: u8) -> AutoCommit {
            AutoCommit::new().with_actor(ActorId::from(vec![actor; 16]))
        }

        fn fork(from: &mut AutoCommit, actor: u8) -> AutoCommit {
            from.fork().with_actor(ActorId::from(vec![actor; 16]))
        }

        fn object(doc: &AutoCommit, parent: &ObjId, prop: impl Into<$am::Prop>) -> Result<ObjId> {
            match doc.get(parent, prop)? {
                Some((Value::Object(_), id)) => Ok(id),
                _ => bail!("expected an object"),
            }
        }

        fn sorted_heads(doc: &mut AutoCommit) -> Vec<$am::ChangeHash> {
            let mut heads = doc.get_heads();
            heads.sort();
            heads
        }

        /// 1. The trace on one Text object; `batch` edits per commit. Returns the doc,
        /// the time to apply and the live heap the doc holds afterwards.
        pub fn apply_trace(trace: &Trace, batch: usize) -> Result<(AutoCommit, Duration, usize)> {
            let heap_before = crate::measure::live_heap();
            let mut d = doc(1);
            let text = d.put_object(ROOT, "text", ObjType::Text)?;
            d.commit();
            let start = Instant::now();
            for (i, Patch(pos, del, ins)) in trace.patches.iter().enumerate() {
                d.splice_text(&text, *pos, *del as isize, ins)?;
                if (i + 1) % batch == 0 {
                    d.commit();
                }
            }
            d.commit();
            let took = start.elapsed();
            let heap = crate::measure::live_heap().saturating_sub(heap_before);
            ensure!(
                d.text(&text)? == trace.end_content,
                "{LABEL}: text differs from endContent"
            );
            Ok((d, took, heap))
        }

        /// 1b. The same with `Automerge` and an explicit transaction per `batch` edits.
        pub fn apply_trace_manual(trace: &Trace, batch: usize) -> Result<Duration> {
            let mut d = $am::Automerge::new().with_actor(ActorId::from(vec![1; 16]));
            let mut tx = d.transaction();
            let text = tx.put_object(ROOT, "text", ObjType::Text)?;
            tx.commit();
            let start = Instant::now();
            for chunk in trace.patches.chunks(batch) {
                let mut tx = d.transaction();
                for Patch(pos, del, ins) in chunk {
                    tx.splice_text(&text, *pos, *del as isize, ins)?;
                }
                tx.commit();
            }
            let took = start.elapsed();
            ensure!(
                d.text(&text)? == trace.end_content,
                "{LABEL}: text differs from endContent"
            );
            Ok(took)
        }

        /// Run the sync protocol between two docs until neither has anything to say, through
        /// encoded messages. Returns (bytes a->b, bytes b->a, messages).
        fn sync_pair(a: &mut AutoCommit, b: &mut AutoCommit) -> Result<(usize, usize, usize)> {
            let (mut sa, mut sb) = (State::new(), State::new());
            let (mut ab, mut ba, mut msgs) = (0, 0, 0);
            for _ in 0..1000 {
                let mut quiet = true;
                if let Some(m) = a.sync().generate_sync_message(&mut sa) {
                    let wire = m.encode();
                    (ab, msgs, quiet) = (ab + wire.len(), msgs + 1, false);
                    b.sync()
                        .receive_sync_message(&mut sb, Message::decode(&wire)?)?;
                }
                if let Some(m) = b.sync().generate_sync_message(&mut sb) {
                    let wire = m.encode();
                    (ba, msgs, quiet) = (ba + wire.len(), msgs + 1, false);
                    a.sync()
                        .receive_sync_message(&mut sa, Message::decode(&wire)?)?;
                }
                if quiet {
                    return Ok((ab, ba, msgs));
                }
            }
            bail!("{LABEL}: sync did not go quiet in 1000 rounds")
        }

        /// Type `edits` keystrokes (one commit each) into `text`, whose length is `len`.
        fn type_into(
            d: &mut AutoCommit,
            text: &ObjId,
            len: &mut usize,
            ed: &mut Editor,
            edits: usize,
        ) -> Result<()> {
            for _ in 0..edits {
                let (pos, del, ins) = ed.keystroke(*len);
                d.splice_text(text, pos, del as isize, &ins)?;
                *len = *len + ins.len() - del;
                d.commit();
            }
            Ok(())
        }

        /// Fail unless `x` and `y` have the same heads and the same `text`.
        fn ensure_converged(
            x: &mut AutoCommit,
            y: &mut AutoCommit,
            text: &ObjId,
            after: &str,
        ) -> Result<()> {
            ensure!(
                sorted_heads(x) == sorted_heads(y),
                "{LABEL}: heads differ after {after}"
            );
            ensure!(
                x.text(text)? == y.text(text)?,
                "{LABEL}: texts differ after {after}"
            );
            Ok(())
        }

        /// 3. From a common doc with one paragraph (`history` keystrokes of common content,
        /// committed every `commit_every`), two replicas diverge by `edits` keystrokes each
        /// (one commit each), then merge: by exchanging `save_after(base heads)` bytes, and by
        /// the sync protocol.
        fn merge(
            seed: u64,
            history: usize,
            commit_every: usize,
            edits: usize,
        ) -> Result<MergeFigures> {
            let mut m = MergeFigures::default();
            let mut base = doc(1);
            let paras = base.put_object(ROOT, "paragraphs", ObjType::List)?;
            let para = base.insert_object(&paras, 0, ObjType::Map)?;
            base.put(&para, "marking", "NP")?;
            let text = base.put_object(&para, "text", ObjType::Text)?;
            let mut len = 0;
            let mut ed = Editor::new(seed, 0.1);
            for i in 0..history {
                let (pos, del, ins) = ed.keystroke(len);
                base.splice_text(&text, pos, del as isize, &ins)?;
                len = len + ins.len() - del;
                if (i + 1) % commit_every == 0 {
                    base.commit();
                }
            }
            base.commit();
            let base_heads = base.get_heads();
            let (mut a, mut b) = (fork(&mut base, 2), fork(&mut base, 3));
            let (mut len_a, mut len_b) = (len, len);
            type_into(
                &mut a,
                &text,
                &mut len_a,
                &mut Editor::new(seed + 1, 0.1),
                edits,
            )?;
            type_into(
                &mut b,
                &text,
                &mut len_b,
                &mut Editor::new(seed + 2, 0.1),
                edits,
            )?;
            let (mut a2, mut b2) = (fork(&mut a, 4), fork(&mut b, 5));

            let from_a = a.save_after(&base_heads);
            let from_b = b.save_after(&base_heads);
            let start = Instant::now();
            a.load_incremental(&from_b)?;
            b.load_incremental(&from_a)?;
            m.time = start.elapsed();
            m.change_bytes = [from_a.len(), from_b.len()];
            m.change_bytes_deflated = [
                crate::measure::deflated(&from_a),
                crate::measure::deflated(&from_b),
            ];
            ensure_converged(&mut a, &mut b, &text, "merge")?;

            let start = Instant::now();
            let (ab, ba, msgs) = sync_pair(&mut a2, &mut b2)?;
            m.sync_time = start.elapsed();
            (m.sync_bytes, m.sync_msgs) = ([ab, ba], msgs);
            ensure_converged(&mut a2, &mut b2, &text, "sync")?;
            ensure_converged(&mut a2, &mut a, &text, "sync and merge")?;
            Ok(m)
        }

        /// The fields of a draft telegram and `paragraphs` empty paragraphs, in one commit.
        /// Returns the paragraphs list.
        pub fn create_draft(d: &mut AutoCommit, paragraphs: usize) -> Result<ObjId> {
            d.put(ROOT, "kind", "telegram")?;
            let subject = d.put_object(ROOT, "subject", ObjType::Text)?;
            d.splice_text(&subject, 0, 0, "Visite du ministre à Nairobi : préparation")?;
            d.put(ROOT, "marking", "DR")?;
            d.put(ROOT, "precedence", "Immediate")?;
            let addressees = d.put_object(ROOT, "addressees", ObjType::List)?;
            let routes = [
                ("Direction d'Afrique", "action"),
                ("Cabinet", "info"),
                ("Nairobi", "info"),
            ];
            for (i, (name, route)) in routes.into_iter().enumerate() {
                let a = d.insert_object(&addressees, i, ObjType::Map)?;
                d.put(&a, "name", name)?;
                d.put(&a, "route", route)?;
            }
            let tags = d.put_object(ROOT, "tags", ObjType::List)?;
            for (i, tag) in ["KE", "visite", "économie"].into_iter().enumerate() {
                d.insert(&tags, i, tag)?;
            }
            let refs = d.put_object(ROOT, "references", ObjType::List)?;
            d.insert(&refs, 0, "TD NAIROBI 2026-0412")?;
            let paras = d.put_object(ROOT, "paragraphs", ObjType::List)?;
            for i in 0..paragraphs {
                let p = d.insert_object(&paras, i, ObjType::Map)?;
                d.put(&p, "marking", if i % 5 == 4 { "DR" } else { "NP" })?;
                d.put_object(&p, "text", ObjType::Text)?;
            }
            d.commit();
            Ok(paras)
        }

        /// Merge `src` into `dst` within one slice of replicas.
        fn merge_into(replicas: &mut [AutoCommit], dst: usize, src: usize) -> Result<()> {
            let [d, s] = replicas
                .get_disjoint_mut([dst, src])
                .context("replica index")?;
            d.merge(s)?;
            Ok(())
        }

        /// The text objects of the paragraphs, and their lengths, as `d` sees them.
        fn paragraph_texts(d: &AutoCommit, paras: &ObjId) -> Result<(Vec<ObjId>, Vec<usize>)> {
            let mut texts = Vec::new();
            let mut lens = Vec::new();
            for i in 0..d.length(paras) {
                let text = object(d, &object(d, paras, i)?, "text")?;
                lens.push(d.text(&text)?.chars().count());
                texts.push(text);
            }
            Ok((texts, lens))
        }

        /// 4. Three replicas type `paragraphs` paragraphs of about `chars` characters each,
        /// one commit per keystroke, merging every `every` keystrokes in a random order.
        fn draft(
            r: &mut RunFigures,
            seed: u64,
            paragraphs: usize,
            chars: usize,
            every: usize,
        ) -> Result<()> {
            const REPLICAS: usize = 3;
            let start = Instant::now();
            let mut first = doc(10);
            let paras = create_draft(&mut first, paragraphs)?;
            let init = first.save();
            let mut replicas = vec![first];
            for i in 1..REPLICAS {
                replicas.push(
                    AutoCommit::load(&init)?.with_actor(ActorId::from(vec![10 + i as u8; 16])),
                );
            }
            let mut editors: Vec<Editor> = (0..REPLICAS)
                .map(|i| Editor::new(seed + i as u64, 0.0))
                .collect();
            let mut views = Vec::new();
            for d in &replicas {
                views.push(paragraph_texts(d, &paras)?);
            }
            let mut current = vec![0usize; REPLICAS];
            let mut order_rng = Rng::new(seed ^ 0xD1A1);
            let per_replica = paragraphs * chars / REPLICAS;
            let mut typed = 0;
            while typed < per_replica {
                let n = every.min(per_replica - typed);
                for (i, (d, ed)) in replicas.iter_mut().zip(editors.iter_mut()).enumerate() {
                    let (texts, lens) = &mut views[i];
                    for _ in 0..n {
                        if ed.run_over() {
                            let open: Vec<usize> =
                                (0..lens.len()).filter(|&p| lens[p] < chars).collect();
                            current[i] = if open.is_empty() {
                                ed.rng().below(lens.len())
                            } else {
                                open[ed.rng().below(open.len())]
                            };
                        }
                        let p = current[i];
                        let (pos, del, ins) = ed.keystroke(lens[p]);
                        d.splice_text(&texts[p], pos, del as isize, &ins)?;
                        lens[p] = lens[p] + ins.chars().count() - del;
                        d.commit();
                    }
                }
                typed += n;
                // A random hub pulls from the two others, then both pull from the hub.
                let mut order: Vec<usize> = (0..REPLICAS).collect();
                order_rng.shuffle(&mut order);
                let [hub, x, y] = [order[0], order[1], order[2]];
                merge_into(&mut replicas, hub, x)?;
                merge_into(&mut replicas, hub, y)?;
                merge_into(&mut replicas, x, hub)?;
                merge_into(&mut replicas, y, hub)?;
                for (i, d) in replicas.iter().enumerate() {
                    views[i] = paragraph_texts(d, &paras)?;
                }
            }
            r.draft_time = start.elapsed();
            let expected = sorted_heads(&mut replicas[0]);
            let reference: Vec<String> = views[0]
                .0
                .iter()
                .map(|t| replicas[0].text(t))
                .collect::<Result<_, _>>()?;
            for (i, d) in replicas.iter_mut().enumerate().skip(1) {
                ensure!(
                    sorted_heads(d) == expected,
                    "{LABEL}: replica {i} heads differ"
                );
                let texts: Vec<String> = views[i]
                    .0
                    .iter()
                    .map(|t| d.text(t))
                    .collect::<Result<_, _>>()?;
                ensure!(texts == reference, "{LABEL}: replica {i} text differs");
            }
            let total: usize = reference.iter().map(|t| t.chars().count()).sum();
            ensure!(
                total == per_replica * REPLICAS,
                "{LABEL}: {total} characters typed"
            );
            let start = Instant::now();
            let saved = replicas[0].save();
            r.draft_save_time = start.elapsed();
            r.draft_save_size = saved.len();
            let start = Instant::now();
            let loaded = AutoCommit::load(&saved)?;
            r.draft_load_time = start.elapsed();
            ensure!(
                loaded.length(&paras) == paragraphs,
                "{LABEL}: loaded draft lost paragraphs"
            );
            Ok(())
        }

        /// One run of every workload. `trace_doc` receives the doc saved after the trace
        /// (one commit per edit), for the memory measurement and the interop check.
        pub fn run(trace: &Trace, cfg: &crate::Config, r: &mut RunFigures) -> Result<Vec<u8>> {
            let (_, took, _) = apply_trace(trace, cfg.batch)?;
            r.apply_batched = took;
            r.apply_manual_batched = apply_trace_manual(trace, cfg.batch)?;
            let (mut d, took, heap) = apply_trace(trace, 1)?;
            (r.apply_each, r.heap_after_apply) = (took, heap);

            let start = Instant::now();
            let saved = d.save();
            r.save_time = start.elapsed();
            r.save_size = saved.len();
            drop(d);

            let start = Instant::now();
            let mut loaded = AutoCommit::load(&saved)?;
            r.load_time = start.elapsed();
            let text = object(&loaded, &ROOT, "text")?;
            ensure!(
                loaded.text(&text)? == trace.end_content,
                "{LABEL}: loaded text differs"
            );

            let mut empty = doc(9);
            let start = Instant::now();
            let (ab, ba, _) = sync_pair(&mut loaded, &mut empty)?;
            r.sync_empty_time = start.elapsed();
            r.sync_empty_bytes = ab + ba;
            ensure!(
                empty.text(&text)? == trace.end_content,
                "{LABEL}: synced text differs"
            );
            drop((loaded, empty));

            // A short common history (2,000 chars in 20 commits), then a long one (20,000
            // keystrokes, one commit each): the sync protocol changes strategy between them.
            r.merge_short = merge(cfg.seed, 2_000, 100, cfg.diverge)?;
            r.merge_long = merge(cfg.seed, 20_000, 1, cfg.diverge)?;
            draft(
                r,
                cfg.seed,
                cfg.paragraphs,
                cfg.paragraph_chars,
                cfg.merge_every,
            )?;
            Ok(saved)
        }

        /// In a fresh process: load `saved` and report what it costs in memory.
        pub fn load_memory(saved: &[u8]) -> Result<LoadMemory> {
            let (rss, heap) = (crate::measure::rss(), crate::measure::live_heap());
            let d = AutoCommit::load(saved)?;
            let m = LoadMemory {
                rss_growth: crate::measure::rss().saturating_sub(rss),
                heap_growth: crate::measure::live_heap().saturating_sub(heap),
            };
            ensure!(d.length(ROOT) > 0, "{LABEL}: empty doc loaded");
            Ok(m)
        }

        /// A small draft made by two replicas that edited concurrently and merged, saved;
        /// with its content as JSON (text objects as strings), for the JavaScript check.
        pub fn interop_draft() -> Result<(Vec<u8>, serde_json::Value)> {
            let mut alice = doc(1);
            let paras = create_draft(&mut alice, 3)?;
            let mut bob = fork(&mut alice, 2);
            let (texts, _) = paragraph_texts(&alice, &paras)?;
            let [p0, p1, ..] = texts.as_slice() else {
                bail!("three paragraphs expected")
            };
            alice.splice_text(p0, 0, 0, "L'Ambassade de France présente ses compliments.")?;
            alice.commit();
            bob.splice_text(p0, 0, 0, "Objet : visite. ")?;
            bob.splice_text(p1, 0, 0, "Le ministre arrivera le 12.")?;
            bob.commit();
            alice.merge(&mut bob)?;
            let saved = alice.save();
            let reloaded = AutoCommit::load(&saved)?;
            Ok((saved, to_json(&reloaded, &ROOT)?))
        }

        /// The content of an object as JSON, text objects as strings.
        pub fn to_json(d: &AutoCommit, obj: &ObjId) -> Result<serde_json::Value> {
            use serde_json::Value as J;
            let value = |v: Value<'_>, id: ObjId| -> Result<J> {
                Ok(match v {
                    Value::Object(_) => to_json(d, &id)?,
                    Value::Scalar(s) => match s.as_ref() {
                        ScalarValue::Str(s) => J::String(s.to_string()),
                        ScalarValue::Int(i) => J::from(*i),
                        ScalarValue::Uint(u) => J::from(*u),
                        ScalarValue::Boolean(b) => J::from(*b),
                        ScalarValue::Null => J::Null,
                        other => J::String(other.to_string()),
                    },
                })
            };
            Ok(match d.object_type(obj)? {
                ObjType::Text => J::String(d.text(obj)?),
                ObjType::List => {
                    let mut items = Vec::new();
                    for i in 0..d.length(obj) {
                        let (v, id) = d.get(obj, i)?.context("list hole")?;
                        items.push(value(v, id)?);
                    }
                    J::Array(items)
                }
                _ => {
                    let mut map = serde_json::Map::new();
                    for key in d.keys(obj) {
                        let (v, id) = d.get(obj, key.as_str())?.context("map hole")?;
                        map.insert(key, value(v, id)?);
                    }
                    J::Object(map)
                }
            })
        }

        /// Load a doc saved elsewhere (by JavaScript) and return its content.
        pub fn load_json(saved: &[u8]) -> Result<serde_json::Value> {
            to_json(&AutoCommit::load(saved)?, &ROOT)
        }
    };
}

pub(crate) use version_suite;
