import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import type { EventInput } from '../events.js';
import { factsFromEvents } from './facts.js';
import { executionReport, quarterRates } from './execution.js';

const SAMPLE = new URL('../../../../shared/samples/yantian-emergency-2023.jsonl', import.meta.url);
const events = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EventInput)
  .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }));

test('sample quarter rates', () => {
  const facts = factsFromEvents(events);
  console.log(quarterRates(facts, { source: 'fiscal' }).map((q) => q.rate!.toFixed(2)));
  console.log(quarterRates(facts, { source: 'fiscal', knownOn: '2023-04-30' }).map((q) => q.rate?.toFixed(2)));
  const r = executionReport(facts, { asOf: '2023-06-30', source: 'fiscal' });
  console.log(r.units.map((u) => `${u.unit} ${u.rate} ${u.lag} ${u.level}`));
});
