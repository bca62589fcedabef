//! The UI's typed command surface, generated from the Tauri shell's own source: every command the
//! shell registers in `generate_handler!` (`src-tauri/src/lib.rs`), with its argument names and
//! types and its answer type read from its `#[tauri::command]` function (`src-tauri/src/commands/`).
//! `ui/src/commands.ts` must equal [`typescript`]'s output: renaming a command or an argument in
//! Rust makes it stale (a test fails) and, once regenerated, makes the UI's calls fail its
//! type-check.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use syn::{FnArg, GenericArgument, Item, Pat, PathArguments, ReturnType, Type};

/// The Tauri shell's crate, relative to this one.
const SHELL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Where the generated file lives.
pub const COMMANDS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ui/src/commands.ts");

/// Arguments Tauri fills in itself: never sent by the UI.
const INJECTED: [&str; 4] = ["State", "AppHandle", "Window", "WebviewWindow"];

/// One command as the UI calls it.
struct Command {
    /// The Rust name, which is the IPC name.
    name: String,
    /// Its doc comment.
    doc: Vec<String>,
    /// (argument name in camelCase, TypeScript type).
    args: Vec<(String, String)>,
    /// What it answers.
    answer: String,
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The type arguments of a path type's last segment.
fn type_args(segment: &syn::PathSegment) -> Vec<&Type> {
    match &segment.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A Rust type as TypeScript names it; `named` collects the types the file imports.
fn ts_type(ty: &Type, named: &mut BTreeSet<String>) -> Result<String> {
    let path = match ty {
        Type::Tuple(tuple) if tuple.elems.is_empty() => return Ok("null".into()),
        Type::Reference(reference) => return ts_type(&reference.elem, named),
        Type::Path(path) => &path.path,
        _ => {
            bail!("a command uses a type the generator cannot name (only paths, references and ())")
        }
    };
    let segment = path.segments.last().context("an empty type path")?;
    let inner = |i: usize, named: &mut BTreeSet<String>| -> Result<String> {
        let args = type_args(segment);
        ts_type(args.get(i).context("a missing type argument")?, named)
    };
    let name = segment.ident.to_string();
    Ok(match name.as_str() {
        "String" | "PathBuf" | "Secret" => "string".into(),
        "i32" | "i64" | "u32" | "u64" | "usize" | "f64" => "number".into(),
        "bool" => "boolean".into(),
        "Option" => format!("{} | null", inner(0, named)?),
        "Vec" => {
            let item = inner(0, named)?;
            if item.contains(' ') {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        "Result" => inner(0, named)?,
        "Channel" => {
            named.insert("Channel".into());
            format!("Channel<{}>", inner(0, named)?)
        }
        _ => {
            named.insert(name.clone());
            name
        }
    })
}

fn is_injected(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|s| INJECTED.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn is_command(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let segments: Vec<String> = a
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments == ["tauri", "command"] || segments == ["command"]
    })
}

fn command_of(function: &syn::ItemFn, named: &mut BTreeSet<String>) -> Result<Command> {
    let name = function.sig.ident.to_string();
    let mut args = Vec::new();
    for input in &function.sig.inputs {
        let FnArg::Typed(typed) = input else {
            bail!("the command {name} takes self");
        };
        if is_injected(&typed.ty) {
            continue;
        }
        let Pat::Ident(ident) = typed.pat.as_ref() else {
            bail!("the command {name} has an argument that is not a plain name");
        };
        args.push((camel(&ident.ident.to_string()), ts_type(&typed.ty, named)?));
    }
    let answer = match &function.sig.output {
        ReturnType::Default => "null".into(),
        ReturnType::Type(_, ty) => ts_type(ty, named)?,
    };
    Ok(Command {
        doc: doc_of(&function.attrs),
        name,
        args,
        answer,
    })
}

/// The commands `lib.rs` registers, as `module::function` paths under `commands::`.
fn registered(lib: &str) -> Result<Vec<(String, String)>> {
    let start = lib
        .find("generate_handler![")
        .context("lib.rs has no generate_handler!")?;
    let list = &lib[start..];
    let end = list.find(']').context("an unclosed generate_handler!")?;
    list["generate_handler![".len()..end]
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let parts: Vec<&str> = entry.split("::").collect();
            match parts.as_slice() {
                ["commands", module, function] => Ok(((*module).into(), (*function).into())),
                _ => bail!("generate_handler! lists {entry}, not commands::<module>::<function>"),
            }
        })
        .collect()
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn commands(shell: &Path, named: &mut BTreeSet<String>) -> Result<Vec<Command>> {
    let mut found = Vec::new();
    for (module, function) in registered(&read(&shell.join("src/lib.rs"))?)? {
        let file: PathBuf = shell.join("src/commands").join(format!("{module}.rs"));
        let source = syn::parse_file(&read(&file)?)
            .with_context(|| format!("parsing {}", file.display()))?;
        let item = source.items.iter().find_map(|item| match item {
            Item::Fn(f) if f.sig.ident == function && is_command(&f.attrs) => Some(f),
            _ => None,
        });
        let item = item.with_context(|| {
            format!("generate_handler! lists commands::{module}::{function}, which is no #[tauri::command] there")
        })?;
        found.push(command_of(item, named)?);
    }
    Ok(found)
}

fn render(commands: &[Command], named: &BTreeSet<String>) -> String {
    let mut file = String::from(
        "// Generated from the Tauri commands by `cargo run -p canopy-cli -- bindings`. Do not edit.\n",
    );
    if named.contains("Channel") {
        file.push_str("import type { Channel } from \"@tauri-apps/api/core\";\n");
    }
    let types: Vec<&str> = named
        .iter()
        .filter(|n| *n != "Channel")
        .map(String::as_str)
        .collect();
    if !types.is_empty() {
        file.push_str(&format!(
            "import type {{ {} }} from \"./bindings\";\n",
            types.join(", ")
        ));
    }
    file.push_str("import { call } from \"./ipc\";\n\n");
    file.push_str(
        "/** Every backend command, named, argued and answered as its Rust function is. */\n",
    );
    file.push_str("export const commands = {\n");
    for command in commands {
        if !command.doc.is_empty() {
            file.push_str(&format!("  /** {} */\n", command.doc.join(" ")));
        }
        let params: Vec<String> = command
            .args
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        let names: Vec<&str> = command.args.iter().map(|(n, _)| n.as_str()).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        file.push_str(&format!(
            "  {}: ({}) => call<{}>(\"{}\"{args}),\n",
            camel(&command.name),
            params.join(", "),
            command.answer,
            command.name
        ));
    }
    file.push_str("};\n");
    file
}

/// The whole `ui/src/commands.ts` file, from the shell's source.
pub fn typescript() -> Result<String> {
    let mut named = BTreeSet::new();
    let found = commands(Path::new(SHELL_DIR), &mut named)?;
    Ok(render(&found, &named))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_command_surface_is_up_to_date() {
        let committed = std::fs::read_to_string(COMMANDS_PATH).unwrap_or_default();
        let generated = typescript().expect("the shell's commands parse");
        assert!(
            committed == generated,
            "ui/src/commands.ts is stale: run `cargo run -p canopy-cli -- bindings` and commit the result"
        );
    }

    #[test]
    fn a_command_is_typed_from_its_signature() {
        let function: syn::ItemFn = syn::parse_quote! {
            /// Saves a thing.
            #[tauri::command]
            pub async fn save_thing(
                app: tauri::AppHandle,
                state: State<'_, AppState>,
                thing_id: Option<i64>,
                names: Vec<Option<String>>,
                on_progress: tauri::ipc::Channel<Progress>,
            ) -> Result<Vec<Thing>, Error> {}
        };
        let mut named = BTreeSet::new();
        let command = command_of(&function, &mut named).expect("typed");
        assert_eq!(
            render(&[command], &named),
            "// Generated from the Tauri commands by `cargo run -p canopy-cli -- bindings`. Do not edit.\n\
             import type { Channel } from \"@tauri-apps/api/core\";\n\
             import type { Progress, Thing } from \"./bindings\";\n\
             import { call } from \"./ipc\";\n\n\
             /** Every backend command, named, argued and answered as its Rust function is. */\n\
             export const commands = {\n  /** Saves a thing. */\n  \
             saveThing: (thingId: number | null, names: (string | null)[], onProgress: Channel<Progress>) => \
             call<Thing[]>(\"save_thing\", { thingId, names, onProgress }),\n};\n"
        );
    }

    #[test]
    fn a_registered_name_that_is_not_a_command_is_refused() {
        let lib = "tauri::generate_handler![commands::app::app_status, crate::other]";
        assert!(registered(lib).is_err());
        let lib = "tauri::generate_handler![\n commands::app::app_status,\n commands::sync::cancel_sync,\n]";
        assert_eq!(
            registered(lib).expect("listed"),
            vec![
                ("app".to_string(), "app_status".to_string()),
                ("sync".to_string(), "cancel_sync".to_string())
            ]
        );
    }
}
