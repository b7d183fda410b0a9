import { decide, type Principal } from './access.js';

const admin: Principal = { keyId: 'a', name: 'a', role: 'admin', departments: ['*'], unit: null };
const writer: Principal = { keyId: 'w', name: 'w', role: 'writer', departments: ['dep-a'], unit: null };
const finance: Principal = { keyId: 'f', name: 'f', role: 'finance', departments: ['dep-a', 'dep-b'], unit: null };
const unit: Principal = { keyId: 'u', name: 'u', role: 'unit', departments: ['dep-a'], unit: 'command' };

test.each([
  ['admin', admin, { kind: 'admin' }, undefined, true],
  ['writer on admin route', writer, { kind: 'admin' }, undefined, false],
  ['writer writes its department', writer, { kind: 'write' }, 'dep-a', true],
  ['writer writes another department', writer, { kind: 'write' }, 'dep-b', false],
  ['finance cannot write', finance, { kind: 'write' }, 'dep-a', false],
  ['finance reads its departments', finance, { kind: 'read', unitScoped: false }, 'dep-b', true],
  ['finance reads another department', finance, { kind: 'read', unitScoped: false }, 'dep-c', false],
  ['unit reader on a unit-scoped route', unit, { kind: 'read', unitScoped: true }, 'dep-a', true],
  ['unit reader on a department-wide route', unit, { kind: 'read', unitScoped: false }, 'dep-a', false],
  ['unit reader in another department', unit, { kind: 'read', unitScoped: true }, 'dep-b', false],
  ['no rule: admin only', finance, undefined, 'dep-a', false],
  ['no rule, admin', admin, undefined, 'dep-a', true],
  ['unit key files for its department', unit, { kind: 'file' }, 'dep-a', true],
  ['unit key files for another department', unit, { kind: 'file' }, 'dep-b', false],
  ['writer files', writer, { kind: 'file' }, 'dep-a', true],
  ['finance cannot file', finance, { kind: 'file' }, 'dep-a', false],
  ['unit key may post events (the handler checks type and unit)', unit, { kind: 'ingest-body' }, undefined, true],
  ['finance may not post events', finance, { kind: 'ingest-body' }, undefined, false],
  ['unit key may not write (imports, closes)', unit, { kind: 'write' }, 'dep-a', false],
] as const)('%s', (_name, p, rule, dep, allowed) => {
  expect(decide(rule as never, p, dep).allow).toBe(allowed);
});
