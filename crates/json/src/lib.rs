//! JSON for the survey's own types, small enough for the widget's wasm.
//!
//! Reading parses into a [`Value`] with one non-generic parser (a key given twice anywhere is
//! an error); each type then reads its fields from one table, declared with [`read_object!`],
//! which makes unknown and missing fields errors that name their path
//! (`services[1].label.de`). serde's derived deserializers
//! monomorphise a visitor per type and cost about 10 KiB gzip of wasm for the office
//! configuration and the outbox entries alone; this costs a fraction of that, and the
//! server reads configurations with the same code. Writing goes through serde (its
//! per-type code is small) and is byte-for-byte what serde_json writes (tested).
//!
//! Numbers are integers only (no type here has a fraction); nesting is limited to
//! [`MAX_DEPTH`]; object keys keep their order.

use serde::ser::{self, Serialize};
use std::fmt;

/// Deepest nesting of arrays and objects accepted, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// What went wrong, in terms a configuration author can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not JSON: a stray character, a missing comma or quote, trailing text.
    Syntax,
    /// The text ended in the middle of a value.
    Eof,
    /// A number with a fraction or exponent, or out of range for its field.
    Number,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A value of the wrong type; names what was expected (`a string`).
    InvalidType(&'static str),
    /// A value of the right type that is not allowed: the value and what is allowed.
    InvalidValue(String, &'static str),
    /// A field the type does not have (often a typo).
    UnknownField(String),
    /// A required field is absent.
    MissingField(&'static str),
    /// The same field twice in one object.
    DuplicateField(String),
    /// Something this codec does not write (floats, bytes, non-string keys).
    Unsupported,
}

/// A JSON error (see [`ErrorData`]), boxed so that every `Result` on the reading path stays
/// one pointer wide: moving a wide error through each `?` costs more wasm than the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorData>);

/// What a JSON error says: its kind, the byte offset where parsing stopped (syntax errors
/// only) and the path of the value it concerns (`services[1].id`; empty for the document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorData {
    pub kind: ErrorKind,
    pub offset: usize,
    pub path: String,
}

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl Error {
    /// An error about a value (not about the text), at the root until [`Error::within`] places it.
    pub fn new(kind: ErrorKind) -> Error {
        Error::at(kind, 0)
    }

    /// An error at byte `offset` of the text.
    #[inline(never)]
    fn at(kind: ErrorKind, offset: usize) -> Error {
        Error(Box::new(ErrorData {
            kind,
            offset,
            path: String::new(),
        }))
    }

    /// The error's data, to take it apart.
    pub fn into_data(self) -> ErrorData {
        *self.0
    }

    /// The same error one level further out: inside the field `key` of an object.
    pub fn within(self, key: &str) -> Error {
        self.prefixed(key)
    }

    /// The same error one level further out: at position `index` of an array.
    pub fn within_index(self, index: usize) -> Error {
        self.prefixed(&format!("[{index}]"))
    }

    /// Puts `segment` in front of the path: `services` + `[1].id`, `label` + `.id`.
    #[inline(never)]
    fn prefixed(mut self, segment: &str) -> Error {
        let sep = if self.path.is_empty() || self.path.starts_with('[') {
            ""
        } else {
            "."
        };
        self.0.path = format!("{segment}{sep}{}", self.0.path);
        self
    }

    /// What a field reader answers for a key its type does not have (the key is filled in).
    pub fn unknown_field() -> Error {
        Error::new(ErrorKind::UnknownField(String::new()))
    }

    /// 1-based line and column of [`Error::offset`] in `text`, for messages to people.
    pub fn line_column(&self, text: &str) -> (usize, usize) {
        let mut end = self.offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        (line, before[line_start..].chars().count() + 1)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Syntax => f.write_str("not valid JSON"),
            ErrorKind::Eof => f.write_str("the text ends too early"),
            ErrorKind::Number => f.write_str("expected a whole number in range"),
            ErrorKind::TooDeep => f.write_str("nested too deeply"),
            ErrorKind::InvalidType(expected) => write!(f, "expected {expected}"),
            ErrorKind::InvalidValue(v, expected) => {
                write!(f, "value `{v}` is not allowed, expected {expected}")
            }
            ErrorKind::UnknownField(name) => write!(f, "unknown field `{name}`"),
            ErrorKind::MissingField(name) => write!(f, "missing field `{name}`"),
            ErrorKind::DuplicateField(name) => write!(f, "duplicate field `{name}`"),
            ErrorKind::Unsupported => f.write_str("a value this format cannot hold"),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(_msg: T) -> Error {
        Error::new(ErrorKind::Unsupported)
    }
}

/// A parsed JSON value. Numbers are integers; objects keep their keys in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Parses one JSON value from the whole of `text` (only whitespace may follow it).
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error(ErrorKind::Syntax));
    }
    Ok(value)
}

