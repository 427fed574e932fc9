// The IKM questionnaire in Formbricks' survey format (v1.99), built from the same texts the
// collector serves (its office configuration and the standard questions in the survey page),
// so both products show the same questions: profile, the nine elements, the suggestion.
export function formbricksSurvey(questions) {
  return {
    id: 'ikm',
    name: 'Survei Kepuasan Masyarakat',
    type: 'link',
    status: 'inProgress',
    questions,
    welcomeCard: { enabled: false },
    thankYouCard: { enabled: true, headline: 'Terima kasih', subheader: 'Jawaban Anda sudah kami terima.' },
    hiddenFields: { enabled: false, fieldIds: [] },
    styling: {},
    languages: [],
  };
}

/** One multiple-choice question with the given labels. */
export function choice(id, headline, labels) {
  return {
    id,
    type: 'multipleChoiceSingle',
    headline,
    required: true,
    shuffleOption: 'none',
    buttonLabel: 'Lanjut',
    backButtonLabel: 'Kembali',
    choices: labels.map((label, i) => ({ id: `${id}-${i + 1}`, label })),
  };
}

/** A free-text question. */
export function text(id, headline, { required = true, inputType = 'text' } = {}) {
  return { id, type: 'openText', headline, required, inputType, placeholder: '', buttonLabel: 'Lanjut', backButtonLabel: 'Kembali' };
}
