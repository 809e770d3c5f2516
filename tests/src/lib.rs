//! The end-to-end harness: the real desktop app, built by `make test`, started by
//! tauri-driver + WebKitWebDriver on a private Xvfb display, with a private D-Bus session bus
//! whose notification server records every notification. Everything listens on 127.0.0.1 or
//! on sockets inside a temporary directory, and is stopped when the harness is dropped.
//!
//! The interface is found through `data-testid` attributes (the contract is listed in
//! ui/README.md).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod axe;
pub mod contrast;
pub mod fixture;
pub mod keyboard;
pub mod markup;

pub use keyboard::Focused;

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The passphrase of the profiles the tests make with the CLI.
pub const PASSPHRASE: &str = "correct horse battery staple 2026";

/// The passphrase of the drafts exchange folders the tests set up (`diplo exchange join`).
pub const EXCHANGE_PASSPHRASE: &str = "le dossier partagé du poste de Berlin";

/// How long to wait for the interface to reach a state.
pub const WAIT: Duration = Duration::from_secs(20);

/// The longest a test body may take: a WebDriver call that never answers fails the test
/// instead of hanging the run.
pub const TEST_LIMIT: Duration = Duration::from_secs(240);

/// Runs a test body within `TEST_LIMIT`.
pub async fn within<T>(fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(TEST_LIMIT, fut).await {
        Ok(result) => result,
        Err(_) => bail!("the test did not finish within {TEST_LIMIT:?}"),
    }
}

/// Prints a step of a test (to find where a failing one stopped).
pub fn step(what: &str) {
    eprintln!("  step: {what}");
}

/// Where failing tests leave their screenshots: `artifacts/e2e/`.
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Passes a test body's result on; on failure first saves a screenshot named after the test,
/// and the standard error of the apps and of the relay (`<name>-app.log`, `<name>-relay.log`).
pub fn checked(name: &str, session: &Session, result: Result<()>) -> Result<()> {
    if result.is_err() {
        let _ = session.screenshot(&artifacts().join(format!("{name}.png")));
        let _ = std::fs::copy(
            session.app_log(),
            artifacts().join(format!("{name}-app.log")),
        );
        let _ = std::fs::copy(
            session.dir.path().join("relay-stderr.log"),
            artifacts().join(format!("{name}-relay.log")),
        );
    }
    result
}

/// The last non-empty line of a CLI output, trimmed (the card of `diplo identity`, the digits
/// of `diplo contact safety-number`).
pub fn last_line(out: &str) -> Result<String> {
    Ok(out
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .context("an empty CLI output")?
        .to_owned())
}

/// The `id` of the JSON document a CLI command printed with `--json`.
pub fn id_of(json: &str) -> Result<String> {
    let v: Value = serde_json::from_str(json)?;
    Ok(v["id"]
        .as_str()
        .context("an id in the CLI output")?
        .to_owned())
}

/// The cargo profile directory this program runs from (`.../debug` or `.../release`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("executable path");
    let dir = exe.parent().expect("executable directory");
    // Tests run from .../debug/deps/<test>, binaries from .../release/<bin>.
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().expect("profile directory").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// A binary built by `make test` (`cargo build -p diplomatie -p diplomatie-cli -p diplomatie-relay`).
pub fn binary(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (`make test` does: cargo build -p diplomatie -p diplomatie-cli)",
        path.display()
    );
    path
}

