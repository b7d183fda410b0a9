import { withDatabase, type Command } from '../context.js';

export const migrateCommand: Command = {
  usage: 'migrate                                      apply database migrations',
  run: () =>
    withDatabase(async (h) => {
      console.log(`database ${h.kind} (${h.location}) is up to date`);
      return 0;
    }),
};
