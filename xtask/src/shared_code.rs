//! Fewer, larger parts for the code that areas share. wasm-split puts each function two or
//! more areas need in a chunk of its own per exact set of areas needing it: 87 chunks for
//! nine areas, most under a kilobyte, each compressed alone and fetched on its own (a first
//! visit to a user's page fetched 61 of them). Here they are merged by one rule: code that
//! only the admin areas share is one part, and code that an area opened on its own also
//! needs (see [`OPENED_ALONE`]) is grouped by those areas, so their first visit stays small.
//!
//! Merging is simple because of how wasm-split links: every part imports the same things
//! from the main module (its memory, its function table, the stack pointer), exports
//! nothing, and reaches the other parts' functions through the shared table at slots fixed
//! at link time. binaryen's wasm-merge joins a group behind one small module that imports
//! those and hands them to the rest; the loader's entries for the merged chunks then all
//! point at the first one's, so the group loads once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasm_split_cli_support::SplitWasm;

use crate::split::{read, replace_all, wasm_opt, write, WASM_FEATURES};
use crate::tools::Tools;
use crate::{run_command, Result};

/// Areas often opened on their own, without the admin areas around them: signed-out pages
/// (first sign-in, an invitation, a password reset), the requirement gate after sign-in,
/// and the users list's extras (bulk actions, the group filter's search) and import page.
/// The code they share with others travels in parts grouped by which of these need it;
/// code only the other areas share is one part, fetched on the first visit to any of them.
pub const OPENED_ALONE: [&str; 4] = ["welcome", "requirement", "bulk", "users_import"];

/// Where the parts import the main module's memory, table and stack pointer from.
const SHARED_MODULE: &str = "__wasm_split";
/// The front module's own imports come from this name during the merge (it cannot import
/// from the name it is linked under), then are renamed in place: same length, same bytes.
const STAND_IN_MODULE: &str = "__wasm_outer";

/// Merges wasm-split's chunks into groups and points the loader at them. Returns the files
/// to ship besides the main module: the areas' own parts, then the merged shared parts.
pub fn merge_shared_chunks(
    tools: &Tools,
    work: &Path,
    split: &SplitWasm,
    loader_path: &Path,
) -> Result<Vec<PathBuf>> {
    for area in OPENED_ALONE {
        if !split.prefetch_map.contains_key(area) {
            return Err(format!(
                "the console has no lazily loaded area named {area} (shared_code::OPENED_ALONE)"
            ));
        }
    }
    let mut needed_by: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    for (area, files) in &split.prefetch_map {
        for number in files.iter().filter_map(|f| chunk_number(f)) {
            needed_by.entry(number).or_default().insert(area);
        }
    }
    let (chunk_files, mut parts): (Vec<PathBuf>, Vec<PathBuf>) = split
        .split_modules
        .iter()
        .cloned()
        .partition(|path| stem(path).and_then(chunk_number).is_some());
    let written: BTreeSet<u32> = chunk_files
        .iter()
        .filter_map(|path| stem(path).and_then(chunk_number))
        .collect();
    if written.iter().ne(needed_by.keys()) {
        return Err(format!(
            "wasm-split wrote chunks {written:?} but its loader loads {:?}",
            needed_by.keys().collect::<Vec<_>>()
        ));
    }

    let mut loader = String::from_utf8(read(loader_path)?)
        .map_err(|_| "the wasm-split loader is not UTF-8".to_owned())?;
    for members in group(&needed_by).values() {
        // Ascending: the loader defines the first before the others.
        let (first, others) = members.split_first().ok_or("an empty group of chunks")?;
        let chunk_path = |number: &u32| work.join(format!("chunk_{number}.wasm"));
        if !others.is_empty() {
            let files: Vec<PathBuf> = members.iter().map(chunk_path).collect();
            let merged = work.join(format!("merged_{first}.wasm"));
            merge(tools, &files, &merged)?;
            for number in others {
                loader = alias_chunk(&loader, *number, *first)?;
            }
            for file in &files {
                fs::remove_file(file).map_err(|e| format!("removing {}: {e}", file.display()))?;
            }
            fs::rename(&merged, chunk_path(first))
                .map_err(|e| format!("renaming {}: {e}", merged.display()))?;
        }
        parts.push(chunk_path(first));
    }
    write(loader_path, loader.as_bytes())?;
    Ok(parts)
}

