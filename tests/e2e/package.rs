//! The packages `.ci/package` builds: the `.deb`'s fields, files, desktop entry and dependencies
//! (every library the installed binary links comes from a package its `Depends` brings), the
//! `.rpm`'s name and requirements, and the installed binary — unpacked into a scratch root with
//! `dpkg-deb -x` — started under Xvfb until its window renders.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use canopy_e2e::{non_background_share, target_dir, window_shown};

/// The one file with `extension` in the bundler's `kind` folder.
fn package(kind: &str, extension: &str) -> Result<PathBuf> {
    let folder = target_dir().join("release/bundle").join(kind);
    let found: Vec<PathBuf> = std::fs::read_dir(&folder)
        .with_context(|| format!("{} is missing: run .ci/package first", folder.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one .{extension} in {}: {found:?}",
            folder.display()
        ),
    }
}

/// A command's standard output, failing with its error output when it fails.
fn run(program: &str, args: &[&str]) -> Result<String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("{program} runs"))?;
    ensure!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn path_text(path: &Path) -> Result<&str> {
    path.to_str().context("a UTF-8 path")
}

/// The Debian packages `depends` brings, themselves included (apt's own resolution, offline).
fn dependency_closure(depends: &[&str]) -> Result<BTreeSet<String>> {
    let mut args = vec![
        "depends",
        "--recurse",
        "--no-recommends",
        "--no-suggests",
        "--no-conflicts",
        "--no-breaks",
        "--no-replaces",
        "--no-enhances",
    ];
    args.extend_from_slice(depends);
    let listed = run("apt-cache", &args)?;
    Ok(listed
        .lines()
        .map(|line| {
            line.trim()
                .trim_start_matches("Depends:")
                .trim()
                .trim_start_matches("PreDepends:")
                .trim()
        })
        .map(|name| name.trim_matches(|c| c == '<' || c == '>'))
        .map(|name| name.split(':').next().unwrap_or(name).to_string())
        .filter(|name| !name.is_empty())
        .collect())
}

/// The Debian package that installed `library` (a path; `/lib/…` is `/usr/lib/…` on a merged
/// `/usr`, which is where dpkg knows it).
fn owner(library: &str) -> Result<String> {
    let merged = format!("/usr{library}");
    let said = run("dpkg", &["-S", library]).or_else(|_| run("dpkg", &["-S", &merged]))?;
    let name = said.split(':').next().unwrap_or_default().trim();
    Ok(name.to_string())
}

