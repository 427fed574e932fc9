//! `/admin/laporan?period=…`: the *Laporan Hasil Survei Kepuasan Masyarakat* as a printable A4
//! document (the browser's "save as PDF" gives the PDF). Every sentence is built from the data
//! and the office configuration, so nothing is typed twice.

use crate::api::{Params, Shared};
use crate::auth::Viewer;
use crate::charts::{document, local_time, long_date, nrr_bars, number, trend_line};
use crate::error::ApiError;
use crate::report::{
    add_suggestions, build_report, trend, FollowUpView, Report, ReportQuery, ReportRequest,
    SuggestionsReport,
};
use crate::store::Suggestion;
use crate::tables::{module_table, profile_tables, services_table};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ikm_core::questionnaire::{Choice, Education, Gender, Module, Occupation, STANDARD};
use ikm_core::sample::krejcie_morgan;
use ikm_core::score::Grade;
use ikm_core::{Element, Lang, OfficeConfig};
use maud::{html, Markup};
use std::cell::Cell;

const STYLESHEET: &str = include_str!("laporan.css");

/// `GET /admin/laporan.css`.
pub async fn laporan_stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

/// `GET /admin/laporan?period=…` (the same query as `/admin`).
pub async fn laporan_page(
    Viewer(_, unit): Viewer,
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let site = app.site_by_key(&unit);
    let request = app.unit_request(&params, site)?;
    let mut snapshot = app.store.snapshot().await?;
    snapshot.for_unit(site.key());
    let mut report = build_report(&mut snapshot, &site.config, &request).await?;
    let points = trend(&mut snapshot, &request, 12, false).await?;
    let suggestions = add_suggestions(&mut report, &mut snapshot, &site.config, &request).await?;
    drop(snapshot);
    let today = site.config.offset().local_date((app.now)());
    Ok(laporan(
        &site.config,
        &request,
        &report,
        &points,
        &suggestions,
        today,
    )
    .into_response())
}

fn ikm_text(report: &Report) -> String {
    report
        .ikm_rounded
        .map_or("–".into(), |v| number(v, 2, Lang::Id))
}

/// What every chapter of the formal report reads.
struct Laporan<'a> {
    config: &'a OfficeConfig,
    request: &'a ReportRequest,
    report: &'a Report,
    points: &'a [crate::report::TrendPoint],
    suggestions: &'a [Suggestion],
    today: ikm_core::time::Date,
    title: String,
}

/// The report's chapters, in the order of [`CHAPTERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    Introduction,
    Method,
    Results,
    Analysis,
    Closing,
}

/// The chapters in order; their numbers, and their sections' and figures' numbers, are
/// computed from this list, so a chapter or section added or left out renumbers the rest.
const CHAPTERS: [Chapter; 5] = [
    Chapter::Introduction,
    Chapter::Method,
    Chapter::Results,
    Chapter::Analysis,
    Chapter::Closing,
];

impl Chapter {
    fn title(self) -> &'static str {
        match self {
            Chapter::Introduction => "PENDAHULUAN",
            Chapter::Method => "METODE",
            Chapter::Results => "HASIL SURVEI",
            Chapter::Analysis => "ANALISIS DAN RENCANA TINDAK LANJUT",
            Chapter::Closing => "PENUTUP",
        }
    }

    /// Its number in the report (1 for the first).
    fn number(self) -> usize {
        CHAPTERS
            .iter()
            .position(|c| *c == self)
            .map_or(0, |i| i + 1)
    }

    fn write(self, l: &Laporan<'_>, n: &Numbering) -> Markup {
        match self {
            Chapter::Introduction => l.introduction(n),
            Chapter::Method => l.method(n),
            Chapter::Results => l.results(n),
            Chapter::Analysis => l.analysis(n),
            Chapter::Closing => l.closing(n),
        }
    }
}

/// The numbers inside one chapter: sections `3.1`, `3.2`, … and figures `Gambar 3.1`, ….
struct Numbering {
    chapter: usize,
    section: Cell<usize>,
    figure: Cell<usize>,
}

impl Numbering {
    fn new(chapter: usize) -> Numbering {
        Numbering {
            chapter,
            section: Cell::new(0),
            figure: Cell::new(0),
        }
    }

