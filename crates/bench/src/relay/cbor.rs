//! The little CBOR (RFC 8949) that automerge-repo's network messages use: maps with text
//! keys, text, byte strings, arrays, unsigned integers, booleans, null (cbor-x as
//! automerge-repo configures it: no records, byte strings untagged). Definite lengths only.

use anyhow::{Result, bail};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Uint(u64),
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
}

impl Value {
    /// The value of text key `key` in a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let Value::Map(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
            .map(|(_, v)| v)
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// A map of text keys, in order.
pub fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    )
}

pub fn text(t: &str) -> Value {
    Value::Text(t.to_owned())
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let major = major << 5;
    if n < 24 {
        out.push(major | n as u8);
    } else if let Ok(n) = u8::try_from(n) {
        out.extend_from_slice(&[major | 24, n]);
    } else if let Ok(n) = u16::try_from(n) {
        out.push(major | 25);
        out.extend_from_slice(&n.to_be_bytes());
    } else if let Ok(n) = u32::try_from(n) {
        out.push(major | 26);
        out.extend_from_slice(&n.to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Uint(n) => head(out, 0, *n),
        Value::Negative(n) => head(out, 1, *n),
        Value::Bytes(b) => {
            head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Value::Text(t) => {
            head(out, 3, t.len() as u64);
            out.extend_from_slice(t.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            for item in items {
                encode(item, out);
            }
        }
        Value::Map(entries) => {
            head(out, 5, entries.len() as u64);
            for (k, v) in entries {
                encode(k, out);
                encode(v, out);
            }
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Float(f) => {
            out.push(0xfb);
            out.extend_from_slice(&f.to_be_bytes());
        }
    }
}

pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode(value, &mut out);
    out
}

struct Reader<'a> {
    input: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.input.len());
        let Some(end) = end else {
            bail!("a CBOR item runs past its message");
        };
        let slice = self.input.get(self.at..end).unwrap_or_default();
        self.at = end;
        Ok(slice)
    }

    fn argument(&mut self, info: u8) -> Result<u64> {
        Ok(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.take(1)?.first().copied().unwrap_or_default()),
            25 => u64::from(u16::from_be_bytes(self.take(2)?.try_into()?)),
            26 => u64::from(u32::from_be_bytes(self.take(4)?.try_into()?)),
            27 => u64::from_be_bytes(self.take(8)?.try_into()?),
            _ => bail!("an indefinite or reserved CBOR length"),
        })
    }

    fn length(&mut self, info: u8) -> Result<usize> {
        let n = usize::try_from(self.argument(info)?)?;
        if n > self.input.len() {
            bail!("a CBOR length past its message");
        }
        Ok(n)
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > 16 {
            bail!("CBOR nested too deep");
        }
        let first = self.take(1)?.first().copied().unwrap_or_default();
        let (major, info) = (first >> 5, first & 0x1f);
        Ok(match major {
            0 => Value::Uint(self.argument(info)?),
            1 => Value::Negative(self.argument(info)?),
            2 => {
                let n = self.length(info)?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            3 => {
                let n = self.length(info)?;
                Value::Text(String::from_utf8(self.take(n)?.to_vec())?)
            }
            4 => {
                let n = self.length(info)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            5 => {
                let n = self.length(info)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.value(depth + 1)?;
                    let v = self.value(depth + 1)?;
                    entries.push((k, v));
                }
                Value::Map(entries)
            }
            // A tag: its value stands for itself here.
            6 => {
                self.argument(info)?;
                self.value(depth + 1)?
            }
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 => Value::Null,
                23 => Value::Undefined,
                25 => {
                    self.take(2)?;
                    Value::Float(f64::NAN)
                }
                26 => Value::Float(f64::from(f32::from_be_bytes(self.take(4)?.try_into()?))),
                27 => Value::Float(f64::from_be_bytes(self.take(8)?.try_into()?)),
                _ => bail!("an unknown CBOR simple value"),
            },
        })
    }
}

pub fn decode(input: &[u8]) -> Result<Value> {
    let mut reader = Reader { input, at: 0 };
    let value = reader.value(0)?;
    if reader.at != input.len() {
        bail!("bytes after a CBOR message");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_message_round_trips() {
        let message = map(vec![
            ("type", text("sync")),
            ("senderId", text("client-7")),
            ("data", Value::Bytes(vec![1; 300])),
            ("count", Value::Uint(70_000)),
            ("versions", Value::Array(vec![text("1")])),
            ("meta", map(vec![("isEphemeral", Value::Bool(true))])),
        ]);
        let bytes = to_vec(&message);
        let back = decode(&bytes).unwrap();
        assert_eq!(back, message);
        assert_eq!(back.get("type").and_then(Value::text), Some("sync"));
        assert_eq!(
            back.get("data").and_then(Value::bytes).map(<[u8]>::len),
            Some(300)
        );
    }
}
