//! A small serde JSON codec for the widget, where serde_json costs ~30 KiB gzip of wasm.
//!
//! It reads and writes standard JSON (RFC 8259) for the survey's own types: numbers are
//! integers only (no type here has a fraction), object keys are strings, nesting is limited
//! to [`MAX_DEPTH`]. Output is byte-for-byte what serde_json writes for the same value (tested),
//! so the collector sees the same payload either way. Errors keep a kind and a byte offset but
//! not serde's formatted messages, whose formatting code is most of the size being saved.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use std::borrow::Cow;
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
    /// A value of the wrong type (a string where a number belongs, say).
    InvalidType,
    /// A value of the right type that is not allowed (an unknown option, say).
    InvalidValue(String),
    /// A field the type does not have (often a typo).
    UnknownField(String),
    /// A required field is absent.
    MissingField(&'static str),
    /// The same field twice.
    DuplicateField(&'static str),
    /// A list of the wrong length.
    InvalidLength,
    /// Something this codec does not write (floats, bytes, non-string keys).
    Unsupported,
    /// A rule of the type itself (its message is dropped to keep the wasm small).
    Custom,
}

/// A JSON error: its kind and the byte offset where reading stopped (0 when writing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub offset: usize,
}

impl Error {
    fn new(kind: ErrorKind) -> Error {
        Error { kind, offset: 0 }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            ErrorKind::Syntax => "not valid JSON",
            ErrorKind::Eof => "the text ends too early",
            ErrorKind::Number => "a number is not a whole number in range",
            ErrorKind::TooDeep => "nested too deeply",
            ErrorKind::InvalidType => "a value has the wrong type",
            ErrorKind::InvalidValue(v) if v.is_empty() => "a value is out of range",
            ErrorKind::InvalidValue(v) => return write!(f, "value `{v}` is not allowed"),
            ErrorKind::UnknownField(name) => return write!(f, "unknown field `{name}`"),
            ErrorKind::MissingField(name) => return write!(f, "missing field `{name}`"),
            ErrorKind::DuplicateField(name) => return write!(f, "duplicate field `{name}`"),
            ErrorKind::InvalidLength => "a list has the wrong length",
            ErrorKind::Unsupported => "a value this format cannot hold",
            ErrorKind::Custom => "a value breaks a rule of its field",
        };
        f.write_str(what)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(_msg: T) -> Error {
        Error::new(ErrorKind::Custom)
    }
    fn invalid_type(_unexp: de::Unexpected<'_>, _exp: &dyn de::Expected) -> Error {
        Error::new(ErrorKind::InvalidType)
    }
    fn invalid_value(unexp: de::Unexpected<'_>, _exp: &dyn de::Expected) -> Error {
        let shown = match unexp {
            de::Unexpected::Str(s) => s.to_string(),
            _ => String::new(),
        };
        Error::new(ErrorKind::InvalidValue(shown))
    }
    fn invalid_length(_len: usize, _exp: &dyn de::Expected) -> Error {
        Error::new(ErrorKind::InvalidLength)
    }
    fn unknown_variant(variant: &str, _expected: &'static [&'static str]) -> Error {
        Error::new(ErrorKind::InvalidValue(variant.to_string()))
    }
    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Error {
        Error::new(ErrorKind::UnknownField(field.to_string()))
    }
    fn missing_field(field: &'static str) -> Error {
        Error::new(ErrorKind::MissingField(field))
    }
    fn duplicate_field(field: &'static str) -> Error {
        Error::new(ErrorKind::DuplicateField(field))
    }
}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(_msg: T) -> Error {
        Error::new(ErrorKind::Custom)
    }
}

/// Reads one value of type `T` from the whole of `text` (only whitespace may follow it).
pub fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T, Error> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut reader).map_err(|e| reader.locate(e))?;
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.error(ErrorKind::Syntax));
    }
    Ok(value)
}

/// Writes `value` as compact JSON, exactly as `serde_json::to_string` would.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = Writer { out: String::new() };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

struct Reader<'de> {
    bytes: &'de [u8],
    text: &'de str,
    pos: usize,
    depth: usize,
}