    /// The next section's heading: `3.2 Nilai per Unsur`.
    fn heading(&self, title: &str) -> Markup {
        let n = self.section.get() + 1;
        self.section.set(n);
        html! { h3 { (self.chapter) "." (n) " " (title) } }
    }

    /// The next figure's caption: `Gambar 3.1 …`.
    fn figure(&self, caption: &str) -> String {
        let n = self.figure.get() + 1;
        self.figure.set(n);
        format!("Gambar {}.{n} {caption}", self.chapter)
    }
}

/// A chapter number as the report prints it (BAB I … BAB X).
fn roman(n: usize) -> &'static str {
    const NUMERALS: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    n.checked_sub(1)
        .and_then(|i| NUMERALS.get(i))
        .copied()
        .unwrap_or_default()
}

fn laporan(
    config: &OfficeConfig,
    request: &ReportRequest,
    report: &Report,
    points: &[crate::report::TrendPoint],
    suggestions: &[Suggestion],
    today: ikm_core::time::Date,
) -> Markup {
    let l = Laporan {
        config,
        request,
        report,
        points,
        suggestions,
        today,
        title: request.title(),
    };
    let body = html! {
        (l.cover())
        @for chapter in CHAPTERS {
            @let numbering = Numbering::new(chapter.number());
            section.chapter {
                h2 { "BAB " (roman(chapter.number())) br; (chapter.title()) }
                (chapter.write(&l, &numbering))
            }
        }
        (l.appendix())
    };
    document(
        Lang::Id,
        &format!("Laporan Hasil SKM {} — {}", l.title, report.office),
        "/admin/laporan.css",
        body,
    )
}

