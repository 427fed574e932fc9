//! Message catalogs (id, en): validation errors as sentences a respondent understands, and UI text.

use crate::element::{Element, Lang, Text};
use crate::questionnaire::Module;
use crate::validate::{field, ErrorCode, FieldError};

/// The sentence shown next to an invalid field.
pub fn message(error: &FieldError, lang: Lang) -> String {
    let limit = error.limit.unwrap_or_default();
    let en = lang == Lang::En;
    let f = error.field.as_str();
    let is_answer = f.starts_with("answers.") || f.starts_with("spkp.") || f.starts_with("spak.");
    match error.code {
        ErrorCode::Required if f == field::AGE => {
            pick(en, "Isi usia Anda dalam tahun.", "Enter your age in years.")
        }
        ErrorCode::Required if f == field::SERVICE => pick(
            en,
            "Pilih jenis layanan yang Anda gunakan.",
            "Choose the service you used.",
        ),
        ErrorCode::Required if f == field::CODE => pick(
            en,
            "Kantor ini meminta kode layanan dari karcis antrean Anda. Pindai QR pada karcis, atau ketik kodenya.",
            "This office asks for the service code on your queue ticket. Scan the ticket's QR code, or type the code.",
        ),
        ErrorCode::Required => pick(en, "Pilih salah satu jawaban.", "Choose one answer."),
        ErrorCode::InvalidChoice => pick(
            en,
            "Pilihan ini tidak tersedia. Pilih dari daftar.",
            "This choice is not available. Choose one from the list.",
        ),
        ErrorCode::OutOfRange if f == field::AGE => {
            if en {
                format!("Check your age: at most {limit} years.")
            } else {
                format!("Periksa kembali usia Anda: maksimal {limit} tahun.")
            }
        }
        ErrorCode::OutOfRange if is_answer => pick(
            en,
            "Pilih salah satu jawaban yang tersedia.",
            "Choose one of the answers shown.",
        ),
        ErrorCode::OutOfRange => pick(
            en,
            "Nilai ini di luar batas.",
            "This value is out of range.",
        ),
        ErrorCode::TooYoung => {
            if en {
                format!("The minimum age is {limit}. Younger applicants are represented by a parent or guardian, who fills in this survey.")
            } else {
                format!("Usia minimal {limit} tahun. Pemohon yang lebih muda diwakili oleh orang tua atau wali, yang mengisi survei ini.")
            }
        }
        ErrorCode::TooLong => {
            if en {
                format!("Too long: at most {limit} characters.")
            } else {
                format!("Terlalu panjang: maksimal {limit} karakter.")
            }
        }
        ErrorCode::InvalidFormat => pick(
            en,
            "Isian ini tidak sesuai format. Muat ulang halaman lalu coba lagi.",
            "This value is not in the expected format. Reload the page and try again.",
        ),
        ErrorCode::Unknown => pick(
            en,
            "Pertanyaan ini tidak dikenal oleh survei.",
            "The survey does not know this question.",
        ),
        ErrorCode::InvalidCharacter => pick(
            en,
            "Teks ini berisi karakter yang tidak dapat disimpan. Hapus karakter khusus lalu coba lagi.",
            "This text contains a character that cannot be stored. Remove special characters and try again.",
        ),
        ErrorCode::NotEnabled => pick(
            en,
            "Bagian ini tidak digunakan oleh kantor ini.",
            "This office does not use this part.",
        ),
        ErrorCode::InvalidCode => pick(
            en,
            "Kode layanan ini tidak dikenal. Periksa kodenya, atau kirim tanpa kode: jawaban Anda tetap tersimpan di perangkat ini.",
            "This service code is not recognised. Check the code, or send without it: your answers stay saved on this device.",
        ),
        ErrorCode::CodeExpired => pick(
            en,
            "Kode layanan ini sudah kedaluwarsa. Kirim tanpa kode: jawaban Anda tetap tersimpan di perangkat ini.",
            "This service code has expired. Send without it: your answers stay saved on this device.",
        ),
        ErrorCode::CodeUsed => pick(
            en,
            "Kode layanan ini sudah dipakai untuk satu tanggapan. Jawaban Anda tetap tersimpan di perangkat ini; Anda dapat mengirimnya tanpa kode.",
            "This service code has already been used for one response. Your answers stay saved on this device; you can send them without the code.",
        ),
        ErrorCode::Other => pick(
            en,
            "Periksa kembali isian ini.",
            "Please check this answer.",
        ),
    }
}

