//! The recap's tables that `/admin` and the formal report both show, written once so the
//! screen and the signed paper never disagree.

use crate::charts::number;
use crate::report::Report;
use ikm_core::questionnaire::Module;
use ikm_core::Lang;
use maud::{html, Markup};

/// The IKM of each service: respondents, index and grade.
pub fn services_table(report: &Report) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { "Jenis layanan" } th scope="col" { "Responden" } th scope="col" { "IKM" } th scope="col" { "Mutu" } } }
            tbody {
                @for s in report.per_service.values() {
                    tr {
                        th scope="row" { (s.label) }
                        td.num { (s.respondents) }
                        td.num { (s.ikm.map_or("–".into(), |v| number(v, 2, Lang::Id))) }
                        td { (s.mutu.map_or("–".into(), |g| g.to_string())) }
                    }
                }
            }
        }
    }
}

/// Who answered: one table per profile question, counts and shares.
pub fn profile_tables(report: &Report) -> Markup {
    html! {
        div.profile {
            @for (title, rows) in report.profile.titled() {
                table {
                    caption { (title.id) }
                    thead { tr { th scope="col" { "Kategori" } th scope="col" { "Jumlah" } th scope="col" { "%" } } }
                    tbody {
                        @for row in rows {
                            tr {
                                th scope="row" { (row.label.id) }
                                td.num { (row.count) }
                                td.num { (row.percent.map_or("–".into(), |p| number(p, 1, Lang::Id))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One module's IPK table: item means, the index and who answered.
pub fn module_table(module: Module, recap: &ikm_core::ipk::ModuleRecap, lang: Lang) -> Markup {
    let (item, mean, index, scale) = match lang {
        Lang::Id => ("Pernyataan", "Rata-rata", "Indeks", "skala"),
        Lang::En => ("Statement", "Mean", "Index", "scale"),
    };
    html! {
        table {
            caption {
                (module.title().get(lang)) " — " (scale) " 1–" (recap.scale) ", " (recap.respondents)
                (if lang == Lang::Id { " responden" } else { " respondents" })
            }
            thead { tr { th scope="col" { "No" } th scope="col" { (item) } th scope="col" { (mean) } } }
            tbody {
                @for (i, (statement, (_, m))) in module.statements().iter().zip(&recap.items.0).enumerate() {
                    tr {
                        td { (i + 1) }
                        th scope="row" { (statement.text.get(lang)) }
                        td.num { (m.map_or("–".into(), |v| number(v, 2, lang))) }
                    }
                }
            }
            tfoot {
                tr { th scope="row" colspan="2" { (index) " " (module.short_name()) } td.num { strong { (recap.index.map_or("–".into(), |v| number(v, 2, lang))) } } }
            }
        }
    }
}
