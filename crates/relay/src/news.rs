//! `GET /v1/news`: a WebSocket telling a device, on connect and whenever one of its spaces
//! moves, `{"space": hex, "head": seq, "epoch": e}`; with `?live=true`, also sending it each
//! envelope pushed to its spaces by other devices, as binary frames (see [`crate::hub`]).
//!
//! On connect the socket is registered in the hub with the heads it reads, under the
//! database's connection, then sends those heads: a device pulls up to them, and live frames
//! carry what comes after. Every socket has its own task writing its own queue, bounded in
//! bytes: a slow socket only falls behind itself, and when its queue overflows it is sent
//! every one of its spaces' heads afresh once it has written the rest. The socket closes
//! when its session expires or the relay stops.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use diplomatie_protocol::relay::SpaceSummary;

use crate::auth::{self, now};
use crate::error::ApiError;
use crate::hub::{self, Frame, Outbox};
use crate::state::AppState;
use crate::store::{self, Session};

/// A socket that takes longer than this to accept one message is closed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, serde::Deserialize)]
pub struct NewsQuery {
    token: Option<String>,
    /// Also send the envelopes pushed to the device's spaces by other devices.
    #[serde(default)]
    live: bool,
}

pub async fn news(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<NewsQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let q = query.map(|Query(q)| q).map_err(|_| {
        ApiError::BadRequest(
            "the query string is not as expected: /v1/news?token=TOKEN&live=true (both optional)"
                .into(),
        )
    })?;
    let token = auth::bearer(&headers)
        .map(str::to_owned)
        .or(q.token)
        .unwrap_or_default();
    // Authenticated first: without a session, the answer is 401 whatever the upgrade.
    let session = auth::authenticate(&state, &token).await?;
    let upgrade = upgrade.map_err(|_| {
        ApiError::BadRequest("/v1/news is a WebSocket: connect with a WebSocket client".into())
    })?;
    let live = q.live;
    Ok(upgrade.on_upgrade(move |socket| run(state, session, live, socket)))
}

/// Counts the socket as open, and keeps it in the hub, for as long as it lives.
struct Open<'a> {
    state: &'a AppState,
    id: Option<u64>,
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.state.hub.unregister(id);
        }
        self.state
            .metrics
            .websockets
            .fetch_sub(1, Ordering::Relaxed);
    }
}

async fn send(socket: &mut WebSocket, message: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

async fn send_heads(socket: &mut WebSocket, heads: &[SpaceSummary]) -> bool {
    for summary in heads {
        if !send(socket, Message::Text(hub::news(summary))).await {
            return false;
        }
    }
    true
}

/// Registers the socket with its device's spaces, read under the database's connection.
async fn register(
    state: &AppState,
    session: &Session,
    live: bool,
) -> Option<(Outbox, Vec<SpaceSummary>)> {
    let device = session.device;
    let hub = Arc::clone(&state.hub);
    state
        .db
        .call(move |conn| {
            let heads = store::spaces_of(conn, device)?;
            let spaces: Vec<_> = heads.iter().map(|s| s.space).collect();
            Ok::<_, ApiError>((hub.register(device, live, &spaces), heads))
        })
        .await
        .ok()
}

/// After an overflow: the heads afresh, read as the socket starts queuing again.
async fn heads_afresh(
    state: &AppState,
    session: &Session,
    outbox: &Outbox,
) -> Option<Vec<SpaceSummary>> {
    let device = session.device;
    let resume = outbox.resume();
    state
        .db
        .call(move |conn| {
            let heads = store::spaces_of(conn, device)?;
            resume.now();
            Ok::<_, ApiError>(heads)
        })
        .await
        .ok()
}

async fn run(state: AppState, session: Session, live: bool, mut socket: WebSocket) {
    state.metrics.websockets.fetch_add(1, Ordering::Relaxed);
    let mut open = Open {
        state: &state,
        id: None,
    };
    let device = session.device;
    tracing::debug!(%device, live, "news socket opened");
    let left = u64::try_from(session.expires_at.saturating_sub(now())).unwrap_or(0);
    let expiry = tokio::time::sleep(Duration::from_secs(left));
    tokio::pin!(expiry);
    let mut stopping = state.stopping.clone();
    let Some((mut outbox, heads)) = register(&state, &session, live).await else {
        return;
    };
    open.id = Some(outbox.id);
    if !send_heads(&mut socket, &heads).await {
        return;
    }
    loop {
        tokio::select! {
            frame = outbox.next() => {
                let Some(frame) = frame else { break };
                let sent = match &frame {
                    Frame::News(text) => send(&mut socket, Message::Text(text.clone())).await,
                    Frame::Envelopes(bytes) => send(&mut socket, Message::Binary(bytes.clone())).await,
                    Frame::Joined(space) => {
                        let space = *space;
                        match state.db.call(move |conn| store::summary(conn, space)).await {
                            Ok(Some(summary)) => send(&mut socket, Message::Text(hub::news(&summary))).await,
                            Ok(None) => true,
                            Err(_) => false,
                        }
                    }
                    Frame::Behind => match heads_afresh(&state, &session, &outbox).await {
                        Some(heads) => send_heads(&mut socket, &heads).await,
                        None => false,
                    },
                };
                outbox.written(&frame);
                if !sent {
                    break;
                }
            },
            message = socket.recv() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            () = &mut expiry => {
                tracing::debug!(%device, "news socket closed: session expired");
                break;
            }
            _ = stopping.changed() => break,
        }
    }
    let _ = socket.send(Message::Close(None)).await;
    tracing::debug!(%device, "news socket closed");
}
