//! The release console in `dist/`: trunk's output, its wasm split into parts (see
//! [`crate::split`]), plus `.gz` and `.br` siblings of the wasm, js and css, which the
//! server (or any CDN) serves by `Accept-Encoding`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::tools::Tools;
use crate::{root, run_command, step, Result};
use crate::{split, styles};

/// What the console build reads; when none is newer than `dist/`, the build is skipped.
const INPUTS: &[&str] = &[
    "src",
    "style",
    "crates/api/src",
    "index.html",
    "config.json",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
    "crates/api/Cargo.toml",
    // How dist/ is made: the split, the merge, the renaming, the minifying.
    "xtask/src",
];

/// Files a deployment edits (where the API is, the path prefix): a compressed copy
/// would go stale beside the edited file, and they are a few hundred bytes anyway.
const EDITED_IN_PLACE: &[&str] = &["index.html", "config.json"];

/// Files that are worth compressing.
pub fn is_compressible(path: &Path) -> bool {
    let edited = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| EDITED_IN_PLACE.contains(&n));
    !edited
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css" | "svg" | "html" | "json")
        )
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = fs::metadata(path).ok()?;
    if meta.is_dir() {
        fs::read_dir(path)
            .ok()?
            .flatten()
            .filter_map(|e| newest_mtime(&e.path()))
            .max()
    } else {
        meta.modified().ok()
    }
}

fn is_fresh(dist: &Path) -> bool {
    let Some(built) = fs::metadata(dist.join(".built"))
        .and_then(|m| m.modified())
        .ok()
    else {
        return false;
    };
    INPUTS
        .iter()
        .filter_map(|input| newest_mtime(&root().join(input)))
        .all(|changed| changed <= built)
}

pub fn build(tools: &Tools) -> Result {
    let dist = root().join("dist");
    if is_fresh(&dist) {
        step("console is up to date (dist/)");
        return Ok(());
    }
    step("building the console in release mode (trunk, then wasm-split and wasm-opt)");
    run_command(
        Command::new(tools.trunk_path())
            .args(["build", "--release", "--offline"])
            .env("PATH", tools.path_env())
            .env("TRUNK_OFFLINE", "true")
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                split::split_rustflags(),
            ),
    )?;
    let chunks = split::split(tools, &dist)?;
    step(&format!(
        "split into the main module and {} chunks",
        chunks.len()
    ));
    styles::minify_all(&dist)?;
    compress_all(&dist)?;
    fs::write(dist.join(".built"), b"").map_err(|e| format!("marking dist/ as built: {e}"))?;
    Ok(())
}

fn compress_all(dist: &Path) -> Result {
    let files: Vec<PathBuf> = fs::read_dir(dist)
        .map_err(|e| format!("reading dist/: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_compressible(p))
        .collect();
    for file in files {
        let data = fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        write_sibling(&file, "gz", &gzip(&data))?;
        write_sibling(&file, "br", &brotli(&data))?;
    }
    Ok(())
}

fn write_sibling(file: &Path, extension: &str, data: &[u8]) -> Result {
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".{extension}"));
    fs::write(&name, data).map_err(|e| format!("writing {}: {e}", Path::new(&name).display()))
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// The smallest of brotli's best compressions with a few input block sizes (the
/// encoder's choice of block size is a heuristic: for the main module a smaller block
/// saves a quarter of a kilobyte, for some parts the default or a larger one does best).
/// Any block size decodes the same way.
pub fn brotli(data: &[u8]) -> Vec<u8> {
    [0, 16, 20]
        .into_iter()
        .map(|lgblock| {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 24,
                lgblock,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("writing to memory");
            out
        })
        .min_by_key(Vec::len)
        .expect("three compressions")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips() {
        let data = b"gatehouse gatehouse gatehouse gatehouse".repeat(100);
        let gz = gzip(&data);
        let br = brotli(&data);
        assert!(gz.len() < data.len() / 10 && br.len() < data.len() / 10);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, data);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn only_text_and_wasm_are_compressed() {
        assert!(is_compressible(Path::new("dist/app-0123.wasm")));
        assert!(is_compressible(Path::new("dist/app.css")));
        assert!(!is_compressible(Path::new("dist/app.wasm.br")));
        assert!(!is_compressible(Path::new("dist/logo.png")));
        assert!(!is_compressible(Path::new("dist/index.html")));
        assert!(!is_compressible(Path::new("dist/config.json")));
    }

    #[test]
    fn the_locked_wasm_bindgen_version_is_found() {
        let version = crate::tools::locked_wasm_bindgen_version().unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }
}
