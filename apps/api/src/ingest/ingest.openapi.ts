/** OpenAPI schemas of the event log and imports (docs/events.md is the full contract). */
import { EVENT_TYPES } from '#domain/events.js';
import {
  anyValue,
  arr,
  bool,
  date,
  dateTime,
  DEPARTMENT,
  dict,
  int,
  model,
  nullable,
  obj,
  str,
  YEAR,
} from '../http/openapi.js';

export const EVENT = model(
  'Event',
  obj(
    'One event as submitted: the envelope, with the fields of its type in `data` (docs/events.md lists them all)',
    {
      id: str("The client's idempotency key, unique across the whole log (1–128 characters)", {
        minLength: 1,
        maxLength: 128,
      }),
      type: str('The event type', { enum: [...EVENT_TYPES] }),
      department: DEPARTMENT,
      year: YEAR,
      occurredAt: str(
        'When the fact was recorded at its source: YYYY-MM-DD or an ISO date-time (a time without offset is Asia/Shanghai); its date is the record date "as known on" queries filter on',
        { maxLength: 40, example: '2023-01-05' },
      ),
      expectedVersion: int(
        'Optimistic concurrency: the number of events the stream must hold before this one (a mismatch is a 409)',
        { minimum: 0 },
      ),
      data: {
        type: 'object',
        description:
          'The fields of the type (amounts and percents as decimal strings); not sent for YearClosed. Unknown fields are refused.',
        additionalProperties: true,
      },
    },
    ['expectedVersion', 'data'],
  ),
);

export const STORED_EVENT = model('StoredEvent', {
  description: 'An event as stored in the log: the submitted event plus what the server added',
  allOf: [
    EVENT,
    obj('', {
      stream: str('Stream id `{department}/{year}`', { example: 'yantian-emergency/2023' }),
      version: int('1-based position of the event in its stream'),
      position: int('Global position in the log'),
      transactionId: str("The writing transaction's id (xid8, decimal string)"),
      occurredOn: date('occurredAt as a calendar date in Asia/Shanghai: the record date'),
      recordedAt: dateTime('Server ingest time'),
    }),
  ],
});

export const INGEST_RESULT = model(
  'IngestResult',
  obj('What the batch did: every event in batch order (stored all or nothing)', {
    accepted: int('Events stored now'),
    duplicates: int('Events already stored with the same content (no-ops)'),
    events: arr(
      'Every event of the batch, in batch order',
      obj('Where one event of the batch is in the log', {
        index: int('Position in the batch (0-based)'),
        id: str("The event's id"),
        stream: str('Stream id `{department}/{year}`'),
        version: int('Position in its stream'),
        position: int('Global position in the log'),
        duplicate: bool('True: it was already stored (the original version and position are returned)'),
      }),
    ),
  }),
);

export const STREAM_PAGE = model(
  'StreamPage',
  obj("A page of one stream's events, in stream order", {
    stream: str('Stream id `{department}/{year}`'),
    version: int('Events in the stream now (0: no such stream yet)'),
    events: arr('The events of this page', STORED_EVENT),
    nextFromVersion: nullable(
      int('Where the next page starts'),
      'Where the next page starts; null after the last event',
    ),
  }),
);

const ROW = { sheet: str('Sheet name (CSV: the file name)'), row: int('1-based spreadsheet row') };
const EVENT_TYPE = str('Event type', { enum: [...EVENT_TYPES] });

