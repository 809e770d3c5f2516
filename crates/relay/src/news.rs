//! `GET /v1/news`: a WebSocket telling a device, on connect and whenever one of its spaces
//! moves, `{"space": hex, "head": seq, "epoch": e}`. Every socket has its own task fed by one
//! broadcast channel: a slow socket only falls behind itself, and when it has fallen too far
//! behind (the channel lagged) it is sent every one of its spaces' heads afresh. The socket
//! closes when its session expires or the relay stops.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use diplomatie_protocol::SpaceId;
use diplomatie_protocol::relay::{News, SpaceSummary};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::{self, now};
use crate::error::ApiError;
use crate::state::{AppState, Event};
use crate::store::{self, Session};

/// A socket that takes longer than this to accept one message is closed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
pub struct NewsQuery {
    token: Option<String>,
}

pub async fn news(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NewsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = auth::bearer(&headers)
        .map(str::to_owned)
        .or(q.token)
        .unwrap_or_default();
    // Authenticated first: without a session, the answer is 401 whatever the upgrade.
    let session = auth::authenticate(&state, &token).await?;
    let upgrade = upgrade.map_err(|_| {
        ApiError::BadRequest("/v1/news is a WebSocket: connect with a WebSocket client".into())
    })?;
    Ok(upgrade.on_upgrade(move |socket| run(state, session, socket)))
}

/// Counts the socket as open for as long as it lives.
struct Open<'a>(&'a AppState);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.metrics.websockets.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn send(socket: &mut WebSocket, summary: &SpaceSummary) -> bool {
    let news = News {
        space: summary.space,
        head: summary.head,
        epoch: summary.epoch,
    };
    let Ok(text) = serde_json::to_string(&news) else {
        return false;
    };
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

async fn spaces(state: &AppState, session: &Session) -> Option<Vec<SpaceSummary>> {
    let device = session.device;
    state
        .db
        .call(move |conn| store::spaces_of(conn, device))
        .await
        .ok()
}

async fn run(state: AppState, session: Session, mut socket: WebSocket) {
    state.metrics.websockets.fetch_add(1, Ordering::Relaxed);
    let _open = Open(&state);
    let device = session.device;
    tracing::debug!(%device, "news socket opened");
    // Subscribe before reading the heads, so that nothing in between is missed.
    let mut events = state.news.subscribe();
    let mut stopping = state.stopping.clone();
    let left = u64::try_from(session.expires_at.saturating_sub(now())).unwrap_or(0);
    let expiry = tokio::time::sleep(Duration::from_secs(left));
    tokio::pin!(expiry);
    let mut mine: BTreeSet<SpaceId> = BTreeSet::new();
    let mut resend = true;
    loop {
        if resend {
            resend = false;
            let Some(list) = spaces(&state, &session).await else {
                break;
            };
            mine = list.iter().map(|s| s.space).collect();
            let mut ok = true;
            for summary in &list {
                ok = ok && send(&mut socket, summary).await;
            }
            if !ok {
                break;
            }
        }
        tokio::select! {
            event = events.recv() => match event {
                Ok(Event::Head(summary)) => {
                    if mine.contains(&summary.space) && !send(&mut socket, &summary).await {
                        break;
                    }
                }
                Ok(Event::Membership { space, device: who, member }) if who == device => {
                    if member {
                        mine.insert(space);
                        let summary = state.db.call(move |conn| store::summary(conn, space)).await;
                        if let Ok(Some(summary)) = summary
                            && !send(&mut socket, &summary).await
                        {
                            break;
                        }
                    } else {
                        mine.remove(&space);
                    }
                }
                Ok(Event::Membership { .. }) => {}
                Err(RecvError::Lagged(_)) => resend = true,
                Err(RecvError::Closed) => break,
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
