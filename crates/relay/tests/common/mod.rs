//! The relay's test kit: a relay in this process on 127.0.0.1:0, or the real binary; devices
//! with real keys and certificates; a small client over HTTP.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod mls;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use diplomatie_crypto::{AgreementKey, Context, SecretKey, SigningKey, hex, random_bytes};
use diplomatie_protocol::relay::{
    ChallengeResponse, CommitPage, CommitUpload, DepositKeys, EnvelopePage, ErrorBody, ErrorKind,
    KeyPackageUpload, KeyPackagesStored, PushBatch, PushOutcome, PushResponse, SessionResponse,
    Start, StartRequest, WelcomePage,
};
use diplomatie_protocol::{
    Content, ContentKind, DeviceCertificate, DeviceId, Envelope, EnvelopeHeader, EnvelopeId,
    SpaceId,
};
use diplomatie_relay::{Config, Relay};
use serde_json::json;
use time::OffsetDateTime;

/// A relay served by this process.
pub struct InProcess {
    pub url: String,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl InProcess {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path());
        adjust(&mut config);
        let relay = Relay::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            relay
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            url,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn invite(&self) -> String {
        invite(self.dir.path(), Duration::from_secs(3600))
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(15), task)
                .await
                .expect("the relay stops within 15 s")
                .unwrap();
        }
    }
}

/// A token for the relay whose data is in `dir`, valid for `valid` (in the past when zero).
pub fn invite(dir: &Path, valid: Duration) -> String {
    let expires = OffsetDateTime::now_utc() + valid;
    diplomatie_relay::invite(dir, expires).unwrap().token
}

pub fn expired_invite(dir: &Path) -> String {
    let expires = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    diplomatie_relay::invite(dir, expires).unwrap().token
}

/// The real `diplomatie-relay serve`, killed when dropped.
pub struct Process {
    pub child: Child,
    pub url: String,
    pub stderr: Option<ChildStderr>,
    stdout: std::sync::Arc<std::sync::Mutex<String>>,
}

pub fn relay_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_diplomatie-relay"))
}