impl<'de> Reader<'de> {
    fn error(&self, kind: ErrorKind) -> Error {
        Error {
            kind,
            offset: self.pos,
        }
    }

    /// Errors raised inside serde's visitors carry no position; give them the current one.
    fn locate(&self, mut e: Error) -> Error {
        if e.offset == 0 {
            e.offset = self.pos;
        }
        e
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

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(ErrorKind::Syntax))
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error(ErrorKind::Syntax))
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep));
        }
        self.pos += 1;
        Ok(())
    }

    /// An integer: `-?(0|[1-9][0-9]*)`; fractions and exponents are refused.
    fn integer(&mut self) -> Result<(bool, u64), Error> {
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.bytes.get(self.pos) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .ok_or_else(|| self.error(ErrorKind::Number))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        if digits == 0 || (digits > 1 && self.bytes[start] == b'0') {
            return Err(self.error(ErrorKind::Syntax));
        }
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(self.pos) {
            return Err(self.error(ErrorKind::Number));
        }
        Ok((negative, value))
    }

    /// A string after its opening quote: borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'de, str>, Error> {
        self.pos += 1;
        let mut run = self.pos;
        let mut owned: Option<String> = None;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error(ErrorKind::Eof));
            };
            match b {
                b'"' => {
                    let tail = &self.text[run..self.pos];
                    self.pos += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let before = &self.text[run..self.pos];
                    self.pos += 1;
                    let c = self.escape()?;
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(before);
                    s.push(c);
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
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
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

/// One value's start: scalars read whole, arrays and objects only opened.
enum Token<'de> {
    Null,
    Bool(bool),
    Str(Cow<'de, str>),
    Int(bool, u64),
    Seq,
    Map,
}

impl<'de> Reader<'de> {
    /// Reads the next token. Not generic, so serde's per-type code stays small.
    #[inline(never)]
    fn token(&mut self) -> Result<Token<'de>, Error> {
        Ok(match self.peek()? {
            b'n' => {
                self.literal("null")?;
                Token::Null
            }
            b't' => {
                self.literal("true")?;
                Token::Bool(true)
            }
            b'f' => {
                self.literal("false")?;
                Token::Bool(false)
            }
            b'"' => Token::Str(self.string()?),
            b'-' | b'0'..=b'9' => {
                let (negative, n) = self.integer()?;
                Token::Int(negative, n)
            }
            b'[' => {
                self.enter()?;
                Token::Seq
            }
            b'{' => {
                self.enter()?;
                Token::Map
            }
            _ => return Err(self.error(ErrorKind::Syntax)),
        })
    }

    /// Closes an array or object opened by [`Reader::token`].
    #[inline(never)]
    fn close(&mut self, byte: u8) -> Result<(), Error> {
        self.expect(byte)?;
        self.depth -= 1;
        Ok(())
    }

    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = visitor.visit_seq(Items {
            reader: &mut *self,
            first: true,
        })?;
        self.close(b']')?;
        Ok(value)
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = visitor.visit_map(Items {
            reader: &mut *self,
            first: true,
        })?;
        self.close(b'}')?;
        Ok(value)
    }

    fn wrong_type(&self) -> Error {
        self.error(ErrorKind::InvalidType)
    }
}