/// Writes `value` as compact JSON, exactly as `serde_json::to_string` would.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = Writer { out: String::new() };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ErrorKind) -> Error {
        Error::at(kind, self.pos)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Result<u8, Error> {
        self.skip_ws();
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.error(ErrorKind::Eof))
    }

    /// Consumes `byte` if it comes next (after whitespace).
    fn eat(&mut self, byte: u8) -> Result<bool, Error> {
        let found = self.peek()? == byte;
        if found {
            self.pos += 1;
        }
        Ok(found)
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.eat(byte)? {
            Ok(())
        } else {
            Err(self.error(ErrorKind::Syntax))
        }
    }

    /// The input not read yet.
    fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        if self.rest().starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(ErrorKind::Syntax))
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        match self.peek()? {
            b'n' => self.literal("null", Value::Null),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'"' => Ok(Value::Str(self.string()?)),
            b'-' | b'0'..=b'9' => Ok(Value::Int(self.integer()?)),
            b'[' => {
                self.enter()?;
                let mut items = Vec::new();
                if !self.eat(b']')? {
                    loop {
                        items.push(self.value()?);
                        if !self.eat(b',')? {
                            break;
                        }
                    }
                    self.expect(b']')?;
                }
                self.depth -= 1;
                Ok(Value::Array(items))
            }
            b'{' => {
                self.enter()?;
                let mut fields = Vec::new();
                let mut key_offsets = Vec::new();
                if !self.eat(b'}')? {
                    loop {
                        if self.peek()? != b'"' {
                            return Err(self.error(ErrorKind::Syntax));
                        }
                        key_offsets.push(self.pos);
                        let key = self.string()?;
                        self.expect(b':')?;
                        fields.push((key, self.value()?));
                        if !self.eat(b',')? {
                            break;
                        }
                    }
                    self.expect(b'}')?;
                }
                let duplicate = duplicate_key(&fields)
                    .and_then(|i| Some((fields.get(i)?.0.clone(), *key_offsets.get(i)?)));
                if let Some((key, offset)) = duplicate {
                    return Err(Error::at(ErrorKind::DuplicateField(key), offset));
                }
                self.depth -= 1;
                Ok(Value::Object(fields))
            }
            _ => Err(self.error(ErrorKind::Syntax)),
        }
    }

    /// Steps into an array or object, refusing nesting deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep));
        }
        self.pos += 1;
        Ok(())
    }

    /// An integer: `-?(0|[1-9][0-9]*)` in i64 range; fractions and exponents are refused.
    fn integer(&mut self) -> Result<i64, Error> {
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let mut value: i64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.bytes.get(self.pos) {
            let digit = i64::from(d - b'0');
            value = value
                .checked_mul(10)
                .and_then(|v| {
                    if negative {
                        v.checked_sub(digit)
                    } else {
                        v.checked_add(digit)
                    }
                })
                .ok_or_else(|| self.error(ErrorKind::Number))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        if digits == 0 || (digits > 1 && self.bytes.get(start) == Some(&b'0')) {
            return Err(self.error(ErrorKind::Syntax));
        }
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(self.pos) {
            return Err(self.error(ErrorKind::Number));
        }
        Ok(value)
    }

    /// A string at its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut run = self.pos;
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error(ErrorKind::Eof));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                    run = self.pos;
                }
                0..=0x1f => return Err(self.error(ErrorKind::Syntax)),
                _ => self.pos += 1,
            }
        }
    }

    /// The character of an escape after its backslash (a `\u` pair makes one character).
    fn escape(&mut self) -> Result<char, Error> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error(ErrorKind::Eof));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if !self.rest().starts_with(b"\\u") {
                        return Err(self.error(ErrorKind::Syntax));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error(ErrorKind::Syntax));
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                return char::from_u32(code).ok_or_else(|| self.error(ErrorKind::Syntax));
            }
            _ => return Err(self.error(ErrorKind::Syntax)),
        };
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self
                .bytes
                .get(self.pos)
                .and_then(|&b| (b as char).to_digit(16))
                .ok_or_else(|| self.error(ErrorKind::Syntax))?;
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }
}

