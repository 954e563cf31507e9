//! Deserializing from a parsed `serde_json::Value` with the path of the offending field
//! (`steps[1].PCA.n_components`, `model.LogisticRegression.C`), for the spec, the search's
//! candidates, the model file and the page's option blocks.
//!
//! It is serde_json's own `&Value` deserializer (every scalar is handed to it, so a value is
//! accepted or refused exactly as `T::deserialize(&value)` would, with the same message; one
//! exception: a struct written as an array of its fields, which only serde_json takes),
//! plus a path on the stack: arrays, objects and enum variants are walked here, and the
//! first (innermost) frame an error passes through records where it is. This replaced
//! `serde_path_to_error`, which wraps every visitor of every derived type and cost the page's
//! first module ~169 KB (bench/HISTORY.md, Session 10); the paths are written as it wrote
//! them (`a.b[2].c`; `.` for the top level).

use std::cell::RefCell;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor};
use serde::Deserialize;
use serde_json::{Error, Map, Value};

/// Deserializes `T` from `value`; on error, the path of the offending field (`.` for the top
/// level) and serde's message.
pub fn from_value<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, (String, Error)> {
    let first = RefCell::new(None);
    T::deserialize(Track { value, path: &Path::Root, first: &first }).map_err(|e| (first.into_inner().unwrap_or_else(|| ".".to_string()), e))
}

/// Where a value sits: a list on the stack, innermost last.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, k) => {
                    segments.push(Err(*k));
                    at = parent;
                }
                Path::Index(parent, i) => {
                    segments.push(Ok(*i));
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for s in segments.iter().rev() {
            match s {
                Ok(i) => out.push_str(&format!("[{i}]")),
                Err(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }
}

/// The first error to pass a frame is the innermost: only it records its path.
fn record(first: &RefCell<Option<String>>, path: &Path, e: Error) -> Error {
    let mut f = first.borrow_mut();
    if f.is_none() {
        *f = Some(path.render());
    }
    e
}

/// serde_json's description of a value in a type error (its own is private).
fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            // A number is u64, i64 or f64 (no arbitrary precision in this build).
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// serde_json's type error for a value (`Value::invalid_type`, private), written here rather
/// than reached through its deserializer methods: those would be compiled once per visitor.
fn invalid(v: &Value, exp: &dyn de::Expected) -> Error {
    de::Error::invalid_type(unexpected(v), exp)
}

struct Track<'de, 'p> {
    value: &'de Value,
    path: &'p Path<'p>,
    first: &'p RefCell<Option<String>>,
}

impl<'de, 'p> Track<'de, 'p> {
    fn seq<V: Visitor<'de>>(self, array: &'de [Value], visitor: V) -> Result<V::Value, Error> {
        let mut seq = TrackSeq { iter: array.iter(), index: 0, path: self.path, first: self.first };
        let out = visitor.visit_seq(&mut seq)?;
        if seq.iter.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(array.len(), &"fewer elements in array"))
        }
    }

    fn map<V: Visitor<'de>>(self, map: &'de Map<String, Value>, visitor: V) -> Result<V::Value, Error> {
        let mut access = TrackMap { iter: map.iter(), value: None, path: self.path, first: self.first };
        let out = visitor.visit_map(&mut access)?;
        if access.iter.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(map.len(), &"fewer elements in map"))
        }
    }
}

/// The scalar methods: serde_json's `&Value` deserializer itself (its containers are walked
/// here; its errors for a scalar where a container was expected are written here too, the
/// same words, so no visitor instantiates its container code).
macro_rules! delegate {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.value.$method(visitor)
        })*
    };
}

