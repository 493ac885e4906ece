import { pino } from 'pino';
import type { Logger } from 'pino';

/**
 * Paths that may carry secrets anywhere in a log line. Redaction here is the last line of
 * defence; integrations also mask secrets where their errors are built.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.webhookCode',
  '*.applicationToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination ?? process.stderr);
}
