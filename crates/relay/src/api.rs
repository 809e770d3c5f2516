//! The HTTP routes (listed in the crate's doc) and the checks made before the database.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use diplomatie_crypto::{Context, verify_as};
use diplomatie_protocol::relay::{
    ChallengeRequest, ChallengeResponse, CommitAccepted, CommitUpload, CreateSpaceRequest,
    EnrolRequest, EnrolResponse, KeyPackageUpload, KeyPackagesStored, MAX_KEY_PACKAGES_PER_DEVICE,
    MAX_PAGE_ENVELOPES, PushBatch, PushOutcome, PushResponse, RefusalReason, SessionRequest,
    SessionResponse, SpacesResponse, StartRequest,
};
use diplomatie_protocol::{
    DepositKey, DeviceCertificate, DeviceId, Envelope, MAX_DEPOSIT_KEY_BYTES, ProtocolError,
    SpaceId,
};
use serde::Deserialize;

use crate::auth::{self, Anonymous, Authed, Payload, now};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::mls::{self, Leaf};
use crate::state::AppState;
use crate::store::{self, Candidate, PushKind, Session};

/// The most envelopes in one batch.
pub const MAX_BATCH: usize = 1000;

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/enrol", post(enrol))
        .route("/v1/auth/challenge", post(challenge))
        .route("/v1/auth/session", post(session))
        .route("/v1/start", post(start))
        .route("/v1/spaces", post(create_space).get(list_spaces))
        .route("/v1/spaces/{space}/envelopes", post(push).get(pull))
        .route("/v1/spaces/{space}/deposits", post(deposit))
        .route(
            "/v1/spaces/{space}/deposit-key",
            put(publish_deposit_key).get(deposit_keys),
        )
        .route("/v1/spaces/{space}/commits", post(add_commit).get(commits))
        .route("/v1/welcomes", get(welcomes))
        .route("/v1/welcomes/{id}", delete(delete_welcome))
        .route("/v1/keypackages", post(publish_key_packages))
        .route("/v1/devices/{device}/keypackage", get(take_key_package))
        .route("/v1/news", get(crate::news::news))
        .merge(crate::links::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// Logs each request by its route (never its path's values, query, headers or body) and
/// counts its status class.
async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let start = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.count_response(status);
    tracing::info!(
        %method,
        route,
        status,
        ms = start.elapsed().as_millis(),
        "request"
    );
    response
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route: see the relay's API (/v1/...)".into())
}

fn json<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(v)| v).map_err(|r| {
        ApiError::BadRequest(format!(
            "the request's JSON body is not as expected: {}",
            r.body_text()
        ))
    })
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v).map_err(|_| {
        ApiError::BadRequest("the query string is not as expected: see the relay's API".into())
    })
}

fn space_id(text: &str) -> Result<SpaceId, ApiError> {
    SpaceId::from_hex(text)
        .ok_or_else(|| ApiError::BadRequest("a space id is 32 hexadecimal digits".into()))
}

fn device_id(text: &str) -> Result<DeviceId, ApiError> {
    DeviceId::from_hex(text)
        .ok_or_else(|| ApiError::BadRequest("a device id is 32 hexadecimal digits".into()))
}

fn binary(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    let answered = state
        .db
        .call(|conn| -> Result<i64, ApiError> { Ok(conn.query_row("SELECT 1", [], |r| r.get(0))?) })
        .await;
    match answered {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let figures = state.db.call(|conn| store::figures(conn, now())).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(figures),
    )
        .into_response())
}

// ---- enrolment and sessions ----