impl<'de> Deserializer<'de> for Track<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => self.seq(a, visitor),
            Value::Object(m) => self.map(m, visitor),
        }
    }

    delegate! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32
        deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_unit deserialize_identifier
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(a) => self.seq(a, visitor),
            v => Err(invalid(v, &visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(a) => self.seq(a, visitor),
            v => Err(invalid(v, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(m) => self.map(m, visitor),
            v => Err(invalid(v, &visitor)),
        }
    }

    /// A struct is a JSON object only. serde_json's `&Value` deserializer also takes an array
    /// of the fields in order, but nothing writes one (our serializers write objects), and
    /// never calling `visit_seq` here leaves every derived struct's sequence visitor out of the
    /// module (the page's first module, bench/HISTORY.md "after the browserspeed merge").
    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(m) => self.map(m, visitor),
            v => Err(invalid(v, &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, _variants: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(m) => match (m.len(), m.iter().next()) {
                (1, Some((variant, value))) => visitor.visit_enum(TrackEnum { variant, value: Some(value), path: self.path, first: self.first }),
                _ => Err(de::Error::invalid_value(Unexpected::Map, &"map with a single key")),
            },
            Value::String(variant) => visitor.visit_enum(TrackEnum { variant, value: None, path: self.path, first: self.first }),
            v => Err(de::Error::invalid_type(unexpected(v), &"string or map")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct TrackSeq<'de, 'p> {
    iter: std::slice::Iter<'de, Value>,
    index: usize,
    path: &'p Path<'p>,
    first: &'p RefCell<Option<String>>,
}

impl<'de> SeqAccess<'de> for TrackSeq<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.iter.next() else { return Ok(None) };
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        seed.deserialize(Track { value, path: &path, first: self.first }).map(Some).map_err(|e| record(self.first, &path, e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct TrackMap<'de, 'p> {
    iter: serde_json::map::Iter<'de>,
    value: Option<(&'de str, &'de Value)>,
    path: &'p Path<'p>,
    first: &'p RefCell<Option<String>>,
}

impl<'de> MapAccess<'de> for TrackMap<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else { return Ok(None) };
        self.value = Some((key, value));
        // An unknown field is located at its key, as serde_path_to_error did.
        seed.deserialize(BorrowedStrDeserializer::<Error>::new(key)).map(Some).map_err(|e| record(self.first, &Path::Key(self.path, key), e))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.value.take() else { return Err(de::Error::custom("value is missing")) };
        let path = Path::Key(self.path, key);
        seed.deserialize(Track { value, path: &path, first: self.first }).map_err(|e| record(self.first, &path, e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct TrackEnum<'de, 'p> {
    variant: &'de str,
    value: Option<&'de Value>,
    path: &'p Path<'p>,
    first: &'p RefCell<Option<String>>,
}

impl<'de, 'p> EnumAccess<'de> for TrackEnum<'de, 'p> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let de: StrDeserializer<'_, Error> = self.variant.into_deserializer();
        match seed.deserialize(de) {
            Ok(v) => Ok((v, self)),
            // An unknown variant is located at the enum (serde_path_to_error's place for it).
            Err(e) => Err(record(self.first, self.path, e)),
        }
    }
}

impl<'de> TrackEnum<'de, '_> {
    /// The variant's value, deserialized at `path.Variant`.
    fn inside<R>(&self, value: &'de Value, f: impl FnOnce(Track<'de, '_>) -> Result<R, Error>) -> Result<R, Error> {
        let path = Path::Key(self.path, self.variant);
        f(Track { value, path: &path, first: self.first }).map_err(|e| record(self.first, &path, e))
    }
}

impl<'de> VariantAccess<'de> for TrackEnum<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Some(value) => self.inside(value, |t| <()>::deserialize(t)),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.value {
            Some(value) => self.inside(value, |t| seed.deserialize(t)),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(Value::Array(v)) if v.is_empty() => visitor.visit_unit(),
            Some(value @ Value::Array(v)) => self.inside(value, |t| t.seq(v, visitor)),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(value @ Value::Object(m)) => self.inside(value, |t| t.map(m, visitor)),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"struct variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"struct variant")),
        }
    }
}
