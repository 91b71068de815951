//! The bytes of a file to send, as JS holds them: read one chunk at a time when the core
//! asks (`UploadNeedsData`), never copied whole.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// A file's bytes: a `Uint8Array` (or `ArrayBuffer`) in memory, or a `Blob` / `File`
/// read slice by slice.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// In memory.
    Bytes(Uint8Array),
    /// A Blob or File (`slice(..).arrayBuffer()` per chunk).
    Blob(Blob),
}

impl Source {
    /// The source behind `value`, or why it is none.
    pub(crate) fn from_js(value: &JsValue) -> Result<Source, String> {
        if let Some(b) = value.dyn_ref::<Uint8Array>() {
            Ok(Source::Bytes(b.clone()))
        } else if let Some(b) = value.dyn_ref::<ArrayBuffer>() {
            Ok(Source::Bytes(Uint8Array::new(b)))
        } else if let Some(b) = value.dyn_ref::<Blob>() {
            Ok(Source::Blob(b.clone()))
        } else {
            Err("the file's bytes must be a Uint8Array, an ArrayBuffer or a Blob".into())
        }
    }

    /// The size in bytes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Source::Bytes(b) => u64::from(b.length()),
            Source::Blob(b) => b.size() as u64,
        }
    }

    /// Bytes `offset..offset + len`.
    pub(crate) async fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let end = offset.saturating_add(len);
        if end > self.len() {
            return Err(format!(
                "bytes {offset}..{end} asked of a file of {} bytes (changed since?)",
                self.len()
            ));
        }
        match self {
            Source::Bytes(b) => Ok(b.subarray(offset as u32, end as u32).to_vec()),
            Source::Blob(b) => {
                let slice = b
                    .slice_with_f64_and_f64(offset as f64, end as f64)
                    .map_err(describe)?;
                let buf = JsFuture::from(slice.array_buffer())
                    .await
                    .map_err(describe)?;
                Ok(Uint8Array::new(&buf).to_vec())
            }
        }
    }
}

fn describe(e: JsValue) -> String {
    js_sys::Error::from(e)
        .to_string()
        .as_string()
        .unwrap_or_else(|| "the Blob could not be read".into())
}
