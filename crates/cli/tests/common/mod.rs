//! What the CLI's tests share: `diplo` run on a profile with the tests' passphrase, a profile
//! made, a person's card.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use diplomatie_testkit::cli::{self, ok};

pub const PASS: &str = "une phrase de passe assez longue";

pub fn diplo(profile: &Path, args: &[&str]) -> Output {
    cli::diplo(
        Path::new(env!("CARGO_BIN_EXE_diplo")),
        profile,
        &[("DIPLOMATIE_PASSPHRASE", PASS)],
        args,
    )
}

/// A new profile in `root/folder` (a cheap key derivation: tests only), with `extra` flags.
pub fn init(root: &Path, folder: &str, name: &str, org: &str, extra: &[&str]) -> PathBuf {
    let dir = root.join(folder);
    let mut args = vec![
        "init",
        "--name",
        name,
        "--org",
        org,
        "--kdf-cost",
        "m=8192,t=1",
    ];
    args.extend_from_slice(extra);
    ok(&diplo(&dir, &args));
    dir
}

/// The card line `diplo identity` prints last.
pub fn card_line(profile: &Path) -> String {
    ok(&diplo(profile, &["identity"]))
        .lines()
        .last()
        .unwrap()
        .to_owned()
}

/// `diplo` on a profile with the tests' passphrase, as a command to spawn (and kill); the
/// environment cleared as `diplo` above clears it.
pub fn diplo_command(profile: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_diplo"));
    cmd.arg("--profile").arg(profile).args(args);
    for var in [
        "DIPLOMATIE_PASSPHRASE",
        "DIPLOMATIE_NEW_PASSPHRASE",
        "DIPLOMATIE_EXCHANGE_PASSPHRASE",
        "DIPLOMATIE_PROFILE",
        "DIPLOMATIE_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DIPLOMATIE_PASSPHRASE", PASS)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// The relay's binary, built beside `diplo` (`cargo build -p diplomatie-relay`).
pub fn relay_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_diplo")).with_file_name("diplomatie-relay");
    assert!(
        bin.is_file(),
        "{} is missing: build the relay first (cargo build -p diplomatie-relay), then run these tests",
        bin.display()
    );
    bin
}

/// A one-time enrolment token from `diplomatie-relay invite` on the data folder `data`.
pub fn relay_invite(data: &Path) -> String {
    let out = std::process::Command::new(relay_bin())
        .arg("invite")
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "diplomatie-relay invite failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned()
}

/// The real relay as a process (`diplomatie-relay serve --listen 127.0.0.1:0`) on the data
/// folder `data`; killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct RelayProcess {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
    pub data: PathBuf,
}

impl RelayProcess {
    /// Starts the relay and waits (at most 30 s) until it says where it listens. Its log goes
    /// to `DATA.log` beside the data folder.
    #[allow(clippy::panic)]
    pub fn start(data: &Path) -> RelayProcess {
        use std::io::BufRead;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("log"))
            .unwrap();
        let mut child = std::process::Command::new(relay_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            // Holds the pipe open for as long as the relay runs.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the relay did not start ({other:?}): see {}",
                    data.with_extension("log").display()
                );
            }
        };
        let addr = line
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("the relay printed '{line}'"))
            .parse()
            .unwrap();
        RelayProcess {
            child,
            addr,
            data: data.to_owned(),
        }
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A TCP forwarder on 127.0.0.1:0 to a target that can change: the profiles keep one
/// relay address while the relay behind it is killed and started again on another port.
#[derive(Debug)]
pub struct Forwarder {
    pub addr: std::net::SocketAddr,
    target: std::sync::Arc<std::sync::Mutex<std::net::SocketAddr>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Forwarder {
    pub fn start(target: std::net::SocketAddr) -> Forwarder {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let target = std::sync::Arc::new(std::sync::Mutex::new(target));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (to, stopped) = (target.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let upstream = *to.lock().unwrap();
                // A relay that is down: the connection is closed, as the relay's would be.
                if let Ok(server) = std::net::TcpStream::connect_timeout(
                    &upstream,
                    std::time::Duration::from_secs(5),
                ) {
                    pipe(client, server);
                }
            }
        });
        Forwarder { addr, target, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// New connections go to `target` from now on.
    pub fn retarget(&self, target: std::net::SocketAddr) {
        *self.target.lock().unwrap() = target;
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

/// Copies both ways until either side closes, then closes both.
fn pipe(a: std::net::TcpStream, b: std::net::TcpStream) {
    let copy = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut from, &mut to);
            let _ = to.shutdown(std::net::Shutdown::Both);
            let _ = from.shutdown(std::net::Shutdown::Both);
        });
    };
    if let (Ok(a2), Ok(b2)) = (a.try_clone(), b.try_clone()) {
        copy(a, b);
        copy(b2, a2);
    }
}

/// A relay served on a thread of this process until dropped.
pub struct InProcess {
    pub url: String,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProcess {
    pub fn start() -> InProcess {
        InProcess::start_with(|_| {})
    }

    /// A relay whose configuration `adjust` changes first.
    pub fn start_with(adjust: impl FnOnce(&mut diplomatie_relay::Config)) -> InProcess {
        let dir = tempfile::tempdir().unwrap();
        let mut config = diplomatie_relay::Config::new(dir.path());
        adjust(&mut config);
        let relay = diplomatie_relay::Relay::open(config).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, address) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                bound.send(listener.local_addr().unwrap()).unwrap();
                relay
                    .serve(listener, async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap();
        InProcess {
            url: format!("http://{address}"),
            dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn invite(&self) -> String {
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        diplomatie_relay::invite(self.dir.path(), expires)
            .unwrap()
            .token
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
