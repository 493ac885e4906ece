import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { Config } from '../config.js';

/** Adds the `--db` and `--port` flags that override DATABASE_URL and PORT. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: sqlite:PATH or postgres://… (default: $DATABASE_URL or sqlite:data/printsync.db)')
    .option('--port <port>', 'HTTP port (default: $PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)');
}

export function withDatabaseOption(command: Command): Command {
  return command.option('--db <url>', 'database: sqlite:PATH or postgres://… (default: $DATABASE_URL or sqlite:data/printsync.db)');
}

export function configFrom(options: { db?: string; port?: string; host?: string }): Config {
  return loadConfig(process.env, { databaseUrl: options.db, port: options.port, host: options.host });
}
