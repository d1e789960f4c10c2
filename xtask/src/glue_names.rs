//! Short names for the functions the main module imports from its JavaScript glue.
//! wasm-bindgen names each one after the Rust item and a hash of it
//! (`__wbg_setAttribute_2a8f0c1e9d3b7a64`); the name is written twice, once in the wasm's
//! import section and once as a key of the object the glue hands to it, and the hashes do
//! not compress: about 5 KB of every first load after brotli for some two hundred
//! imports. Each becomes `$` and a letter or two, in both files at once.

use std::collections::BTreeMap;

use wasm_encoder::{EntityType, ImportSection, Module};
use wasmparser::{Parser, Payload};

use crate::split::copy_section;
use crate::Result;

/// Renames every import of `glue_module` in `wasm`, and the same keys in `js`.
pub fn shorten(wasm: &[u8], js: &str, glue_module: &str) -> Result<(Vec<u8>, String)> {
    let invalid = |e: wasmparser::BinaryReaderError| format!("reading the main module: {e}");
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut module = Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::ImportSection(section) => {
                let mut imports = ImportSection::new();
                for import in section.clone().into_imports() {
                    let import = import.map_err(invalid)?;
                    let ty = EntityType::try_from(import.ty)
                        .map_err(|e| format!("re-importing {}: {e:?}", import.name))?;
                    let name = if import.module == glue_module {
                        let next = short_name(renamed.len());
                        renamed
                            .entry(import.name.to_owned())
                            .or_insert(next)
                            .as_str()
                    } else {
                        import.name
                    };
                    imports.import(import.module, name, ty);
                }
                module.section(&imports);
            }
            other => copy_section(&mut module, wasm, other),
        }
    }

    let mut js = js.to_owned();
    for (long, short) in &renamed {
        let key = format!("{long}:");
        if whole_names(&js, long) != 1 || !js.contains(&key) {
            return Err(format!(
                "the glue does not name {long} once, as a key: cannot shorten its imports"
            ));
        }
        js = js.replacen(&key, &format!("{short}:"), 1);
    }
    Ok((module.finish(), js))
}

/// How often `name` occurs in `js` as a whole identifier (`__wbg_a_1` is not in
/// `__wbg_a_10`).
fn whole_names(js: &str, name: &str) -> usize {
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    js.match_indices(name)
        .filter(|(at, _)| {
            let before = js[..*at].chars().next_back();
            let after = js[at + name.len()..].chars().next();
            !before.is_some_and(part_of_name) && !after.is_some_and(part_of_name)
        })
        .count()
}

/// `$a` .. `$z`, `$ba` .. : distinct for distinct numbers, and valid JavaScript keys.
fn short_name(mut number: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'a' + (number % 26) as u8);
        number /= 26;
        if number == 0 {
            break;
        }
    }
    letters.push(b'$');
    letters.iter().rev().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, TypeSection,
    };

    #[test]
    fn short_names_are_distinct() {
        let names: std::collections::BTreeSet<String> = (0..2_000).map(short_name).collect();
        assert_eq!(names.len(), 2_000);
        assert_eq!(short_name(0), "$a");
        assert_eq!(short_name(26), "$ba");
    }

    /// A module importing two glue functions and one other, calling the second.
    fn module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut imports = ImportSection::new();
        imports.import(
            "./glue.js",
            "__wbg_alert_0123456789abcdef",
            EntityType::Function(0),
        );
        imports.import(
            "./glue.js",
            "__wbg_log_fedcba9876543210",
            EntityType::Function(0),
        );
        imports.import("./other.js", "keep_me", EntityType::Function(0));
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut exports = ExportSection::new();
        exports.export("main", ExportKind::Func, 3);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::Call(1))
            .instruction(&Instruction::End);
        code.function(&body);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&exports)
            .section(&code);
        module.finish()
    }

    #[test]
    fn imports_and_glue_keys_are_renamed_together_and_nothing_else() {
        let js = "const g={__wbg_alert_0123456789abcdef:function(){alert()},\
                  __wbg_log_fedcba9876543210:function(){console.log()}};";
        let (wasm, js) = shorten(&module(), js, "./glue.js").unwrap();
        assert_eq!(
            js,
            "const g={$a:function(){alert()},$b:function(){console.log()}};"
        );
        wasmparser::Validator::new().validate_all(&wasm).unwrap();
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(&wasm) {
            if let Payload::ImportSection(section) = payload.unwrap() {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    names.push(format!("{}:{}", import.module, import.name));
                }
            }
        }
        assert_eq!(
            names,
            ["./glue.js:$a", "./glue.js:$b", "./other.js:keep_me"]
        );
    }

    #[test]
    fn a_name_inside_a_longer_one_is_not_counted() {
        let js = "{__wbindgen_cast_1:a,__wbindgen_cast_10:b,x:$__wbindgen_cast_1}";
        assert_eq!(whole_names(js, "__wbindgen_cast_1"), 1);
        assert_eq!(whole_names(js, "__wbindgen_cast_10"), 1);
        assert_eq!(whole_names(js, "cast"), 0);
    }

    #[test]
    fn glue_that_does_not_name_an_import_once_is_an_error() {
        let js = "const g={__wbg_alert_0123456789abcdef:function(){}};";
        assert!(shorten(&module(), js, "./glue.js").is_err());
    }
}
