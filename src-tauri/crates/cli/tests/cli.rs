//! The command line as a user runs it: the real `canopy-cli` binary on a real data folder (a real
//! SQLite file, the real Secret Service through `.ci/test`, the sandbox over loopback): `--help`
//! everywhere, unknown commands and options refused with the usage, and `sync`, `status`,
//! `export personas` and `service` on a folder with a connected credential — and a sync the app
//! holds is refused across processes.

#![allow(
    clippy::expect_used,
    reason = "a test helper stops its test at the failed step, named in the expect"
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use canopy_core::base::pos_kind::Integration;
use canopy_core::console::endpoints::Endpoints;
use canopy_core::console::Console;
use canopy_core::integrations::posabit_credentials::NewPosabitCredential;
use canopy_core::storage::keychain::KeychainStore;
use canopy_core::storage::process_lock::ProcessLock;
use canopy_core::Secret;
use canopy_sandbox::SandboxConfig;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canopy-cli"))
        .args(args)
        .output()
        .expect("canopy-cli runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_command_has_help_and_unknown_words_are_refused_with_the_usage() {
    for command in [
        &["--help"][..],
        &["sync", "--help"],
        &["status", "--help"],
        &["export", "personas", "--help"],
        &["service", "--help"],
        &["mode", "--help"],
        &["support-bundle", "--help"],
        &["sandbox", "serve", "--help"],
        &["bench", "sync", "--help"],
        &["bench", "personas", "--help"],
        &["secret", "set", "--help"],
        &["bindings", "--help"],
    ] {
        let output = cli(command);
        assert!(output.status.success(), "{command:?}");
        assert!(
            text(&output.stdout).contains("Usage: canopy-cli"),
            "{command:?}: {}",
            text(&output.stdout)
        );
    }
    for (command, complaint) in [
        (&["frobnicate"][..], "unrecognized subcommand"),
        (&["sync", "--bogus"], "unexpected argument '--bogus'"),
        (
            &["sync", "--integration", "square"],
            "invalid value 'square'",
        ),
        (
            &["sandbox", "serve", "--port", "lots"],
            "invalid value 'lots'",
        ),
        (&["export", "personas"], "--out <FILE>"),
        (&["mode", "live"], "invalid value 'live'"),
    ] {
        let output = cli(command);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let said = text(&output.stderr);
        assert!(
            said.contains(complaint) && said.contains("--help"),
            "{command:?}: {said}"
        );
    }
}

