import type { Ctx } from '../../context.js';
import { renderListing, type Column } from '../../output/listing.js';
import { colourEnabled, RED, YELLOW } from '../../output/colour.js';
import { DUE_SOON_WORKING_DAYS } from '../../log/clock.js';
import { buildQueue, type QueueRow } from '../../log/queue.js';
import { optionDate } from '../../log/values.js';
import { openLog } from './common.js';

const MARK = { overdue: '!!', 'due-soon': '!' } as const;

export async function run(ctx: Ctx, _args: unknown[], o: { open?: boolean; overdue?: boolean; dueBefore?: string; redact?: boolean }): Promise<number> {
  const format = ctx.format();
  const dueBefore = o.dueBefore === undefined ? null : optionDate('--due-before', o.dueBefore);
  const log = await openLog(ctx);
  const rows = buildQueue(log.entries(), { open: o.open, overdue: o.overdue, dueBefore });
  const personal = !o.redact;
  const days = (r: QueueRow) => (r.workingDaysLeft === null ? '' : String(r.workingDaysLeft));
  const columns: Column<QueueRow>[] = format === 'table' || format === 'md'
    ? [
        { header: '', value: (r) => (r.flag ? MARK[r.flag] : '') },
        { header: 'Reference', value: (r) => r.reference },
        { header: 'Received', value: (r) => r.received },
        { header: 'Due', value: (r) => r.due ?? '' },
        { header: 'Days left', align: 'right', value: days },
        { header: 'Status', value: (r) => r.status },
        ...(personal ? [{ header: 'Requester', value: (r: QueueRow) => r.requester.name ?? '' }] : []),
      ]
    : [
        { header: 'Reference', value: (r) => r.reference },
        { header: 'Regime', value: (r) => r.regime.toUpperCase() },
        { header: 'Received', value: (r) => r.received },
        { header: 'Due', value: (r) => r.due ?? '' },
        { header: 'Working days left', value: days },
        { header: 'Status', value: (r) => r.status },
        { header: 'Flag', value: (r) => r.flag ?? '' },
        { header: 'Responded', value: (r) => r.responded ?? '' },
        ...(personal
          ? [
              { header: 'Requester', value: (r: QueueRow) => r.requester.name ?? '' },
              { header: 'Email', value: (r: QueueRow) => r.requester.email ?? '' },
              { header: 'Address', value: (r: QueueRow) => r.requester.address.join(', ') },
            ]
          : []),
      ];
  const colour = format === 'table' && colourEnabled();
  const marked = rows.some((r) => r.flag);
  ctx.out(renderListing({
    columns,
    rows,
    notes: [
      `${rows.length} request${rows.length === 1 ? '' : 's'}${marked ? `; ${MARK.overdue} overdue, ${MARK['due-soon']} due within ${DUE_SOON_WORKING_DAYS} working days` : ''}`,
    ],
    json: {
      today: log.today,
      count: rows.length,
      requests: rows.map(({ requester, ...r }) => (personal ? { ...r, requester } : r)),
    },
    decorate: colour ? (r, line) => (r.flag === 'overdue' ? RED(line) : r.flag === 'due-soon' ? YELLOW(line) : line) : null,
  }, format));
  return 0;
}