impl Laporan<'_> {
    /// The SPKP/SPAK modules this office asks.
    fn enabled_modules(&self) -> Vec<Module> {
        Module::ALL
            .into_iter()
            .filter(|m| self.config.modules.get(*m).is_some())
            .collect()
    }

    /// Whether the figures are final.
    fn status_text(&self) -> &'static str {
        if self.report.closed.is_some() {
            "final (periode telah ditutup)"
        } else {
            "sementara (periode belum ditutup)"
        }
    }

    /// The chapter pendahuluan.
    fn introduction(&self, n: &Numbering) -> Markup {
        let report = self.report;
        let title = &self.title;
        html! {
            (n.heading("Latar Belakang"))
            p { "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik mewajibkan penyelenggara pelayanan publik mengikutsertakan masyarakat dalam penyelenggaraan pelayanan, antara lain dengan menilai kinerja pelayanan. " (report.office) " melaksanakan Survei Kepuasan Masyarakat (SKM) secara berkala sebagai bahan penilaian dan perbaikan pelayanan. Laporan ini menyajikan hasil SKM periode " (title) "." }
            (n.heading("Dasar Hukum"))
            ol {
                li { "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;" }
                li { "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;" }
                li { "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik;" }
                li { "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi." }
            }
            (n.heading("Maksud dan Tujuan"))
            p { "Survei ini dimaksudkan untuk mengetahui tingkat kepuasan pengguna layanan terhadap pelayanan " (report.office) ", dengan tujuan:" }
            ol {
                li { "mengukur Indeks Kepuasan Masyarakat (IKM) beserta mutu dan kinerja unit pelayanan;" }
                li { "mengetahui unsur pelayanan yang perlu diperbaiki;" }
                li { "menyusun rencana tindak lanjut perbaikan pelayanan dan memantau pelaksanaannya;" }
                li { "mempublikasikan hasil survei kepada masyarakat." }
            }
        }
    }

    /// The chapter metode.
    fn method(&self, n: &Numbering) -> Markup {
        let config = self.config;
        let request = self.request;
        let report = self.report;
        let r = &self.report.recap;
        let enabled = self.enabled_modules();
        let long = |d: ikm_core::time::Date| long_date(d, Lang::Id);
        html! {
            (n.heading("Periode Survei"))
            p { "Survei dilaksanakan pada " (long(request.from())) " sampai dengan " (long(request.to())) " (" (config.time_zone) "). Setiap respons dihitung pada periode waktu pengisiannya menurut zona waktu kantor." }
            (n.heading("Populasi dan Sampel"))
            @match &report.sample {
                Some(s) => p { "Populasi adalah pengguna layanan pada periode ini, sebanyak " (s.population) " orang. Besar sampel minimum ditentukan dengan tabel Krejcie dan Morgan (tingkat kepercayaan 95%, X² = 3,841, P = 0,5, d = 0,05), yaitu " (s.target) " responden. Jumlah responden yang terkumpul " (s.respondents) " orang, sehingga sampel minimum " (if s.reached { "tercapai" } else { "belum tercapai" }) "."
                    @if !s.months_missing.is_empty() { " Populasi bulan " (s.months_missing.join(", ")) " belum dicatat." } }
                None => p { "Populasi pengguna layanan periode ini belum dicatat, sehingga sampel minimum belum dapat ditentukan. Sebagai acuan, tabel Krejcie dan Morgan mensyaratkan " (krejcie_morgan(1_000)) " responden untuk 1.000 pengguna layanan. Jumlah responden yang terkumpul " (r.respondents) " orang." }
            }
            (n.heading("Teknik Pengumpulan Data"))
            p { "Data dikumpulkan dengan kuesioner elektronik yang diisi sendiri oleh pengguna layanan setelah menerima layanan: melalui kode QR di loket, tablet di ruang tunggu, dan situs kantor (accidental sampling). Survei bersifat anonim: tidak ada nama, NIK, nomor telepon, email, atau alamat IP yang diminta atau disimpan. Usia minimal responden " (config.min_age) " tahun." }
            (n.heading("Kuesioner"))
            p { "Kuesioner memuat sembilan unsur pelayanan sesuai PermenPAN-RB Nomor 14 Tahun 2017, masing-masing dengan empat pilihan jawaban bernilai 1 sampai 4, ditambah profil responden dan saran."
                @for m in &enabled { " Kuesioner juga memuat " (m.title().id) " (" (m.statements().len()) " pernyataan, skala 1–" (config.modules.get(*m).map_or(0, |c| c.scale)) "), yang dilaporkan terpisah dan bukan bagian dari IKM." }
                " Kuesioner lengkap terdapat pada lampiran." }
            (n.heading("Metode Pengolahan Data"))
            p { "Nilai rata-rata (NRR) tiap unsur adalah jumlah nilai unsur dibagi jumlah responden yang menjawab unsur tersebut. Nilai indeks (NI) adalah jumlah NRR tertimbang dengan bobot " (request.weights.printed()) " per unsur, dan IKM = NI × 25. Mutu pelayanan ditentukan dari IKM yang dibulatkan dua desimal:" }
            table {
                thead { tr { th { "Nilai IKM" } th { "Nilai interval (NI)" } th { "Mutu" } th { "Kinerja unit" } } }
                tbody {
                    @for (grade, _) in Grade::LOWER_BOUNDS {
                        @let (low, high) = grade.ikm_range();
                        tr {
                            td { (number(low as f64 / 100.0, 2, Lang::Id)) " – " (number(high as f64 / 100.0, 2, Lang::Id)) }
                            td { (ni_text(low)) " – " (ni_text(high)) }
                            td { (grade) } td { (grade.kinerja()) }
                        }
                    }
                }
            }
        }
    }

    /// The chapter hasil survei.
    fn results(&self, n: &Numbering) -> Markup {
        let report = self.report;
        let points = self.points;
        let title = &self.title;
        let r = &self.report.recap;
        html! {
            (n.heading("Indeks Kepuasan Masyarakat"))
            @match (r.ni, report.ikm_rounded, r.mutu, r.kinerja) {
                (Some(ni), Some(ikm), Some(mutu), Some(kinerja)) => {
                    p { "Dari " (r.respondents) " responden, nilai interval (NI) " (number(ni, 4, Lang::Id)) " sehingga IKM " (report.office) " periode " (title) " adalah " strong { (number(ikm, 2, Lang::Id)) } ", mutu pelayanan " strong { (mutu) } " dengan kinerja unit pelayanan " strong { (kinerja) } "." }
                }
                _ => p { "Pada periode ini terkumpul " (r.respondents) " responden; IKM belum dapat dihitung karena belum semua unsur terjawab." }
            }
            p { (report.verified.sentence(r.respondents, Lang::Id)) }
            p { (report.excluded.sentence(Lang::Id)) }
            @if !report.flags.is_empty() {
                p { "Pola yang ditandai untuk ditinjau (tidak mengubah angka di atas):" }
                ul { @for f in &report.flags { li { (f.why) } } }
            }
            (n.heading("Nilai per Unsur"))
            table {
                thead { tr { th { "No" } th { "Unsur pelayanan" } th { "NRR" } th { "Mutu" } th { "1" } th { "2" } th { "3" } th { "4" } } }
                tbody {
                    @for e in Element::ALL {
                        tr {
                            td { (e.form_label()) } td { (e.name().id) }
                            td.num { (r.nrr.get(e).map_or("–".into(), |v| number(v, 3, Lang::Id))) }
                            td { (r.element_mutu.get(e).map_or("–".into(), |g| g.to_string())) }
                            @for n in r.distribution.get(e) { td.num { (n) } }
                        }
                    }
                }
            }
            p.note { "Kolom 1–4: jumlah jawaban dengan nilai tersebut. Mutu per unsur: NRR × 25 pada tabel mutu." }
            (nrr_bars("lap-nrr", &n.figure("NRR per unsur (tanda ! = prioritas perbaikan)"), &r.nrr, &r.lowest, Lang::Id))
            (n.heading("IKM per Jenis Layanan"))
            (services_table(report))
            (n.heading("Profil Responden"))
            (profile_tables(report))
            @if !report.modules.0.is_empty() {
                (n.heading("Indeks Persepsi (IPK)"))
                p { "Nilai rata-rata tiap pernyataan pada skala modulnya; indeks adalah rata-rata dari nilai rata-rata pernyataan. IPK tidak termasuk dalam perhitungan IKM." }
                @for (module, recap) in &report.modules.0 { (module_table(*module, recap, Lang::Id)) }
            }
            (n.heading("Tren IKM"))
            (trend_line("lap-trend", &n.figure("IKM dua belas bulan terakhir"), points, Lang::Id))
        }
    }

    /// The chapter analisis dan rencana tindak lanjut.
    fn analysis(&self, n: &Numbering) -> Markup {
        let config = self.config;
        let report = self.report;
        let suggestions = self.suggestions;
        let r = &self.report.recap;
        html! {
            (n.heading("Unsur yang Perlu Diperbaiki"))
            @if r.lowest.is_empty() {
                p { "Belum ada nilai unsur pada periode ini." }
            } @else {
                p { "Unsur dengan NRR terendah (tiga terendah dan setiap unsur yang nilainya sama dengan yang ketiga) menjadi prioritas perbaikan:" }
                ol {
                    @for e in &r.lowest {
                        li { (e.form_label()) " " (e.name().id) " — NRR " (r.nrr.get(*e).map_or("–".into(), |v| number(v, 3, Lang::Id))) ", mutu " (r.element_mutu.get(*e).map_or("–".into(), |g| g.to_string())) }
                    }
                }
            }
            (n.heading("Rencana Tindak Lanjut"))
            (rtl_table(&report.follow_ups.plan, "Rencana tindak lanjut periode ini"))
            @if !report.follow_ups.carried.is_empty() {
                (rtl_table(&report.follow_ups.carried, "Tindak lanjut periode sebelumnya yang belum selesai"))
            }
            (n.heading("Ringkasan Saran dan Masukan"))
            @if suggestions.is_empty() {
                p { "Tidak ada saran atau masukan pada periode ini." }
            } @else {
                p { "Terdapat " (suggestions.len()) " saran dan masukan dari " (r.respondents) " responden. Per jenis layanan:" }
                ul {
                    @for (service, n) in suggestion_counts(suggestions) {
                        li { (config.service(&service).map_or(service.clone(), |s| s.label.id.clone())) ": " (n) }
                    }
                }
                @if let Some(sr) = &report.suggestions {
                    (self.suggestion_themes(sr))
                }
                p { "Saran terbaru:" }
                ul.suggestions {
                    @for s in suggestions.iter().take(20) { li { (s.text) } }                }
            }
        }
    }

    /// What the suggestions are about, element by element, the words that recur and the
    /// complaints that need an answer.
    fn suggestion_themes(&self, sr: &SuggestionsReport) -> Markup {
        let summary = &sr.summary;
        html! {
            @if !summary.themes.is_empty() {
                table.themes {
                    caption { "Tema saran dan unsur pelayanan yang dimaksud" }
                    thead { tr { th { "Tema" } th { "Unsur" } th { "Jumlah saran" } th { "Contoh" } } }
                    tbody {
                        @for t in &summary.themes {
                            tr {
                                td { (t.label) }
                                td { (t.element_label.unwrap_or("–")) }
                                td { (t.suggestions) }
                                td { @if let Some(e) = t.examples.first() { "“" (e) "”" } }
                            }
                        }
                    }
                }
                p { "Sebanyak " (summary.unthemed) " saran tidak termasuk tema mana pun dalam leksikon. Satu saran dapat menyentuh lebih dari satu tema." }
            }
            @if !summary.recurring_words.is_empty() {
                p { "Kata yang paling sering muncul (jumlah saran): "
                    (summary.recurring_words.iter().map(|w| format!("{} ({})", w.word, w.suggestions)).collect::<Vec<_>>().join(", ")) "." }
            }
            @if sr.complaints.count > 0 {
                p { "Sebanyak " (sr.complaints.count) " saran ditandai petugas sebagai pengaduan yang perlu ditanggapi:" }
                ol.complaints {
                    @for c in &sr.complaints.items { li { (c.date) " — " (c.text) } }
                }
            }
        }
    }

    /// The chapter penutup.
    fn closing(&self, n: &Numbering) -> Markup {
        let config = self.config;
        let report = self.report;
        let today = self.today;
        let title = &self.title;
        let r = &self.report.recap;
        let long = |d: ikm_core::time::Date| long_date(d, Lang::Id);
        html! {
            (n.heading("Kesimpulan"))
            @match (report.ikm_rounded, r.mutu, r.kinerja) {
                (Some(ikm), Some(mutu), Some(kinerja)) => {
                    p { "IKM " (report.office) " periode " (title) " adalah " (number(ikm, 2, Lang::Id)) " dengan mutu " (mutu) " (" (kinerja) "), dari " (r.respondents) " responden."
                        @if let Some(best) = best_element(report) { " Unsur dengan nilai tertinggi adalah " (best.name().id) "." }
                        @if !r.lowest.is_empty() { " Unsur yang perlu diperbaiki: " (r.lowest.iter().map(|e| e.name().id).collect::<Vec<_>>().join(", ")) "." }
                    }
                }
                _ => p { "IKM periode ini belum dapat dihitung." }
            }
            (n.heading("Saran"))
            p { "Rencana tindak lanjut pada Bab " (roman(Chapter::Analysis.number())) " dilaksanakan sesuai batas waktunya dan ditinjau kembali pada laporan periode berikutnya. Hasil survei ini dipublikasikan kepada masyarakat." }
            @if let Some(c) = &report.closed {
                p { "Angka dalam laporan ini dibekukan saat periode ditutup pada " (local_time(c.closed_at_unix, &config.time_zone, Lang::Id)) "."
                    @if report.late > 0 { " Sebanyak " (report.late) " respons masuk setelah penutupan; respons tersebut tersimpan tetapi tidak mengubah angka laporan ini." } }
            }
            div.signature {
                p { (long(today)) }
                p { "Kepala " (report.office) }
                p.sign-space { }
                p { "(………………………………………)" }
            }
        }
    }

    /// The links shown on screen only, and the cover.
    fn cover(&self) -> Markup {
        let request = self.request;
        let report = self.report;
        let title = &self.title;
        let r = &self.report.recap;
        let final_text = self.status_text();
        html! {
        p.screen-only { a href={ "/admin?period=" (request.period.map(|p| p.key()).unwrap_or_default()) } { "← Kembali ke rekap" } " · Cetak halaman ini (Ctrl+P) dan pilih “Simpan sebagai PDF”." }
        section.cover {
            p.kicker { "LAPORAN" }
            h1 { "Hasil Survei Kepuasan Masyarakat" }
            p.period { (title) }
            p.office { (report.office) }
            div.cover-figure {
                span { "Indeks Kepuasan Masyarakat" }
                strong { (ikm_text(report)) }
                span { "Mutu " (r.mutu.map_or("–".into(), |g| g.to_string())) " · " (r.kinerja.unwrap_or("–")) }
            }
            p.status { "Status laporan: " (final_text) }
        }
        }
    }

    /// The questionnaire as an appendix.
    fn appendix(&self) -> Markup {
        let config = self.config;
        let report = self.report;
        let enabled = self.enabled_modules();
        html! {
        section.chapter.appendix {
            h2 { "LAMPIRAN" br; "KUESIONER SURVEI KEPUASAN MASYARAKAT" }
            p { (report.office) }
            h3 { "Profil responden" }
            ol {
                li { "Jenis layanan: " (config.services.iter().map(|s| s.label.id.as_str()).collect::<Vec<_>>().join(" / ")) }
                li { "Jenis kelamin: " (choices::<Gender>()) }
                li { "Usia: … tahun (minimal " (config.min_age) " tahun)" }
                li { "Pendidikan terakhir: " (choices::<Education>()) }
                li { "Pekerjaan utama: " (choices::<Occupation>()) }
            }
            h3 { "Pendapat responden tentang pelayanan" }
            ol.questions {
                @for q in &STANDARD.questions {
                    li {
                        (q.text.id)
                        ol.answers type="a" { @for a in &q.answers { li { (a.id) } } }
                    }
                }
            }
            @for m in &enabled {
                h3 { (m.title().id) }
                p { "Skala 1 (sangat tidak setuju) sampai " (config.modules.get(*m).map_or(0, |c| c.scale)) " (sangat setuju)." }
                ol { @for s in m.statements() { li { (s.text.id) } } }
            }
            h3 { "Saran dan masukan" }
            p { "……………………………………………………………… (opsional; tanpa data pribadi)" }
        }
        }
    }
}