fn tool(name: &str) -> PathBuf {
    let home_bin = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cargo/bin").join(name))
        .filter(|p| p.exists());
    if let Some(p) = home_bin {
        return p;
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is missing: run scripts/install-deps.sh test (make test does)")
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("timed out after {timeout:?} waiting for {what}")
}

#[derive(Debug)]
struct Process {
    name: &'static str,
    child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            eprintln!("note: {} had already exited ({status})", self.name);
            return;
        }
        // Asked first, so that it cleans up after itself (Xvfb removes its display lock);
        // killed if it has not gone within two seconds.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether display `n` is free: no lock, or the lock of a server that is no longer running
/// (left by a killed run; removed then, with its socket).
fn display_free(n: u32) -> bool {
    let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    match std::fs::read_to_string(&lock) {
        Err(_) => !socket.exists(),
        Ok(pid) => {
            let alive = pid
                .trim()
                .parse::<u32>()
                .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if alive {
                return false;
            }
            let _ = std::fs::remove_file(&lock);
            let _ = std::fs::remove_file(&socket);
            true
        }
    }
}

/// A screenshot of the whole of X display `display` (ImageMagick's `import`).
pub fn screenshot_of(display: &str, path: &Path) -> Result<()> {
    let status = Command::new(tool("import"))
        .args(["-display", display, "-window", "root"])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("run import (imagemagick)")?;
    if !status.success() {
        bail!("import could not take a screenshot of {display}");
    }
    Ok(())
}

/// The display, the bus and the notification server; one per test.
#[derive(Debug)]
pub struct Session {
    pub dir: tempfile::TempDir,
    pub display: String,
    pub bus: String,
    pub notifications: PathBuf,
    processes: Vec<Process>,
}

impl Session {
    pub fn start() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("diplomatie-e2e")
            .tempdir()?;
        let mut processes = Vec::new();

        // A display number nobody uses.
        let n = (90..190)
            .find(|&n| display_free(n))
            .context("no free X display number between :90 and :189")?;
        let display = format!(":{n}");
        let xvfb = Command::new(tool("Xvfb"))
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start Xvfb")?;
        processes.push(Process {
            name: "Xvfb",
            child: xvfb,
        });
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        wait_for("the Xvfb display", Duration::from_secs(10), || {
            socket.exists()
        })?;

        // A private session bus.
        let bus_socket = dir.path().join("bus");
        let bus = format!("unix:path={}", bus_socket.display());
        let daemon = Command::new(tool("dbus-daemon"))
            .args([
                "--session",
                "--nofork",
                "--nopidfile",
                &format!("--address={bus}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start dbus-daemon")?;
        processes.push(Process {
            name: "dbus-daemon",
            child: daemon,
        });
        wait_for("the D-Bus socket", Duration::from_secs(10), || {
            bus_socket.exists()
        })?;

        // The notification server.
        let notifications = dir.path().join("notifications.jsonl");
        std::fs::write(&notifications, b"")?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/notification_server.py");
        let mut server = Command::new("/usr/bin/python3")
            .arg(&script)
            .arg(&notifications)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start the notification server")?;
        let stdout = server.stdout.take().context("server stdout")?;
        processes.push(Process {
            name: "notification server",
            child: server,
        });
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        if line.trim() != "ready" {
            bail!("the notification server did not start (python3-dbus and python3-gi needed)");
        }

        Ok(Self {
            dir,
            display,
            bus,
            notifications,
            processes,
        })
    }

    /// A fresh, empty profile directory path (not created).
    /// Where the standard error of the apps started in this session goes.
    pub fn app_log(&self) -> PathBuf {
        self.dir.path().join("app-stderr.log")
    }

    /// The `XDG_RUNTIME_DIR` of the apps started in this session (mode 0700; the app's
    /// viewer folder goes there).
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("home/runtime")
    }

    pub fn profile_dir(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    /// Another profile of this session (a second person or device), by name (not created).
    pub fn other_profile_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("profile-{name}"))
    }

    /// Runs the `diplo` CLI on this session's profile; returns its standard output.
    pub fn diplo(&self, args: &[&str]) -> Result<String> {
        self.diplo_on(&self.profile_dir(), args)
    }

    /// Runs the `diplo` CLI on `profile`; returns its standard output.
    pub fn diplo_on(&self, profile: &Path, args: &[&str]) -> Result<String> {
        let out = Command::new(binary("diplo"))
            .arg("--profile")
            .arg(profile)
            .args(args)
            .env("DIPLOMATIE_PASSPHRASE", PASSPHRASE)
            .env("DIPLOMATIE_EXCHANGE_PASSPHRASE", EXCHANGE_PASSPHRASE)
            .output()
            .context("run diplo")?;
        if !out.status.success() {
            bail!(
                "diplo {:?} failed: {}",
                args.first(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Creates the profile with the CLI at the default (slow, real) key derivation cost.
    pub fn init_profile_real_kdf(&self, name: &str, org: &str, email: &str) -> Result<()> {
        self.diplo(&["init", "--name", name, "--org", org, "--email", email])?;
        Ok(())
    }

    /// Creates the profile with the CLI (fast key derivation: tests only).
    pub fn init_profile(&self, name: &str, org: &str, email: &str) -> Result<()> {
        self.init_profile_at(&self.profile_dir(), name, org, email)
    }

    /// Creates `profile` with the CLI (fast key derivation: tests only).
    pub fn init_profile_at(
        &self,
        profile: &Path,
        name: &str,
        org: &str,
        email: &str,
    ) -> Result<()> {
        self.diplo_on(
            profile,
            &[
                "init",
                "--name",
                name,
                "--org",
                org,
                "--email",
                email,
                "--kdf-cost",
                "m=8192,t=1",
            ],
        )?;
        Ok(())
    }

    /// Writes the GTK settings of the apps started from now on in this session
    /// (`$XDG_CONFIG_HOME/gtk-3.0/settings.ini`, `[Settings]` lines such as
    /// `gtk-enable-animations=false`, which WebKitGTK reads as `prefers-reduced-motion:
    /// reduce`).
    pub fn gtk_settings(&self, lines: &[&str]) -> Result<()> {
        let dir = self.dir.path().join("home/config/gtk-3.0");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("settings.ini"),
            format!("[Settings]\n{}\n", lines.join("\n")),
        )?;
        Ok(())
    }

    /// Every notification received so far.
    pub fn notifications(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.notifications)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until a notification satisfies `pred`; returns it.
    pub fn wait_notification(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Result<Value> {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Some(n) = self.notifications().into_iter().find(|n| pred(n)) {
                return Ok(n);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "no notification {what} after {WAIT:?}; received: {:?}",
            self.notifications()
        )
    }

    /// A screenshot of the whole display (ImageMagick's `import`: WebKitWebDriver's own
    /// screenshot command was seen to hang on some pages).
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        screenshot_of(&self.display, path)
    }

    /// Clicks a notification, as the user would in the notification server.
    pub fn click_notification(&self, id: u64) -> Result<()> {
        let status = Command::new("gdbus")
            .args([
                "call",
                "--session",
                "--dest",
                "org.freedesktop.Notifications",
                "--object-path",
                "/org/freedesktop/Notifications",
                "--method",
                "fr.diplomatie.TestNotifications.Click",
                &id.to_string(),
                "default",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("gdbus could not click notification {id}");
        }
        Ok(())
    }

    /// Starts the app on this session's profile through tauri-driver and connects to it.
    /// `env` adds variables to the app's environment.
    pub async fn app(&mut self, env: &[(&str, &str)]) -> Result<App> {
        self.start_app(&binary("diplomatie"), env).await
    }

    /// Starts `application` (the app, or the benchmarks' minimal window) through
    /// tauri-driver and connects to it.
    pub async fn start_app(&mut self, application: &Path, env: &[(&str, &str)]) -> Result<App> {
        let profile = self.profile_dir();
        self.start_app_on(application, &profile, env).await
    }

    /// Starts the app on `profile` (another person's or device's) through tauri-driver. The
    /// apps of one session share the display, the bus and the notification server.
    pub async fn app_on(&mut self, profile: &Path, env: &[(&str, &str)]) -> Result<App> {
        self.start_app_on(&binary("diplomatie"), profile, env).await
    }

    async fn start_app_on(
        &mut self,
        application: &Path,
        profile: &Path,
        env: &[(&str, &str)],
    ) -> Result<App> {
        let port = free_port();
        let native_port = free_port();
        let home = self.dir.path().join("home");
        for sub in ["data", "config", "cache", "runtime"] {
            std::fs::create_dir_all(home.join(sub))?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(self.runtime_dir(), std::fs::Permissions::from_mode(0o700))?;
        }
        let mut command = Command::new(tool("tauri-driver"));
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("LANG", "fr_FR.UTF-8")
            .env_remove("WAYLAND_DISPLAY")
            // WebKitGTK's GPU process has nothing to use under Xvfb.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdout(Stdio::null())
            // The app's standard error (its traces, with DIPLOMATIE_LOG) reaches this file
            // through tauri-driver and WebKitWebDriver.
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.app_log())?,
            );
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = command.spawn().context("start tauri-driver")?;
        self.processes.push(Process {
            name: "tauri-driver",
            child: driver,
        });
        wait_for("tauri-driver", Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        })?;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({
                "application": application,
                "args": ["--profile", profile],
            }),
        );
        let mut builder = ClientBuilder::rustls().context("WebDriver client")?;
        builder.capabilities(caps);
        // tauri-driver listens before WebKitWebDriver behind it is ready: a first session
        // request can find nobody there. Three tries, a second apart.
        let url = format!("http://127.0.0.1:{port}");
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            match builder.connect(&url).await {
                Ok(client) => break client,
                Err(e) if attempt < 3 => {
                    eprintln!("note: WebDriver session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e).context("WebDriver session with the app"),
            }
        };
        let app = App { client };
        app.wait_testid("app").await?;
        Ok(app)
    }
}

/// A relay (`diplomatie-relay serve`, built by `make test`), its data in the session's folder,
/// listening on 127.0.0.1 at a port the system chose. Stopped (SIGTERM, then killed) by
/// [`RelayProcess::stop`] or when dropped.
#[derive(Debug)]
pub struct RelayProcess {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The relay's data folder (its database).
    pub data: PathBuf,
    process: Option<Process>,
}

impl RelayProcess {
    /// A one-time enrolment token for one device (`diplomatie-relay invite`).
    pub fn invite(&self) -> Result<String> {
        let out = Command::new(binary("diplomatie-relay"))
            .arg("invite")
            .arg("--data")
            .arg(&self.data)
            .env("RUST_LOG", "warn")
            .output()
            .context("run diplomatie-relay invite")?;
        if !out.status.success() {
            bail!(
                "diplomatie-relay invite failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        last_line(&String::from_utf8(out.stdout)?)
    }

    /// Stops the relay and waits for it to be gone.
    pub fn stop(&mut self) {
        drop(self.process.take());
    }
}

impl Session {
    /// Starts a relay whose data is in this session's folder; its standard error goes to
    /// `relay-stderr.log` there.
    pub fn relay(&self) -> Result<RelayProcess> {
        let data = self.dir.path().join("relay");
        std::fs::create_dir_all(&data)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("relay-stderr.log"))?;
        let mut child = Command::new(binary("diplomatie-relay"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("start diplomatie-relay")?;
        let stdout = child.stdout.take().context("the relay's stdout")?;
        let process = Process {
            name: "diplomatie-relay",
            child,
        };
        // Its first line says where it listens; the rest is read until it exits.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .context("the relay did not say where it listens")?;
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .with_context(|| format!("unexpected first line from the relay: {first}"))?
            .to_owned();
        Ok(RelayProcess {
            url,
            data,
            process: Some(process),
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Last started, first stopped.
        while let Some(p) = self.processes.pop() {
            drop(p);
        }
    }
}

/// The app, through WebDriver.
#[derive(Debug)]
pub struct App {
    pub client: Client,
}

fn by_testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl App {
    pub async fn find(&self, testid: &str) -> Result<Element> {
        Ok(self.client.find(Locator::Css(&by_testid(testid))).await?)
    }

    pub async fn find_all(&self, testid: &str) -> Result<Vec<Element>> {
        Ok(self
            .client
            .find_all(Locator::Css(&by_testid(testid)))
            .await?)
    }

    /// Waits until an element with this test id exists.
    pub async fn wait_testid(&self, testid: &str) -> Result<Element> {
        self.wait_css(&by_testid(testid)).await
    }

    pub async fn wait_css(&self, css: &str) -> Result<Element> {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return Ok(e);
            }
            if start.elapsed() > WAIT {
                bail!("no element matches {css} after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `check` returns true (it is retried on errors too).
    pub async fn wait_until<F, Fut>(&self, what: &str, check: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        self.wait_until_within(what, WAIT, check).await
    }

    /// Waits up to `limit` until `check` returns true (it is retried on errors too): for what
    /// takes longer than the interface (a key derivation, several relay round trips).
    pub async fn wait_until_within<F, Fut>(
        &self,
        what: &str,
        limit: Duration,
        mut check: F,
    ) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        let start = Instant::now();
        loop {
            if let Ok(true) = check().await {
                return Ok(());
            }
            if start.elapsed() > limit {
                bail!("timed out after {limit:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An attribute of the first element with this test id (`None`: no such element or no
    /// such attribute). Read through a script, like every read here: one round trip, and
    /// WebKitWebDriver was seen not to answer some element-handle reads.
    pub async fn attr(&self, testid: &str, name: &str) -> Result<Option<String>> {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 return e ? e.getAttribute(arguments[1]) : null;",
                vec![Value::from(by_testid(testid)), Value::from(name)],
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// The same attribute of every element with this test id, in document order.
    pub async fn attrs(&self, testid: &str, name: &str) -> Result<Vec<String>> {
        self.strings(
            "return [...document.querySelectorAll(arguments[0])] \
               .map(e => e.getAttribute(arguments[1]) || '');",
            vec![Value::from(by_testid(testid)), Value::from(name)],
        )
        .await
    }

    /// The strings a script returns as an array (anything else in it is left out).
    async fn strings(&self, script: &str, args: Vec<Value>) -> Result<Vec<String>> {
        let v = self.client.execute(script, args).await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Calls one of the app's commands from the page, as a script running there could:
    /// `Ok(value)` when the backend answered, `Err(error)` with the error it returned.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Result<Value, Value>> {
        let v = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]) \
                   .then(v => done({ ok: v === undefined ? null : v }), e => done({ err: e }));",
                vec![Value::from(command), args],
            )
            .await?;
        match (v.get("ok"), v.get("err")) {
            (Some(ok), _) => Ok(Ok(ok.clone())),
            (None, Some(err)) => Ok(Err(err.clone())),
            _ => anyhow::bail!("no answer from {command}: {v}"),
        }
    }

    /// The rendered text of every element with this test id, in document order.
    pub async fn texts(&self, testid: &str) -> Result<Vec<String>> {
        self.strings(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);",
            vec![Value::from(by_testid(testid))],
        )
        .await
    }

    /// Clicks the `n`-th element (from 0) with this test id, through a script.
    pub async fn click_nth(&self, testid: &str, n: usize) -> Result<()> {
        let clicked = self
            .client
            .execute(
                "const e = document.querySelectorAll(arguments[0])[arguments[1]]; \
                 if (!e) return false; e.click(); return true;",
                vec![Value::from(by_testid(testid)), Value::from(n)],
            )
            .await?;
        if clicked != Value::Bool(true) {
            bail!("no element {n} with test id {testid}");
        }
        Ok(())
    }

    /// The `value` of every form field with this test id (inputs, text areas), in order.
    pub async fn values(&self, testid: &str) -> Result<Vec<String>> {
        self.strings(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.value);",
            vec![Value::from(by_testid(testid))],
        )
        .await
    }

    /// The test id of the focused element and its selection (start, end), if it has one.
    pub async fn focus(&self) -> Result<(String, Option<(u64, u64)>)> {
        let v = self
            .client
            .execute(
                "const e = document.activeElement; \
                 if (!e) return ['', null, null]; \
                 return [e.getAttribute('data-testid') || '', \
                         typeof e.selectionStart === 'number' ? e.selectionStart : null, \
                         typeof e.selectionEnd === 'number' ? e.selectionEnd : null];",
                Vec::new(),
            )
            .await?;
        let id = v[0].as_str().unwrap_or_default().to_owned();
        let sel = v[1].as_u64().zip(v[2].as_u64());
        Ok((id, sel))
    }

    /// The current screen: onboarding, unlock or main.
    pub async fn screen(&self) -> Result<String> {
        Ok(self.attr("app", "data-screen").await?.unwrap_or_default())
    }

    pub async fn wait_screen(&self, screen: &str) -> Result<()> {
        self.wait_until(&format!("the {screen} screen"), || async {
            Ok(self.screen().await? == screen)
        })
        .await
    }

    /// Unlocks the app from its unlock screen with the tests' passphrase.
    pub async fn unlock(&self) -> Result<()> {
        self.wait_screen("unlock").await?;
        self.fill("unlock-passphrase", PASSPHRASE).await?;
        self.click("unlock-submit").await?;
        self.wait_screen("main").await
    }

    pub async fn click(&self, testid: &str) -> Result<()> {
        self.wait_testid(testid).await?.click().await?;
        Ok(())
    }

    /// Replaces the value of a text field.
    pub async fn fill(&self, testid: &str, text: &str) -> Result<()> {
        let field = self.wait_testid(testid).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    pub async fn select(&self, testid: &str, value: &str) -> Result<()> {
        self.wait_testid(testid)
            .await?
            .select_by_value(value)
            .await?;
        Ok(())
    }

    /// The rendered text of the element with this test id (waiting for it to exist).
    pub async fn text(&self, testid: &str) -> Result<String> {
        self.wait_testid(testid).await?;
        Ok(self
            .texts(testid)
            .await?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// The inbox rows currently rendered, in order. (Read with one script: it is one round
    /// trip, and WebKitWebDriver does not always answer element-scoped lookups.)
    pub async fn rows(&self) -> Result<Vec<Row>> {
        let value = self
            .client
            .execute(
                "return [...document.querySelectorAll('[data-testid=\"item-row\"]')].map(r => ({ \
                   id: r.dataset.id || '', route: r.dataset.route || '', \
                   precedence: r.dataset.precedence || '', \
                   subject: (r.querySelector('[data-testid=\"row-subject\"]') || {}).textContent || '' }));",
                Vec::new(),
            )
            .await?;
        let rows = value
            .as_array()
            .context("rows as an array")?
            .iter()
            .map(|r| Row {
                id: r["id"].as_str().unwrap_or_default().to_owned(),
                subject: r["subject"].as_str().unwrap_or_default().trim().to_owned(),
                route: r["route"].as_str().unwrap_or_default().to_owned(),
                precedence: r["precedence"].as_str().unwrap_or_default().to_owned(),
            })
            .collect();
        Ok(rows)
    }

    /// Resizes the window through WebDriver; returns the width the page then lays out
    /// (`window.innerWidth`, in CSS pixels), once it has stopped changing: the window
    /// manager, or the app's own minimum size, may not give what was asked.
    pub async fn resize(&self, width: u32, height: u32) -> Result<u64> {
        self.client.set_window_size(width, height).await?;
        let mut last = None;
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let now = self
                .client
                .execute("return window.innerWidth;", Vec::new())
                .await?
                .as_u64()
                .context("window.innerWidth")?;
            if last == Some(now) {
                return Ok(now);
            }
            last = Some(now);
        }
        last.context("the page's width")
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// One rendered inbox row.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub subject: String,
    pub route: String,
    pub precedence: String,
}

/// The Debian package that `make package` builds (scripts/package.sh), under the same target
/// directory as the tests: `<target>/release/bundle/deb/Diplomatie_<version>_<arch>.deb`.
pub fn debian_package() -> PathBuf {
    let arch = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .expect("dpkg --print-architecture");
    let arch = String::from_utf8_lossy(&arch.stdout).trim().to_owned();
    let root = target_dir();
    let path = root
        .parent()
        .expect("target directory")
        .join("release/bundle/deb")
        .join(format!(
            "Diplomatie_{}_{arch}.deb",
            env!("CARGO_PKG_VERSION")
        ));
    assert!(
        path.exists(),
        "{} is missing: build it first (`make package`; `make test` does)",
        path.display()
    );
    path
}
