//! The split release console. trunk builds `dist/` (styles, icon, config, index.html) and
//! compiles the console with `--cfg gatehouse_split` and relocations kept; this module then
//! cuts that wasm into the main module and one chunk per lazily loaded area (wasm-split),
//! runs wasm-bindgen and wasm-opt on each part, names every file by its content hash and
//! points index.html at them. trunk's own unsplit js and wasm are removed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

use crate::tools::Tools;
use crate::{function_order, glue_names, null_slots, shared_code, unused_exports};
use crate::{root, run_command, Result};

/// What the compile needs on top of `.cargo/config.toml`'s wasm flags (an env variable
/// replaces them, so they are repeated): the split points, relocations for wasm-split,
/// and the dependencies' source paths cut to the crate (their panic locations name
/// files, and the build machine's home folder is none of the browser's business).
pub fn split_rustflags() -> String {
    let mut flags =
        String::from("--cfg erase_components --cfg gatehouse_split -Clink-args=--emit-relocs");
    for index in registry_sources() {
        // The variable is split on whitespace: a path with a space stays as it is.
        let index = index.display().to_string();
        if !index.contains(char::is_whitespace) {
            flags.push_str(&format!(" --remap-path-prefix={index}/="));
        }
    }
    flags
}

/// The folders cargo unpacks registry crates into (one per registry).
fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let Some(home) = home else {
        return Vec::new();
    };
    let mut sources: Vec<PathBuf> = fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    // The same flags in the same order each time, or cargo rebuilds everything.
    sources.sort();
    sources
}

/// The loader's name inside the wasm before hashing: 22 characters, replaced in place by
/// 22 characters of its own (an import module name cannot change length without
/// re-encoding the wasm).
const LOADER_PLACEHOLDER: &str = "__wasm_split.______________________.js";
const NAME: &str = "gatehouse-console";
/// The wasm features the compiler's output uses, for binaryen's tools.
pub(crate) const WASM_FEATURES: [&str; 3] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
];

/// wasm-opt's passes for the main module and every part: `-Os`, then twice the control
/// flow taken apart and rebuilt (`--flatten --rereloop`, the second time with common
/// subexpressions shared), each followed by `-Os` twice, and a last `-Os`: about 2% less
/// than one `-Oz` (a third rebuilding made it larger). `-Os` rather than `-Oz`, though
/// `-Oz` writes fewer bytes: what `-Oz` does beyond it compresses worse, and brotli's
/// output is what is fetched (the main module 0.8 KB smaller, the parts with
/// [`OPTIMISE_PART`] 2.2 KB).
/// `--low-memory-unused` lets binaryen fold constants into load and store offsets, which is
/// sound when nothing lives in the first kilobyte of memory (checked by
/// [`check_low_memory_unused`]). The tools' names and the features used, written in every
/// part for tools, are no use to a browser.
const OPTIMISE: [&str; 14] = [
    "-Os",
    "--flatten",
    "--rereloop",
    "-Os",
    "-Os",
    "--flatten",
    "--local-cse",
    "--rereloop",
    "-Os",
    "-Os",
    "-Os",
    "--low-memory-unused",
    "--strip-producers",
    "--strip-target-features",
];

/// wasm-opt's passes run once more on every part (not the main module) after
/// [`OPTIMISE`]: `-O3`'s inlining and an `-Os` after it leave the parts about 1.6% smaller
/// after brotli; on the main module the same made it larger.
const OPTIMISE_PART: [&str; 2] = ["-O3", "-Os"];

/// Fails unless every data segment of `wasm` starts at 1 KB or above. Rust links the
/// stack first (its 1 MiB below the data), so the first kilobyte is only ever the
/// deepest end of the stack.
fn check_low_memory_unused(wasm: &[u8]) -> Result {
    let invalid = |e: wasmparser::BinaryReaderError| format!("reading the main module: {e}");
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let wasmparser::Payload::DataSection(data) = payload.map_err(invalid)? else {
            continue;
        };
        for segment in data {
            let wasmparser::DataKind::Active { offset_expr, .. } = segment.map_err(invalid)?.kind
            else {
                continue;
            };
            let start = match offset_expr.get_operators_reader().read().map_err(invalid)? {
                wasmparser::Operator::I32Const { value } => value as u32,
                other => return Err(format!("a data segment placed at {other:?}")),
            };
            if start < 1024 {
                return Err(format!(
                    "a data segment at {start}: --low-memory-unused would be wrong (split::OPTIMISE)"
                ));
            }
        }
    }
    Ok(())
}

