import type { Command } from '../context.js';
import { closeMonthCommand } from './close-month.command.js';
import { evaluateCommand } from './evaluate.command.js';
import { importCommand } from './import.command.js';
import { ingestCommand } from './ingest.command.js';
import { keysCommand } from './keys.command.js';
import { migrateCommand } from './migrate.command.js';
import { rebuildCommand } from './rebuild.command.js';
import { replayCommand } from './replay.command.js';

/** Every CLI command by name (one line each). */
export const COMMANDS: Record<string, Command> = {
  ingest: ingestCommand,
  import: importCommand,
  rebuild: rebuildCommand,
  'close-month': closeMonthCommand,
  replay: replayCommand,
  evaluate: evaluateCommand,
  keys: keysCommand,
  migrate: migrateCommand,
};
