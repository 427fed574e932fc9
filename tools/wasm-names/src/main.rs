//! `wasm-names IN.wasm OUT.wasm MAPPING.json`: gives wasm-bindgen's plumbing short names.
//!
//! wasm-bindgen names each import from its JS glue like `__wbg_addEventListener_847fd86b8c33ec43`
//! and its closure exports like `wasm_bindgen_…___convert__closures_____invoke_…`: about 160
//! names written twice (in the wasm and in the glue), with hashes gzip cannot compress —
//! about 5 KiB gzip. binaryen's `--minify-imports-and-exports` renames every import, including
//! those of our own ES module `js/platform.js`, whose names the glue takes from the module's
//! exports and cannot change; hence this tool. It reads the module with a real wasm parser,
//! renames only the glue's imports and the generated exports, copies every other section byte
//! for byte, and writes the mapping as an esbuild mangle cache (`{"old": "new"}`), which
//! `scripts/bundle.mjs` applies to the glue's property names with esbuild's own JS parser.

use std::collections::BTreeMap;
use std::process::ExitCode;
use wasm_encoder::{EntityType, ExportKind, RawSection};
use wasmparser::{Parser, Payload, TypeRef};

/// Exports that are wasm-bindgen plumbing (the glue is their only caller), by name prefix.
const GENERATED_EXPORTS: [&str; 4] = ["__wbg", "__wbindgen", "wasm_bindgen_", "__externref"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, mapping] = args.as_slice() else {
        eprintln!("usage: wasm-names IN.wasm OUT.wasm MAPPING.json");
        return ExitCode::from(2);
    };
    match run(input, output, mapping) {
        Ok(renamed) => {
            println!("wasm-names: {renamed} names shortened");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-names: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &str, output: &str, mapping: &str) -> Result<usize, String> {
    let bytes = std::fs::read(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let (wasm, names) = shorten(&bytes)?;
    std::fs::write(output, wasm).map_err(|e| format!("cannot write {output}: {e}"))?;
    let json = mangle_cache(&names);
    std::fs::write(mapping, json).map_err(|e| format!("cannot write {mapping}: {e}"))?;
    Ok(names.len())
}

/// Short names in order: `a`…`z`, `A`…`Z`, `$`, `_`, then two characters, and so on.
struct ShortNames(usize);

impl ShortNames {
    fn next(&mut self) -> String {
        const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_";
        const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_0123456789";
        let mut n = self.0;
        self.0 += 1;
        let pick = |set: &[u8], i: usize| set.get(i % set.len()).copied().unwrap_or(b'_');
        let mut name = vec![pick(FIRST, n)];
        n /= FIRST.len();
        while n > 0 {
            n -= 1;
            name.push(pick(REST, n));
            n /= REST.len();
        }
        String::from_utf8(name).unwrap_or_default()
    }
}

/// The glue's own import module: wasm-bindgen names it after the output (`./x_bg.js`).
fn is_glue_module(module: &str) -> bool {
    module.starts_with("./") && module.ends_with("_bg.js")
}

/// Renames the glue's imports, the import modules (keys of the glue's import object) and the
/// generated exports; returns the new module and the renames (old → new). Every name is
/// renamed consistently: one old name, one new name.
fn shorten(bytes: &[u8]) -> Result<(Vec<u8>, BTreeMap<String, String>), String> {
    let mut names = BTreeMap::new();
    let mut short = ShortNames(0);
    let mut rename = |old: &str| -> String {
        names
            .entry(old.to_string())
            .or_insert_with(|| short.next())
            .clone()
    };
    let mut module = wasm_encoder::Module::new();
    let mut saw_imports = false;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("not a valid wasm module: {e}"))?;
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                saw_imports = true;
                let mut section = wasm_encoder::ImportSection::new();
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let name = if is_glue_module(import.module) {
                        rename(import.name)
                    } else {
                        import.name.to_string()
                    };
                    // Module names are keys of the glue's import object too.
                    let module_name = rename(import.module);
                    section.import(&module_name, &name, entity(import.ty)?);
                }
                module.section(&section);
            }
            Payload::ExportSection(reader) => {
                let mut section = wasm_encoder::ExportSection::new();
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    let generated = GENERATED_EXPORTS
                        .iter()
                        .any(|prefix| export.name.starts_with(prefix));
                    let name = if generated {
                        rename(export.name)
                    } else {
                        export.name.to_string()
                    };
                    section.export(&name, export_kind(export.kind), export.index);
                }
                module.section(&section);
            }
            other => {
                // Every other section, code included, is copied byte for byte.
                if let Some((id, range)) = other.as_section() {
                    let data = bytes
                        .get(range.start as usize..range.end as usize)
                        .ok_or("a section runs past the end of the file")?;
                    module.section(&RawSection { id, data });
                }
            }
        }
    }
    if !saw_imports {
        return Err("the module has no imports: is this wasm-bindgen's output?".into());
    }
    Ok((module.finish(), names))
}