impl Process {
    pub fn start(dir: &Path, rust_log: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(relay_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir)
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let printed = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = std::sync::Arc::clone(&printed);
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                keep.lock().unwrap().push_str(&line);
                let _ = tx.send(line);
            }
            // Keep reading (and keeping) so the relay never blocks on a full pipe.
            for line in lines.map_while(Result::ok) {
                let mut kept = keep.lock().unwrap();
                kept.push('\n');
                kept.push_str(&line);
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the relay did not say where it listens within 30 s");
            }
        };
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        let stderr = child.stderr.take();
        Self {
            child,
            url,
            stderr,
            stdout: printed,
        }
    }

    /// What the process printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (bounded) for a clean exit; returns its exit status' success.
    pub fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill9();
        false
    }

    /// Everything the process wrote on stderr (once it has exited).
    pub fn take_stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut stderr) = self.stderr.take() {
            use std::io::Read;
            let _ = stderr.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A device with real keys: its identity key certifies its signing and agreement keys.
pub struct Device {
    pub id: DeviceId,
    pub signing: SigningKey,
    pub certificate: DeviceCertificate,
    identity: SigningKey,
    seq: std::sync::atomic::AtomicU64,
}

impl Device {
    pub fn new() -> Self {
        Self::certified_by(SigningKey::generate().unwrap())
    }

    /// A device with new keys, certified by the identity key `identity`.
    pub fn certified_by(identity: SigningKey) -> Self {
        let signing = SigningKey::generate().unwrap();
        let agreement = AgreementKey::generate().unwrap();
        let id = DeviceId(random_bytes::<16>().unwrap());
        let certificate = DeviceCertificate::issue(
            &identity,
            id,
            signing.public_key(),
            agreement.public_key(),
            OffsetDateTime::now_utc(),
            None,
        )
        .unwrap();
        Self {
            id,
            signing,
            certificate,
            identity,
            seq: 0.into(),
        }
    }

    /// Another device of the same person: its own id and keys, certified by this device's
    /// identity key.
    pub fn sibling(&self) -> Self {
        Self::certified_by(SigningKey::from_pkcs8(self.identity.pkcs8()).unwrap())
    }

    /// A deposit by this device into `space`, sealed to the deposit key of `epoch` whose
    /// epoch key is `key`.
    pub fn deposit(&self, space: SpaceId, epoch: u64, key: &SecretKey, body: &[u8]) -> Vec<u8> {
        let secret = diplomatie_protocol::DepositSecret::derive(space, epoch, key).unwrap();
        let deposit_key =
            diplomatie_protocol::DepositKey::issue(&secret, self.id, &self.signing).unwrap();
        let card = diplomatie_protocol::ContactCard::issue(
            &self.identity,
            diplomatie_protocol::CardDetails {
                name: "Déposant".into(),
                org: "Ministère".into(),
                role: String::new(),
                email: None,
            },
            OffsetDateTime::now_utc(),
            std::slice::from_ref(&self.certificate),
        )
        .unwrap();
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let header = EnvelopeHeader {
            space,
            epoch,
            sender: self.id,
            seq,
            id: EnvelopeId::random().unwrap(),
        };
        let content = Content {
            kind: ContentKind::Item,
            body: body.to_vec(),
        };
        Envelope::deposit(header, &deposit_key, &card, &content, &self.signing)
            .unwrap()
            .bytes()
            .to_vec()
    }

    /// The deposit key of `space` at `epoch`, whose epoch key is `key`, signed by this device.
    pub fn deposit_key(&self, space: SpaceId, epoch: u64, key: &SecretKey) -> Vec<u8> {
        let secret = diplomatie_protocol::DepositSecret::derive(space, epoch, key).unwrap();
        diplomatie_protocol::DepositKey::issue(&secret, self.id, &self.signing)
            .unwrap()
            .bytes()
            .to_vec()
    }

    /// An envelope from this device, sealed under `key`.
    pub fn envelope(&self, space: SpaceId, epoch: u64, key: &SecretKey, body: &[u8]) -> Vec<u8> {
        self.envelope_as(self.id, space, epoch, key, body)
    }

    /// An envelope signed by this device but naming `sender`.
    pub fn envelope_as(
        &self,
        sender: DeviceId,
        space: SpaceId,
        epoch: u64,
        key: &SecretKey,
        body: &[u8],
    ) -> Vec<u8> {
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let header = EnvelopeHeader {
            space,
            epoch,
            sender,
            seq,
            id: EnvelopeId::random().unwrap(),
        };
        let content = Content {
            kind: ContentKind::Item,
            body: body.to_vec(),
        };
        Envelope::seal(header, key, &content, &self.signing)
            .unwrap()
            .bytes()
            .to_vec()
    }
}

pub fn http() -> Http {
    Http
}

/// A minimal HTTP/1.1 client over TCP, for tests: one request per connection
/// (`Connection: close`), the answer read whole. (reqwest with `rustls-no-provider` refuses to
/// build a client until a rustls crypto provider is installed, even for plain http.)
#[derive(Debug, Clone, Copy)]
pub struct Http;

impl Http {
    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new("GET", url.into())
    }

    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new("POST", url.into())
    }

    pub fn delete(&self, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new("DELETE", url.into())
    }

    pub fn put(&self, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new("PUT", url.into())
    }
}

