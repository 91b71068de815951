//! JSON Schema and TypeScript definitions of the JSON boundary, generated from the
//! serde types themselves (`schemars` and `ts-rs`), so that they cannot say something
//! the code does not do. Behind the `schema` feature; the checked-in copies are
//! `schema/webwx.schema.json` and `schema/webwx.d.ts` at the repository root, and a test
//! of the `webwx-tests` crate fails when they drift (regenerate with
//! `UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema`).
//!
//! What they describe is what crosses the boundary:
//!
//! - [`Event`](crate::Event) as [`event_json`](super::event_json) prints it (the
//!   driver-only `upload_needs_data` and `downloaded` command events are left out);
//! - `Request`: a [`Command`] with its optional `"id"` and `"timeout_ms"`, as
//!   [`Request::parse`](super::Request::parse) reads it;
//! - [`Answer`] (with [`CommandResult`](super::CommandResult) and
//!   [`ErrorInfo`](super::ErrorInfo)).
//!
//! The schema is of the JSON the core *writes* (serde's serialize side): 64-bit ids are
//! decimal strings, a field that is always written is required. What the core reads is
//! a little more lenient (ids as numbers too, `null` for an absent option).

use super::{Answer, Command, CommandId};
use crate::Event;
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use ts_rs::{Config, TS, TypeVisitor};

/// A command as a host writes it: the [`Command`] object, and beside its fields an
/// optional `"id"` (echoed as the answer's `"answer"`) and `"timeout_ms"` (answer
/// `timeout` after this long instead of the command's default). Only for the schema:
/// [`Request::parse`](super::Request::parse) reads it.
#[derive(Serialize, TS)]
#[ts(rename = "Request")]
pub struct RequestShape {
    /// Echoed as the answer's `"answer"`.
    #[ts(optional)]
    pub id: Option<CommandId>,
    /// Answer a `timeout` error after this many milliseconds (a positive integer).
    #[ts(optional, type = "number")]
    pub timeout_ms: Option<u64>,
    /// The command.
    #[serde(flatten)]
    #[ts(flatten)]
    pub command: Command,
}

impl JsonSchema for RequestShape {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Request".into()
    }

    /// [`Command`]'s variants, each with `id` and `timeout_ms` beside its own fields
    /// (every variant refuses unknown fields, so they cannot be added by `allOf`).
    fn json_schema(generator: &mut SchemaGenerator) -> schemars::Schema {
        let id = generator.subschema_for::<CommandId>();
        let mut command = Command::json_schema(generator).to_value();
        let variants = command
            .get_mut("oneOf")
            .and_then(Value::as_array_mut)
            .expect("Command is a oneOf of its variants");
        for v in variants {
            let props = v
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .expect("every command variant is an object");
            props.insert(
                "id".into(),
                json!({
                    "description": "Echoed as the answer's `\"answer\"`.",
                    "anyOf": [id.clone().to_value(), {"type": "null"}],
                }),
            );
            props.insert(
                "timeout_ms".into(),
                json!({
                    "description": "Answer a `timeout` error after this many milliseconds instead of the command's default.",
                    "type": ["integer", "null"],
                    "minimum": 1,
                }),
            );
        }
        let obj = command.as_object_mut().expect("an object schema");
        obj.insert(
            "description".into(),
            "A command as a host writes it: the command's fields, and an optional `id` and `timeout_ms`."
                .into(),
        );
        schemars::Schema::try_from(command).expect("an object schema")
    }
}

/// The JSON Schema (draft 2020-12) of the boundary: `$defs` of every type, with the
/// three things that cross it at the root (`anyOf` an `Event`, a `Request`, an
/// `Answer`). Pretty-printed, ending in a newline.
pub fn json_schema() -> String {
    let mut generator: SchemaGenerator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let roots = [
        generator.subschema_for::<Event>(),
        generator.subschema_for::<RequestShape>(),
        generator.subschema_for::<Answer>(),
    ];
    // Also in `$defs` by itself (the Request's variants carry it inline).
    generator.subschema_for::<Command>();
    let mut defs: BTreeMap<String, Value> = generator.take_definitions(true).into_iter().collect();
    for def in defs.values_mut() {
        strip_examples(def);
    }
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    root.insert("title".into(), "webwx JSON boundary".into());
    root.insert(
        "description".into(),
        "Generated from webwx-core's types (`UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema`); do not edit. \
         One line of the boundary is an Event (`event`), a Request (`cmd`, from the host) or an Answer (`answer`)."
            .into(),
    );
    root.insert(
        "anyOf".into(),
        Value::Array(roots.iter().map(|s| s.clone().to_value()).collect()),
    );
    let defs: Map<String, Value> = defs.into_iter().collect();
    root.insert("$defs".into(), Value::Object(defs));
    let mut s = serde_json::to_string_pretty(&Value::Object(root)).expect("a schema serializes");
    s.push('\n');
    s
}

/// TypeScript definitions of the boundary: one `export type` per type, and the unions
/// a host uses (`Event`, `Command`, `Request`, `Answer`, `CommandResult`,
/// `ErrorInfo`…), each discriminated by its tag (`event`, `cmd`, `kind`…). Ends in a
/// newline.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut collect = Collect {
        cfg: &cfg,
        seen: HashSet::new(),
        decls: BTreeMap::new(),
    };
    collect.visit::<Event>();
    collect.visit::<RequestShape>();
    collect.visit::<Command>();
    collect.visit::<Answer>();
    let mut out = String::from(
        "// The webwx JSON boundary, generated from webwx-core's types by ts-rs\n\
         // (`UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema`); do not edit.\n\
         // One line of the boundary is an `Event` (tagged `event`), a `Request` (a `Command`\n\
         // tagged `cmd`, from the host) or an `Answer` (`answer`: the command's `id`).\n\
         // 64-bit ids are decimal strings; bytes are standard base64.\n",
    );
    for decl in collect.decls.values() {
        out.push('\n');
        out.push_str(decl);
        out.push('\n');
    }
    tidy_typescript(&out)
}

/// Drops the docs' Rust examples (they mean nothing in TypeScript) and trailing spaces,
/// and indents the members of each type by two spaces.
fn tidy_typescript(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut in_example = false;
    let mut in_decl = false;
    for line in text.lines() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("* ```") {
            in_example = !in_example;
            continue;
        }
        if in_example {
            continue;
        }
        // An empty ` *` line left before the end of a comment.
        if trimmed == "*/" && lines.last().is_some_and(|l| l.trim() == "*") {
            lines.pop();
        }
        let is_comment = trimmed.starts_with("/**") || trimmed.starts_with('*');
        if in_decl {
            lines.push(format!("  {line}"));
            if !is_comment && line.ends_with(';') {
                in_decl = false;
            }
        } else {
            in_decl = line.starts_with("export type") && !line.ends_with(';');
            lines.push(line.to_owned());
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Drops the Rust examples (fenced code blocks) of every `description` in `v`.
fn strip_examples(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(text) if k == "description" => {
                        let mut kept = Vec::new();
                        let mut in_example = false;
                        for line in text.lines() {
                            if line.trim_start().starts_with("```") {
                                in_example = !in_example;
                            } else if !in_example {
                                kept.push(line);
                            }
                        }
                        *text = kept.join("\n").trim_end().to_owned();
                    }
                    _ => strip_examples(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_examples),
        _ => {}
    }
}

struct Collect<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let mut decl = String::new();
            if let Some(docs) = T::docs() {
                decl.push_str(&docs);
            }
            decl.push_str("export ");
            decl.push_str(&T::decl(self.cfg));
            self.decls.insert(T::ident(self.cfg), decl);
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}