async fn enrol(
    State(state): State<AppState>,
    _: Anonymous,
    body: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<EnrolResponse>), ApiError> {
    let request = json(body)?;
    let certificate = DeviceCertificate::decode(&request.certificate)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if !certificate.valid_at(time::OffsetDateTime::now_utc()) {
        return Err(ApiError::BadRequest(
            "this device certificate has expired: certify the device again".into(),
        ));
    }
    let Some(hash) = auth::hash_token(&request.token) else {
        return Err(ApiError::Forbidden(
            "this enrolment token is unknown: ask the relay's operator for a new one".into(),
        ));
    };
    let device = certificate.device;
    state
        .db
        .call(move |conn| store::enrol(conn, hash, &certificate, now()))
        .await?;
    tracing::info!(%device, "device enrolled");
    Ok((StatusCode::CREATED, Json(EnrolResponse { device })))
}

async fn challenge(
    State(state): State<AppState>,
    _: Anonymous,
    body: Result<Json<ChallengeRequest>, JsonRejection>,
) -> Result<Json<ChallengeResponse>, ApiError> {
    let device = json(body)?.device;
    let enrolled = state
        .db
        .call(move |conn| store::session_key(conn, device))
        .await?
        .is_some();
    if !enrolled {
        return Err(not_enrolled());
    }
    let ttl = state.config.challenge_ttl;
    let at = Instant::now();
    let challenge = state.challenges.issue(device, at, at + ttl)?;
    Ok(Json(ChallengeResponse {
        challenge: challenge.to_vec(),
        expires_in_seconds: ttl.as_secs(),
    }))
}

fn not_enrolled() -> ApiError {
    ApiError::Unauthorized(
        "this device is not enrolled with this relay: enrol it with a token from the relay's operator".into(),
    )
}

async fn session(
    State(state): State<AppState>,
    _: Anonymous,
    body: Result<Json<SessionRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, ApiError> {
    let request = json(body)?;
    let device = request.device;
    if !state
        .challenges
        .take(&request.challenge, device, Instant::now())
    {
        return Err(ApiError::Unauthorized(
            "this challenge is unknown, used or expired: ask for a new one".into(),
        ));
    }
    let key = state
        .db
        .call(move |conn| store::session_key(conn, device))
        .await?
        .ok_or_else(not_enrolled)?;
    verify_as(Context::RelayAuth, &key, &request.challenge, &request.signature).map_err(|_| {
        tracing::info!(%device, "challenge signature refused");
        ApiError::Unauthorized(
            "the challenge's signature does not match this device's enrolled key: sign it with this device's key".into(),
        )
    })?;
    let (token, hash) = auth::new_token()?;
    let ttl = state.config.session_ttl;
    let seconds = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    state
        .db
        .call(move |conn| {
            let at = now();
            store::create_session(conn, hash, device, at, at.saturating_add(seconds))
        })
        .await?;
    tracing::info!(%device, "session opened");
    Ok(Json(SessionResponse {
        token,
        expires_in_seconds: ttl.as_secs(),
    }))
}

// ---- spaces ----
//
// A space is an MLS group: it is created from its group info, and its members are the devices
// its leaves name, changed only by the commits the relay checks (below).

/// The session's device as a leaf: its id and enrolled key.
fn leaf_of(session: &Session) -> Leaf {
    Leaf {
        device: session.device,
        key: session.signing_key,
    }
}

/// Runs the MLS checks, which take CPU, on the blocking pool.
async fn checked<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::Internal("the MLS checks stopped".into()))?
}

async fn create_space(
    State(state): State<AppState>,
    Authed(session): Authed,
    body: Result<Json<CreateSpaceRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = json(body)?;
    let space = request.space;
    let max = state.config.max_envelope_bytes;
    if request.group_info.len() > max {
        return Err(ApiError::TooLarge(format!(
            "this group info is larger than the relay takes ({max} bytes)"
        )));
    }
    let creator = leaf_of(&session);
    let group =
        checked(move || mls::check_group_info(&request.group_info, space, &creator)).await?;
    let members: Vec<DeviceId> = group.members.iter().map(|m| m.device).collect();
    let count = members.len();
    let hub = Arc::clone(&state.hub);
    let summary = state
        .db
        .call(move |conn| {
            let summary = store::create_space(conn, space, &group, now())?;
            // Under the connection: the members' sockets hear of every push after this.
            hub.joined(&summary, &members);
            Ok::<_, ApiError>(summary)
        })
        .await?;
    let device = session.device;
    tracing::info!(%space, %device, members = count, epoch = summary.epoch, "space created");
    Ok((StatusCode::CREATED, Json(summary)).into_response())
}

