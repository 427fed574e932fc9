//! The built-in standard questionnaire `permenpan-14-2017` and the optional Zona Integritas modules.

use crate::element::{Element, Lang, Text};
use serde::Serialize;

/// Id of the built-in questionnaire, sent as `survey` in every submission.
pub const STANDARD_ID: &str = "permenpan-14-2017";

/// A questionnaire: the nine element questions in form order, each with four answers scored 1 → 4.
#[derive(Debug, Serialize)]
pub struct Questionnaire {
    pub id: &'static str,
    pub questions: [Question; 9],
}

/// One element's question with its answers; `answers[0]` scores 1.
#[derive(Debug, Serialize)]
pub struct Question {
    pub element: Element,
    pub text: Text,
    pub answers: [Text; 4],
}

impl Questionnaire {
    /// The question asking about `element`.
    pub fn question(&self, element: Element) -> &Question {
        element.of(&self.questions)
    }
}

/// The regulation's sample form, with its Q7 typo ("Bagamana") corrected.
pub static STANDARD: Questionnaire = Questionnaire {
    id: STANDARD_ID,
    questions: [
        Question {
            element: Element::Persyaratan,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                "How well do the service requirements match the type of service?",
            ),
            answers: [
                Text::new("Tidak sesuai", "Not appropriate"),
                Text::new("Kurang sesuai", "Somewhat inappropriate"),
                Text::new("Sesuai", "Appropriate"),
                Text::new("Sangat sesuai", "Very appropriate"),
            ],
        },
        Question {
            element: Element::Prosedur,
            text: Text::new(
                "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                "How easy do you find the service procedure at this unit?",
            ),
            answers: [
                Text::new("Tidak mudah", "Not easy"),
                Text::new("Kurang mudah", "Somewhat difficult"),
                Text::new("Mudah", "Easy"),
                Text::new("Sangat mudah", "Very easy"),
            ],
        },
        Question {
            element: Element::Waktu,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                "How fast was the service delivered?",
            ),
            answers: [
                Text::new("Tidak cepat", "Not fast"),
                Text::new("Kurang cepat", "Somewhat slow"),
                Text::new("Cepat", "Fast"),
                Text::new("Sangat cepat", "Very fast"),
            ],
        },
        Question {
            element: Element::Biaya,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                "How reasonable was the cost or fee of the service?",
            ),
            answers: [
                Text::new("Sangat mahal", "Very expensive"),
                Text::new("Cukup mahal", "Fairly expensive"),
                Text::new("Murah", "Cheap"),
                Text::new("Gratis", "Free"),
            ],
        },
        Question {
            element: Element::Produk,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                "How well does the result you received match the product described in the service standard?",
            ),
            answers: [
                Text::new("Tidak sesuai", "Not appropriate"),
                Text::new("Kurang sesuai", "Somewhat inappropriate"),
                Text::new("Sesuai", "Appropriate"),
                Text::new("Sangat sesuai", "Very appropriate"),
            ],
        },
        Question {
            element: Element::Kompetensi,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
                "How competent were the staff who served you?",
            ),
            answers: [
                Text::new("Tidak kompeten", "Not competent"),
                Text::new("Kurang kompeten", "Somewhat incompetent"),
                Text::new("Kompeten", "Competent"),
                Text::new("Sangat kompeten", "Very competent"),
            ],
        },
        Question {
            element: Element::Perilaku,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                "How polite and friendly were the staff who served you?",
            ),
            answers: [
                Text::new("Tidak sopan dan ramah", "Not polite and friendly"),
                Text::new("Kurang sopan dan ramah", "Somewhat impolite and unfriendly"),
                Text::new("Sopan dan ramah", "Polite and friendly"),
                Text::new("Sangat sopan dan ramah", "Very polite and friendly"),
            ],
        },
        Question {
            element: Element::Sarana,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                "How good are the facilities and infrastructure?",
            ),
            answers: [
                Text::new("Buruk", "Poor"),
                Text::new("Cukup", "Fair"),
                Text::new("Baik", "Good"),
                Text::new("Sangat baik", "Very good"),
            ],
        },
        Question {
            element: Element::Pengaduan,
            text: Text::new(
                "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
                "How are complaints from service users handled?",
            ),
            answers: [
                Text::new("Tidak ada", "There is no complaint channel"),
                Text::new("Ada tetapi tidak berfungsi", "It exists but does not work"),
                Text::new("Berfungsi kurang maksimal", "It works, but not fully"),
                Text::new("Dikelola dengan baik", "It is well managed"),
            ],
        },
    ],
};

