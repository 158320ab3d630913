import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. Log subscriber ids, run ids and article ids as keys; never an email
 * address or a token (addresses are personal data, tokens are credentials).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'newsbrief' });

/** The narrow logging capability that services take, so tests can pass a silent or recording one. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** The Powertools logger behind the narrow Log port. */
export const powertoolsLog: Log = {
  debug: (message, extra) => (extra ? logger.debug(message, extra as Record<string, string>) : logger.debug(message)),
  info: (message, extra) => (extra ? logger.info(message, extra as Record<string, string>) : logger.info(message)),
  warn: (message, extra) => (extra ? logger.warn(message, extra as Record<string, string>) : logger.warn(message)),
  error: (message, extra) => (extra ? logger.error(message, extra as Record<string, string>) : logger.error(message)),
};

/** A logger that drops everything, for tests and benchmarks. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