export const IMPORT_REPORT = model(
  'ImportReport',
  obj(
    'What an import did (or, in a dry run, would do): the same report as `paceline import` prints',
    {
      file: str('The file name (X-Filename, else "upload.xlsx" / "upload.csv")'),
      format: str('How the file was read', { enum: ['xlsx', 'csv'] }),
      encoding: str('The CSV encoding used (utf-8, gbk or gb18030)'),
      department: DEPARTMENT,
      year: YEAR,
      dryRun: bool('True: nothing was stored'),
      recordedOn: date('occurredAt of the new events'),
      sheets: arr(
        'Every sheet read, with how its columns were understood',
        obj(
          'One sheet',
          {
            name: str('Sheet name'),
            kinds: arr(
              'What the sheet holds (monitoring: a sheet of a monitoring table, 绩效运行监控表); empty when it was left out',
              str('', { enum: ['budget', 'spending', 'plan', 'monitoring'] }),
            ),
            headerRow: int('The header row'),
            headerRows: int('Rows the header spans'),
            rows: int('Data rows read below the header'),
            unit: str('Amount unit', { enum: ['yuan', 'wan'] }),
            columns: arr(
              'Columns understood',
              obj(
                'A column and the field it was mapped to',
                {
                  column: str('Excel column letter'),
                  header: str('The header as printed (Chinese)'),
                  field: str('The field it fills'),
                  source: str('Fund source of an amount column'),
                  unit: str('Amount unit', { enum: ['yuan', 'wan'] }),
                },
                ['source', 'unit'],
              ),
            ),
            unmapped: arr('Headers not understood', str('')),
            note: str('Why the sheet was left out, or a remark (Chinese or English)'),
          },
          ['headerRow', 'headerRows', 'unit', 'note'],
        ),
      ),
      events: dict('Events stored (dry run: to be stored) by type', int('')),
      accepted: int('Events stored now (0 in a dry run)'),
      duplicates: int('Events the file implies that are already stored with the same figures'),
      corrections: arr(
        'Rows that changed what is stored: corrections, budget adjustments, replaced plans (old → new)',
        obj(
          'One change',
          {
            type: EVENT_TYPE,
            id: str('Id of the event made'),
            sheet: str('Sheet'),
            rows: arr('Rows it came from', int('')),
            unit: str('Unit id'),
            line: str('Budget line id'),
            month: str('Month YYYY-MM'),
            effectiveOn: date('Effective date (budget adjustments)'),
            source: str('Fund source'),
            old: str('The stored figure (yuan, decimal string)'),
            new: str('The figure in the file (yuan, decimal string)'),
            delta: str('new − old (yuan, decimal string)'),
            rejected: bool('The event was refused (its rows are in `rejected`)'),
          },
          ['unit', 'line', 'month', 'effectiveOn', 'source', 'rejected'],
        ),
      ),
      skipped: arr(
        'Rows left out on purpose',
        obj(
          'One skipped row',
          {
            ...ROW,
            reason: str('Why', { enum: ['blank', 'subtotal', 'no-amount', 'zero'] }),
            text: str('The text that marked it (subtotal rows) or a short description'),
          },
          ['text'],
        ),
      ),
      rejected: arr(
        'Rows refused, with the reason (the rest of the file is still imported)',
        obj(
          'One refused row',
          {
            ...ROW,
            column: str('Excel column letter'),
            header: str('The column header (Chinese)'),
            value: str('The value as read'),
            reason: str('What is wrong'),
          },
          ['column', 'header', 'value'],
        ),
      ),
      rejectedRows: int('Distinct rows in `rejected`'),
      preview: arr(
        'The first events stored (dry run: to be stored)',
        obj(
          'One event in short',
          {
            sheet: str('Sheet'),
            rows: arr('Rows it came from', int('')),
            type: EVENT_TYPE,
            id: str('Event id'),
            unit: str('Unit id'),
            line: str('Budget line id'),
            name: str('Name (Chinese)'),
            source: str('Fund source'),
            month: str('Month YYYY-MM'),
            amount: str('Amount (yuan, decimal string)'),
            note: str('Remark'),
            data: anyValue("The event's data in full (monitoring tables)"),
          },
          ['unit', 'line', 'name', 'source', 'month', 'amount', 'note', 'data'],
        ),
      ),
    },
    ['encoding'],
  ),
);

/** Examples of the three ways to send events (from the sample stream). */
const YEAR_OPENED = {
  id: '525c7624-d737-979e-5338-642ee70138e4',
  type: 'YearOpened',
  department: 'yantian-emergency',
  year: 2023,
  occurredAt: '2023-01-03',
  data: {
    departmentName: '深圳市盐田区应急管理局',
    schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' },
    alertThresholds: { yellow: '5', red: '10' },
  },
};
const UNIT_REGISTERED = {
  id: '18b271a3-ff94-51d2-a46c-b761352c7850',
  type: 'UnitRegistered',
  department: 'yantian-emergency',
  year: 2023,
  occurredAt: '2023-01-03',
  data: { unit: 'office', name: '办公室' },
};

export const EVENTS_BODY = {
  'application/json': {
    schema: {
      oneOf: [
        EVENT,
        arr('A batch: stored all or nothing (at most MAX_BATCH_EVENTS, default 10,000)', EVENT, { minItems: 1 }),
      ],
    },
    examples: {
      one: { summary: 'One event', value: YEAR_OPENED },
      batch: { summary: 'A JSON array of events', value: [YEAR_OPENED, UNIT_REGISTERED] },
    },
  },
  'application/x-ndjson': {
    schema: str('NDJSON: one JSON event per line (blank lines are skipped); stored all or nothing'),
    examples: {
      ndjson: {
        summary: 'One event per line',
        value: `${JSON.stringify(YEAR_OPENED)}\n${JSON.stringify(UNIT_REGISTERED)}\n`,
      },
    },
  },
};