/// Respondent gender as on the form (`L` laki-laki, `P` perempuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Gender {
    L,
    P,
    /// Any other value on the wire; rejected by validation, kept so it is a 422, not a 400.
    #[serde(skip_serializing)]
    Invalid,
}

/// Highest completed education, as on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Education {
    /// No schooling, or primary school not completed: the lowest answer, so nobody is left out.
    #[serde(rename = "TIDAK-TAMAT-SD")]
    TidakTamatSd,
    SD,
    SMP,
    SMA,
    #[serde(rename = "D1-D3")]
    D1D3,
    #[serde(rename = "D4-S1")]
    D4S1,
    S2,
    S3,
    /// Any other value on the wire; rejected by validation.
    #[serde(skip_serializing)]
    Invalid,
}

/// Main occupation, as on the form; `LAINNYA` may carry a short free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Occupation {
    PNS,
    TNI,
    POLRI,
    SWASTA,
    WIRAUSAHA,
    LAINNYA,
    /// Any other value on the wire; rejected by validation.
    #[serde(skip_serializing)]
    Invalid,
}

/// A closed list of choices with a wire code and a bilingual label for each.
pub trait Choice: Copy + 'static {
    /// Every valid choice, in the order the form shows them.
    const ALL: &'static [Self];
    /// What an unknown code reads as: kept, so validation answers 422 rather than 400.
    const INVALID: Self;
    /// The wire code.
    fn code(self) -> &'static str;
    /// The label shown to respondents.
    fn label(self) -> Text;
    /// The choice for a wire code.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
    /// A code in JSON: a string; one this version does not know reads as [`Choice::INVALID`].
    fn from_value(value: &crate::json::Value) -> Result<Self, crate::json::Error> {
        Ok(Self::from_code(value.str()?).unwrap_or(Self::INVALID))
    }
}

impl Choice for Gender {
    const INVALID: Self = Gender::Invalid;
    const ALL: &'static [Self] = &[Gender::L, Gender::P];
    fn code(self) -> &'static str {
        match self {
            Gender::L => "L",
            Gender::P => "P",
            Gender::Invalid => "",
        }
    }
    fn label(self) -> Text {
        match self {
            Gender::L => Text::new("Laki-laki", "Male"),
            Gender::P => Text::new("Perempuan", "Female"),
            Gender::Invalid => Text::new("", ""),
        }
    }
}

impl Choice for Education {
    const INVALID: Self = Education::Invalid;
    const ALL: &'static [Self] = &[
        Education::TidakTamatSd,
        Education::SD,
        Education::SMP,
        Education::SMA,
        Education::D1D3,
        Education::D4S1,
        Education::S2,
        Education::S3,
    ];
    fn code(self) -> &'static str {
        match self {
            Education::TidakTamatSd => "TIDAK-TAMAT-SD",
            Education::SD => "SD",
            Education::SMP => "SMP",
            Education::SMA => "SMA",
            Education::D1D3 => "D1-D3",
            Education::D4S1 => "D4-S1",
            Education::S2 => "S2",
            Education::S3 => "S3",
            Education::Invalid => "",
        }
    }
    fn label(self) -> Text {
        match self {
            Education::TidakTamatSd => Text::new(
                "Tidak sekolah / tidak tamat SD",
                "No schooling / primary school not completed",
            ),
            Education::SD => Text::new("SD atau sederajat", "Primary school"),
            Education::SMP => Text::new("SMP atau sederajat", "Junior high school"),
            Education::SMA => Text::new("SMA atau sederajat", "Senior high school"),
            Education::D1D3 => Text::new("Diploma (D1–D3)", "Diploma (D1–D3)"),
            Education::D4S1 => Text::new("D4 / Sarjana (S1)", "D4 / Bachelor's degree"),
            Education::S2 => Text::new("Magister (S2)", "Master's degree"),
            Education::S3 => Text::new("Doktor (S3)", "Doctorate"),
            Education::Invalid => Text::new("", ""),
        }
    }
}

