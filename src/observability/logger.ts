import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Call sites log only ids, rule ids, counts and timings; the redact list is a second line of
 * defence in case a request object or token ever reaches a log call.
 */
export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'oncosign' },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'fhirAuthorization',
        '*.fhirAuthorization',
        'access_token',
        '*.access_token',
        'prefetch',
        '*.prefetch',
        'context',
        '*.context',
        'body',
        '*.body',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