/// The codes of a choice list as the paper form prints them.
fn choices<C: Choice>() -> String {
    C::ALL
        .iter()
        .map(|c| c.label().id)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The element with the highest NRR (the first in form order on a tie).
fn best_element(report: &Report) -> Option<Element> {
    Element::ALL
        .into_iter()
        .filter_map(|e| report.recap.nrr.get(e).map(|v| (e, v)))
        .fold(None, |best: Option<(Element, f64)>, (e, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((e, v)),
        })
        .map(|(e, _)| e)
}

/// The NI matching an IKM in hundredths (IKM ÷ 25), as the regulation prints it: as many
/// decimals as it needs, at least two (`3,5324`, `3,532`, `2,60`).
fn ni_text(ikm_hundredths: i64) -> String {
    let mut text = format!("{:.4}", ikm_hundredths as f64 / 2500.0);
    while text.ends_with('0') && text.len() > text.find('.').map_or(0, |dot| dot + 3) {
        text.pop();
    }
    text.replace('.', ",")
}

/// Suggestions per service, most first.
fn suggestion_counts(suggestions: &[Suggestion]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for suggestion in suggestions {
        let service = &suggestion.service;
        match counts.iter_mut().find(|(s, _)| s == service) {
            Some((_, n)) => *n += 1,
            None => counts.push((service.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn rtl_table(rows: &[FollowUpView], caption: &str) -> Markup {
    html! {
        table.rtl {
            caption { (caption) }
            thead { tr { th { "No" } th { "Unsur" } th { "Tindakan perbaikan" } th { "Penanggung jawab" } th { "Batas waktu" } th { "Status" } } }
            tbody {
                @if rows.is_empty() {
                    tr { td colspan="6" { "Belum ada rencana tindak lanjut yang dicatat." } }
                }
                @for (i, f) in rows.iter().enumerate() {
                    tr { td { (i + 1) } td { (f.element_label) } td { (f.action) (crate::admin::cited_list(&f.suggestions)) } td { (f.responsible) } td { (f.due) } td { (f.status_label) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_column_is_the_regulations() {
        let printed: Vec<(String, String)> = Grade::LOWER_BOUNDS
            .iter()
            .map(|(g, _)| {
                let (low, high) = g.ikm_range();
                (ni_text(low), ni_text(high))
            })
            .collect();
        let expected = [
            ("3,5324", "4,00"),
            ("3,0644", "3,532"),
            ("2,60", "3,064"),
            ("1,00", "2,5996"),
        ];
        assert_eq!(
            printed,
            expected.map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
