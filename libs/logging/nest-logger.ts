import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's LoggerService over pino: `new Logger('ctx').log(msg)` anywhere in the code becomes one
 * pino line with the context, at the level Nest used (log → info, verbose → trace).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, stack?, context?) for errors. */
  error(message: unknown, ...rest: unknown[]): void {
    const [stack, context] = rest.length >= 2 ? rest : [undefined, rest[0]];
    const fields: Record<string, unknown> = {};
    if (typeof context === 'string') fields.context = context;
    if (typeof stack === 'string' && stack !== '') fields.stack = stack;
    if (message instanceof Error) this.logger.error({ ...fields, err: message }, message.message);
    else this.logger.error(fields, String(message));
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = rest[rest.length - 1];
    const fields = typeof context === 'string' ? { context } : {};
    if (message !== null && typeof message === 'object' && !(message instanceof Error))
      this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}
