// Structured JSON logs on stderr (stdout stays free for command output). Each controller logs through a child
// logger carrying its name, and each reconcile through a grandchild carrying the key, so every line of a
// reconcile can be found by `key`.
import winston from 'winston';
import { statusCodeOf } from './clients.js';

export type Logger = winston.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', stream?: NodeJS.WritableStream): Logger {
  const format = winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json());
  const transport = stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] });
  return winston.createLogger({ level, levels: winston.config.npm.levels, format, transports: [transport] });
}

/** A logger that writes nothing: tests and library use without a configured logger. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}

/**
 * Log fields for an error: its message and HTTP status. An ApiException's own message carries the whole
 * response with its headers, so the API server's Status message is taken from the body instead.
 */
export function errorFields(error: unknown): { error: string; status?: number } {
  const status = statusCodeOf(error);
  const message = apiStatusMessage(error) ?? (error instanceof Error ? error.message : String(error));
  return status === undefined ? { error: message } : { error: message, status };
}

function apiStatusMessage(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