#[test]
fn a_folders_mode_is_chosen_once_and_a_folder_without_one_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().to_str().expect("path");
    let unchosen = cli(&["status", "--data-dir", folder]);
    assert!(!unchosen.status.success());
    assert!(
        text(&unchosen.stderr).contains("No mode is chosen"),
        "{}",
        text(&unchosen.stderr)
    );

    let wrong = cli(&[
        "mode",
        "real",
        "--data-dir",
        folder,
        "--posabit-url",
        "pos.example",
    ]);
    assert!(!wrong.status.success());
    assert!(text(&wrong.stderr).contains("POSaBIT API address"));
    assert!(
        !dir.path().join("console-mode.json").exists(),
        "nothing saved"
    );

    let chosen = cli(&[
        "mode",
        "real",
        "--data-dir",
        folder,
        "--posabit-url",
        "http://127.0.0.1:9/api",
    ]);
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    let shown = text(&cli(&["mode", "--data-dir", folder]).stdout);
    assert!(
        shown.contains("Mode: real") && shown.contains("POSaBIT API: http://127.0.0.1:9/api"),
        "{shown}"
    );
    let status = cli(&["status", "--data-dir", folder, "--json"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(dir.path().join("real.db").exists());
    assert!(
        !dir.path().join("sandbox.db").exists(),
        "real mode never opens the sandbox's database"
    );
}

/// A data folder with the sandbox's first POSaBIT venue added (its key in the keychain) and
/// connected, as the app would leave it.
async fn connected_folder(dir: &Path) -> String {
    let chosen = cli(&["mode", "sandbox", "--data-dir", dir.to_str().expect("path")]);
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    let sandbox = canopy_sandbox::start(SandboxConfig::default(), 0)
        .await
        .expect("sandbox");
    let endpoints = Endpoints::sandbox(
        sandbox.posabit_base_url(),
        Secret::new(sandbox.config().integrator_token.clone()),
        sandbox.greenbits_base_url(),
        sandbox.sms_base_url(),
    );
    let console =
        Console::open(dir, Arc::new(KeychainStore::default()), &endpoints).expect("console");
    let added = console
        .add_posabit_credential(NewPosabitCredential {
            store_name: "Capitol Hill".into(),
            key: Secret::new(sandbox.config().venues[0].token.clone()),
            market: None,
        })
        .await
        .expect("credential added");
    console
        .set_age_gate(Integration::Posabit, true)
        .await
        .expect("age gate");
    console
        .connect(Integration::Posabit)
        .await
        .expect("connected");
    added.credential.id
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_status_export_and_service_work_on_a_data_folder_and_a_held_sync_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let credential = connected_folder(dir.path()).await;
    let folder = dir.path().to_str().expect("path");

    let synced = cli(&["sync", "--data-dir", folder]);
    let lines = text(&synced.stdout);
    assert!(synced.status.success(), "{lines}{}", text(&synced.stderr));
    assert!(
        lines.contains("POSaBIT Capitol Hill · customers:")
            && lines.contains("POSaBIT Capitol Hill · sales:"),
        "{lines}"
    );
    assert_eq!(lines.lines().count(), 3, "one line per stream: {lines}");

    let status = cli(&["status", "--data-dir", folder, "--json"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(answer["health"][0]["integration"], "posabit");
    assert_eq!(answer["health"][0]["active"], true);
    assert!(
        answer["runs"]
            .as_array()
            .is_some_and(|runs| runs.len() == 3),
        "{answer}"
    );

    let out = dir.path().join("personas.csv");
    let exported = cli(&[
        "export",
        "personas",
        "--data-dir",
        folder,
        "--out",
        out.to_str().expect("path"),
        "--source",
        "posabit",
    ]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let csv = std::fs::read_to_string(&out).expect("written");
    assert!(
        csv.starts_with("id,first_name") && csv.lines().count() > 100,
        "{} lines",
        csv.lines().count()
    );

    let zip = dir.path().join("support.zip");
    let bundled = cli(&[
        "support-bundle",
        "--data-dir",
        folder,
        "--out",
        zip.to_str().expect("path"),
    ]);
    assert!(bundled.status.success(), "{}", text(&bundled.stderr));
    assert!(
        text(&bundled.stdout).contains("rejected_records.json")
            && std::fs::metadata(&zip).is_ok_and(|m| m.len() > 500),
        "{}",
        text(&bundled.stdout)
    );

    // The app holds this credential's sync: the command line is told it is busy.
    let held = ProcessLock::try_acquire(
        &dir.path().join("sandbox.db"),
        &format!("sync-{credential}"),
    )
    .expect("lock")
    .expect("free");
    let refused = cli(&["sync", "--data-dir", folder, "--integration", "posabit"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stdout)
            .contains("stopped: “Capitol Hill” is already syncing in another Canopy"),
        "{}",
        text(&refused.stdout)
    );
    drop(held);

    let mut service = Command::new(env!("CARGO_BIN_EXE_canopy-cli"))
        .args(["service", "--data-dir", folder])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("service starts");
    let stdout = service.stdout.take().expect("stdout");
    let (lines, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut heard = Vec::new();
    let finished = loop {
        match said.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(line) if line.contains("sync finished") => break true,
            Ok(line) => heard.push(line),
            Err(_) => break false,
        }
    };
    service.kill().expect("stopped");
    service.wait().expect("reaped");
    assert!(finished, "the service never reported its sync: {heard:?}");
    assert!(heard[0].starts_with("Canopy service running"), "{heard:?}");
    let runs = cli(&["status", "--data-dir", folder, "--json"]);
    let answer: serde_json::Value = serde_json::from_slice(&runs.stdout).expect("JSON");
    assert!(
        answer["runs"]
            .as_array()
            .is_some_and(|runs| runs.iter().any(|r| r["trigger"] == "schedule")),
        "the service ran the scheduled sync: {answer}"
    );
}