#[test]
fn the_deb_holds_the_app_its_entry_and_icons_and_brings_every_library_it_links() -> Result<()> {
    let deb = package("deb", "deb")?;
    let deb_path = path_text(&deb)?;
    let field = |name: &str| run("dpkg-deb", &["-f", deb_path, name]).map(|v| v.trim().to_string());
    ensure!(field("Package")? == "canopy", "package name");
    ensure!(
        field("Version")? == env!("CARGO_PKG_VERSION"),
        "the app's version"
    );
    ensure!(field("Architecture")? == "amd64");
    let depends_field = field("Depends")?;
    let depends: Vec<&str> = depends_field.split(',').map(str::trim).collect();
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libayatana-appindicator3-1",
    ] {
        ensure!(depends.contains(&needed), "Depends: {depends_field}");
    }

    let listing = run("dpkg-deb", &["-c", deb_path])?;
    let files: BTreeSet<&str> = listing
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(|path| path.trim_start_matches("./"))
        .collect();
    for path in [
        "usr/bin/canopy",
        "usr/bin/canopy-cli",
        "usr/share/applications/Canopy.desktop",
        "usr/share/icons/hicolor/128x128/apps/canopy.png",
        "usr/share/icons/hicolor/32x32/apps/canopy.png",
    ] {
        ensure!(
            files.contains(path),
            "{path} is missing from the .deb:\n{listing}"
        );
    }

    let root = tempfile::tempdir()?;
    run("dpkg-deb", &["-x", deb_path, path_text(root.path())?])?;
    let entry = root.path().join("usr/share/applications/Canopy.desktop");
    run("desktop-file-validate", &[path_text(&entry)?])?;
    let entry_text = std::fs::read_to_string(&entry)?;
    for line in [
        "Exec=canopy",
        "Icon=canopy",
        "Name=Canopy",
        "Type=Application",
    ] {
        ensure!(
            entry_text.lines().any(|l| l == line),
            "{line} in:\n{entry_text}"
        );
    }

    // Every library the installed binary links is found, and its package comes with Depends.
    let binary = root.path().join("usr/bin/canopy");
    let linked = run("ldd", &[path_text(&binary)?])?;
    ensure!(
        !linked.contains("not found"),
        "unresolved libraries:\n{linked}"
    );
    let closure = dependency_closure(&depends)?;
    let needed = run("readelf", &["-d", path_text(&binary)?])?;
    let mut checked = 0;
    for soname in needed
        .lines()
        .filter(|line| line.contains("(NEEDED)"))
        .filter_map(|line| line.split('[').nth(1)?.split(']').next())
    {
        // `libx.so.1 => /path (0x…)`, or the loader's `/lib64/ld-linux….so.2 (0x…)`.
        let path = linked
            .lines()
            .find(|line| line.contains(soname))
            .and_then(|line| {
                let resolved = line.split("=> ").nth(1).unwrap_or(line);
                resolved.split_whitespace().next()
            })
            .with_context(|| format!("{soname} resolved"))?;
        let package = owner(path)?;
        ensure!(
            package == "libc6" || closure.contains(&package),
            "{soname} comes from {package}, which Depends ({depends_field}) does not bring"
        );
        checked += 1;
    }
    ensure!(
        checked >= 3,
        "the binary links its libraries dynamically ({checked} checked)"
    );
    Ok(())
}

#[test]
fn the_rpm_names_the_app_and_requires_webkitgtk() -> Result<()> {
    let rpm = package("rpm", "rpm")?;
    let rpm_path = path_text(&rpm)?;
    let name = run(
        "rpm",
        &["-qp", "--queryformat", "%{NAME} %{VERSION}", rpm_path],
    )?;
    ensure!(
        name == format!("canopy {}", env!("CARGO_PKG_VERSION")),
        "{name}"
    );
    let requires = run("rpm", &["-qp", "--requires", rpm_path])?;
    ensure!(requires.contains("webkit2gtk4.1"), "{requires}");
    let files = run("rpm", &["-qpl", rpm_path])?;
    ensure!(
        files.contains("/usr/bin/canopy\n")
            && files.contains("/usr/share/applications/Canopy.desktop"),
        "{files}"
    );
    Ok(())
}

#[test]
fn the_installed_binary_opens_its_window() -> Result<()> {
    ensure!(
        std::env::var_os("DISPLAY").is_some(),
        "run through .ci/with-session, which provides a screen"
    );
    let deb = package("deb", "deb")?;
    let root = tempfile::tempdir()?;
    run(
        "dpkg-deb",
        &["-x", path_text(&deb)?, path_text(root.path())?],
    )?;
    let data = tempfile::tempdir()?;
    let mut app = Command::new(root.path().join("usr/bin/canopy"))
        .env("XDG_DATA_HOME", data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("the installed binary starts")?;
    let shot = target_dir().join("e2e-screenshots/installed-package.png");
    std::fs::create_dir_all(shot.parent().context("folder")?)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let rendered = loop {
        if window_shown("Canopy")? {
            let taken = Command::new("import")
                .args(["-window", "root"])
                .arg(&shot)
                .status()?;
            // The first start's page: a heading and two choices on a plain background.
            if taken.success() && non_background_share(&shot)? > 0.003 {
                break true;
            }
        }
        if Instant::now() > deadline || app.try_wait()?.is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let _ = app.kill();
    let _ = app.wait();
    ensure!(
        rendered,
        "the installed app's window never rendered ({})",
        shot.display()
    );
    ensure!(
        data.path().join("dev.canopy.console").exists(),
        "the installed app made its data folder"
    );
    Ok(())
}