/// A short name of a field for the error summary, e.g. `U3 · Waktu Penyelesaian`.
pub fn field_label(path: &str, lang: Lang) -> String {
    let fixed = match path {
        field::SERVICE => Some(ui::SERVICE),
        field::GENDER => Some(ui::GENDER),
        field::AGE => Some(ui::AGE),
        field::EDUCATION => Some(ui::EDUCATION),
        field::OCCUPATION => Some(ui::OCCUPATION),
        field::OCCUPATION_OTHER => Some(ui::OCCUPATION_OTHER),
        field::SUGGESTION => Some(ui::SUGGESTION),
        field::CODE => Some(ui::CODE),
        _ => None,
    };
    if let Some(text) = fixed {
        return text.get(lang).to_string();
    }
    let (section, key) = path.split_once('.').unwrap_or((path, ""));
    if section == "answers" {
        if let Some(e) = Element::from_key(key) {
            return format!("{} · {}", e.form_label(), e.name().get(lang));
        }
    }
    for module in Module::ALL {
        if section == module.key() {
            if let Some(i) = module.statements().iter().position(|s| s.key == key) {
                return format!("{} {}", module.short_name(), i + 1);
            }
        }
    }
    path.to_string()
}

/// The intro's promise, counting the items the form really shows: `items` rated statements
/// at about 8 seconds each plus 40 seconds for the profile, rounded up to whole minutes.
pub fn purpose(lang: Lang, items: usize) -> String {
    let minutes = (items * 8 + 40).div_ceil(60);
    if lang == Lang::En {
        format!("Help us improve our service: answer {items} short questions about the service you just received (about {minutes} minutes).")
    } else {
        format!("Bantu kami memperbaiki pelayanan: jawab {items} pertanyaan singkat tentang pelayanan yang baru Anda terima (sekitar {minutes} menit).")
    }
}

fn pick(en: bool, id: &str, en_text: &str) -> String {
    if en { en_text } else { id }.to_string()
}

/// Fixed interface text of the widget and the report.
pub mod ui {
    use crate::element::Text;