async fn list_spaces(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> Result<Json<SpacesResponse>, ApiError> {
    let device = session.device;
    let spaces = state
        .db
        .call(move |conn| store::spaces_of(conn, device))
        .await?;
    Ok(Json(SpacesResponse { spaces }))
}

// ---- the log ----

/// The checks that need no database: size, format, route, space, sender, signature.
fn check(
    bytes: Vec<u8>,
    space: SpaceId,
    kind: PushKind,
    session: &Session,
    max: usize,
) -> Candidate {
    let refuse = |reason, message: &str| Candidate::Refused(store::refused(reason, message));
    if bytes.len() > max {
        return refuse(
            RefusalReason::TooLarge,
            &format!(
                "this envelope is larger than the relay takes ({max} bytes): split its content"
            ),
        );
    }
    let envelope = match Envelope::decode(&bytes) {
        Ok(envelope) => envelope,
        Err(e @ ProtocolError::TooLarge { .. }) => {
            return refuse(RefusalReason::TooLarge, &e.to_string());
        }
        Err(e) => return refuse(RefusalReason::Malformed, &e.to_string()),
    };
    if envelope.is_deposit() != (kind == PushKind::Deposit) {
        return refuse(
            RefusalReason::WrongRoute,
            if envelope.is_deposit() {
                "this is a deposit: push it to the space's deposits"
            } else {
                "this envelope is sealed under the space's epoch key: only a member pushes it, to the space's envelopes"
            },
        );
    }
    let header = envelope.header();
    if header.space != space {
        return refuse(
            RefusalReason::WrongSpace,
            "this envelope is addressed to another space: push it there",
        );
    }
    if header.sender != session.device {
        return refuse(
            RefusalReason::WrongSender,
            "this envelope names another device as its sender: a device pushes only its own envelopes",
        );
    }
    if envelope.verify_key(&session.signing_key).is_err() {
        return refuse(
            RefusalReason::BadSignature,
            "this envelope's signature does not match its sender's enrolled key: it was altered or forged",
        );
    }
    Candidate::Ready {
        id: header.id,
        epoch: header.epoch,
        bytes,
    }
}

async fn take_batch(
    state: &AppState,
    session: Session,
    space: SpaceId,
    kind: PushKind,
    body: Payload,
) -> Result<Json<PushResponse>, ApiError> {
    let batch = PushBatch::decode(&body.0).map_err(|_| {
        ApiError::BadRequest(
            "the body is not a batch of envelopes (postcard Vec<Vec<u8>>): see the relay's API"
                .into(),
        )
    })?;
    drop(body);
    if batch.0.len() > MAX_BATCH {
        return Err(ApiError::TooLarge(format!(
            "a batch holds at most {MAX_BATCH} envelopes: send smaller batches"
        )));
    }
    if kind == PushKind::Deposit {
        for _ in &batch.0 {
            state
                .deposit_limit
                .take(&session.device, Instant::now())
                .map_err(|wait| ApiError::RateLimited {
                    retry_after_seconds: wait.as_secs().saturating_add(1),
                })?;
        }
    }
    let max = state.config.max_envelope_bytes;
    let candidates = tokio::task::spawn_blocking(move || {
        batch
            .0
            .into_iter()
            .map(|bytes| check(bytes, space, kind, &session, max))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| ApiError::Internal("the signature checks stopped".into()))?;
    let quota = state.config.space_quota_bytes;
    let device = session.device;
    let batch = crate::pushes::Batch {
        space,
        sender: device,
        kind,
        candidates,
        quota,
        now: now(),
    };
    let outcomes = crate::pushes::push(state, batch).await?;
    let (mut accepted, mut duplicate, mut refused) = (0u64, 0u64, 0u64);
    for outcome in &outcomes {
        match outcome {
            PushOutcome::Accepted {
                duplicate: false, ..
            } => accepted += 1,
            PushOutcome::Accepted { .. } => duplicate += 1,
            PushOutcome::Refused { .. } => refused += 1,
        }
    }
    Metrics::add(&state.metrics.envelopes_accepted, accepted);
    Metrics::add(&state.metrics.envelopes_duplicate, duplicate);
    Metrics::add(&state.metrics.envelopes_refused, refused);
    tracing::info!(%space, %device, ?kind, accepted, duplicate, refused, "batch taken");
    Ok(Json(PushResponse { outcomes }))
}

async fn push(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    body: Payload,
) -> Result<Json<PushResponse>, ApiError> {
    let space = space_id(&space)?;
    take_batch(&state, session, space, PushKind::Member, body).await
}

async fn deposit(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    body: Payload,
) -> Result<Json<PushResponse>, ApiError> {
    let space = space_id(&space)?;
    take_batch(&state, session, space, PushKind::Deposit, body).await
}

#[derive(Debug, Deserialize)]
struct PullQuery {
    after: Option<u64>,
    limit: Option<u32>,
}

async fn pull(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    q: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let space = space_id(&space)?;
    let q = query(q)?;
    let after = q.after.unwrap_or(0);
    let limit = q
        .limit
        .unwrap_or(MAX_PAGE_ENVELOPES)
        .min(MAX_PAGE_ENVELOPES);
    let device = session.device;
    let page = state
        .db
        .call(move |conn| store::pull(conn, space, device, after, limit))
        .await?;
    tracing::debug!(%space, %device, after, count = page.envelopes.len(), "page served");
    Ok(binary(page.encode()))
}

// ---- deposit keys ----

/// A member publishes the space's deposit key of its current epoch, signed by its device: it
/// replaces the device's earlier one.
async fn publish_deposit_key(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    body: Payload,
) -> Result<StatusCode, ApiError> {
    let space = space_id(&space)?;
    if body.0.len() > MAX_DEPOSIT_KEY_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a deposit key takes at most {MAX_DEPOSIT_KEY_BYTES} bytes: send the key alone, as DepositKey::bytes gives it"
        )));
    }
    let key = DepositKey::decode(&body.0).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body is not a deposit key (its bytes, as DepositKey::bytes gives them): {e}"
        ))
    })?;
    drop(body);
    if key.space != space {
        return Err(ApiError::BadRequest(
            "this deposit key is for another space: publish it there".into(),
        ));
    }
    if key.signer != session.device {
        return Err(ApiError::Forbidden(
            "this deposit key names another device as its signer: a device publishes only the deposit keys it signs".into(),
        ));
    }
    if key.verify_signer_key(&session.signing_key).is_err() {
        return Err(ApiError::BadRequest(
            "this deposit key's signature does not match this device's enrolled key: it was altered or forged".into(),
        ));
    }
    let device = session.device;
    let epoch = key.epoch;
    state
        .db
        .call(move |conn| {
            store::publish_deposit_key(conn, space, device, epoch, key.bytes(), now())
        })
        .await?;
    tracing::info!(%space, %device, epoch, "deposit key published");
    Ok(StatusCode::NO_CONTENT)
}