fn entity(ty: TypeRef) -> Result<EntityType, String> {
    use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
    RoundtripReencoder
        .entity_type(ty)
        .map_err(|e| format!("cannot re-encode an import: {e:?}"))
}

fn export_kind(kind: wasmparser::ExternalKind) -> ExportKind {
    match kind {
        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => ExportKind::Func,
        wasmparser::ExternalKind::Table => ExportKind::Table,
        wasmparser::ExternalKind::Memory => ExportKind::Memory,
        wasmparser::ExternalKind::Global => ExportKind::Global,
        wasmparser::ExternalKind::Tag => ExportKind::Tag,
    }
}

/// `{"old": "new", …}` in esbuild's mangle-cache format.
fn mangle_cache(names: &BTreeMap<String, String>) -> String {
    let entries: Vec<String> = names
        .iter()
        .map(|(old, new)| format!("  \"{old}\": \"{new}\""))
        .collect();
    format!("{{\n{}\n}}\n", entries.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers() {
        let mut short = ShortNames(0);
        let names: Vec<String> = (0..5000).map(|_| short.next()).collect();
        assert_eq!(&names[..3], ["a", "b", "c"]);
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names.iter().all(|n| !n.as_bytes()[0].is_ascii_digit()));
        assert!(names[54].len() == 2 && names[4999].len() <= 3);
    }

    /// A module importing from the glue and from a snippet, exporting plumbing and an API.
    fn sample() -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = wasm_encoder::ImportSection::new();
        imports.import(
            "./x_bg.js",
            "__wbg_target_e5cd9c7aa87dd8df",
            EntityType::Function(0),
        );
        imports.import("./snippets/y/platform.js", "post", EntityType::Function(0));
        m.section(&imports);
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        m.section(&functions);
        let mut exports = wasm_encoder::ExportSection::new();
        exports.export("mount", ExportKind::Func, 2);
        exports.export("__wbindgen_malloc", ExportKind::Func, 2);
        m.section(&exports);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().call(0).call(1).end();
        code.function(&body);
        m.section(&code);
        m.finish()
    }

    #[test]
    fn only_glue_imports_and_plumbing_exports_are_renamed() {
        let (wasm, names) = shorten(&sample()).unwrap();
        assert_eq!(names["__wbg_target_e5cd9c7aa87dd8df"], "a");
        assert_eq!(names["./x_bg.js"], "b");
        assert_eq!(names["./snippets/y/platform.js"], "c");
        assert_eq!(names["__wbindgen_malloc"], "d");
        assert_eq!(names.len(), 4, "{names:?}");
        let mut imports = Vec::new();
        let mut exports = Vec::new();
        for payload in Parser::new(0).parse_all(&wasm) {
            match payload.unwrap() {
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        let i = i.unwrap();
                        imports.push((i.module.to_string(), i.name.to_string()));
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        exports.push(e.unwrap().name.to_string());
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            imports,
            [
                ("b".to_string(), "a".to_string()),
                ("c".to_string(), "post".to_string())
            ]
        );
        assert_eq!(exports, ["mount", "d"]);
        wasmparser::validate(&wasm).expect("the result is a valid module");
        assert!(mangle_cache(&names).contains("\"__wbindgen_malloc\": \"d\""));
    }
}