/// The index of the second occurrence of a key that an object repeats, if any.
///
/// A duplicate key is an error anywhere in a document: JSON readers disagree on which of two
/// values wins, so a payload with one could mean different things to different readers. The
/// keys are sorted rather than compared pairwise, so a hostile object with thousands of keys
/// costs O(n log n), not O(n²). Plain loops: each iterator adapter is its own wasm code.
fn duplicate_key(fields: &[(String, Value)]) -> Option<usize> {
    let mut keys: Vec<&str> = Vec::with_capacity(fields.len());
    for (key, _) in fields {
        keys.push(key);
    }
    keys.sort_unstable();
    let mut repeated = None;
    for pair in keys.windows(2) {
        if let [a, b] = pair {
            if a == b {
                repeated = Some(*a);
                break;
            }
        }
    }
    let repeated = repeated?;
    let mut seen = false;
    for (i, (key, _)) in fields.iter().enumerate() {
        if key == repeated {
            if seen {
                return Some(i);
            }
            seen = true;
        }
    }
    None
}

impl Value {
    /// The text of a string value.
    pub fn str(&self) -> Result<&str, Error> {
        match self {
            Value::Str(s) => Ok(s),
            _ => Err(Error::new(ErrorKind::InvalidType("a string"))),
        }
    }

    /// A `true` or `false`.
    pub fn bool(&self) -> Result<bool, Error> {
        match self {
            Value::Bool(b) => Ok(*b),
            _ => Err(Error::new(ErrorKind::InvalidType("true or false"))),
        }
    }

    /// An owned copy of a string value (a [`Read`] for `String` fields).
    pub fn string(&self) -> Result<String, Error> {
        self.str().map(str::to_string)
    }

    /// A whole number from `min` to `max`.
    #[inline(never)]
    pub fn int_in(&self, min: i64, max: i64) -> Result<i64, Error> {
        match self {
            Value::Int(n) if (min..=max).contains(n) => Ok(*n),
            Value::Int(_) => Err(Error::new(ErrorKind::Number)),
            _ => Err(Error::new(ErrorKind::InvalidType("a whole number"))),
        }
    }

    /// A whole number that fits `u8`.
    pub fn u8(&self) -> Result<u8, Error> {
        self.int_in(0, u8::MAX.into()).map(|n| n as u8)
    }

    /// A whole number that fits `u16`.
    pub fn u16(&self) -> Result<u16, Error> {
        self.int_in(0, u16::MAX.into()).map(|n| n as u16)
    }

    /// A whole number that fits `u32`.
    pub fn u32(&self) -> Result<u32, Error> {
        self.int_in(0, u32::MAX.into()).map(|n| n as u32)
    }

