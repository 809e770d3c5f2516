#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn names_lose_direction_controls_control_characters_and_paths() {
    // "rapport<RLO>fdp.exe" shows as "rapportexe.pdf": it is an .exe.
    assert_eq!(clean_name("rapport\u{202E}fdp.exe"), "rapportfdp.exe");
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{FEFF}',
    ] {
        assert_eq!(
            clean_name(&format!("a{c}b.pdf")),
            "ab.pdf",
            "{:X}",
            c as u32
        );
    }
    assert_eq!(clean_name("a\nb\u{7}\u{1B}c.txt"), "abc.txt");
    assert_eq!(clean_name("../../etc/passwd"), "_.._etc_passwd");
    assert_eq!(clean_name(".bashrc"), "bashrc");
    assert_eq!(clean_name("note.pdf. . "), "note.pdf");
    assert_eq!(clean_name("..."), "piece-jointe");
    assert_eq!(clean_name("\u{202E}"), "piece-jointe");
    assert_eq!(clean_name("Compte rendu é.pdf"), "Compte rendu é.pdf");
    assert_eq!(clean_name(&"x".repeat(300)).chars().count(), 120);
}

#[test]
fn viewable_types_open_when_their_bytes_match() {
    assert_eq!(viewable("rapport.pdf", b"%PDF-1.7\n..."), Ok(()));
    assert_eq!(viewable("photo.JPG", b"\xFF\xD8\xFF\xE0rest"), Ok(()));
    assert_eq!(viewable("carte.png", b"\x89PNG\r\n\x1A\nrest"), Ok(()));
    assert_eq!(
        viewable("notes.txt", "Bonjour, à bientôt".as_bytes()),
        Ok(())
    );
    assert_eq!(viewable("budget.xlsx", b"PK\x03\x04rest"), Ok(()));
    assert_eq!(viewable("lettre.odt", b"PK\x03\x04rest"), Ok(()));
    assert_eq!(
        viewable("ancien.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
        Ok(())
    );
}

#[test]
fn programs_are_never_opened_whatever_their_name() {
    for name in [
        "setup.exe",
        "x.msi",
        "run.bat",
        "a.ps1",
        "app.desktop",
        "tool.AppImage",
        "lib.jar",
        "go.sh",
        "s.py",
        "macro.docm",
        "y.js",
        "z.vbs",
        "w.lnk",
    ] {
        assert_eq!(
            viewable(name, b"%PDF-1.7"),
            Err(NotViewable::Executable),
            "{name}"
        );
    }
    for bytes in [
        &b"\x7FELF\x02\x01\x01"[..],
        b"MZ\x90\x00",
        b"#!/bin/sh\nrm -rf ~\n",
        b"\xEF\xBB\xBF#!/usr/bin/env python3\n",
        b"\xCA\xFE\xBA\xBE",
        b"\xCF\xFA\xED\xFE",
        b"# a comment\n\n[Desktop Entry]\nExec=sh -c evil\n",
    ] {
        assert_eq!(viewable("notes.txt", bytes), Err(NotViewable::Executable));
        assert_eq!(viewable("rapport.pdf", bytes), Err(NotViewable::Executable));
    }
    // The direction control is removed before the name is judged.
    assert_eq!(
        viewable("rapport\u{202E}fdp.exe", b"%PDF-1.7"),
        Err(NotViewable::Executable)
    );
}

#[test]
fn unknown_types_and_mismatched_bytes_are_only_saved() {
    for name in [
        "page.html",
        "image.svg",
        "archive.zip",
        "data",
        "x.unknown",
        "a.eml",
    ] {
        assert_eq!(
            viewable(name, b"hello"),
            Err(NotViewable::UnknownType),
            "{name}"
        );
    }
    assert_eq!(
        viewable("rapport.pdf", b"not a pdf"),
        Err(NotViewable::UnknownType)
    );
    assert_eq!(
        viewable("photo.png", b"%PDF-1.7"),
        Err(NotViewable::UnknownType)
    );
    assert_eq!(
        viewable("notes.txt", b"a\0b"),
        Err(NotViewable::UnknownType)
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_viewer_folder_is_private_and_its_files_cannot_run() {
    let base = tempfile::tempdir().unwrap();
    let viewer = Viewer::new(vec![base.path().to_owned()]);
    let path = viewer.write("a\u{202E}b.pdf", b"%PDF-1.7").unwrap();
    assert_eq!(path.file_name().unwrap(), "ab.pdf");
    let folder = path.parent().unwrap().parent().unwrap();
    assert_eq!(folder.parent().unwrap(), base.path());
    assert!(
        folder
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(VIEWER_PREFIX)
    );
    assert_eq!(mode(folder), 0o700, "the folder");
    assert_eq!(mode(path.parent().unwrap()), 0o700, "the file's own folder");
    assert_eq!(mode(&path), 0o600, "the file: no execute bit");
    assert_eq!(fs::read(&path).unwrap(), b"%PDF-1.7");
    // The same name twice: two files, neither overwritten.
    let again = viewer.write("a\u{202E}b.pdf", b"%PDF-2").unwrap();
    assert_ne!(again, path);
    assert_eq!(fs::read(&path).unwrap(), b"%PDF-1.7");
}

#[test]
fn without_a_memory_backed_folder_nothing_is_written() {
    let viewer = Viewer::new(Vec::new());
    assert!(matches!(
        viewer.write("a.pdf", b"%PDF-1.7"),
        Err(ViewerError::NotViewable(NotViewable::NoPrivateFolder))
    ));
    // The default never falls back to the temporary directory.
    assert!(!memory_bases().contains(&std::env::temp_dir()));
}

#[cfg(unix)]
#[test]
fn clearing_removes_the_files_and_a_new_run_removes_leftovers() {
    let base = tempfile::tempdir().unwrap();
    let viewer = Viewer::new(vec![base.path().to_owned()]);
    let opened = viewer.write("a.pdf", b"%PDF-1.7").unwrap();
    viewer.clear();
    assert!(!opened.exists(), "cleared on lock and on quit");
    assert_eq!(fs::read_dir(base.path()).unwrap().count(), 0);
    // Opened again after a clear: a fresh folder.
    let second = viewer.write("b.pdf", b"%PDF-1.7").unwrap();
    assert!(second.exists());

    // A run that was killed leaves its folder; the next run removes it, but not a
    // symbolic link with our prefix nor other people's files.
    let killed = Viewer::new(vec![base.path().to_owned()]);
    let left = killed.write("c.pdf", b"%PDF-1.7").unwrap();
    std::mem::forget(killed);
    let other = base.path().join("someone-else");
    fs::create_dir(&other).unwrap();
    let target = tempfile::tempdir().unwrap();
    fs::write(target.path().join("keep"), b"x").unwrap();
    std::os::unix::fs::symlink(
        target.path(),
        base.path().join(format!("{VIEWER_PREFIX}link")),
    )
    .unwrap();

    viewer.remove_leftovers();
    assert!(!left.exists(), "the killed run's file is gone");
    assert!(second.exists(), "this run's own folder stays");
    assert!(other.exists());
    assert!(
        target.path().join("keep").exists(),
        "a link is not followed"
    );
}

#[cfg(unix)]
#[test]
fn a_saved_attachment_loses_an_execute_bit_it_had() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outil");
    fs::write(&path, b"old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    write_saved(&path, b"new").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn tokens_are_spent_once_and_only_for_their_purpose() {
    let grants = Grants::default();
    let token = grants.grant(Purpose::Import, PathBuf::from("/home/alice/m/1.eml"));
    assert!(token.ends_with("/1.eml"), "{token}");
    assert_eq!(token_name(&token), "1.eml");
    assert_eq!(
        grants.resolve(Purpose::Attach, std::slice::from_ref(&token)),
        Err("1.eml".to_owned()),
        "an import grant does not attach"
    );
    // A forged token, or a path, refuses the whole call.
    assert!(
        grants
            .resolve(Purpose::Import, &[token.clone(), "/etc/passwd".into()])
            .is_err()
    );
    let forged = format!("{}/1.eml", "0".repeat(32));
    assert!(grants.resolve(Purpose::Import, &[forged]).is_err());
    assert_eq!(
        grants.take(Purpose::Import, std::slice::from_ref(&token)),
        Ok(vec![PathBuf::from("/home/alice/m/1.eml")])
    );
    assert!(
        grants
            .take(Purpose::Import, std::slice::from_ref(&token))
            .is_err(),
        "spent"
    );
    let again = grants.grant(Purpose::Attach, PathBuf::from("/a.pdf"));
    grants.clear();
    assert!(grants.resolve(Purpose::Attach, &[again]).is_err(), "lock");
}

#[test]
fn one_drop_seen_twice_is_granted_once() {
    let grants = Grants::default();
    let paths = vec![PathBuf::from("/m/a.eml")];
    assert_eq!(grants.grant_drop(&paths).map(|t| t.len()), Some(1));
    assert_eq!(grants.grant_drop(&paths), None);
    assert!(grants.grant_drop(&[PathBuf::from("/m/b.eml")]).is_some());
}

/// Every command of the invoke handler is declared in the app manifest (build.rs) and allowed
/// to the main window, and the window has no dialog, opener or file-system permission.
#[test]
fn every_command_is_declared_and_the_page_gets_no_file_permission() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bindings.ts");
    crate::specta_builder()
        .export(crate::typescript(), &path)
        .unwrap();
    let bindings = fs::read_to_string(&path).unwrap();
    let invoked: Vec<&str> = bindings
        .split("TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(invoked.len() > 30, "{invoked:?}");
    let build = include_str!("../build.rs");
    let manifest = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .unwrap();
    let capability: serde_json::Value =
        serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
    let allowed: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for command in &invoked {
        assert!(
            manifest.contains(&format!("\"{command}\"")),
            "{command}: add it to COMMANDS in src-tauri/build.rs"
        );
        let permission = format!("allow-{}", command.replace('_', "-"));
        assert!(
            allowed.contains(&permission.as_str()),
            "{command}: add {permission} to capabilities/main.json"
        );
    }
    for p in &allowed {
        assert!(
            !p.starts_with("dialog:") && !p.starts_with("opener:") && !p.starts_with("fs:"),
            "{p}: the page chooses no path"
        );
    }
}

#[test]
fn the_page_loads_no_objects_base_forms_or_frames_and_its_prototypes_are_frozen() {
    let config: serde_json::Value =
        serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let security = &config["app"]["security"];
    let csp = security["csp"].as_str().unwrap();
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for wanted in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(directives.contains(&wanted), "{wanted} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(
        !directives
            .iter()
            .any(|d| d.starts_with("script-src") && d.contains("unsafe-inline")),
        "{csp}"
    );
    assert_eq!(security["freezePrototype"], true);
}