/// Any enrolled device reads a space's deposit keys, to deposit into it.
async fn deposit_keys(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
) -> Result<Response, ApiError> {
    let space = space_id(&space)?;
    let keys = state
        .db
        .call(move |conn| store::deposit_keys(conn, space))
        .await?;
    let device = session.device;
    tracing::debug!(%space, %device, count = keys.keys.len(), "deposit keys served");
    Ok(binary(keys.encode()))
}

// ---- commits ----

#[derive(Debug, Deserialize)]
struct CommitQuery {
    epoch: u64,
}

async fn add_commit(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    q: Result<Query<CommitQuery>, QueryRejection>,
    body: Payload,
) -> Result<Json<CommitAccepted>, ApiError> {
    let space = space_id(&space)?;
    let epoch = query(q)
        .map_err(|_| {
            ApiError::BadRequest("say which epoch the commit is made at: ?epoch=E".into())
        })?
        .epoch;
    let device = session.device;
    let result = take_commit(&state, session, space, epoch, body).await;
    match &result {
        Ok(_) => {
            Metrics::add(&state.metrics.commits_accepted, 1);
            tracing::info!(%space, %device, epoch, "commit accepted");
        }
        Err(e @ ApiError::Conflict { .. }) => {
            Metrics::add(&state.metrics.commits_refused, 1);
            tracing::info!(%space, %device, epoch, status = e.status().as_u16(), "commit too late");
        }
        Err(e @ (ApiError::BadRequest(_) | ApiError::Forbidden(_) | ApiError::TooLarge(_))) => {
            Metrics::add(&state.metrics.commits_invalid, 1);
            tracing::info!(%space, %device, epoch, status = e.status().as_u16(), "commit refused");
        }
        Err(_) => {}
    }
    result.map(Json)
}