    /// Any whole number JSON here can hold (Unix milliseconds, say).
    pub fn i64(&self) -> Result<i64, Error> {
        self.int_in(i64::MIN, i64::MAX)
    }

    /// An array read item by item; an error names the item's index.
    pub fn list<T>(&self, read: fn(&Value) -> Result<T, Error>) -> Result<Vec<T>, Error> {
        let Value::Array(items) = self else {
            return Err(Error::new(ErrorKind::InvalidType("a list")));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(read(item).map_err(|e| e.within_index(i))?);
        }
        Ok(out)
    }

    /// The value of a string that must be one of a closed list of words.
    pub fn one_of<T: Copy>(&self, words: &[(&str, T)], expected: &'static str) -> Result<T, Error> {
        let word = self.str()?;
        words
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, v)| *v)
            .ok_or_else(|| Error::new(ErrorKind::InvalidValue(word.to_string(), expected)))
    }

    /// The entries of an object, in document order (keys are unique, see [`parse`]).
    pub fn entries(&self) -> Result<&[(String, Value)], Error> {
        match self {
            Value::Object(entries) => Ok(entries),
            _ => Err(Error::new(ErrorKind::InvalidType("an object"))),
        }
    }

    /// Reads this object field by field; use it through [`read_object!`], which builds both
    /// arguments from one table. Calls `field` with each key and value, skipping `null` values
    /// (absent and `null` mean the same). Keys are unique ([`parse`] refuses duplicates); an
    /// error from `field` is placed at its key; `field` answers [`Error::unknown_field`] for a
    /// key its type lacks. Afterwards every field marked required in `fields` must have been
    /// given.
    ///
    /// Non-generic on purpose: every type's reader shares this one function in the wasm.
    #[inline(never)]
    pub fn read_fields(
        &self,
        fields: &[(&'static str, bool)],
        field: &mut dyn FnMut(&str, &Value) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let entries = self.entries()?;
        let mut seen = vec![false; fields.len()];
        for (key, value) in entries {
            if matches!(value, Value::Null) {
                continue;
            }
            field(key, value).map_err(|e| match &e.kind {
                ErrorKind::UnknownField(name) if name.is_empty() => {
                    Error::new(ErrorKind::UnknownField(key.clone())).within(key)
                }
                _ => e.within(key),
            })?;
            let j = fields.iter().position(|(k, _)| k == key);
            if let Some(flag) = j.and_then(|j| seen.get_mut(j)) {
                *flag = true;
            }
        }
        for ((name, required), seen) in fields.iter().zip(seen) {
            if *required && !seen {
                return Err(Error::new(ErrorKind::MissingField(name)));
            }
        }
        Ok(())
    }
}

/// `true` for a field marked `(required)` in a [`read_object!`] table.
#[doc(hidden)]
#[macro_export]
macro_rules! __required {
    () => {
        false
    };
    (required) => {
        true
    };
}

/// What a [`read_object!`] table does with a key it does not list.
#[doc(hidden)]
#[macro_export]
macro_rules! __unknown {
    () => {
        Err($crate::Error::unknown_field())
    };
    (ignore) => {
        Ok(())
    };
}

/// Reads a JSON object from one table of its fields, so a type's schema is written once:
///
/// ```
/// # use ikm_json::{parse, read_object, Error, Value};
/// struct Label { id: String, en: Option<String> }
/// fn label(value: &Value) -> Result<Label, Error> {
///     let mut l = Label { id: String::new(), en: None };
///     read_object!(value, |v| {
///         "id" (required) => l.id = v.string()?,
///         "en" => l.en = Some(v.string()?),
///     })?;
///     Ok(l)
/// }
/// assert_eq!(label(&parse(r#"{"id":"Paspor"}"#).unwrap()).unwrap().id, "Paspor");
/// assert!(label(&parse(r#"{"en":"Passport"}"#).unwrap()).is_err()); // `id` is required
/// assert!(label(&parse(r#"{"id":"P","de":"Pass"}"#).unwrap()).is_err()); // unknown field
/// ```
///
/// Each `"key" => statement` runs with the named binding (`v`) set to the field's value;
/// `(required)` marks a field that must be given (`null` counts as absent). A key not in the
/// table is an error naming it, unless the table ends with `, ignore` (to read documents
/// written by a newer version). Errors are placed at their field's path.
#[macro_export]
macro_rules! read_object {
    ($value:expr, |$v:ident| { $( $key:literal $(($flag:ident))? => $body:expr ),* $(,)? } $(, $unknown:ident)?) => {{
        const FIELDS: &[(&str, bool)] = &[ $( ($key, $crate::__required!($($flag)?)) ),* ];
        $crate::Value::read_fields(&$value, FIELDS, &mut |key: &str, $v: &$crate::Value| {
            match key {
                $( $key => {
                    $body;
                } )*
                _ => return $crate::__unknown!($($unknown)?),
            }
            Ok(())
        })
    }};
}

struct Writer {
    out: String,
}

impl Writer {
    fn integer(&mut self, negative: bool, mut n: u64) {
        if negative {
            self.out.push('-');
        }
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in digits.get(i..).unwrap_or_default() {
            self.out.push(d as char);
        }
    }

    /// A quoted string with serde_json's escapes: `\"`, `\\`, short forms, else `\u00XX`.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        let mut run = 0;
        for (i, b) in s.bytes().enumerate() {
            let short = match b {
                b'"' => '"',
                b'\\' => '\\',
                b'\n' => 'n',
                b'\r' => 'r',
                b'\t' => 't',
                0x08 => 'b',
                0x0c => 'f',
                0..=0x1f => 'u',
                _ => continue,
            };
            self.out.push_str(&s[run..i]);
            self.out.push('\\');
            self.out.push(short);
            if short == 'u' {
                self.out.push_str("00");
                for nibble in [b >> 4, b & 0xf] {
                    self.out
                        .push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            }
            run = i + 1;
        }
        self.out.push_str(&s[run..]);
        self.out.push('"');
    }
}

/// An array or object being written; `first` decides whether a comma comes before the next item.
struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
    close: char,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.writer.out.push(',');
        }
    }

    fn key(&mut self, key: &str) {
        self.comma();
        self.writer.string(key);
        self.writer.out.push(':');
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v < 0, v.unsigned_abs());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(false, v);
        Ok(())
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Unsupported))
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Unsupported))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Unsupported))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push('[');
        Ok(Compound {
            writer: self,
            first: true,
            close: ']',
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error::new(ErrorKind::Unsupported))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push('{');
        Ok(Compound {
            writer: self,
            first: true,
            close: '}',
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error::new(ErrorKind::Unsupported))
    }
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), Error> {
        self.writer.out.push(self.close);
        Ok(())
    }
}