    pub const TITLE: Text = Text::new("Survei Kepuasan Masyarakat", "Public Satisfaction Survey");
    pub const PRIVACY: Text = Text::new(
        "Survei ini anonim: kami tidak meminta nama, NIK, nomor telepon, atau email, dan tidak menyimpan alamat IP Anda.",
        "This survey is anonymous: we do not ask for your name, ID number, phone or e-mail, and do not store your IP address.",
    );
    pub const REQUIRED_NOTE: Text = Text::new(
        "Semua isian wajib, kecuali yang bertanda (opsional).",
        "Every field is required unless marked (optional).",
    );
    pub const PROFILE: Text = Text::new("Tentang Anda", "About you");
    pub const SERVICE: Text = Text::new("Jenis layanan", "Service used");
    pub const SERVICE_PLACEHOLDER: Text = Text::new("Pilih jenis layanan", "Choose a service");
    pub const COUNTER: Text = Text::new("Loket", "Counter");
    pub const GENDER: Text = Text::new("Jenis kelamin", "Gender");
    pub const AGE: Text = Text::new("Usia", "Age");
    pub const AGE_UNIT: Text = Text::new("tahun", "years");
    pub const EDUCATION: Text = Text::new("Pendidikan", "Education");
    pub const EDUCATION_PLACEHOLDER: Text =
        Text::new("Pilih pendidikan terakhir", "Highest level completed");
    pub const OCCUPATION: Text = Text::new("Pekerjaan", "Occupation");
    pub const OCCUPATION_OTHER: Text = Text::new(
        "Pekerjaan lainnya (opsional)",
        "Other occupation (optional)",
    );
    pub const QUESTIONS: Text = Text::new(
        "Pendapat Anda tentang pelayanan",
        "Your opinion of the service",
    );
    pub const SUGGESTION: Text = Text::new("Saran/masukan (opsional)", "Suggestions (optional)");
    pub const CODE: Text = Text::new("Kode layanan", "Service code");
    pub const SEND_WITHOUT_CODE: Text = Text::new("Kirim tanpa kode", "Send without the code");
    pub const SUGGESTION_WARNING: Text = Text::new(
        "Jangan tuliskan nama, NIK, nomor telepon, atau data pribadi lainnya.",
        "Do not write your name, ID number, phone number or other personal data.",
    );
    pub const SUBMIT: Text = Text::new("Kirim", "Send");
    pub const SENDING: Text = Text::new("Mengirim…", "Sending…");
    pub const LANGUAGE: Text = Text::new("Bahasa", "Language");
    pub const THANKS: Text = Text::new("Terima kasih", "Thank you");
    pub const THANKS_BODY: Text = Text::new(
        "Jawaban Anda sudah kami terima. Pendapat Anda membantu kami memperbaiki pelayanan.",
        "We have received your answers. Your opinion helps us improve our service.",
    );
    pub const NEW_RESPONSE: Text = Text::new("Isi survei baru", "Start a new response");
    pub const SEND_FAILED: Text = Text::new(
        "Jawaban belum terkirim. Jawaban Anda masih ada di formulir ini; silakan coba kirim lagi.",
        "Your answers were not sent. They are still in this form; please try sending again.",
    );
    pub const SEND_REJECTED: Text = Text::new(
        "Server menolak jawaban ini. Periksa isian yang ditandai lalu kirim lagi.",
        "The server did not accept these answers. Check the marked fields and send again.",
    );
    /// The server-rendered form without JavaScript, when the collector asks for a proof of
    /// work (428): only a service code or a browser with JavaScript can send.
    pub const NEEDS_SCRIPT: Text = Text::new(
        "Tanpa kode layanan, jawaban hanya dapat dikirim dengan JavaScript aktif. Jawaban Anda masih ada di formulir ini: aktifkan JavaScript lalu kirim lagi, atau pakai kode pada tiket antrean.",
        "Without a service code, answers can only be sent with JavaScript on. Your answers are still in this form: turn JavaScript on and send again, or use the code on your queue ticket.",
    );
    /// A changed resubmit of a response already stored (the server-rendered form's 409).
    pub const ALREADY_SENT_CHANGED: Text = Text::new(
        "Jawaban ini sudah pernah kami terima, jadi perubahan sesudahnya tidak tercatat. Jawaban pertama Anda tetap dihitung.",
        "These answers were already received, so changes made afterwards are not recorded. Your first response still counts.",
    );
    pub const RETRY: Text = Text::new("Coba kirim lagi", "Try again");
    /// The server-rendered form without JavaScript, when this device posted faster than the
    /// collector allows (429): nothing is lost, the same screen comes back.
    pub const TOO_MANY_REQUESTS: Text = Text::new(
        "Terlalu banyak permintaan dari perangkat ini. Jawaban Anda masih ada di formulir ini; tunggu sebentar lalu tekan tombolnya lagi.",
        "Too many requests from this device. Your answers are still in this form; wait a moment, then press the button again.",
    );
    pub const LOAD_FAILED: Text = Text::new(
        "Survei tidak dapat dimuat",
        "The survey could not be loaded",
    );
    pub const MISSING_ENDPOINT: Text = Text::new(
        "Widget belum diatur: atribut `endpoint` wajib diisi dengan alamat penerima jawaban.",
        "The widget is not set up: the `endpoint` attribute must give the address that receives answers.",
    );
    pub const CONFIG_UNREACHABLE: Text = Text::new(
        "Konfigurasi kantor tidak dapat diambil",
        "The office configuration could not be fetched",
    );
    pub const CONFIG_INVALID: Text = Text::new(
        "Konfigurasi kantor tidak valid",
        "The office configuration is invalid",
    );
    pub const CONTACT_STAFF: Text =
        Text::new("Mohon beri tahu petugas.", "Please tell a member of staff.");
    pub const SAVED: Text = Text::new("Tersimpan", "Saved");
    pub const LOADING: Text = Text::new("Memuat survei…", "Loading the survey…");
    pub const SAVED_BODY: Text = Text::new(
        "Jawaban Anda tersimpan di perangkat ini dan sedang dikirim. Anda boleh menutup halaman ini.",
        "Your answers are saved on this device and are being sent. You may close this page.",
    );
    pub const QUEUED_BODY: Text = Text::new(
        "Jawaban Anda tersimpan di perangkat ini dan akan dikirim otomatis saat koneksi tersedia. Anda boleh menutup halaman ini.",
        "Your answers are saved on this device and will be sent automatically when there is a connection. You may close this page.",
    );
    pub const EXPORT: Text = Text::new("Ekspor antrean (JSON)", "Export the queue (JSON)");
    pub const STILL_THERE: Text = Text::new("Masih di sini?", "Still there?");
    pub const CONTINUE: Text = Text::new("Ya, lanjutkan", "Yes, continue");
    pub const START_OVER: Text = Text::new("Mulai dari awal", "Start over");
    pub const TOUCH_TO_START: Text = Text::new("Sentuh untuk mulai", "Touch to start");
    pub const CLOSE: Text = Text::new("Tutup", "Close");
    /// One question per screen (`mode=steps`): moving on, going back, the last screen.
    pub const NEXT: Text = Text::new("Lanjut", "Next");
    pub const BACK: Text = Text::new("Kembali", "Back");
    pub const TO_REVIEW: Text = Text::new(
        "Simpan dan kembali ke ringkasan",
        "Save and return to the summary",
    );
    pub const REVIEW: Text = Text::new("Periksa jawaban Anda", "Check your answers");
    pub const REVIEW_HINT: Text = Text::new(
        "Jawaban belum terkirim. Periksa sekali lagi, ubah bila perlu, lalu kirim.",
        "Your answers are not sent yet. Check them, change any you need to, then send.",
    );
    pub const CHANGE: Text = Text::new("Ubah", "Change");
    pub const NOT_ANSWERED: Text = Text::new("Tidak diisi", "Not given");
    pub const SUGGESTION_STEP: Text = Text::new("Saran dan masukan", "Suggestions");
    pub const STAFF_HINT: Text = Text::new(
        "Untuk petugas: jawaban yang menunggu dikirim otomatis. Jawaban yang ditolak server tidak dikirim ulang; ekspor dan serahkan kepada pengelola survei.",
        "For staff: waiting answers are sent automatically. Answers the server refused are not resent; export them for the survey administrator.",
    );
}