impl Choice for Occupation {
    const INVALID: Self = Occupation::Invalid;
    const ALL: &'static [Self] = &[
        Occupation::PNS,
        Occupation::TNI,
        Occupation::POLRI,
        Occupation::SWASTA,
        Occupation::WIRAUSAHA,
        Occupation::LAINNYA,
    ];
    fn code(self) -> &'static str {
        match self {
            Occupation::PNS => "PNS",
            Occupation::TNI => "TNI",
            Occupation::POLRI => "POLRI",
            Occupation::SWASTA => "SWASTA",
            Occupation::WIRAUSAHA => "WIRAUSAHA",
            Occupation::LAINNYA => "LAINNYA",
            Occupation::Invalid => "",
        }
    }
    fn label(self) -> Text {
        match self {
            Occupation::PNS => Text::new("PNS", "Civil servant (PNS)"),
            Occupation::TNI => Text::new("TNI", "Armed forces (TNI)"),
            Occupation::POLRI => Text::new("POLRI", "Police (POLRI)"),
            Occupation::SWASTA => Text::new("Pegawai swasta", "Private employee"),
            Occupation::WIRAUSAHA => Text::new("Wirausaha", "Self-employed"),
            Occupation::LAINNYA => Text::new("Lainnya", "Other"),
            Occupation::Invalid => Text::new("", ""),
        }
    }
}

/// An optional Zona Integritas perception module (not part of the IKM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Module {
    /// Survei Persepsi Kualitas Pelayanan, 8 statements.
    Spkp,
    /// Survei Persepsi Anti Korupsi, 5 statements.
    Spak,
}

/// One statement of a perception module, with its stable key.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub key: &'static str,
    pub text: Text,
}

impl Module {
    /// Both modules in form order.
    pub const ALL: [Module; 2] = [Module::Spkp, Module::Spak];

    /// The wire key of this module's answers in the payload.
    pub const fn key(self) -> &'static str {
        match self {
            Module::Spkp => "spkp",
            Module::Spak => "spak",
        }
    }

    /// The short name used in reports and error summaries.
    pub const fn short_name(self) -> &'static str {
        match self {
            Module::Spkp => "SPKP",
            Module::Spak => "SPAK",
        }
    }

    /// The section title.
    pub const fn title(self) -> Text {
        match self {
            Module::Spkp => Text::new(
                "Survei Persepsi Kualitas Pelayanan (SPKP)",
                "Service quality perception (SPKP)",
            ),
            Module::Spak => Text::new(
                "Survei Persepsi Anti Korupsi (SPAK)",
                "Anti-corruption perception (SPAK)",
            ),
        }
    }

    /// The statements respondents rate, in form order.
    pub fn statements(self) -> &'static [Statement] {
        match self {
            Module::Spkp => SPKP,
            Module::Spak => SPAK,
        }
    }
}

static SPKP: &[Statement] = &[
    Statement {
        key: "informasi",
        text: Text::new(
            "Informasi pelayanan tersedia melalui media elektronik maupun non-elektronik.",
            "Service information is available in electronic and non-electronic media.",
        ),
    },
    Statement {
        key: "persyaratan",
        text: Text::new(
            "Persyaratan pelayanan sesuai dengan yang diinformasikan.",
            "The service requirements are as published.",
        ),
    },
    Statement {
        key: "prosedur",
        text: Text::new(
            "Prosedur pelayanan mudah diikuti.",
            "The service procedure is easy to follow.",
        ),
    },
    Statement {
        key: "waktu",
        text: Text::new(
            "Waktu penyelesaian pelayanan sesuai dengan yang ditetapkan.",
            "The service was completed in the time that was set.",
        ),
    },
    Statement {
        key: "biaya",
        text: Text::new(
            "Biaya pelayanan sesuai dengan yang ditetapkan.",
            "The service fee is as set.",
        ),
    },
    Statement {
        key: "sarana",
        text: Text::new(
            "Sarana dan prasarana, termasuk sistem pelayanan daring, nyaman dan mudah digunakan.",
            "Facilities, including the online service system, are comfortable and easy to use.",
        ),
    },
    Statement {
        key: "respons",
        text: Text::new(
            "Petugas merespons keperluan pengguna layanan dengan cepat.",
            "Staff respond quickly to service users' needs.",
        ),
    },
    Statement {
        key: "konsultasi",
        text: Text::new(
            "Layanan konsultasi dan pengaduan mudah digunakan.",
            "Consultation and complaint channels are easy to use.",
        ),
    },
];

