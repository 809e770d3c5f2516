//! Pushes stored together (one transaction for the batches that wait): each envelope gets one
//! seq, the seqs of a space follow each other, a batch over its space's quota is refused
//! alone, and what the answers say is what the log holds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::*;
use diplomatie_protocol::SpaceId;
use diplomatie_protocol::relay::{PushBatch, PushOutcome, PushResponse};

/// Three spaces of two members each.
async fn spaces(relay: &InProcess) -> Vec<(SpaceId, [Client; 2])> {
    let mut out = Vec::new();
    for _ in 0..3 {
        let a = Client::join(&relay.url, relay.dir.path()).await;
        let b = Client::join(&relay.url, relay.dir.path()).await;
        let space = a.create_space().await;
        assert_eq!(a.add(space, &b).await, StatusCode::OK);
        out.push((space, [a, b]));
    }
    out
}

/// A push as its own task: the batch's outcomes, or the status it was refused with.
fn spawn_push(
    client: &Client,
    space: SpaceId,
    batch: Vec<Vec<u8>>,
) -> tokio::task::JoinHandle<Result<Vec<PushOutcome>, StatusCode>> {
    let request = client
        .post(&format!("/v1/spaces/{space}/envelopes"))
        .header("content-type", "application/octet-stream")
        .body(PushBatch(batch).encode());
    tokio::spawn(async move {
        let response = request.send().await.unwrap();
        match response.status() {
            StatusCode::OK => Ok(response.json::<PushResponse>().await.unwrap().outcomes),
            status => Err(status),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_get_one_seq_each_and_the_log_holds_them_in_that_order() {
    let relay = InProcess::start_with(|c| {
        c.rate_per_second = 10_000.0;
        c.rate_burst = 10_000;
    })
    .await;
    let spaces = spaces(&relay).await;
    // Every member pushes five batches of four at once, and the first batch twice.
    let mut pushes = Vec::new();
    for (space, members) in &spaces {
        for member in members {
            for round in 0..5 {
                let batch: Vec<Vec<u8>> = (0..4)
                    .map(|i| member.sealed(*space, format!("{round}.{i}").as_bytes()))
                    .collect();
                pushes.push((*space, member, batch));
            }
        }
    }
    let (space, member, batch) = &pushes[0];
    let again = spawn_push(member, *space, batch.clone());
    let tasks: Vec<_> = pushes
        .iter()
        .map(|(space, member, batch)| spawn_push(member, *space, batch.clone()))
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    let again = again.await.unwrap().unwrap();

    // What the answers say, by space: seq → bytes.
    let mut said: BTreeMap<SpaceId, BTreeMap<u64, Vec<u8>>> = BTreeMap::new();
    for ((space, _, batch), answer) in pushes.iter().zip(&outcomes) {
        for (bytes, outcome) in batch.iter().zip(answer) {
            let PushOutcome::Accepted { seq, .. } = outcome else {
                panic!("refused: {outcome:?}");
            };
            let before = said.entry(*space).or_default().insert(*seq, bytes.clone());
            assert!(before.is_none(), "seq {seq} given twice");
        }
    }
    // The batch pushed twice: the same seqs, whichever was stored first.
    let first: Vec<u64> = outcomes[0].iter().map(seq_of).collect();
    assert_eq!(again.iter().map(seq_of).collect::<Vec<_>>(), first);
    for (space, members) in &spaces {
        let log = members[0].pull_all(*space).await;
        let seqs: Vec<u64> = log.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(
            seqs,
            (1..=40).collect::<Vec<u64>>(),
            "one seq each, in a row"
        );
        let said: Vec<(u64, Vec<u8>)> = said[space].clone().into_iter().collect();
        assert_eq!(log, said, "the log holds what the answers said");
    }
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_over_its_quota_is_refused_alone() {
    let relay = InProcess::start_with(|c| {
        c.space_quota_bytes = 6_000;
        c.rate_per_second = 10_000.0;
        c.rate_burst = 10_000;
    })
    .await;
    let spaces = spaces(&relay).await;
    let (full, members) = &spaces[0];
    let too_much: Vec<Vec<u8>> = (0..8)
        .map(|_| members[0].sealed(*full, &[7; 1000]))
        .collect();
    let refused = spawn_push(&members[0], *full, too_much);
    let stored: Vec<_> = spaces[1..]
        .iter()
        .flat_map(|(space, members)| {
            members
                .iter()
                .map(move |m| spawn_push(m, *space, vec![m.sealed(*space, b"small")]))
        })
        .collect();
    assert_eq!(
        refused.await.unwrap().unwrap_err(),
        StatusCode::INSUFFICIENT_STORAGE
    );
    for task in stored {
        let answer = task.await.unwrap().unwrap();
        assert!(matches!(
            answer[..],
            [PushOutcome::Accepted {
                duplicate: false,
                ..
            }]
        ));
    }
    assert!(members[0].pull_all(*full).await.is_empty());
    for (space, members) in &spaces[1..] {
        assert_eq!(members[0].pull_all(*space).await.len(), 2);
    }
    relay.stop().await;
}
