//! The pinned tools, installed into `.tools/` when missing or of the wrong version.
//! Everything comes from crates.io, npm or Debian: nothing downloads a binary elsewhere.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, run_command, step, Result};

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132";
/// Minifies the console's JavaScript (wasm-bindgen's glue and wasm-split's loader).
const TERSER_VERSION: &str = "5.51.4";
/// Runs over every page in the end-to-end tests.
const AXE_CORE_VERSION: &str = "4.14.1";
/// The real SMTP server (with a readable inbox) the mail tests send to.
const MAILDEV_VERSION: &str = "3.0.0";
/// The real OpenID Connect provider the SSO tests sign in through.
const OIDC_PROVIDER_VERSION: &str = "9.13.3";
/// Fuzzes the API against its OpenAPI document in `cargo xtask test`.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// What the server's SAML support builds and links against: `samael` generates its xmlsec
/// bindings with bindgen (libclang) and links libxml2, xmlsec and OpenSSL.
const BUILD_PACKAGES: &[&str] = &[
    "pkg-config",
    "libclang-dev",
    "libxml2-dev",
    "libxmlsec1-dev",
    "libssl-dev",
];
/// The SAML IdP the SSO tests sign in through (SimpleSAMLphp, run by PHP's own server),
/// openssl for its key, nginx for the console under a path prefix behind a proxy, and
/// PostgreSQL, the second engine the server's tests run on.
const TEST_PACKAGES: &[&str] = &[
    "simplesamlphp",
    "php-cli",
    "php-xml",
    "openssl",
    "nginx",
    "postgresql",
];

/// Where the tools are, once installed.
pub struct Tools {
    bin: PathBuf,
    node_bin: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// axe-core's script, injected into pages by the end-to-end tests.
    pub axe: PathBuf,
    /// maildev's entry script, run with node by the mail tests.
    pub maildev: PathBuf,
    /// oidc-provider's module, run with node by the SSO tests.
    pub oidc_provider: PathBuf,
    pub schemathesis: PathBuf,
    /// terser's command-line script, run by `cargo xtask dist`.
    pub terser: PathBuf,
}

/// The first line a command prints for `--version`, if it runs.
fn version_of(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
}

/// The `wasm-bindgen` version Cargo.lock pins; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock does not pin wasm-bindgen".into())
}

impl Tools {
    /// Installs whatever is missing. `testing`: also what only the tests need
    /// (Chromium and chromedriver, axe-core, maildev, oidc-provider, schemathesis).
    pub fn ensure(testing: bool) -> Result<Tools> {
        let dir = root().join(".tools");
        let tools = Tools {
            bin: dir.join("bin"),
            node_bin: dir.join("node/node_modules/.bin"),
            axe: dir.join("node/node_modules/axe-core/axe.min.js"),
            maildev: dir.join("node/node_modules/maildev/dist/bin/maildev.js"),
            oidc_provider: dir.join("node/node_modules/oidc-provider/lib/index.js"),
            schemathesis: dir.join("python/bin/schemathesis"),
            terser: dir.join("node/node_modules/terser/bin/terser"),
            chromium: std::env::var_os("CHROMIUM")
                .map(PathBuf::from)
                .unwrap_or_else(|| CHROMIUM.into()),
            chromedriver: std::env::var_os("CHROMEDRIVER")
                .map(PathBuf::from)
                .unwrap_or_else(|| CHROMEDRIVER.into()),
        };
        tools.system_packages(testing)?;
        tools.wasm_target()?;
        tools.trunk(&dir)?;
        tools.wasm_bindgen(&dir)?;
        tools.wasm_opt(&dir)?;
        npm_package(&dir, "terser", TERSER_VERSION, &tools.terser)?;
        if testing {
            npm_package(&dir, "axe-core", AXE_CORE_VERSION, &tools.axe)?;
            npm_package(&dir, "maildev", MAILDEV_VERSION, &tools.maildev)?;
            npm_package(
                &dir,
                "oidc-provider",
                OIDC_PROVIDER_VERSION,
                &tools.oidc_provider,
            )?;
            tools.schemathesis(&dir)?;
        }
        Ok(tools)
    }