/// Decodes, orders and checks a commit, then takes it (see [`store::add_commit`]).
async fn take_commit(
    state: &AppState,
    session: Session,
    space: SpaceId,
    epoch: u64,
    body: Payload,
) -> Result<CommitAccepted, ApiError> {
    let upload = CommitUpload::decode(&body.0).map_err(|_| {
        ApiError::BadRequest(
            "the body is not a commit upload (postcard CommitUpload {commit, welcome}): see the relay's API".into(),
        )
    })?;
    drop(body);
    let max = state.config.max_envelope_bytes;
    if upload.commit.len() > max || upload.welcome.as_ref().is_some_and(|w| w.len() > max) {
        return Err(ApiError::TooLarge(format!(
            "this commit or its welcome is larger than the relay takes ({max} bytes)"
        )));
    }
    if upload.commit.is_empty() {
        return Err(ApiError::BadRequest("a commit cannot be empty".into()));
    }
    let device = session.device;
    let group = state
        .db
        .call(move |conn| store::group_of(conn, space, device))
        .await?;
    if group.epoch != epoch {
        return Err(store::commit_conflict(group.epoch, epoch));
    }
    let sender = leaf_of(&session);
    let (accepted, upload) = checked(move || {
        let accepted = mls::process_commit(
            &group.state,
            space,
            epoch,
            &sender,
            &upload.commit,
            upload.welcome.as_deref(),
        )?;
        Ok((accepted, upload))
    })
    .await?;
    let quota = state.config.space_quota_bytes;
    let hub = Arc::clone(&state.hub);
    let (summary, change) = state
        .db
        .call(move |conn| {
            let (summary, change) =
                store::add_commit(conn, space, device, epoch, &accepted, &upload, quota, now())?;
            // Under the connection: the removed hear nothing pushed after this commit, the
            // rest hear of its epoch, the added of the space, at its new epoch.
            hub.left(space, &change.removed);
            hub.moved(&summary);
            hub.joined(&summary, &change.added);
            Ok::<_, ApiError>((summary, change))
        })
        .await?;
    tracing::info!(
        %space,
        added = change.added.len(),
        removed = change.removed.len(),
        "membership from commit"
    );
    let new_epoch = summary.epoch;
    Ok(CommitAccepted { epoch: new_epoch })
}

#[derive(Debug, Deserialize)]
struct CommitsQuery {
    after: Option<u64>,
}

