import { parseArgs } from 'node:util';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { InvalidInputError } from '#application/common/errors.js';
import type { Role } from '#domain/access.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { UsageError, withDatabase, type Command } from '../context.js';

export const keysCommand: Command = {
  usage:
    'keys create --role admin|writer|finance|unit --name NAME [--department D ...] [--unit U] | keys list | keys revoke ID   manage API keys',
  async run(args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        department: { type: 'string', multiple: true },
        unit: { type: 'string' },
      },
    });
    return withDatabase(async (h) => {
      const keys = new ApiKeysService(new ApiKeysRepository(h.db));
      switch (sub) {
        case 'create': {
          if (!values.role || !values.name) throw new UsageError('keys create needs --role and --name');
          try {
            const { key, record } = await keys.create({
              role: values.role as Role,
              name: values.name,
              departments: values.department ?? [],
              unit: values.unit ?? null,
            });
            console.log(
              `created key ${record.id} (${record.role}${record.role === 'admin' ? '' : `: ${record.departments.join(', ')}`}${record.unit ? ` / ${record.unit}` : ''})`,
            );
            console.log(`\n  ${key}\n\nStore it now: it is not shown again (only its hash is kept).`);
            return 0;
          } catch (e) {
            if (e instanceof InvalidInputError) throw new UsageError(e.message);
            throw e;
          }
        }
        case 'list':
          for (const k of await keys.list()) {
            console.log(
              `${k.id}  ${k.role.padEnd(7)}  ${k.departments.join(',').padEnd(30)}  ${k.unit ?? '-'}  ${k.name}  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}`,
            );
          }
          return 0;
        case 'revoke': {
          const id = positionals[0];
          if (!id) throw new UsageError('keys revoke needs the key id');
          if (!(await keys.revoke(id))) throw new UsageError(`no active key ${id}`);
          console.log(`revoked ${id}`);
          return 0;
        }
        default:
          throw new UsageError('keys needs create, list or revoke');
      }
    });
  },
};