/// "3 of 9 questions answered", for the progress indicator.
pub fn progress(answered: usize, total: usize, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("{answered} dari {total} pertanyaan terjawab"),
        Lang::En => format!("{answered} of {total} questions answered"),
    }
}

/// "Langkah 3 dari 11" / "Step 3 of 11": where a respondent is in the one-question-per-screen flow.
pub fn step_of(step: usize, steps: usize, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Langkah {step} dari {steps}"),
        Lang::En => format!("Step {step} of {steps}"),
    }
}

/// The kiosk's prompt on an abandoned form: when its answers will be cleared.
pub fn clearing_in(seconds: u64, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Jawaban di layar ini akan dihapus dalam {seconds} detik agar tidak terlihat oleh orang berikutnya."),
        Lang::En => format!("The answers on this screen will be cleared in {seconds} seconds so the next person cannot see them."),
    }
}

/// The kiosk's thank-you screen: when the next respondent's form appears.
pub fn fresh_form_in(seconds: u64, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Formulir baru untuk responden berikutnya dalam {seconds} detik."),
        Lang::En => format!("A fresh form for the next respondent in {seconds} seconds."),
    }
}

/// "980 characters left", for the suggestion counter.
pub fn chars_left(left: usize, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Sisa {left} karakter"),
        Lang::En => format!("{left} characters left"),
    }
}

