#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The Debian package that `make package` builds: unpacked with `dpkg-deb`, its files, its
//! desktop entry and its declared dependencies checked, the dialog test hook looked for in its
//! programs (absent; present in the debug app), then the packaged app (not the one of
//! the build tree) started under Xvfb on a profile made by the packaged `diplo`, to its unlock
//! screen and past it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use diplomatie_e2e::{PASSPHRASE, Session, binary, debian_package, step, within};

/// Runs a program; its standard output, or an error with its standard error.
fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("run {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The package names of a Depends field (alternatives included, versions left out).
fn package_names(depends: &str) -> BTreeSet<String> {
    depends
        .split([',', '|'])
        .filter_map(|d| d.split_whitespace().next())
        .map(|name| name.split(':').next().unwrap_or(name).to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// `declared` and every package they depend on, recursively, as installed here.
fn dependency_closure(declared: &BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = declared.iter().cloned().collect();
    while let Some(p) = todo.pop() {
        if seen.len() > 2000 || !seen.insert(p.clone()) {
            continue;
        }
        let fields = run(
            "dpkg-query",
            &["-W", "-f=${Depends}, ${Pre-Depends}, ${Provides}", &p],
        )
        .unwrap_or_default();
        todo.extend(
            package_names(&fields)
                .into_iter()
                .filter(|d| !seen.contains(d)),
        );
    }
    seen
}

/// The installed package that provides each shared library `binary` needs.
fn library_packages(binary: &Path) -> Result<BTreeMap<String, String>> {
    let dump = run("objdump", &["-p", &binary.to_string_lossy()])?;
    let cache = run("/sbin/ldconfig", &["-p"])?;
    let mut out = BTreeMap::new();
    for lib in dump
        .lines()
        .filter_map(|l| l.trim().strip_prefix("NEEDED"))
        .map(str::trim)
    {
        let path = cache
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{lib} ")))
            .find_map(|l| l.rsplit("=> ").next())
            .with_context(|| format!("{lib} is not installed here"))?;
        let real = std::fs::canonicalize(path.trim())?;
        // Debian's merged /usr: the package may list the file under /lib.
        let candidates = [
            real.to_string_lossy().into_owned(),
            real.to_string_lossy().replacen("/usr/lib/", "/lib/", 1),
            path.trim().to_owned(),
            path.trim().replacen("/usr/lib/", "/lib/", 1),
        ];
        let owner = candidates
            .iter()
            .find_map(|c| run("dpkg", &["-S", c]).ok())
            .with_context(|| format!("no package owns {lib}"))?;
        let package = owner
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        out.insert(lib.to_owned(), package);
    }
    Ok(out)
}

/// The `key=value` lines of a desktop entry's main group.
fn desktop_entry(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .skip_while(|l| l.trim() != "[Desktop Entry]")
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// The environment variable of the test hook that answers file dialogs from a file.
const TEST_DIALOG: &str = "DIPLOMATIE_TEST_DIALOG";

/// Whether the file at `path` holds these bytes anywhere (grep, as text: a debug binary is
/// several hundred megabytes).
fn holds_bytes(path: &Path, needle: &str) -> Result<bool> {
    let status = Command::new("grep")
        .args(["--quiet", "--text", "--fixed-strings", "--", needle])
        .arg(path)
        .status()
        .context("run grep")?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => bail!("grep could not read {}: {status}", path.display()),
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 == 0o111)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_debian_package_installs_the_app_and_the_cli_and_the_packaged_app_starts() -> Result<()>
{
    let deb = debian_package();
    let deb_arg = deb.to_string_lossy().into_owned();

    step("the control fields");
    let field = |name: &str| -> Result<String> {
        Ok(run("dpkg-deb", &["-f", &deb_arg, name])?.trim().to_owned())
    };
    ensure!(field("Package")? == "diplomatie", "package name");
    ensure!(
        field("Version")? == env!("CARGO_PKG_VERSION"),
        "the package's version is the workspace's"
    );
    let depends = field("Depends")?;
    let declared = package_names(&depends);
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libssl3",
        "libdbus-1-3",
    ] {
        ensure!(
            declared.contains(needed),
            "Depends names {needed}: {depends}"
        );
    }

    step("the files");
    let unpacked = tempfile::Builder::new()
        .prefix("diplomatie-deb")
        .tempdir()?;
    let root = unpacked.path();
    run("dpkg-deb", &["-x", &deb_arg, &root.to_string_lossy()])?;
    let app_binary = root.join("usr/bin/diplomatie");
    let diplo = root.join("usr/bin/diplo");
    ensure!(
        is_executable(&app_binary),
        "usr/bin/diplomatie is an executable"
    );
    ensure!(is_executable(&diplo), "usr/bin/diplo is an executable");

    step("the dialog test hook is compiled out of the packaged programs");
    // The debug app the other end-to-end tests drive reads DIPLOMATIE_TEST_DIALOG: it holds
    // the variable's name, which shows that the search finds it where it is.
    let debug_app = binary("diplomatie");
    ensure!(
        holds_bytes(&debug_app, TEST_DIALOG)?,
        "control: the debug app {} holds {TEST_DIALOG}",
        debug_app.display()
    );
    for program in [&app_binary, &diplo] {
        ensure!(
            !holds_bytes(program, TEST_DIALOG)?,
            "the packaged {} holds {TEST_DIALOG}: the test hook that answers dialogs from a \
             file must be compiled into debug builds only",
            program.display()
        );
    }

    // Only the app and the CLI are programs of the package (not the benchmark's baseline).
    let programs: BTreeSet<String> = std::fs::read_dir(root.join("usr/bin"))?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_>>()?;
    ensure!(
        programs == BTreeSet::from(["diplo".to_owned(), "diplomatie".to_owned()]),
        "the package installs diplo and diplomatie only: {programs:?}"
    );

    // One desktop entry, named after the product (the bundler's naming).
    let entries: Vec<PathBuf> = std::fs::read_dir(root.join("usr/share/applications"))
        .context("the package has desktop entries")?
        .map(|e| Ok(e?.path()))
        .collect::<Result<_>>()?;
    ensure!(
        entries.len() == 1 && entries.iter().all(|p| p.ends_with("Diplomatie.desktop")),
        "one desktop entry, Diplomatie.desktop: {entries:?}"
    );
    let entry = desktop_entry(&std::fs::read_to_string(&entries[0])?);
    ensure!(
        entry.get("Type").map(String::as_str) == Some("Application"),
        "desktop entry type: {entry:?}"
    );
    ensure!(
        entry.get("Name").map(String::as_str) == Some("Diplomatie"),
        "desktop entry name: {entry:?}"
    );
    let exec = entry
        .get("Exec")
        .context("the desktop entry has an Exec line")?;
    ensure!(
        exec.split_whitespace().next() == Some("diplomatie"),
        "the desktop entry starts the packaged binary (on PATH as /usr/bin/diplomatie): {exec}"
    );
    let icon = entry.get("Icon").context("the desktop entry has an Icon")?;
    let icons: Vec<PathBuf> = walk(&root.join("usr/share/icons/hicolor"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| *n == *format!("{icon}.png")))
        .collect();
    ensure!(
        !icons.is_empty(),
        "the icon {icon} the entry names is in the package's hicolor theme"
    );
    for png in &icons {
        let head = std::fs::read(png)?;
        ensure!(
            head.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is a PNG",
            png.display()
        );
    }

    let copyright = std::fs::read_to_string(root.join("usr/share/doc/diplomatie/copyright"))
        .context("the copyright file is in /usr/share/doc/diplomatie")?;
    ensure!(
        copyright.contains("License: EUPL-1.2"),
        "the copyright file declares the EUPL-1.2"
    );
    let licence =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../LICENSE"))?;
    let last_line = licence
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .context("LICENSE is not empty")?;
    ensure!(
        copyright.contains("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
            && copyright.contains(last_line.trim()),
        "the copyright file carries the licence in full, to its last line"
    );

    step("every shared library is brought by a declared dependency");
    let closure = dependency_closure(&declared);
    for binary in [&app_binary, &diplo] {
        for (lib, package) in library_packages(binary)? {
            let name = package.split(':').next().unwrap_or(&package).to_owned();
            ensure!(
                closure.contains(&name) || ["libc6", "libgcc-s1"].contains(&name.as_str()),
                "{} needs {lib} (package {name}), which no declared dependency brings: add it \
                 to bundle.linux.deb.depends in tauri.conf.json",
                binary.display()
            );
        }
    }

    step("the packaged diplo makes a profile");
    let mut session = Session::start()?;
    let profile = session.profile_dir();
    let out = Command::new(&diplo)
        .arg("--profile")
        .arg(&profile)
        .args([
            "init",
            "--name",
            "Alice Lefèvre",
            "--org",
            "DFAE/EUROPE",
            "--email",
            "alice@dfae.example",
        ])
        .env("DIPLOMATIE_PASSPHRASE", PASSPHRASE)
        .output()?;
    ensure!(
        out.status.success(),
        "the packaged diplo init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    step("the packaged app starts to its unlock screen, and unlocks");
    let result = within(async {
        let app = session.start_app(&app_binary, &[]).await?;
        app.wait_screen("unlock").await?;
        app.fill("unlock-passphrase", PASSPHRASE).await?;
        app.click("unlock-submit").await?;
        app.wait_screen("main").await?;
        app.close().await
    })
    .await;
    if result.is_err() {
        let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/e2e");
        let _ = std::fs::create_dir_all(&shot);
        let _ = session.screenshot(&shot.join("package.png"));
    }
    result
}

/// Every file under `dir`, recursively (none when it does not exist).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}