/// Chunks by the areas in [`OPENED_ALONE`] that need them (none: only the others do).
/// Each group's chunk numbers ascend.
fn group<'a>(needed_by: &BTreeMap<u32, BTreeSet<&'a str>>) -> BTreeMap<Vec<&'a str>, Vec<u32>> {
    let mut groups: BTreeMap<Vec<&str>, Vec<u32>> = BTreeMap::new();
    for (number, areas) in needed_by {
        let key = OPENED_ALONE
            .into_iter()
            .filter(|area| areas.contains(area))
            .collect();
        groups.entry(key).or_default().push(*number);
    }
    groups
}

fn stem(path: &Path) -> Option<&str> {
    path.file_stem().and_then(|s| s.to_str())
}

fn chunk_number(stem: &str) -> Option<u32> {
    stem.strip_prefix("chunk_")?.parse().ok()
}

/// Makes the loader's entry for one chunk the entry of another, so that loading either
/// fetches and instantiates the other's file once.
fn alias_chunk(loader: &str, chunk: u32, to: u32) -> Result<String> {
    let definition = |number: u32| format!("const __chunk_{number} = makeLoad(");
    let not_found = || format!("the wasm-split loader does not define chunk_{chunk} as expected");
    let start = loader.find(&definition(chunk)).ok_or_else(not_found)?;
    let end_marker = ", []);";
    let end = start + loader[start..].find(end_marker).ok_or_else(not_found)? + end_marker.len();
    if !loader[..start].contains(&definition(to)) {
        return Err(format!(
            "the wasm-split loader defines chunk_{to} after chunk_{chunk}"
        ));
    }
    Ok(format!(
        "{}const __chunk_{chunk} = __chunk_{to};{}",
        &loader[..start],
        &loader[end..]
    ))
}

/// Merges parts that import only from [`SHARED_MODULE`] and export nothing into one part
/// that imports the same, once.
fn merge(tools: &Tools, files: &[PathBuf], out: &Path) -> Result {
    let imports = shared_imports(files)?;
    let front = out.with_extension("front.wasm");
    write(&front, &front_module(&imports)?)?;
    let mut command = Command::new(tools.wasm_merge_path());
    command.arg(&front).arg(SHARED_MODULE);
    for file in files {
        command
            .arg(file)
            .arg(stem(file).ok_or("a chunk without a name")?);
    }
    run_command(command.args(WASM_FEATURES).arg("-o").arg(out))?;
    fs::remove_file(&front).map_err(|e| format!("removing {}: {e}", front.display()))?;

    let merged = read(out)?;
    let stand_in = [&[STAND_IN_MODULE.len() as u8], STAND_IN_MODULE.as_bytes()].concat();
    let found = merged
        .windows(stand_in.len())
        .filter(|w| *w == stand_in)
        .count();
    if found != imports.len() {
        return Err(format!(
            "{}: {found} names of the merge's stand-in module, {} expected",
            out.display(),
            imports.len()
        ));
    }
    write(out, &replace_all(&merged, STAND_IN_MODULE, SHARED_MODULE))?;
    // The front module's exports served the merge only.
    wasm_opt(
        tools,
        &["--remove-exports", "--pass-arg=remove-exports@*"],
        out,
    )?;
    if shared_imports(&[out.to_path_buf()])?.len() != imports.len() {
        return Err(format!("{}: imports differ after merging", out.display()));
    }
    Ok(())
}

