//! Classes the console's glue exports and nothing uses. server_fn, which Leptos depends on
//! whatever the features, brings wasm-streams, whose three `#[wasm_bindgen]` classes
//! (Rust streams handed to the browser's streams API) wasm-bindgen always exports: about
//! 7 KB of the main module before brotli and 2 KB of its JavaScript. The console makes
//! no streams. They are cut from the glue and their exports from the wasm before wasm-opt,
//! which then drops the code only they reached.

use wasm_encoder::{ExportKind, ExportSection, Module};
use wasmparser::{Parser, Payload};

use crate::split::copy_section;
use crate::Result;

/// wasm-streams' classes, as wasm-bindgen names them in the glue.
const UNUSED_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// The main module and its glue without [`UNUSED_CLASSES`].
pub fn remove(wasm: &[u8], js: &str) -> Result<(Vec<u8>, String)> {
    let mut js = js.to_owned();
    for class in UNUSED_CLASSES {
        js = without_class(&js, class)?;
    }
    let prefixes: Vec<String> = UNUSED_CLASSES
        .iter()
        .map(|class| format!("{}_", class.to_lowercase()))
        .collect();
    let unused = |name: &str| {
        let name = name.strip_prefix("__wbg_").unwrap_or(name);
        prefixes
            .iter()
            .any(|prefix| name.starts_with(prefix.as_str()))
    };
    let (wasm, removed) = without_exports(wasm, unused)?;
    if removed == 0 {
        return Err(
            "the main module exports none of wasm-streams' classes: update \
                    unused_exports::UNUSED_CLASSES"
                .into(),
        );
    }
    for prefix in &prefixes {
        if js.contains(prefix.as_str()) {
            return Err(format!(
                "the console's JavaScript still calls {prefix}* after its classes were cut"
            ));
        }
    }
    Ok((wasm, js))
}

/// `js` without `class`: its declaration (from `export class Name {` to the next line
/// that is only `}`, as wasm-bindgen writes it), the line that makes it disposable, and
/// its finalization registry (a statement of three lines). Fails unless each is found
/// exactly once and nothing else names the class afterwards.
fn without_class(js: &str, class: &str) -> Result<String> {
    let lines: Vec<&str> = js.lines().collect();
    let declaration = format!("export class {class} {{");
    let dispose = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose]");
    let finalization = format!("const {class}Finalization = ");
    let find = |what: &str, start: bool| -> Result<usize> {
        let found: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                if start {
                    lines[i].starts_with(what)
                } else {
                    lines[i] == what
                }
            })
            .collect();
        match found[..] {
            [index] => Ok(index),
            _ => Err(format!(
                "the console's JavaScript has {} lines `{what}`, 1 expected",
                found.len()
            )),
        }
    };
    let first = find(&declaration, false)?;
    let last = (first..lines.len())
        .find(|&i| lines[i] == "}")
        .ok_or_else(|| format!("the class {class} does not end"))?;
    let dispose = find(&dispose, true)?;
    let registry = find(&finalization, true)?;
    let registry_end = registry + 2;
    if !lines.get(registry_end).is_some_and(|l| l.ends_with(");")) {
        return Err(format!(
            "{class}'s finalization registry is not three lines"
        ));
    }
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| !((first..=last).contains(&i) || i == dispose))
        .filter(|&(i, _)| !(registry..=registry_end).contains(&i))
        .map(|(_, line)| *line)
        .collect();
    let kept = kept.join("\n") + "\n";
    if kept.contains(class) {
        return Err(format!(
            "the console's JavaScript still names {class} after it was cut"
        ));
    }
    Ok(kept)
}

/// `wasm` without the function exports `unused` picks, and how many there were.
fn without_exports(wasm: &[u8], unused: impl Fn(&str) -> bool) -> Result<(Vec<u8>, usize)> {
    let invalid = |e: wasmparser::BinaryReaderError| format!("reading the main module: {e}");
    let mut module = Module::new();
    let mut removed = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::ExportSection(section) => {
                let mut exports = ExportSection::new();
                for export in section.clone() {
                    let export = export.map_err(invalid)?;
                    if export.kind == wasmparser::ExternalKind::Func && unused(export.name) {
                        removed += 1;
                        continue;
                    }
                    exports.export(export.name, ExportKind::from(export.kind), export.index);
                }
                module.section(&exports);
            }
            other => copy_section(&mut module, wasm, other),
        }
    }
    Ok((module.finish(), removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"import * as import1 from "./loader.js"

export class IntoUnderlyingSink {
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_intounderlyingsink_free(ptr, 0);
    }
    close() {
        if (x) {
            wasm.intounderlyingsink_close(this.__wbg_ptr);
        }
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export function start() {
    wasm.start();
}
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const kept = 1;
"#;

    #[test]
    fn a_class_is_cut_whole_from_the_glue() {
        let js = without_class(GLUE, "IntoUnderlyingSink").unwrap();
        assert_eq!(
            js,
            "import * as import1 from \"./loader.js\"\n\n\nexport function start() {\n    \
             wasm.start();\n}\nconst kept = 1;\n"
        );
    }

    #[test]
    fn glue_of_another_shape_is_an_error() {
        let error = without_class(GLUE, "IntoUnderlyingSource").unwrap_err();
        assert!(
            error.contains("export class IntoUnderlyingSource"),
            "{error}"
        );
        let twice = GLUE.replace("const kept", "// IntoUnderlyingSink\nconst kept");
        let error = without_class(&twice, "IntoUnderlyingSink").unwrap_err();
        assert!(error.contains("still names"), "{error}");
    }

    #[test]
    fn only_the_chosen_function_exports_go() {
        let mut module = Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut exports = ExportSection::new();
        exports.export("intounderlyingsink_close", ExportKind::Func, 0);
        exports.export("start", ExportKind::Func, 0);
        module.section(&exports);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().end();
        code.function(&body);
        module.section(&code);

        let (wasm, removed) =
            without_exports(&module.finish(), |name| name.starts_with("intounderlying")).unwrap();
        assert_eq!(removed, 1);
        wasmparser::Validator::new().validate_all(&wasm).unwrap();
        let names: Vec<String> = Parser::new(0)
            .parse_all(&wasm)
            .filter_map(|payload| match payload.unwrap() {
                Payload::ExportSection(section) => Some(
                    section
                        .into_iter()
                        .map(|e| e.unwrap().name.to_owned())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(names, ["start"]);
    }
}