/// The staff view's summary of this device's outbox.
pub fn outbox_summary(pending: usize, rejected: usize, lang: Lang) -> String {
    match lang {
        Lang::Id => {
            format!("Antrean perangkat ini: {pending} menunggu dikirim, {rejected} ditolak server")
        }
        Lang::En => format!(
            "On this device: {pending} waiting to be sent, {rejected} refused by the server"
        ),
    }
}

/// The heading of the error summary.
pub fn error_summary(count: usize, lang: Lang) -> String {
    match (lang, count) {
        (Lang::Id, n) => format!("Ada {n} isian yang perlu diperbaiki:"),
        (Lang::En, 1) => "Please fix 1 problem:".to_string(),
        (Lang::En, n) => format!("Please fix {n} problems:"),
    }
}

/// The language switch's label for each language, in that language.
pub const LANGUAGE_NAMES: [(Lang, Text); 2] = [
    (Lang::Id, Text::new("Bahasa Indonesia", "Bahasa Indonesia")),
    (Lang::En, Text::new("English", "English")),
];

/// The words of the collector's public pages (`/hasil`, `/badge.svg`, `/tv`), beside the
/// survey's own: one catalog, so a translation is checked in one place.
pub mod pages {
    use super::Text;

    /// A period asked for that is not closed and published.
    pub const NOT_PUBLISHED: Text = Text::new(
        "Hasil periode ini belum dipublikasikan.",
        "This period has not been published.",
    );
    pub const ALL_PUBLISHED_RESULTS: Text =
        Text::new("Semua hasil yang dipublikasikan", "All published results");
    /// The results page before any period is closed.
    pub const NOTHING_PUBLISHED: Text = Text::new(
        "Belum ada hasil survei yang dipublikasikan.",
        "No results have been published yet.",
    );
    /// The results page's title, before the unit's name.
    pub const SURVEY_RESULTS: Text =
        Text::new("Hasil Survei Kepuasan Masyarakat", "Survey results");
    /// The badge of a period not published.
    pub const NOT_PUBLISHED_YET: Text = Text::new("belum dipublikasikan", "not published yet");
    /// `/tv` of many units: the list of the screens that are on.
    pub const SCREENS: Text = Text::new("Layar ruang tunggu", "Waiting-room screens");
    /// A waiting-room screen's title, before the unit's name.
    pub const SCREEN_TITLE: Text = Text::new("Survei Kepuasan Masyarakat", "Satisfaction survey");
    pub const SUMMARY: Text = Text::new("Ringkasan", "Summary");
    pub const SERVICE_QUALITY: Text = Text::new("Mutu pelayanan", "Service quality");
    pub const PERFORMANCE: Text = Text::new("Kinerja unit", "Performance");
    pub const RESPONDENTS: Text = Text::new("Responden", "Respondents");
    /// The nine elements as bars or a table, on the 1–4 scale.
    pub const SCORES_1_TO_4: Text = Text::new("Nilai per unsur (1–4)", "Score per element (1–4)");
    pub const ELEMENT: Text = Text::new("Unsur pelayanan", "Element");
    pub const GRADE: Text = Text::new("Mutu", "Grade");
    pub const SCORE_PER_ELEMENT: Text = Text::new("NRR per unsur", "Score per element");
    pub const IKM_OF_PUBLISHED_MONTHS: Text = Text::new(
        "IKM bulan-bulan yang dipublikasikan",
        "IKM of the published months",
    );
    /// Followed by the time the period was closed.
    pub const CLOSED_ON: Text = Text::new("Ditutup pada ", "Closed on ");
    /// How the published figure is computed, before the grade thresholds.
    pub const IKM_FORMULA: Text = Text::new(
        "IKM = rata-rata tertimbang sembilan unsur × 25 (PermenPAN-RB 14/2017); ",
        "IKM = weighted mean of the nine elements × 25 (PermenPAN-RB 14/2017); ",
    );
    pub const ALL_PUBLISHED_PERIODS: Text =
        Text::new("Semua periode yang dipublikasikan", "All published periods");
    pub const PERIOD: Text = Text::new("Periode", "Period");
    pub const RESULTS_TITLE: Text = Text::new(
        "Hasil Survei Kepuasan Masyarakat",
        "Public satisfaction survey results",
    );
    pub const NO_SCREEN_ON: Text = Text::new(
        "Belum ada unit yang mengaktifkan layarnya.",
        "No unit has its screen enabled.",
    );
    /// The waiting-room screen's heading.
    pub const SURVEY_NAME: Text =
        Text::new("Survei Kepuasan Masyarakat", "Public satisfaction survey");
    pub const THIS_MONTH: Text = Text::new("Bulan ini", "This month");
    pub const IKM_THIS_MONTH: Text = Text::new("IKM bulan ini", "IKM this month");
    pub const RESPONDENTS_TODAY: Text = Text::new("Responden hari ini", "Respondents today");
    pub const RESPONDENTS_THIS_MONTH: Text =
        Text::new("Responden bulan ini", "Respondents this month");
    pub const WHAT_RESPONDENTS_SAID: Text = Text::new("Kata responden", "What respondents said");
    pub const SCAN_TO_RATE: Text = Text::new(
        "Pindai untuk menilai layanan kami",
        "Scan to rate our service",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OfficeConfig;
    use crate::submission::Submission;
    use crate::validate::validate;

    #[test]
    fn every_error_of_a_blank_form_has_a_sentence_in_both_languages() {
        let errors = validate(&Submission::blank(Lang::Id), &OfficeConfig::default());
        for e in &errors {
            for lang in [Lang::Id, Lang::En] {
                let m = message(e, lang);
                assert!(m.ends_with('.'), "{m}");
                assert!(!field_label(&e.field, lang).is_empty());
            }
        }
        assert_ne!(message(&errors[0], Lang::Id), message(&errors[0], Lang::En));
    }

    #[test]
    fn messages_carry_the_limit() {
        let e = FieldError {
            field: field::AGE.into(),
            code: ErrorCode::TooYoung,
            limit: Some(17),
        };
        assert!(message(&e, Lang::Id).starts_with("Usia minimal 17 tahun"));
        assert!(message(&e, Lang::En).contains("minimum age is 17"));
        assert_eq!(
            field_label("answers.sarana", Lang::Id),
            "U8 · Sarana dan Prasarana"
        );
        assert_eq!(field_label("spak.pungli", Lang::En), "SPAK 4");
    }

    #[test]
    fn the_intro_counts_the_items_and_minutes_the_form_really_has() {
        assert!(
            purpose(Lang::Id, 9).contains("jawab 9 pertanyaan singkat")
                && purpose(Lang::Id, 9).contains("sekitar 2 menit")
        );
        assert!(
            purpose(Lang::En, 22).contains("answer 22 short questions")
                && purpose(Lang::En, 22).contains("about 4 minutes")
        );
    }
}