/// What a group's parts import, by name: each the same wherever it is imported.
fn shared_imports(files: &[PathBuf]) -> Result<BTreeMap<String, wasmparser::TypeRef>> {
    let mut imports = BTreeMap::new();
    for file in files {
        let data = read(file)?;
        let invalid = |e: wasmparser::BinaryReaderError| format!("{}: {e}", file.display());
        for payload in wasmparser::Parser::new(0).parse_all(&data) {
            let wasmparser::Payload::ImportSection(section) = payload.map_err(invalid)? else {
                continue;
            };
            for import in section.into_imports() {
                let import = import.map_err(invalid)?;
                if import.module != SHARED_MODULE
                    || matches!(import.ty, wasmparser::TypeRef::Func(_))
                {
                    return Err(format!(
                        "{}: imports {}.{} (a part should import only {SHARED_MODULE}'s memory, table and globals)",
                        file.display(),
                        import.module,
                        import.name
                    ));
                }
                match imports.insert(import.name.to_owned(), import.ty) {
                    Some(other) if other != import.ty => {
                        return Err(format!(
                            "{}: imports {} as {:?}, another part as {other:?}",
                            file.display(),
                            import.name,
                            import.ty
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(imports)
}

/// A module that imports what the group imports (from the stand-in name) and exports each
/// under its own name, for wasm-merge to link the group's imports to.
fn front_module(imports: &BTreeMap<String, wasmparser::TypeRef>) -> Result<Vec<u8>> {
    use wasm_encoder::{EntityType, ExportKind, ExportSection, ImportSection, Module};
    let mut import_section = ImportSection::new();
    let mut export_section = ExportSection::new();
    let (mut memories, mut tables, mut globals) = (0, 0, 0);
    for (name, ty) in imports {
        let ty =
            EntityType::try_from(*ty).map_err(|e| format!("cannot re-import {name}: {e:?}"))?;
        let (kind, index) = match ty {
            EntityType::Memory(_) => (ExportKind::Memory, &mut memories),
            EntityType::Table(_) => (ExportKind::Table, &mut tables),
            EntityType::Global(_) => (ExportKind::Global, &mut globals),
            _ => return Err(format!("cannot re-export {name}")),
        };
        import_section.import(STAND_IN_MODULE, name, ty);
        export_section.export(name, kind, *index);
        *index += 1;
    }
    let mut module = Module::new();
    module.section(&import_section).section(&export_section);
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_module_name_can_be_swapped_in_place() {
        assert_eq!(STAND_IN_MODULE.len(), SHARED_MODULE.len());
    }

    #[test]
    fn code_only_admin_areas_share_is_one_group_and_the_rest_goes_by_who_opens_alone() {
        let needed_by: BTreeMap<u32, BTreeSet<&str>> = [
            (10, ["user", "access"].as_slice()),
            (11, &["sso", "records", "invites"]),
            (12, &["user", "welcome"]),
            (13, &["access", "welcome"]),
            (14, &["welcome", "requirement", "sso"]),
            (15, &["bulk", "user"]),
        ]
        .into_iter()
        .map(|(number, areas)| (number, areas.iter().copied().collect()))
        .collect();
        let groups = group(&needed_by);
        let expected: BTreeMap<Vec<&str>, Vec<u32>> = [
            (vec![], vec![10, 11]),
            (vec!["welcome"], vec![12, 13]),
            (vec!["welcome", "requirement"], vec![14]),
            (vec!["bulk"], vec![15]),
        ]
        .into_iter()
        .collect();
        assert_eq!(groups, expected);
    }

    #[test]
    fn an_aliased_chunk_loads_through_the_first() {
        let loader = "const __chunk_3 = makeLoad(() => {\n fetch(\"./chunk_3.wasm\")\n}\n, []);\n\
                      const __chunk_7 = makeLoad(() => {\n fetch(\"./chunk_7.wasm\")\n}\n, []);\n\
                      export const a = wrapAsyncCb(makeLoad(f, [__chunk_3, __chunk_7]));";
        let aliased = alias_chunk(loader, 7, 3).unwrap();
        assert!(!aliased.contains("chunk_7.wasm"), "{aliased}");
        assert!(
            aliased.contains("const __chunk_7 = __chunk_3;\n"),
            "{aliased}"
        );
        assert!(aliased.contains("[__chunk_3, __chunk_7]"), "{aliased}");
        assert!(
            alias_chunk(loader, 3, 7).is_err(),
            "aliased to a chunk defined later"
        );
        assert!(alias_chunk(loader, 9, 3).is_err(), "no such chunk");
    }
}