/// Narrower integers and string kinds are read as their widest form; serde's visitors check ranges.
macro_rules! forward_to {
    ($($method:ident => $target:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.$target(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value = match self.token()? {
            Token::Null => visitor.visit_unit(),
            Token::Bool(b) => visitor.visit_bool(b),
            // One `visit_str` for both kinds keeps each visitor's code to one path.
            Token::Str(text) => visitor.visit_str(&text),
            Token::Int(false, n) => visitor.visit_u64(n),
            Token::Int(true, n) => match i64::try_from(n) {
                Ok(n) => visitor.visit_i64(-n),
                Err(_) => Err(self.error(ErrorKind::Number)),
            },
            Token::Seq => self.seq(visitor),
            Token::Map => self.map(visitor),
        };
        value.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Int(false, n) => visitor.visit_u64(n),
            Token::Int(true, _) => Err(self.error(ErrorKind::Number)),
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Int(negative, n) => match i64::try_from(n) {
                Ok(n) => visitor.visit_i64(if negative { -n } else { n }),
                Err(_) => Err(self.error(ErrorKind::Number)),
            },
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Str(text) => visitor.visit_str(&text),
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Seq => self.seq(visitor),
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Map => self.map(visitor),
            _ => Err(self.wrong_type()),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Null => visitor.visit_unit(),
            _ => Err(self.wrong_type()),
        }
    }

    forward_to! {
        deserialize_u8 => deserialize_u64,
        deserialize_u16 => deserialize_u64,
        deserialize_u32 => deserialize_u64,
        deserialize_i8 => deserialize_i64,
        deserialize_i16 => deserialize_i64,
        deserialize_i32 => deserialize_i64,
        deserialize_string => deserialize_str,
        deserialize_identifier => deserialize_str,
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants only: `"variant"`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.peek()? != b'"' {
            return Err(self.error(ErrorKind::InvalidType));
        }
        let text = self.string()?;
        visitor.visit_enum(text.as_ref().into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf unit_struct tuple_struct ignored_any
    }
}

/// The elements of an array or the entries of an object, comma-separated.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> Items<'_, 'de> {
    /// The next key of an object, or None at its end.
    #[inline(never)]
    fn key(&mut self) -> Result<Option<Cow<'de, str>>, Error> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        if self.reader.peek()? != b'"' {
            return Err(self.reader.error(ErrorKind::Syntax));
        }
        self.reader.string().map(Some)
    }

    /// Whether another item follows (consuming its comma), given the closing byte.
    fn more(&mut self, close: u8) -> Result<bool, Error> {
        let next = self.reader.peek()?;
        if next == close {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            self.reader.expect(b',')?;
        }
        Ok(true)
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(key) = self.key()? else {
            return Ok(None);
        };
        let value = seed.deserialize(key.as_ref().into_deserializer());
        value.map(Some).map_err(|e| self.reader.locate(e))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.reader.expect(b':')?;
        seed.deserialize(&mut *self.reader)
    }
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
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
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
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("00");
                self.out.push(HEX[usize::from(b >> 4)] as char);
                self.out.push(HEX[usize::from(b & 0xf)] as char);
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
    use crate::config::OfficeConfig;
    use crate::outbox::{Entry, Rejection};
    use crate::submission::Submission;
    use crate::validate::{ErrorCode, FieldError};
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../../../docs/example-submission.json");
    const OFFICE: &str = include_str!("../../../examples/office.json");

    fn entry(body: String, last_error: Option<String>) -> Entry {
        Entry {
            id: "0b6f1c1e-4a2b-4c47-9a55-3f1f2b7c9d10".into(),
            endpoint: "https://survey.example/api/v1/responses".into(),
            body,
            saved_at: 1_790_000_000_123,
            attempts: 3,
            next_attempt_at: -5,
            sending_until: None,
            rejected: Some(Rejection {
                status: 422,
                errors: vec![FieldError {
                    field: "answers.waktu".into(),
                    code: ErrorCode::Required,
                    limit: Some(1000),
                }],
                at: 7,
            }),
            last_error,
        }
    }

    #[test]
    fn reads_and_writes_the_example_payload_like_serde_json() {
        let ours: Submission = from_str(EXAMPLE).unwrap();
        let theirs: Submission = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(
            to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }

    #[test]
    fn reads_the_example_office_config_like_serde_json() {
        let ours: OfficeConfig = from_str(OFFICE).unwrap();
        let theirs: OfficeConfig = serde_json::from_str(OFFICE).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn escapes_decode_including_surrogate_pairs() {
        let s: String = from_str(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00z""#).unwrap();
        assert_eq!(s, "a\"b\\c/d\u{8}\u{c}\n\r\té😀z");
        let s: String = from_str("\"Bengkulu é 😀\"").unwrap();
        assert_eq!(s, "Bengkulu é 😀");
    }

    #[test]
    fn errors_name_the_problem_and_where() {
        let err = |text: &str| from_str::<OfficeConfig>(text).unwrap_err();
        assert_eq!(
            err(r#"{"office_name":"K","servics":[]}"#).kind,
            ErrorKind::UnknownField("servics".into())
        );
        assert_eq!(
            err(r#"{"unit":"x"}"#).kind,
            ErrorKind::MissingField("office_name")
        );
        assert_eq!(
            err(r#"{"office_name":"K","default_lang":"fr"}"#).kind,
            ErrorKind::InvalidValue("fr".into())
        );
        assert_eq!(
            err(r#"{"office_name":"K","min_age":"17"}"#).kind,
            ErrorKind::InvalidType
        );
        assert_eq!(
            err(r#"{"office_name":"K","min_age":17.5}"#).kind,
            ErrorKind::Number
        );
        assert_eq!(
            err(r#"{"office_name":"K","min_age":300}"#).kind,
            ErrorKind::InvalidValue(String::new())
        );
        assert_eq!(
            err(r#"{"office_name":"K","min_age":017}"#).kind,
            ErrorKind::Syntax
        );
        assert_eq!(
            err(r#"{"office_name":"K"} x"#),
            Error {
                kind: ErrorKind::Syntax,
                offset: 20
            }
        );
        assert_eq!(err(r#"{"office_name":"K""#).kind, ErrorKind::Eof);
        assert_eq!(err(r#"{"office_name":"K",}"#).kind, ErrorKind::Syntax);
        assert_eq!(err("{\"office_name\":\"a\u{1}b\"}").kind, ErrorKind::Syntax);
        assert_eq!(err(r#"{"office_name":"\ud800"}"#).kind, ErrorKind::Syntax);
        assert_eq!(err("").kind, ErrorKind::Eof);
        assert!(err(r#"{"office_name":"K","servics":[]}"#)
            .to_string()
            .contains("servics"));
    }

    #[test]
    fn nesting_is_limited_instead_of_exhausting_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = format!(
            r#"{{"id":"x","endpoint":"e","body":"b","saved_at":0,"attempts":0,"next_attempt_at":0,"extra":{deep}}}"#
        );
        assert_eq!(
            from_str::<Entry>(&text).unwrap_err().kind,
            ErrorKind::TooDeep
        );
        let shallow = format!("{}{}", "[".repeat(10), "]".repeat(10));
        let text = text.replace(&deep, &shallow);
        assert_eq!(from_str::<Entry>(&text).unwrap().id, "x");
    }

    #[test]
    fn floats_and_non_string_keys_are_refused_when_writing() {
        assert_eq!(to_string(&1.5f64).unwrap_err().kind, ErrorKind::Unsupported);
        let map: std::collections::BTreeMap<u8, u8> = [(1, 2)].into();
        assert_eq!(to_string(&map).unwrap_err().kind, ErrorKind::Unsupported);
    }

    proptest! {
        /// Any text (control characters, quotes, emoji) and any integers survive the round
        /// trip and are written exactly as serde_json writes them.
        #[test]
        fn entries_match_serde_json(body in any::<String>(), note in proptest::option::of(any::<String>()),
                                    saved_at in any::<i64>(), attempts in any::<u32>()) {
            let mut e = entry(body, note);
            e.saved_at = saved_at.max(i64::MIN + 1);
            e.attempts = attempts;
            let ours = to_string(&e).unwrap();
            prop_assert_eq!(&ours, &serde_json::to_string(&e).unwrap());
            prop_assert_eq!(&from_str::<Entry>(&ours).unwrap(), &e);
            // serde_json's reading of the same text agrees, including pretty-printed input.
            let pretty = serde_json::to_string_pretty(&e).unwrap();
            prop_assert_eq!(from_str::<Entry>(&pretty).unwrap(), e);
        }

        /// Escaped input (every character as `\uXXXX`) decodes to the same string as serde_json.
        #[test]
        fn escaped_strings_match_serde_json(s in any::<String>()) {
            let escaped: String = s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
            let text = format!("\"{escaped}\"");
            prop_assert_eq!(from_str::<String>(&text).unwrap(), s);
        }
    }
}
