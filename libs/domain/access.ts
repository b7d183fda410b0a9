/**
 * Who may see and write what. Roles: admin (everything); writer (ingest, imports, month closes and
 * reading for its departments); finance reader (read all of its departments); unit reader (read only
 * its own unit's figures, notices and alerts in one department, and file its own unit's monitoring
 * reports: progress, deviation explanations and corrective actions).
 */
import type { EventType } from './events.js';
export type Role = 'admin' | 'writer' | 'finance' | 'unit';
export const ROLES: readonly Role[] = ['admin', 'writer', 'finance', 'unit'];

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Departments in scope ('*' = all, admin). */
  departments: string[];
  /** Unit readers: their unit. */
  unit: string | null;
}

/** The principal used when access control is off (embedded single-user default). */
export const OPEN_ACCESS: Principal = {
  keyId: 'open',
  name: 'access control off',
  role: 'admin',
  departments: ['*'],
  unit: null,
};

export function inScope(p: Principal, department: string): boolean {
  return p.role === 'admin' || p.departments.includes('*') || p.departments.includes(department);
}

export function canRead(p: Principal, department: string): boolean {
  return inScope(p, department);
}

export function canWrite(p: Principal, department: string): boolean {
  return p.role === 'admin' || (p.role === 'writer' && inScope(p, department));
}

/** The event types a unit key may file, each about its own unit only (stream.ts, unitScopeErrors). */
export const UNIT_FILING_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'IndicatorProgressReported',
  'DeviationExplained',
  'CorrectiveActionReported',
]);

/** May file monitoring reports for the department: a writer (or admin), or a unit key in its department. */
export function canFile(p: Principal, department: string): boolean {
  return canWrite(p, department) || (p.role === 'unit' && p.unit !== null && inScope(p, department));
}

/** The unit a principal is limited to within a department (null: the whole department). */
export function unitLimit(p: Principal): string | null {
  return p.role === 'unit' ? p.unit : null;
}

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'admin' }
  /** Read a department named by the route's :department; unit readers only where unitScoped. */
  | { kind: 'read'; unitScoped: boolean }
  /** Write to the department named by the route's :department. */
  | { kind: 'write' }
  /** Write: the departments are in the body; the handler checks them with canWrite. */
  | { kind: 'write-body' }
  /** Ingest: writers, or unit keys filing their own unit's monitoring reports (the handler checks). */
  | { kind: 'ingest-body' }
  /** File monitoring reports to :department: writers, or its unit keys (the handler checks the unit). */
  | { kind: 'file' }
  /** Any valid key; the handler filters by scope (lists). */
  | { kind: 'scoped-list' };

export type Decision = { allow: true } | { allow: false; status: 403; reason: string };

/** Decides a request from its rule and the :department route parameter (if any). */
export function decide(rule: AccessRule | undefined, p: Principal, department: string | undefined): Decision {
  const deny = (reason: string): Decision => ({ allow: false, status: 403, reason });
  if (!rule) return p.role === 'admin' ? { allow: true } : deny('this endpoint is for administrators');
  switch (rule.kind) {
    case 'public':
      return { allow: true };
    case 'admin':
      return p.role === 'admin' ? { allow: true } : deny('this endpoint is for administrators');
    case 'scoped-list':
      return { allow: true };
    case 'write-body':
      return p.role === 'admin' || p.role === 'writer' ? { allow: true } : deny(`role ${p.role} cannot write`);
    case 'ingest-body':
      return p.role === 'finance' ? deny(`role ${p.role} cannot write`) : { allow: true };
    case 'write':
      if (!department) return deny('no department in the request');
      return canWrite(p, department)
        ? { allow: true }
        : deny(
            p.role === 'writer' ? `department ${department} is not in this key's scope` : `role ${p.role} cannot write`,
          );
    case 'file':
      if (!department) return deny('no department in the request');
      return canFile(p, department)
        ? { allow: true }
        : deny(`this key may not file reports for department ${department}`);
    case 'read':
      if (!department) return deny('no department in the request');
      if (!canRead(p, department)) return deny(`department ${department} is not in this key's scope`);
      if (p.role === 'unit' && !rule.unitScoped)
        return deny(`a unit reader sees only its own unit's figures, notices and alerts`);
      return { allow: true };
  }
}