/// Arrays, tuples and tuple structs are all written as JSON arrays.
macro_rules! array_like {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

array_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    /// Keys must serialize as strings (JSON has no other keys).
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        let at = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        if !self.writer.out[at..].starts_with('"') {
            return Err(Error::new(ErrorKind::Unsupported));
        }
        self.writer.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(key);
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// serde_json's reading of the same text, in our terms (integers only).
    fn from_serde(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Int(n.as_i64().expect("integer")),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(from_serde).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect())
            }
        }
    }

    #[test]
    fn escapes_decode_including_surrogate_pairs() {
        let s = parse(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00z""#).unwrap();
        assert_eq!(s, Value::Str("a\"b\\c/d\u{8}\u{c}\n\r\té😀z".into()));
        let s = parse("\"Bengkulu é 😀\"").unwrap();
        assert_eq!(s, Value::Str("Bengkulu é 😀".into()));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let kind = |text: &str| parse(text).unwrap_err().into_data().kind;
        assert_eq!(kind(r#"{"a":1} x"#), ErrorKind::Syntax);
        assert_eq!(parse(r#"{"a":1} x"#).unwrap_err().offset, 8);
        assert_eq!(kind(r#"{"a":"K""#), ErrorKind::Eof);
        assert_eq!(kind(r#"{"a":1,}"#), ErrorKind::Syntax);
        assert_eq!(kind(r#"[1,]"#), ErrorKind::Syntax);
        assert_eq!(kind(r#"{1:2}"#), ErrorKind::Syntax);
        assert_eq!(kind("\"a\u{1}b\""), ErrorKind::Syntax);
        assert_eq!(kind(r#""\ud800""#), ErrorKind::Syntax);
        assert_eq!(kind(r#""\x""#), ErrorKind::Syntax);
        assert_eq!(kind("017"), ErrorKind::Syntax);
        assert_eq!(kind("-"), ErrorKind::Syntax);
        assert_eq!(kind("17.5"), ErrorKind::Number);
        assert_eq!(kind("1e3"), ErrorKind::Number);
        assert_eq!(kind("9223372036854775808"), ErrorKind::Number);
        assert_eq!(parse("-9223372036854775808").unwrap(), Value::Int(i64::MIN));
        assert_eq!(kind("nul"), ErrorKind::Syntax);
        assert_eq!(kind(""), ErrorKind::Eof);
        let e = parse("{\n  \"a\": 1,\n  \"é\": x\n}").unwrap_err();
        assert_eq!(e.line_column("{\n  \"a\": 1,\n  \"é\": x\n}"), (3, 8));
        // An escape of a multi-byte character stops inside it; the column is still its own.
        let text = "{\"a\":\"\\é\"}";
        assert_eq!(parse(text).unwrap_err().line_column(text), (1, 8));
    }

    #[test]
    fn a_key_given_twice_is_an_error_at_any_depth_and_size() {
        let kind = |text: &str| parse(text).map_err(|e| e.into_data().kind);
        let dup = |k: &str| Err(ErrorKind::DuplicateField(k.into()));
        assert_eq!(
            kind(r#"{"persyaratan":null,"persyaratan":1}"#),
            dup("persyaratan")
        );
        assert_eq!(kind(r#"{"a":{"b":[{"c":1,"d":2,"c":3}]}}"#), dup("c"));
        assert!(
            kind(r#"{"a":{"c":1},"b":{"c":1}}"#).is_ok(),
            "same key in two objects"
        );
        // Large objects take the sorted path; the error still names the repeated key.
        let mut big: Vec<String> = (0..5_000).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(parse(&format!("{{{}}}", big.join(","))).is_ok());
        big.push("\"k4321\":0".into());
        let text = format!("{{{}}}", big.join(","));
        let e = parse(&text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::DuplicateField("k4321".into()));
        assert_eq!(
            e.offset,
            text.rfind("\"k4321\"").unwrap(),
            "at its second occurrence"
        );
    }

    #[test]
    fn nesting_is_limited_instead_of_exhausting_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(&deep).unwrap_err().kind, ErrorKind::TooDeep);
        let shallow = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&shallow).is_ok());
    }

    #[test]
    fn fields_are_read_by_name_and_unknown_duplicate_and_missing_ones_are_errors() {
        fn label(value: &Value) -> Result<(String, Option<String>), Error> {
            let (mut id, mut en) = (String::new(), None);
            read_object!(value, |v| {
                "id" (required) => id = v.string()?,
                "en" => en = Some(v.string()?),
            })?;
            Ok((id, en))
        }
        fn labels(value: &Value) -> Result<Vec<(String, Option<String>)>, Error> {
            let mut list = Vec::new();
            read_object!(value, |v| { "labels" (required) => list = v.list(label)? })?;
            Ok(list)
        }
        fn lenient(value: &Value) -> Result<String, Error> {
            let mut id = String::new();
            read_object!(value, |v| { "id" => id = v.string()? }, ignore)?;
            Ok(id)
        }
        assert_eq!(
            lenient(&parse(r#"{"id":"A","newer":1}"#).unwrap()),
            Ok("A".into())
        );
        let read = |text: &str| labels(&parse(text).unwrap());
        assert_eq!(
            read(r#"{"labels":[{"id":"A"},{"id":"B","en":null}]}"#).unwrap(),
            [("A".to_string(), None), ("B".to_string(), None)]
        );
        let e = read(r#"{"labels":[{"id":"A"},{"id":"B","de":"x"}]}"#).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.to_string()),
            ("labels[1].de", "unknown field `de`".to_string())
        );
        let text = r#"{"labels":[{"id":"A","id":"B"}]}"#;
        let e = parse(text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::DuplicateField("id".into()));
        assert_eq!(e.line_column(text), (1, 22), "at the repeated key");
        let e = read(r#"{"labels":[{"id":null,"en":"A"}]}"#).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.path.as_str()),
            (ErrorKind::MissingField("id"), "labels[0]")
        );
        let e = read(r#"{"labels":[{"id":7}]}"#).unwrap_err();
        assert_eq!(
            (e.to_string(), e.path.as_str()),
            ("expected a string".to_string(), "labels[0].id")
        );
        let e = read(r#"{"labels":{}}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidType("a list"));
        let e = read(r#"[]"#).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.path.as_str()),
            (ErrorKind::InvalidType("an object"), "")
        );
    }

    #[test]
    fn numbers_are_checked_against_their_field_range() {
        assert_eq!(parse("255").unwrap().u8(), Ok(255));
        assert_eq!(
            parse("256").unwrap().u8().unwrap_err().kind,
            ErrorKind::Number
        );
        assert_eq!(
            parse("-1").unwrap().u32().unwrap_err().kind,
            ErrorKind::Number
        );
        assert_eq!(
            parse("\"17\"").unwrap().u8().unwrap_err().kind,
            ErrorKind::InvalidType("a whole number")
        );
        assert_eq!(parse("-5").unwrap().i64(), Ok(-5));
        let lang = parse("\"fr\"")
            .unwrap()
            .one_of(&[("id", 1), ("en", 2)], "`id` or `en`");
        assert_eq!(
            lang.unwrap_err().to_string(),
            "value `fr` is not allowed, expected `id` or `en`"
        );
    }

    #[test]
    fn floats_and_non_string_keys_are_refused_when_writing() {
        assert_eq!(to_string(&1.5f64).unwrap_err().kind, ErrorKind::Unsupported);
        let map: std::collections::BTreeMap<u8, u8> = [(1, 2)].into();
        assert_eq!(to_string(&map).unwrap_err().kind, ErrorKind::Unsupported);
    }

    /// Arbitrary JSON documents with integer numbers, nested a few levels.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::Value::Number(n.into())),
            any::<String>().prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any document serde_json writes, compact or pretty, parses to what serde_json reads,
        /// and writing it back gives serde_json's bytes.
        #[test]
        fn documents_match_serde_json(doc in json_value()) {
            let compact = serde_json::to_string(&doc).unwrap();
            let pretty = serde_json::to_string_pretty(&doc).unwrap();
            prop_assert_eq!(parse(&compact).unwrap(), from_serde(&doc));
            prop_assert_eq!(parse(&pretty).unwrap(), from_serde(&doc));
            prop_assert_eq!(to_string(&doc).unwrap(), compact);
        }

        /// Escaped input (every character as `\uXXXX`) decodes to the same string.
        #[test]
        fn escaped_strings_decode(s in any::<String>()) {
            let escaped: String = s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
            let text = format!("\"{escaped}\"");
            prop_assert_eq!(parse(&text).unwrap(), Value::Str(s));
        }

        /// Nothing panics on arbitrary text, and what parses is a whole document.
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }
    }
}