    /// PATH with the tools first.
    pub fn path_env(&self) -> OsString {
        let mut paths = vec![self.bin.clone(), self.node_bin.clone()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(paths).unwrap_or_default()
    }

    pub fn trunk_path(&self) -> PathBuf {
        self.bin.join("trunk")
    }

    pub fn wasm_bindgen_path(&self) -> PathBuf {
        self.bin.join("wasm-bindgen")
    }

    pub fn wasm_opt_path(&self) -> PathBuf {
        self.node_bin.join("wasm-opt")
    }

    /// From the same binaryen package as wasm-opt.
    pub fn wasm_merge_path(&self) -> PathBuf {
        self.node_bin.join("wasm-merge")
    }

    fn wasm_target(&self) -> Result {
        let output = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output();
        let installed =
            output.map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"));
        if installed.unwrap_or(false) {
            return Ok(());
        }
        step("installing the wasm32-unknown-unknown target");
        run_command(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
    }

    fn trunk(&self, dir: &Path) -> Result {
        if version_of(&self.trunk_path()).is_some_and(|v| v == format!("trunk {TRUNK_VERSION}")) {
            return Ok(());
        }
        step(&format!(
            "installing trunk {TRUNK_VERSION} from crates.io (takes several minutes, once)"
        ));
        run_command(
            Command::new("cargo")
                .args([
                    "install",
                    "trunk",
                    "--version",
                    TRUNK_VERSION,
                    "--locked",
                    "--root",
                ])
                .arg(dir),
        )
    }

    fn wasm_bindgen(&self, dir: &Path) -> Result {
        let version = locked_wasm_bindgen_version()?;
        let wanted = format!("wasm-bindgen {version}");
        let has_runner = self.bin.join("wasm-bindgen-test-runner").exists();
        if has_runner && version_of(&self.bin.join("wasm-bindgen")).is_some_and(|v| v == wanted) {
            return Ok(());
        }
        step(&format!(
            "installing wasm-bindgen-cli {version} (matches Cargo.lock)"
        ));
        // Not --locked: the registry mirror lacks one locked transitive version.
        run_command(
            Command::new("cargo")
                .args([
                    "install",
                    "wasm-bindgen-cli",
                    "--force",
                    "--version",
                    &version,
                    "--root",
                ])
                .arg(dir),
        )
    }

    fn wasm_opt(&self, dir: &Path) -> Result {
        if version_of(&self.node_bin.join("wasm-opt"))
            .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}")))
        {
            return Ok(());
        }
        step(&format!(
            "installing wasm-opt (binaryen {BINARYEN_VERSION}) from npm"
        ));
        let node_dir = dir.join("node");
        std::fs::create_dir_all(&node_dir)
            .map_err(|e| format!("creating {}: {e}", node_dir.display()))?;
        run_command(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&node_dir)
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )
    }

    fn schemathesis(&self, dir: &Path) -> Result {
        let wanted = format!("schemathesis, version {SCHEMATHESIS_VERSION}");
        if version_of(&self.schemathesis).is_some_and(|v| v.starts_with(&wanted)) {
            return Ok(());
        }
        step(&format!(
            "installing schemathesis {SCHEMATHESIS_VERSION} from PyPI (a virtual environment in .tools/python)"
        ));
        let venv = dir.join("python");
        run_command(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_command(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")),
        )
    }

    /// Debian packages: what the server builds against, and for tests Chromium with
    /// chromedriver and the SAML IdP. One `apt-get` for whatever is missing, nothing
    /// when all is there.
    fn system_packages(&self, testing: bool) -> Result {
        let mut wanted: Vec<&str> = BUILD_PACKAGES
            .iter()
            .copied()
            .filter(|p| !package_installed(p))
            .collect();
        if testing {
            if !self.chromium.exists() || !self.chromedriver.exists() {
                wanted.extend(["chromium", "chromium-driver"]);
            }
            wanted.extend(TEST_PACKAGES.iter().filter(|p| !package_installed(p)));
        }
        if wanted.is_empty() {
            return Ok(());
        }
        step(&format!(
            "installing from Debian packages: {}",
            wanted.join(" ")
        ));
        let sudo = !is_root()
            && Command::new("sudo")
                .arg("-n")
                .arg("true")
                .status()
                .is_ok_and(|s| s.success());
        let apt = |args: &[&str]| {
            let mut command = if sudo {
                Command::new("sudo")
            } else {
                Command::new("apt-get")
            };
            if sudo {
                command.arg("apt-get");
            }
            command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            command
        };
        run_command(&mut apt(&["update"]))?;
        run_command(&mut apt(&[&["install", "-y"], &wanted[..]].concat()))
    }
}

/// Whether Debian's package database has `package` installed.
fn package_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).ends_with("installed"))
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs `name@version` from npm into .tools/node unless that version is there and
/// `entry` (the file the tests use) exists.
fn npm_package(dir: &Path, name: &str, version: &str, entry: &Path) -> Result {
    let package = dir
        .join("node/node_modules")
        .join(name)
        .join("package.json");
    let installed = std::fs::read_to_string(&package)
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{version}\"")));
    if installed && entry.exists() {
        return Ok(());
    }
    step(&format!("installing {name} {version} from npm"));
    run_command(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir.join("node"))
            .arg(format!("{name}@{version}")),
    )
}