#[derive(Debug)]
pub struct RequestBuilder {
    method: &'static str,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RequestBuilder {
    fn new(method: &'static str, url: String) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn bearer_auth(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, value: &impl serde::Serialize) -> Self {
        let mut this = self.header("content-type", "application/json");
        this.body = serde_json::to_vec(value).unwrap();
        this
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    pub async fn send(self) -> Result<Response, std::io::Error> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rest = self.url.strip_prefix("http://").expect("plain http only");
        let (address, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.method,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(&self.body);
        stream.write_all(&request).await?;
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
            .await
            .map_err(|_| std::io::Error::other("no answer within 30 s"))??;
        Ok(Response::parse(&raw))
    }
}

#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Self {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        let head = std::str::from_utf8(&raw[..split]).unwrap();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let code: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        for line in lines {
            let (name, value) = line.split_once(':').unwrap();
            headers.append(
                axum::http::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
                value.trim().parse().unwrap(),
            );
        }
        let mut body = raw[split + 4..].to_vec();
        let chunked = headers
            .get("transfer-encoding")
            .is_some_and(|v| v.to_str().unwrap().contains("chunked"));
        if chunked {
            let mut out = Vec::new();
            let mut rest = &body[..];
            loop {
                let at = rest.windows(2).position(|w| w == b"\r\n").unwrap();
                let size =
                    usize::from_str_radix(std::str::from_utf8(&rest[..at]).unwrap().trim(), 16)
                        .unwrap();
                rest = &rest[at + 2..];
                if size == 0 {
                    break;
                }
                out.extend_from_slice(&rest[..size]);
                rest = &rest[size + 2..];
            }
            body = out;
        }
        Self {
            status: StatusCode::from_u16(code).unwrap(),
            headers,
            body,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &axum::http::HeaderMap {
        &self.headers
    }

    pub async fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    pub async fn bytes(self) -> Result<Vec<u8>, std::io::Error> {
        Ok(self.body)
    }

    pub async fn text(self) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(self.body)
    }
}

/// A device talking to a relay, with its MLS groups.
pub struct Client {
    pub http: Http,
    pub url: String,
    pub device: Device,
    pub token: String,
    pub mls: std::sync::Mutex<mls::Mls>,
}

pub async fn error_of(response: Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    let body: ErrorBody = response.json().await.unwrap();
    (status, body)
}

/// Enrols `device` with `token`.
pub async fn enrol(url: &str, device: &Device, token: &str) -> Response {
    http()
        .post(format!("{url}/v1/enrol"))
        .json(&json!({ "token": token, "certificate": hex::encode(device.certificate.bytes()) }))
        .send()
        .await
        .unwrap()
}

pub async fn challenge(url: &str, device: DeviceId) -> Response {
    http()
        .post(format!("{url}/v1/auth/challenge"))
        .json(&json!({ "device": device.hex() }))
        .send()
        .await
        .unwrap()
}

/// Opens a session: the challenge signed with `key`.
pub async fn session_with(url: &str, device: DeviceId, key: &SigningKey) -> Response {
    let response = challenge(url, device).await;
    assert_eq!(response.status(), StatusCode::OK);
    let challenge: ChallengeResponse = response.json().await.unwrap();
    let signature = key.sign_as(Context::RelayAuth, &challenge.challenge);
    http()
        .post(format!("{url}/v1/auth/session"))
        .json(&json!({
            "device": device.hex(),
            "challenge": hex::encode(&challenge.challenge),
            "signature": hex::encode(&signature),
        }))
        .send()
        .await
        .unwrap()
}

impl Client {
    /// A new device, enrolled with a fresh invitation and in a session.
    pub async fn join(url: &str, dir: &Path) -> Self {
        let device = Device::new();
        let token = invite(dir, Duration::from_secs(3600));
        let response = enrol(url, &device, &token).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        Self::login(url, device).await
    }

    /// `device`, enrolled with a fresh invitation and in a session.
    pub async fn join_as(url: &str, dir: &Path, device: Device) -> Self {
        let token = invite(dir, Duration::from_secs(3600));
        assert_eq!(
            enrol(url, &device, &token).await.status(),
            StatusCode::CREATED
        );
        Self::login(url, device).await
    }

