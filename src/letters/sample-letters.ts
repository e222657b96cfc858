/**
 * Sample letters (for `templates check`): every branch of the shipped templates is exercised by
 * one of the two variants. Figures are from MOPAC's published FOI responses.
 */
import { loadBodyConfig } from './body-config.js';
import { EXEMPTION_PARTIALS } from './letter-shape.js';
import type { ExemptionView, LetterView, QuestionView, TableView } from './view-model.js';

export type SampleVariant = 'full' | 'sparse' | 'eir';

function sampleQuestions(variant: SampleVariant): QuestionView[] {
  const full = variant !== 'sparse';
  const table = (fy: string | null, amount: string): TableView => ({
    financialYear: fy,
    caption: full ? 'PTF Home Office Funding (via MOPAC)' : null,
    columns: [
      { key: 'grant', header: 'Name of grant', align: 'left' },
      { key: 'amount', header: 'Grant amount', align: 'right' },
      { key: 'provider', header: 'Service provider', align: 'left' },
      { key: 'nonIntimate', header: 'Provides services for non ex-intimate victims of stalking', align: 'left' },
    ],
    rows: [['Multi-Agency Stalking Interventions Programme (MASIP)', amount, 'Suzy Lamplugh Trust | *SLT*', 'Y']],
    totalRow: full ? ['Total', amount, '', ''] : null,
    notes: full ? ['Note 1: The 2019-20 revised budget includes the 3% efficiency requirement.', 'These figures are budgets, not spend.'] : [],
    emptyText: null,
    // Sample letters make no workbook.
    cells: [],
    totalCells: null,
  });
  const empty = (fy: string): TableView => ({
    financialYear: fy, caption: null, columns: [{ key: 'grant', header: 'Name of grant', align: 'left' }], rows: [], totalRow: null, notes: [],
    emptyText: `No grants matched these criteria in ${fy}.`, cells: [], totalCells: null,
  });
  const exemption = (section: string, extra: Partial<ExemptionView> = {}): ExemptionView => ({
    section,
    partial: EXEMPTION_PARTIALS[section],
    reason: full ? 'Officer reasons for applying the exemption.' : null,
    publishedAt: null,
    publicInterestFor: full ? ['Transparency in the use of public money.'] : [],
    publicInterestAgainst: full ? ['Harm that disclosure would be likely to cause.'] : [],
    ...extra,
  });
  const base = (n: number, outcome: QuestionView['outcome']): QuestionView => ({
    number: n,
    wording: 'Please provide details of grants awarded in the financial years 2017-2018 and 2018-2019\n\n- . For which at least one of the outputs was to provide services to victims of stalking.',
    outcome,
    intro: full ? 'MOPAC awarded one grant to tackle stalking in these years.' : null,
    tables: [],
    noMatch: false,
    notHeldText: null,
    advice: null,
    exemption: null,
    notes: [],
    sources: [],
  });
  return [
    { ...base(1, 'held'), tables: [table(full ? '2017-18' : null, '£139,707'), table('2018-19', '£2,087,431.81'), ...(full ? [empty('2019-20')] : [])], notes: full ? ['* figures rolled over from the previous year'] : [], sources: full ? ['PCD 1653', 'CEOD 03-2019'] : ['PCD 1653'] },
    { ...base(2, 'held'), noMatch: true },
    { ...base(3, 'not_held'), notHeldText: 'MOPAC does not hold this information.', advice: full ? 'The Metropolitan Police Service may hold this information.' : null },
    ...(variant === 'eir'
      ? [
        { ...base(4, 'exempt'), exemption: exemption('13') },
        { ...base(5, 'exempt'), exemption: exemption('12(5)(e)') },
        { ...base(6, 'exempt'), exemption: exemption('12(5)(b)') },
        { ...base(7, 'exempt'), exemption: exemption('12(5)(a)') },
        { ...base(8, 'exempt'), exemption: exemption('6(1)(b)', { publishedAt: 'https://www.london.gov.uk/example_decision' }) },
        { ...base(10, 'exempt'), advice: 'You may wish to name the programme and the years you are interested in.', exemption: exemption('12(4)(c)') },
        { ...base(11, 'exempt'), exemption: exemption('12(4)(d)', { reason: 'The evaluation is being written by MOPAC and is expected to be finished in March 2019.' }) },
        { ...base(12, 'exempt'), exemption: exemption('12(4)(e)') },
        ...['12(5)(c)', '12(5)(d)', '12(5)(f)', '12(5)(g)'].map((s, i) => ({ ...base(13 + i, 'exempt' as const), exemption: exemption(s) })),
      ]
      : [
        { ...base(4, 'exempt'), exemption: exemption('21', { publishedAt: full ? 'https://www.london.gov.uk/example_decision' : null }) },
        { ...base(5, 'exempt'), exemption: exemption('40(2)') },
        { ...base(6, 'exempt'), exemption: exemption('43(2)') },
        { ...base(7, 'exempt'), exemption: exemption('31') },
        { ...base(8, 'exempt'), exemption: exemption('38') },
      ]),
    { ...base(9, 'refused_cost'), advice: full ? 'You may wish to ask about a single financial year.' : null },
  ];
}

/**
 * A built-in LetterView for checking templates: 'full' has every optional value set, 'sparse'
 * has them null or empty. The body is the shipped MOPAC body (with a sample email in 'full').
 */
export function sampleLetterView(variant: SampleVariant = 'full'): LetterView {
  const full = variant !== 'sparse';
  const eir = variant === 'eir';
  const body = loadBodyConfig(null);
  return {
    body: {
      ...body,
      email: full ? 'foi@example.org' : null,
      decisionsUrl: full ? body.decisionsUrl ?? 'https://www.london.gov.uk/' : null,
      address: full ? body.address : [],
    },
    ref: 'FOI 0000',
    requester: { name: full ? 'A Requester' : null, address: full ? ['1 Example Street', 'London'] : [] },
    received: '24 January 2019',
    receivedIso: '2019-01-24',
    responseDate: full ? '1 March 2019' : '21 February 2019',
    responseDateIso: full ? '2019-03-01' : '2019-02-21',
    due: '21 February 2019',
    dueIso: '2019-02-21',
    late: full,
    extension: eir
      ? { kind: 'eir', notice: '20 February 2019', until: '21 March 2019', section: null }
      : full ? { kind: 'pit', notice: '20 February 2019', until: '21 March 2019', section: '43(2)' } : null,
    outcome: full ? 'partly_held' : 'refused',
    eir,
    anyExemption: true,
    anyPublished: eir,
    allExempt: false,
    anyNotHeld: true,
    questions: sampleQuestions(variant),
  };
}
