/** The body of a month-close request, checked field by field (each refusal names its field). */
import { isIsoDate } from '#domain/dates.js';
import { InvalidInputError } from '../common/errors.js';

export interface CloseRequest {
  /** Issue new revisions of notices already issued for the month. */
  reissue: boolean;
  /** Why a reissue was needed (kept with the revision). */
  reason?: string;
  /** Figures as known on this date (replays of past years); null: everything known now. */
  knownOn: string | null;
}

const FIELDS = ['reissue', 'reason', 'knownOn'];

function bad(path: string, reason: string): never {
  throw new InvalidInputError(`${path}: ${reason}`, [{ index: 0, path, reason }]);
}

export function parseCloseRequest(body: unknown): CloseRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) bad('', 'send a JSON object, or no body');
  for (const k of Object.keys(b)) if (!FIELDS.includes(k)) bad(k, `unknown field (allowed: ${FIELDS.join(', ')})`);
  if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.length > 500))
    bad('reason', 'must be a string of at most 500 characters');
  if (![undefined, '', true, false, 'true', 'false'].includes(b.reissue as never))
    bad('reissue', `must be true or false, got ${JSON.stringify(b.reissue)}`);
  if (b.knownOn !== undefined && b.knownOn !== '' && (typeof b.knownOn !== 'string' || !isIsoDate(b.knownOn)))
    bad('knownOn', `must be a date YYYY-MM-DD, got "${String(b.knownOn)}"`);
  return {
    reissue: b.reissue === true || b.reissue === 'true',
    reason: b.reason as string | undefined,
    knownOn: typeof b.knownOn === 'string' && b.knownOn !== '' ? b.knownOn : null,
  };
}
