#!/usr/bin/env node
/**
 * paceline CLI. Works on the same database as the API (DATABASE_URL, or the embedded PGlite folder),
 * or, where a command offers --api, against a running API.
 */
import { COMMANDS } from './commands/index.js';
import { UsageError } from './context.js';

const usage = () =>
  `paceline — budget-execution monitoring\n\nUsage:\n${Object.values(COMMANDS)
    .map((c) => `  paceline ${c.usage}`)
    .join(
      '\n',
    )}\n  paceline help\n\nDatabase: DATABASE_URL (PostgreSQL) or, when unset, embedded PGlite in PACELINE_DATA_DIR (default ./data/pglite).\n`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`paceline: ${e.message}\n\n${usage()}`);
      process.exit(2);
    }
    console.error(`paceline: ${(e as Error).message}`);
    process.exit(1);
  },
);
