import type { Command } from '../context.js';
import { ingestCommand } from './ingest.command.js';
import { migrateCommand } from './migrate.command.js';
import { rebuildCommand } from './rebuild.command.js';

/** Every CLI command by name (one line each). */
export const COMMANDS: Record<string, Command> = {
  ingest: ingestCommand,
  rebuild: rebuildCommand,
  migrate: migrateCommand,
};