    pub async fn login(url: &str, device: Device) -> Self {
        let response = session_with(url, device.id, &device.signing).await;
        assert_eq!(response.status(), StatusCode::OK);
        let session: SessionResponse = response.json().await.unwrap();
        Self {
            http: http(),
            url: url.to_owned(),
            device,
            token: session.token,
            mls: std::sync::Mutex::new(mls::Mls::default()),
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.http
            .delete(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.http
            .put(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub fn mls(&self) -> std::sync::MutexGuard<'_, mls::Mls> {
        self.mls.lock().unwrap()
    }

    /// Creates a space from a new MLS group of this device alone (201 expected).
    pub async fn create_space(&self) -> SpaceId {
        let space = SpaceId::random().unwrap();
        let info = {
            let mut mls = self.mls();
            mls.create(self.device.id, &self.device.signing, space);
            mls.group_info(&self.device.signing, space)
        };
        let response = self.create_space_raw(space, &info).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        space
    }

    pub async fn create_space_raw(&self, space: SpaceId, group_info: &[u8]) -> Response {
        self.post("/v1/spaces")
            .json(&json!({ "space": space.hex(), "group_info": hex::encode(group_info) }))
            .send()
            .await
            .unwrap()
    }

    /// A fresh key package of this device.
    pub fn key_package(&self) -> Vec<u8> {
        self.mls().key_package(self.device.id, &self.device.signing)
    }

    pub async fn publish_raw(&self, packages: Vec<Vec<u8>>) -> Response {
        self.post("/v1/keypackages")
            .header("content-type", "application/octet-stream")
            .body(KeyPackageUpload(packages).encode())
            .send()
            .await
            .unwrap()
    }

    /// Publishes `n` fresh key packages (200 expected).
    pub async fn publish_key_packages(&self, n: usize) -> KeyPackagesStored {
        let packages = (0..n).map(|_| self.key_package()).collect();
        let response = self.publish_raw(packages).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn fetch_key_package_raw(&self, device: DeviceId) -> Response {
        self.get(&format!("/v1/devices/{device}/keypackage"))
            .send()
            .await
            .unwrap()
    }

    /// One key package of `device` (200 expected).
    pub async fn fetch_key_package(&self, device: DeviceId) -> Vec<u8> {
        let response = self.fetch_key_package_raw(device).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream"
        );
        response.bytes().await.unwrap()
    }

    pub async fn commit_raw(&self, space: SpaceId, epoch: u64, upload: &CommitUpload) -> Response {
        self.post(&format!("/v1/spaces/{space}/commits?epoch={epoch}"))
            .header("content-type", "application/octet-stream")
            .body(upload.encode())
            .send()
            .await
            .unwrap()
    }

    /// Sends the pending commit `upload`, made at this device's epoch of the space; merges it
    /// if the relay takes it, forgets it otherwise.
    pub async fn send_commit(&self, space: SpaceId, upload: &CommitUpload) -> StatusCode {
        let epoch = self.mls().epoch(space);
        let status = self.commit_raw(space, epoch, upload).await.status();
        if status == StatusCode::OK {
            self.mls().merge(space);
        } else {
            self.mls().discard(space);
        }
        status
    }

    /// Adds `other` through MLS: it publishes a key package, this device takes it, commits
    /// the add with its welcome; then `other` joins from its inbox. The commit's status.
    pub async fn add(&self, space: SpaceId, other: &Client) -> StatusCode {
        other.publish_key_packages(1).await;
        let package = self.fetch_key_package(other.device.id).await;
        let upload = self.mls().add(&self.device.signing, space, &[package]);
        let status = self.send_commit(space, &upload).await;
        if status == StatusCode::OK {
            assert_eq!(other.accept_welcomes().await, [space]);
        }
        status
    }

    /// Removes `devices` through a commit of this device. The commit's status.
    pub async fn remove(&self, space: SpaceId, devices: &[DeviceId]) -> StatusCode {
        let upload = self.mls().remove(&self.device.signing, space, devices);
        self.send_commit(space, &upload).await
    }

    /// Commits an update of this device's own leaf. The commit's status.
    pub async fn update(&self, space: SpaceId) -> StatusCode {
        let upload = self.mls().update(&self.device.signing, space);
        self.send_commit(space, &upload).await
    }

    pub async fn welcomes_raw(&self) -> Response {
        self.get("/v1/welcomes").send().await.unwrap()
    }

    pub async fn welcomes(&self) -> WelcomePage {
        let response = self.welcomes_raw().await;
        assert_eq!(response.status(), StatusCode::OK);
        WelcomePage::decode(&response.bytes().await.unwrap()).unwrap()
    }

    /// Joins every space its inbox welcomes it to, deleting each welcome; those spaces.
    pub async fn accept_welcomes(&self) -> Vec<SpaceId> {
        let mut joined = Vec::new();
        for welcome in self.welcomes().await.welcomes {
            let space = self.mls().join(&welcome.bytes);
            assert_eq!(space, welcome.space);
            assert_eq!(self.mls().epoch(space), welcome.epoch);
            let response = self
                .delete(&format!("/v1/welcomes/{}", welcome.id))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            joined.push(space);
        }
        joined
    }

    /// The space's commits made at `after` and later.
    pub async fn commits(&self, space: SpaceId, after: u64) -> CommitPage {
        let response = self
            .get(&format!("/v1/spaces/{space}/commits?after={after}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        CommitPage::decode(&response.bytes().await.unwrap()).unwrap()
    }

    /// Processes the space's commits this device has not seen.
    pub async fn catch_up(&self, space: SpaceId) {
        let epoch = self.mls().epoch(space);
        for commit in self.commits(space, epoch).await.commits {
            self.mls().process(space, &commit.bytes);
        }
    }

    /// An envelope sealed under the space's epoch key, at its epoch, from this device.
    pub fn sealed(&self, space: SpaceId, body: &[u8]) -> Vec<u8> {
        let (epoch, key) = {
            let mls = self.mls();
            (mls.epoch(space), mls.epoch_key(space))
        };
        self.device.envelope(space, epoch, &key, body)
    }

    /// The space's deposit key of this device's epoch of it, signed by this device.
    pub fn deposit_key(&self, space: SpaceId) -> Vec<u8> {
        let (epoch, key) = {
            let mls = self.mls();
            (mls.epoch(space), mls.epoch_key(space))
        };
        self.device.deposit_key(space, epoch, &key)
    }

    pub async fn publish_deposit_key_raw(&self, space: SpaceId, key: Vec<u8>) -> Response {
        self.put(&format!("/v1/spaces/{space}/deposit-key"))
            .header("content-type", "application/octet-stream")
            .body(key)
            .send()
            .await
            .unwrap()
    }

    /// Publishes this device's deposit key of the space at its epoch (204 expected).
    pub async fn publish_deposit_key(&self, space: SpaceId) {
        let response = self
            .publish_deposit_key_raw(space, self.deposit_key(space))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    pub async fn deposit_keys_raw(&self, space: SpaceId) -> Response {
        self.get(&format!("/v1/spaces/{space}/deposit-key"))
            .send()
            .await
            .unwrap()
    }

    /// The space's published deposit keys, each decoded (200 expected).
    pub async fn deposit_keys(&self, space: SpaceId) -> Vec<diplomatie_protocol::DepositKey> {
        let response = self.deposit_keys_raw(space).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream"
        );
        let keys = DepositKeys::decode(&response.bytes().await.unwrap()).unwrap();
        keys.keys
            .iter()
            .map(|k| diplomatie_protocol::DepositKey::decode(k).unwrap())
            .collect()
    }

    pub async fn deposit_raw(&self, space: SpaceId, batch: &[Vec<u8>]) -> Response {
        self.batch_raw(space, "deposits", batch).await
    }

    /// Deposits and expects the batch taken (200).
    pub async fn deposit(&self, space: SpaceId, batch: &[Vec<u8>]) -> Vec<PushOutcome> {
        outcomes(self.deposit_raw(space, batch).await).await
    }

    /// The start of a sync, as this device asks for it (200 expected).
    pub async fn start(&self, spaces: Vec<(SpaceId, u64)>) -> Start {
        let response = self
            .post("/v1/start")
            .header("content-type", "application/octet-stream")
            .body(StartRequest { spaces }.encode())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Start::decode(&response.bytes().await.unwrap()).unwrap()
    }

    /// A batch sent to the space's `route`: `envelopes` or `deposits`.
    async fn batch_raw(&self, space: SpaceId, route: &str, batch: &[Vec<u8>]) -> Response {
        self.post(&format!("/v1/spaces/{space}/{route}"))
            .header("content-type", "application/octet-stream")
            .body(PushBatch(batch.to_vec()).encode())
            .send()
            .await
            .unwrap()
    }

    pub async fn push_raw(&self, space: SpaceId, batch: &[Vec<u8>]) -> Response {
        self.batch_raw(space, "envelopes", batch).await
    }

    /// Pushes and expects the batch taken (200).
    pub async fn push(&self, space: SpaceId, batch: &[Vec<u8>]) -> Vec<PushOutcome> {
        outcomes(self.push_raw(space, batch).await).await
    }

    pub async fn pull_raw(&self, space: SpaceId, after: u64) -> Response {
        self.get(&format!("/v1/spaces/{space}/envelopes?after={after}"))
            .send()
            .await
            .unwrap()
    }

    /// Every envelope of the space's log after `after`, following pages (bounded).
    pub async fn pull_all(&self, space: SpaceId) -> Vec<(u64, Vec<u8>)> {
        let mut after = 0;
        let mut all = Vec::new();
        for _ in 0..1000 {
            let response = self.pull_raw(space, after).await;
            assert_eq!(response.status(), StatusCode::OK);
            let page = EnvelopePage::decode(&response.bytes().await.unwrap()).unwrap();
            all.extend(page.envelopes);
            match page.next {
                Some(next) => after = next,
                None => return all,
            }
        }
        panic!("more than 1000 pages");
    }
}

/// The outcomes of a batch the relay took (200 expected).
async fn outcomes(response: Response) -> Vec<PushOutcome> {
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<PushResponse>().await.unwrap().outcomes
}

pub fn seq_of(outcome: &PushOutcome) -> u64 {
    match outcome {
        PushOutcome::Accepted { seq, .. } => *seq,
        PushOutcome::Refused { reason, message } => panic!("refused: {reason:?}: {message}"),
    }
}

pub fn assert_refused(outcome: &PushOutcome, expected: diplomatie_protocol::relay::RefusalReason) {
    match outcome {
        PushOutcome::Refused { reason, .. } => assert_eq!(*reason, expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

pub fn assert_error(status: StatusCode, body: &ErrorBody, expected: StatusCode, kind: ErrorKind) {
    assert_eq!(status, expected, "{body:?}");
    assert_eq!(body.error, kind, "{body:?}");
    assert!(!body.message.is_empty());
}

/// A socket reads `{"space","head","epoch"}` messages; `None` after `wait` without one.
pub fn read_news(
    socket: &mut tokio_tungstenite::tungstenite::WebSocket<std::net::TcpStream>,
    wait: Duration,
) -> Option<serde_json::Value> {
    use tokio_tungstenite::tungstenite::Message;
    socket.get_mut().set_read_timeout(Some(wait)).unwrap();
    let deadline = std::time::Instant::now() + wait;
    while std::time::Instant::now() < deadline {
        match socket.read() {
            Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
    None
}

pub fn connect_news(
    url: &str,
    token: &str,
    in_header: bool,
) -> tokio_tungstenite::tungstenite::WebSocket<std::net::TcpStream> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let address = url.trim_start_matches("http://");
    let mut request = if in_header {
        format!("ws://{address}/v1/news")
            .into_client_request()
            .unwrap()
    } else {
        format!("ws://{address}/v1/news?token={token}")
            .into_client_request()
            .unwrap()
    };
    if in_header {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (socket, _) = tokio_tungstenite::tungstenite::client::client(request, stream).unwrap();
    socket
}

/// Sends `head` (a request's line and headers, without the body's length) to the relay at
/// `url`, announcing a 1 GiB body (`announce`) or sending chunks, then up to 256 KiB of it;
/// the first bytes of the answer, which must come before the body is complete.
pub async fn answer_before_the_body_ends(url: &str, head: &str, announce: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let length = if announce {
        format!("Content-Length: {}", 1u64 << 30)
    } else {
        "Transfer-Encoding: chunked".to_owned()
    };
    let head = format!("{head}Host: {address}\r\n{length}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![0u8; 16 * 1024];
    for _ in 0..16 {
        let wrote = if announce {
            stream.write_all(&chunk).await
        } else {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            stream.write_all(&framed).await
        };
        if wrote.is_err() {
            break; // The relay answered and closed: fine.
        }
    }
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer before the body is complete")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}
