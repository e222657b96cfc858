/**
 * Numbered schema migrations, applied in order and recorded in PRAGMA user_version.
 * Never edit a released migration: add the next number. A migration is SQL, or a function for
 * one that must compute values in code (it runs inside the migration's transaction).
 */
import type Database from 'better-sqlite3';
import { MIGRATION_HISTORY } from './migrations/005-history.js';
import { MIGRATION_MONEY_LINE_PERIODS } from './migrations/002-money-line-periods.js';
import { MIGRATION_360_RECORDS } from './migrations/360-records.js';
import { MIGRATION_LISTING_INDEXES } from './migrations/listing-indexes.js';
import { MIGRATION_IMPORT_STORAGE } from './migrations/import-storage.js';
import { MIGRATION_TOTALS_INDEXES } from './migrations/totals-indexes.js';
import { MIGRATION_TOTALS_COLUMNS } from './migrations/totals-columns.js';
import { LOG_MIGRATION } from '../log/store.js';

export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: the register
  `
  CREATE TABLE source (
    ref TEXT PRIMARY KEY,              -- "PCD 1653", "CEOD 03-2019", "DMPCD 2015 96", "FOI 556"
    kind TEXT NOT NULL,                -- decision | foi-response | dataset
    title TEXT,
    date TEXT,                         -- ISO, when stated
    url TEXT,
    document TEXT                      -- the file the record was taken from
  );

  CREATE TABLE organisation (
    id TEXT PRIMARY KEY,               -- org-id: GB-CHC-…, GB-LAE-…, GB-GOR-…, or 360G-…
    name TEXT NOT NULL,
    charity_number TEXT,
    company_number TEXT,
    locality TEXT,
    postcode TEXT,
    members TEXT                       -- for a group of bodies (Tri-borough)
  );

  CREATE TABLE grants (
    id TEXT PRIMARY KEY,               -- 360Giving grant identifier
    title TEXT NOT NULL,
    description TEXT,
    currency TEXT NOT NULL,
    amount_awarded_pence INTEGER,      -- NULL: not stated
    award_date TEXT,
    planned_start TEXT,
    planned_end TEXT,
    planned_duration_months INTEGER,
    planned_period_text TEXT,
    programme_code TEXT,
    programme_title TEXT,
    funding_org_id TEXT REFERENCES organisation(id),
    recipient_org_id TEXT REFERENCES organisation(id),
    from_open_call TEXT CHECK (from_open_call IN ('y', 'n')),
    date_modified TEXT,
    services TEXT,
    data_source TEXT,
    source_ref TEXT REFERENCES source(ref),
    source_document TEXT,
    extra_json TEXT,
    content_hash TEXT NOT NULL
  );
  CREATE INDEX grants_award_date ON grants(award_date);
  CREATE INDEX grants_recipient ON grants(recipient_org_id);
  CREATE INDEX grants_funder ON grants(funding_org_id);

  -- Money lines: one per grant x year x recipient x funder. A query row is one of these.
  CREATE TABLE allocation (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    grant_rowid INTEGER NOT NULL,      -- grants.rowid: listings join on it (one integer search, not two text ones)
    financial_year INTEGER,            -- start year (2017 = 2017-18); NULL when no year is stated
    period_text TEXT,
    recipient_org_id TEXT REFERENCES organisation(id),
    funder_org_id TEXT REFERENCES organisation(id),
    stream TEXT,
    basis TEXT NOT NULL CHECK (basis IN ('award','budget','original','revised','allocation','grant','match','maximum')),
    amount_pence INTEGER,
    amount_status TEXT NOT NULL CHECK (amount_status IN ('value','unknown','not_held')),
    supersedes_seq INTEGER,
    superseded INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    source_ref TEXT REFERENCES source(ref),
    PRIMARY KEY (grant_id, seq),
    CHECK ((amount_status = 'value') = (amount_pence IS NOT NULL))
  ) WITHOUT ROWID;
  CREATE INDEX allocation_fy ON allocation(financial_year, amount_pence);
  CREATE INDEX allocation_recipient ON allocation(recipient_org_id);

  CREATE TABLE variation (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    date TEXT,
    when_text TEXT,
    description TEXT NOT NULL,
    change_pence INTEGER,              -- NULL: not stated
    new_total_pence INTEGER,           -- NULL: not stated
    source_ref TEXT REFERENCES source(ref),
    PRIMARY KEY (grant_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE grant_partner (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisation(id),
    role TEXT,
    PRIMARY KEY (grant_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE grant_location (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    country_code TEXT,
    geo_code TEXT,
    geo_code_type TEXT,
    PRIMARY KEY (grant_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE grant_classification (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    vocabulary TEXT,
    code TEXT,
    title TEXT,
    PRIMARY KEY (grant_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE theme (
    name TEXT PRIMARY KEY,             -- "stalking"
    label TEXT NOT NULL
  );
  CREATE TABLE grant_theme (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    theme TEXT NOT NULL REFERENCES theme(name),
    outcome TEXT,
    source_ref TEXT REFERENCES source(ref),
    PRIMARY KEY (grant_id, theme)
  ) WITHOUT ROWID;
  CREATE INDEX grant_theme_theme ON grant_theme(theme);

  CREATE TABLE flag_def (
    name TEXT PRIMARY KEY,             -- "non_ex_intimate"
    question TEXT NOT NULL             -- "Open to victims of stalking who are not ex-intimate partners"
  );
  CREATE TABLE grant_flag (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    flag TEXT NOT NULL REFERENCES flag_def(name),
    value TEXT NOT NULL CHECK (value IN ('y','n','unknown')),
    evidence TEXT,
    source_ref TEXT REFERENCES source(ref),
    PRIMARY KEY (grant_id, flag)
  ) WITHOUT ROWID;

  CREATE TABLE measure (
    name TEXT PRIMARY KEY,             -- "referrals"
    label TEXT NOT NULL
  );
  CREATE TABLE figure (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    measure TEXT NOT NULL REFERENCES measure(name),
    financial_year INTEGER NOT NULL DEFAULT -1,  -- -1: no year stated
    status TEXT NOT NULL CHECK (status IN ('value','not_applicable','not_held','unknown')),
    value_number INTEGER,
    value_text TEXT,
    wording TEXT,
    source_ref TEXT REFERENCES source(ref),
    PRIMARY KEY (grant_id, measure, financial_year),
    CHECK (status <> 'value' OR value_number IS NOT NULL OR value_text IS NOT NULL)
  ) WITHOUT ROWID;

  -- Totals a source states, reconciled by "foi check" against the rows they cover.
  CREATE TABLE stated_total (
    id TEXT PRIMARY KEY,
    source_ref TEXT REFERENCES source(ref),
    label TEXT NOT NULL,
    amount_pence INTEGER NOT NULL,
    tolerance_pence INTEGER NOT NULL DEFAULT 0, -- "£4.159m" is stated to the nearest £1,000
    stated_as TEXT,                              -- the figure as the source writes it
    grant_ids TEXT NOT NULL,                     -- JSON array of grant ids covered
    bases TEXT,                                  -- JSON array of allocation bases counted, NULL = current lines
    stream TEXT                                  -- only lines of this stream, NULL = all
  );

  CREATE VIRTUAL TABLE grant_fts USING fts5(grant_id UNINDEXED, title, description, outcomes, tokenize = 'porter unicode61');
  `,
  // 2: every money line's period as a start and an end; public footnotes; source order
  MIGRATION_MONEY_LINE_PERIODS,
  // 3: the request log (its SQL lives in src/log/store.ts)
  LOG_MIGRATION,
  // 4: faithful 360Giving records: per-grant organisations, other amounts, values as published
  MIGRATION_360_RECORDS,
  // 5: history: versions of every grant and organisation, change sets, withdrawn grants
  MIGRATION_HISTORY,
  // 6: indexes for listings and totals (issue 9)
  MIGRATION_LISTING_INDEXES,
  // 7: storage for large imports: money lines, locations and classifications as rowid tables; a contentless full-text index
  MIGRATION_IMPORT_STORAGE,
  // 8: indexes for count and total under any criteria (issue 9)
  MIGRATION_TOTALS_INDEXES,
  // 9: the totals columns, and the triggers that keep them from being read stale (issue 9)
  MIGRATION_TOTALS_COLUMNS,
];
