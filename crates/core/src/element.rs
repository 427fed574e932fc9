//! The nine IKM elements (unsur) with their stable wire keys, and bilingual text.

use crate::json::{self, Value};
use serde::Serialize;

/// One of the nine elements; identified on the wire by [`Element::key`], never by position.
///
/// The regulation's sample form asks *sarana* as question 8 and *pengaduan* as question 9,
/// the reverse of its scope list; keying by name keeps apps from mixing them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Element {
    Persyaratan,
    Prosedur,
    Waktu,
    Biaya,
    Produk,
    Kompetensi,
    Perilaku,
    Sarana,
    Pengaduan,
}

impl Element {
    /// All elements in form order (U1 … U9).
    pub const ALL: [Element; 9] = [
        Element::Persyaratan,
        Element::Prosedur,
        Element::Waktu,
        Element::Biaya,
        Element::Produk,
        Element::Kompetensi,
        Element::Perilaku,
        Element::Sarana,
        Element::Pengaduan,
    ];

    /// The stable wire key, e.g. `"sarana"`.
    pub const fn key(self) -> &'static str {
        match self {
            Element::Persyaratan => "persyaratan",
            Element::Prosedur => "prosedur",
            Element::Waktu => "waktu",
            Element::Biaya => "biaya",
            Element::Produk => "produk",
            Element::Kompetensi => "kompetensi",
            Element::Perilaku => "perilaku",
            Element::Sarana => "sarana",
            Element::Pengaduan => "pengaduan",
        }
    }

    /// Position on the form, 0-based (U1 = 0); also the index into per-element arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The form label `U1` … `U9` (U8 = sarana, U9 = pengaduan).
    pub const fn form_label(self) -> &'static str {
        match self {
            Element::Persyaratan => "U1",
            Element::Prosedur => "U2",
            Element::Waktu => "U3",
            Element::Biaya => "U4",
            Element::Produk => "U5",
            Element::Kompetensi => "U6",
            Element::Perilaku => "U7",
            Element::Sarana => "U8",
            Element::Pengaduan => "U9",
        }
    }

    /// This element's entry of a per-element array (the one place such an index is taken).
    #[allow(
        clippy::indexing_slicing,
        reason = "an element is one of nine and the array has nine entries"
    )]
    pub fn of<T>(self, array: &[T; 9]) -> &T {
        &array[self as usize]
    }

    /// This element's entry of a per-element array, to change it.
    #[allow(
        clippy::indexing_slicing,
        reason = "an element is one of nine and the array has nine entries"
    )]
    pub fn of_mut<T>(self, array: &mut [T; 9]) -> &mut T {
        &mut array[self as usize]
    }

    /// The element for a wire key.
    pub fn from_key(key: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.key() == key)
    }

    /// The element for a key or a form label (`U8`), case-insensitively; used for CSV headers.
    pub fn from_column_name(name: &str) -> Option<Element> {
        let name = name.trim();
        Element::ALL.into_iter().find(|e| {
            e.key().eq_ignore_ascii_case(name) || e.form_label().eq_ignore_ascii_case(name)
        })
    }

    /// The official element name (*unsur*), bilingual.
    pub const fn name(self) -> Text {
        match self {
            Element::Persyaratan => Text::new("Persyaratan", "Requirements"),
            Element::Prosedur => Text::new(
                "Sistem, Mekanisme, dan Prosedur",
                "Systems, mechanisms and procedures",
            ),
            Element::Waktu => Text::new("Waktu Penyelesaian", "Completion time"),
            Element::Biaya => Text::new("Biaya/Tarif", "Cost/fee"),
            Element::Produk => Text::new(
                "Produk Spesifikasi Jenis Pelayanan",
                "Service product specification",
            ),
            Element::Kompetensi => Text::new("Kompetensi Pelaksana", "Staff competence"),
            Element::Perilaku => Text::new("Perilaku Pelaksana", "Staff conduct"),
            Element::Sarana => Text::new("Sarana dan Prasarana", "Facilities and infrastructure"),
            Element::Pengaduan => Text::new(
                "Penanganan Pengaduan, Saran dan Masukan",
                "Handling of complaints, suggestions and feedback",
            ),
        }
    }
}

/// A language the survey speaks; Indonesian first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The BCP 47 code, as used in `lang` attributes and the payload.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// A language code in JSON: exactly `id` or `en`.
    pub fn from_value(value: &Value) -> Result<Lang, json::Error> {
        value.one_of(&[("id", Lang::Id), ("en", Lang::En)], "`id` or `en`")
    }

    /// The language for a code or a browser locale (`en-US` → En); None if we do not speak it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("id") || primary.eq_ignore_ascii_case("in") {
            Some(Lang::Id)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A fixed bilingual text; `&'static` so the built-in questionnaire costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Text {
    pub id: &'static str,
    pub en: &'static str,
}

impl Text {
    /// A text with its Indonesian and English wording.
    pub const fn new(id: &'static str, en: &'static str) -> Text {
        Text { id, en }
    }

    /// The wording in `lang`.
    pub const fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// A bilingual text from configuration (owned, since it is read at run time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalText {
    pub id: String,
    pub en: Option<String>,
}

impl LocalText {
    /// `{"id": "…", "en": "…"}` from a configuration; English is optional.
    pub fn from_value(value: &Value) -> Result<LocalText, json::Error> {
        let mut text = LocalText {
            id: String::new(),
            en: None,
        };
        json::read_object!(value, |v| {
            "id" (required) => text.id = v.string()?,
            "en" => text.en = Some(v.string()?),
        })?;
        Ok(text)
    }

    /// The wording in `lang`, falling back to Indonesian where no English was configured.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) if !en.trim().is_empty() => en,
            _ => &self.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_form_labels_put_sarana_eighth() {
        for e in Element::ALL {
            assert_eq!(Element::from_key(e.key()), Some(e));
            assert_eq!(Element::from_column_name(e.form_label()), Some(e));
        }
        assert_eq!(Element::from_column_name("u8"), Some(Element::Sarana));
        assert_eq!(Element::from_column_name(" U9 "), Some(Element::Pengaduan));
        assert_eq!(Element::from_column_name("WAKTU"), Some(Element::Waktu));
        assert_eq!(Element::from_column_name("U10"), None);
    }

    #[test]
    fn serde_uses_the_wire_key() {
        let json = serde_json::to_string(&Element::Pengaduan).unwrap();
        assert_eq!(json, "\"pengaduan\"");
    }

    #[test]
    fn browser_locales_map_to_languages() {
        assert_eq!(Lang::from_code("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_code("id-ID"), Some(Lang::Id));
        assert_eq!(Lang::from_code("in"), Some(Lang::Id));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