static SPAK: &[Statement] = &[
    Statement { key: "diskriminasi", text: Text::new("Tidak ada diskriminasi dalam pelayanan.", "There is no discrimination in the service.") },
    Statement { key: "kecurangan", text: Text::new("Tidak ada pelayanan di luar prosedur atau kecurangan (misalnya menyerobot antrean).", "There is no service outside the procedure and no cheating (for example, queue jumping).") },
    Statement { key: "imbalan", text: Text::new("Tidak ada penerimaan uang, barang, atau fasilitas di luar ketentuan.", "No money, goods or favours are taken beyond the rules.") },
    Statement { key: "pungli", text: Text::new("Tidak ada pungutan liar (pungli).", "There are no illegal levies (pungli).") },
    Statement { key: "calo", text: Text::new("Tidak ada calo atau perantara tidak resmi.", "There are no brokers or unofficial intermediaries (calo).") },
];

/// Labels of an agreement scale with `points` answers (4 or 6), scored 1 → points.
pub fn scale_labels(points: u8) -> &'static [Text] {
    static FOUR: [Text; 4] = [
        Text::new("Tidak setuju", "Disagree"),
        Text::new("Kurang setuju", "Somewhat disagree"),
        Text::new("Setuju", "Agree"),
        Text::new("Sangat setuju", "Strongly agree"),
    ];
    static SIX: [Text; 6] = [
        Text::new("Sangat tidak setuju", "Strongly disagree"),
        Text::new("Tidak setuju", "Disagree"),
        Text::new("Kurang setuju", "Somewhat disagree"),
        Text::new("Cukup setuju", "Somewhat agree"),
        Text::new("Setuju", "Agree"),
        Text::new("Sangat setuju", "Strongly agree"),
    ];
    if points == 6 {
        &SIX
    } else {
        &FOUR
    }
}

/// The answer label for `score` (1..=4) on `element`'s question, if the score is valid.
pub fn answer_label(element: Element, score: u8, lang: Lang) -> Option<&'static str> {
    let index = usize::from(score).checked_sub(1)?;
    STANDARD
        .question(element)
        .answers
        .get(index)
        .map(|t| t.get(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_in_form_order_with_official_wording() {
        for (i, q) in STANDARD.questions.iter().enumerate() {
            assert_eq!(q.element, Element::ALL[i]);
        }
        let sarana = STANDARD.question(Element::Sarana);
        assert_eq!(sarana.answers[0].id, "Buruk");
        assert_eq!(sarana.answers[3].id, "Sangat baik");
        let perilaku = STANDARD.question(Element::Perilaku);
        assert!(perilaku.text.id.starts_with("Bagaimana pendapat"));
        assert_eq!(answer_label(Element::Biaya, 4, Lang::Id), Some("Gratis"));
        assert_eq!(answer_label(Element::Biaya, 0, Lang::Id), None);
        assert_eq!(answer_label(Element::Biaya, 5, Lang::Id), None);
    }

    #[test]
    fn unknown_choice_codes_deserialize_as_invalid() {
        let read = |text: &str| crate::json::parse(text).unwrap();
        let g = Gender::from_value(&read("\"X\"")).unwrap();
        assert_eq!(g, Gender::Invalid);
        let e = Education::from_value(&read("\"D4-S1\"")).unwrap();
        assert_eq!(e, Education::D4S1);
        assert_eq!(Occupation::from_code("LAINNYA"), Some(Occupation::LAINNYA));
    }

    #[test]
    fn modules_have_the_regulated_number_of_statements() {
        assert_eq!(Module::Spkp.statements().len(), 8);
        assert_eq!(Module::Spak.statements().len(), 5);
        assert_eq!(scale_labels(6).len(), 6);
        assert_eq!(scale_labels(4).len(), 4);
    }
}