async fn commits(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(space): Path<String>,
    q: Result<Query<CommitsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let space = space_id(&space)?;
    let after = query(q)?.after.unwrap_or(0);
    let device = session.device;
    let page = state
        .db
        .call(move |conn| store::commits(conn, space, device, after))
        .await?;
    Ok(binary(page.encode()))
}

// ---- the start of a sync ----

/// One round trip before a device reads its logs: its key packages held, its welcomes, its
/// spaces, and the commits it has not processed.
async fn start(
    State(state): State<AppState>,
    Authed(session): Authed,
    body: Payload,
) -> Result<Response, ApiError> {
    let request = StartRequest::decode(&body.0).map_err(|_| {
        ApiError::BadRequest(
            "the body is not the start of a sync (postcard StartRequest): see the relay's API"
                .into(),
        )
    })?;
    if request.spaces.len() > diplomatie_protocol::relay::MAX_START_SPACES {
        return Err(ApiError::TooLarge(format!(
            "a sync starts with at most {} spaces: ask about fewer",
            diplomatie_protocol::relay::MAX_START_SPACES
        )));
    }
    let device = session.device;
    let start = state
        .db
        .call(move |conn| store::start(conn, device, &request, now()))
        .await?;
    Ok(binary(start.encode()))
}

// ---- welcomes ----

async fn welcomes(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> Result<Response, ApiError> {
    let device = session.device;
    let page = state
        .db
        .call(move |conn| store::welcomes_of(conn, device))
        .await?;
    tracing::debug!(%device, count = page.welcomes.len(), "welcomes served");
    Ok(binary(page.encode()))
}

async fn delete_welcome(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: u64 = id
        .parse()
        .map_err(|_| ApiError::BadRequest("a welcome's id is a number".into()))?;
    let device = session.device;
    let deleted = state
        .db
        .call(move |conn| store::delete_welcome(conn, device, id))
        .await?;
    if !deleted {
        return Err(ApiError::NotFound(
            "this device has no welcome with this id: list its welcomes again".into(),
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---- key packages ----

async fn publish_key_packages(
    State(state): State<AppState>,
    Authed(session): Authed,
    body: Payload,
) -> Result<Json<KeyPackagesStored>, ApiError> {
    let upload = KeyPackageUpload::decode(&body.0).map_err(|_| {
        ApiError::BadRequest(
            "the body is not a batch of key packages (postcard Vec<Vec<u8>>): see the relay's API"
                .into(),
        )
    })?;
    drop(body);
    let most = usize::try_from(MAX_KEY_PACKAGES_PER_DEVICE).unwrap_or(usize::MAX);
    if upload.0.len() > most {
        return Err(ApiError::QuotaExceeded(format!(
            "the relay keeps at most {MAX_KEY_PACKAGES_PER_DEVICE} key packages per device: publish fewer"
        )));
    }
    let max = state.config.max_envelope_bytes;
    let owner = leaf_of(&session);
    let packages = checked(move || {
        upload
            .0
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| {
                if bytes.len() > max {
                    return Err(ApiError::TooLarge(format!(
                        "key package {i} of the batch is larger than the relay takes ({max} bytes)"
                    )));
                }
                let checked = mls::check_key_package(&bytes, &owner).map_err(|why| {
                    ApiError::BadRequest(format!(
                        "key package {i} of the batch is refused, and nothing of the batch kept: {why}"
                    ))
                })?;
                Ok((checked.reference, bytes, checked.not_after))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    let device = session.device;
    let stored = state
        .db
        .call(move |conn| store::add_key_packages(conn, device, &packages, now()))
        .await?;
    tracing::info!(%device, added = stored.added, held = stored.held, "key packages published");
    Ok(Json(stored))
}

async fn take_key_package(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(device): Path<String>,
) -> Result<Response, ApiError> {
    let device = device_id(&device)?;
    let by = session.device;
    let package = state
        .db
        .call(move |conn| store::take_key_package(conn, device, now()))
        .await?;
    tracing::info!(%device, %by, "key package handed out");
    Ok(binary(package))
}