/// Writes a section of `wasm` that a rewrite leaves as it is into `module`: custom
/// sections by name and content, the others byte for byte.
pub(crate) fn copy_section(
    module: &mut wasm_encoder::Module,
    wasm: &[u8],
    payload: &wasmparser::Payload,
) {
    if let wasmparser::Payload::CustomSection(section) = payload {
        module.section(&wasm_encoder::CustomSection {
            name: std::borrow::Cow::Borrowed(section.name()),
            data: std::borrow::Cow::Borrowed(section.data()),
        });
    } else if let Some((id, range)) = payload.as_section() {
        let data = &wasm[range.start as usize..range.end as usize];
        module.section(&wasm_encoder::RawSection { id, data });
    }
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

pub(crate) fn write(path: &Path, data: &[u8]) -> Result {
    fs::write(path, data).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn hex_digest(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file name with the first 16 hex digits of its content's hash: cached forever.
pub(crate) fn hashed_name(stem: &str, extension: &str, data: &[u8]) -> String {
    format!("{stem}-{}.{extension}", &hex_digest(data)[..16])
}

pub(crate) fn replace_all(data: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Splits trunk's build in `dist/`. Returns the chunk files written, by area.
pub fn split(tools: &Tools, dist: &Path) -> Result<BTreeMap<String, String>> {
    let input = root().join(format!("target/wasm32-unknown-unknown/release/{NAME}.wasm"));
    let work = root().join("target/wasm-split");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;

    let input_wasm = read(&input)?;
    let main_wasm = work.join("main.wasm");
    let main_module = format!("./{NAME}.js");
    let link_name = format!("./{LOADER_PLACEHOLDER}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input_wasm);
        options.output_dir = &work;
        options.main_out_path = &main_wasm;
        options.main_module = &main_module;
        options.link_name = &link_name;
        options
    })
    .map_err(|e| format!("splitting the console's wasm: {e:?}"))?;
    let loader_path = work.join(LOADER_PLACEHOLDER);
    let parts = shared_code::merge_shared_chunks(tools, &work, &split, &loader_path)?;

    run_command(
        Command::new(tools.wasm_bindgen_path())
            .args([
                "--target=web",
                "--keep-lld-exports",
                "--no-typescript",
                &format!("--out-name={NAME}"),
            ])
            .arg("--out-dir")
            .arg(&work)
            .arg(&main_wasm),
    )?;
    let bindgen_wasm = work.join(format!("{NAME}_bg.wasm"));
    let mut wasm_files: Vec<PathBuf> = vec![bindgen_wasm.clone()];
    wasm_files.extend(parts.iter().cloned());
    let main_js_path = work.join(format!("{NAME}.js"));
    let (main_bytes, main_js) = unused_exports::remove(
        &read(&bindgen_wasm)?,
        &String::from_utf8(read(&main_js_path)?)
            .map_err(|_| "the console's JavaScript is not UTF-8".to_owned())?,
    )?;
    write(&bindgen_wasm, &main_bytes)?;
    write(&main_js_path, main_js.as_bytes())?;
    check_low_memory_unused(&main_bytes)?;
    for file in &wasm_files {
        wasm_opt(tools, &OPTIMISE, file)?;
    }
    for file in &parts {
        wasm_opt(tools, &OPTIMISE_PART, file)?;
    }
    write(
        &bindgen_wasm,
        &null_slots::drop_null_segments(&read(&bindgen_wasm)?)?,
    )?;
    for file in &wasm_files {
        write(file, &function_order::order_for_compression(&read(file)?)?)?;
    }

    for file in [&loader_path, &main_js_path] {
        minify(tools, file)?;
    }

    // Chunks first: the loader names them.
    let mut loader = String::from_utf8(read(&loader_path)?)
        .map_err(|_| "the wasm-split loader is not UTF-8".to_owned())?;
    let mut chunks = BTreeMap::new();
    for file in &parts {
        let data = read(file)?;
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a chunk without a name")?;
        let name = hashed_name(stem, "wasm", &data);
        let reference = format!("\"./{stem}.wasm\"");
        if !loader.contains(&reference) {
            return Err(format!("the wasm-split loader does not name {stem}.wasm"));
        }
        loader = loader.replace(&reference, &format!("\"./{name}\""));
        write(&dist.join(&name), &data)?;
        chunks.insert(stem.to_owned(), name);
    }

    // The loader and the main module import each other. The loader's name hashes its
    // content (still naming the main module by placeholder) with the main wasm's hash, so
    // a change to either renames it; the main module's names hash their final content.
    let (main_bytes, main_js) = glue_names::shorten(
        &read(&bindgen_wasm)?,
        &String::from_utf8(read(&main_js_path)?)
            .map_err(|_| "the console's JavaScript is not UTF-8".to_owned())?,
        &format!("./{NAME}_bg.js"),
    )?;
    let loader_hash = hex_digest(format!("{loader}{}", hex_digest(&main_bytes)).as_bytes());
    // 16 hex digits and `_split` fill the placeholder's 22 characters; the server knows a
    // 16-digit part as a content hash and lets browsers cache the file for good.
    let loader_name = format!("__wasm_split.{}_split.js", &loader_hash[..16]);
    let main_bytes = replace_all(&main_bytes, LOADER_PLACEHOLDER, &loader_name);
    let main_js = replace_all(main_js.as_bytes(), LOADER_PLACEHOLDER, &loader_name);
    let wasm_name = hashed_name(&format!("{NAME}_bg"), "wasm", &main_bytes);
    let main_js = replace_all(&main_js, &format!("{NAME}_bg.wasm"), &wasm_name);
    let js_name = hashed_name(NAME, "js", &main_js);
    let loader = loader.replace(&main_module, &format!("./{js_name}"));
    write(&dist.join(&wasm_name), &main_bytes)?;
    write(&dist.join(&js_name), &main_js)?;
    write(&dist.join(&loader_name), loader.as_bytes())?;

    point_index_at(dist, &js_name, &wasm_name)?;
    Ok(chunks)
}

/// Runs wasm-opt's `passes` on a wasm file in place.
pub(crate) fn wasm_opt(tools: &Tools, passes: &[&str], file: &Path) -> Result {
    run_command(
        Command::new(tools.wasm_opt_path())
            .args(passes)
            .args(WASM_FEATURES)
            .arg(file)
            .arg("-o")
            .arg(file),
    )
}

/// Minifies a JavaScript module in place (a quarter less to fetch after brotli). Names
/// the other files use stay: exports are kept, and string literals (the file names
/// replaced afterwards) are left as they are.
fn minify(tools: &Tools, file: &Path) -> Result {
    run_command(
        Command::new("node")
            .arg(&tools.terser)
            .arg(file)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(file),
    )
}

/// Replaces trunk's unsplit js and wasm with the split ones in `dist/` and index.html,
/// integrity hashes included.
fn point_index_at(dist: &Path, js_name: &str, wasm_name: &str) -> Result {
    let index_path = dist.join("index.html");
    let mut index = String::from_utf8(read(&index_path)?)
        .map_err(|_| "dist/index.html is not UTF-8".to_owned())?;
    let trunk_files: Vec<String> = fs::read_dir(dist)
        .map_err(|e| format!("reading dist/: {e}"))?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!("{NAME}-")))
        .filter(|n| n.ends_with(".js") || n.ends_with("_bg.wasm"))
        .filter(|n| n != js_name && n != wasm_name)
        .collect();
    for old in &trunk_files {
        let new = if old.ends_with(".js") {
            js_name
        } else {
            wasm_name
        };
        let old_integrity = integrity(&read(&dist.join(old))?);
        let new_integrity = integrity(&read(&dist.join(new))?);
        index = index
            .replace(old.as_str(), new)
            .replace(&old_integrity, &new_integrity);
        fs::remove_file(dist.join(old)).map_err(|e| format!("removing dist/{old}: {e}"))?;
    }
    if !index.contains(js_name) || !index.contains(wasm_name) {
        return Err("dist/index.html does not load trunk's console build".into());
    }
    write(&index_path, index.as_bytes())
}

/// A subresource integrity value, as trunk writes them.
pub(crate) fn integrity(data: &[u8]) -> String {
    let digest = Sha384::digest(data);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one memory and one data segment at `offset`.
    fn module_with_data_at(offset: i32) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut memories = wasm_encoder::MemorySection::new();
        memories.memory(wasm_encoder::MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        module.section(&memories);
        let mut data = wasm_encoder::DataSection::new();
        data.active(0, &wasm_encoder::ConstExpr::i32_const(offset), *b"text");
        module.section(&data);
        module.finish()
    }

    #[test]
    fn low_memory_is_checked_unused() {
        assert!(check_low_memory_unused(&module_with_data_at(1024)).is_ok());
        assert!(check_low_memory_unused(&module_with_data_at(0x100000)).is_ok());
        let error = check_low_memory_unused(&module_with_data_at(8)).unwrap_err();
        assert!(error.contains("--low-memory-unused"), "{error}");
    }

    #[test]
    fn names_carry_the_content_hash() {
        let a = hashed_name("chunk_0", "wasm", b"one");
        assert_ne!(a, hashed_name("chunk_0", "wasm", b"two"));
        assert!(a.starts_with("chunk_0-") && a.ends_with(".wasm"), "{a}");
        assert_eq!(LOADER_PLACEHOLDER.len(), "__wasm_split..js".len() + 22);
    }

    #[test]
    fn replacing_keeps_everything_else() {
        let out = replace_all(b"a__x__b__x__", "__x__", "y");
        assert_eq!(out, b"ayby");
    }
}
