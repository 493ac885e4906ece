import type { FastifyInstance } from 'fastify';
import { createApp } from '../app.js';
import type { AppServices } from '../app.js';
import type { Config } from '../config.js';
import { buildHttpServer } from '../http/server.js';
import { createLogger } from '../logger.js';
import { appIntegrations } from '../extensions.js';
import { untilStopSignal } from './lifecycle.js';
import { ensurePanelBuilt, panelDir } from './panel-build.js';

export interface RunningApp {
  services: AppServices;
  server: FastifyInstance | null;
  /** Base URL the HTTP server listens on, when it runs. */
  url: string | null;
  stop(): Promise<void>;
}

/** Starts printsync: the API (unless `http` is false) and the job worker (unless `worker` is false). */
export async function startApp(config: Config, options: { http: boolean; worker: boolean }): Promise<RunningApp> {
  const logger = createLogger(config.logLevel);
  const services = await createApp(config, { logger, integrations: appIntegrations() });
  let server: FastifyInstance | null = null;
  let url: string | null = null;
  try {
    if (options.http) {
      const panel = panelDir();
      ensurePanelBuilt(panel);
      server = await buildHttpServer(services, { panelDir: panel });
      await server.listen({ host: config.host, port: config.port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new Error(`port ${config.port} on ${config.host} is already in use: stop what uses it, or pick another port with --port N (or PORT=N)`);
      });
      const address = server.server.address();
      const port = address && typeof address === 'object' ? address.port : config.port;
      url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    }
    if (options.worker) await services.startWorker({ concurrency: config.workerConcurrency });
  } catch (error) {
    await server?.close();
    await services.close();
    throw error;
  }
  return {
    services,
    server,
    url,
    async stop() {
      // Stop taking requests first, then let running jobs finish, then close the database.
      await server?.close();
      await services.stopWorker();
      await services.close();
    },
  };
}

/** Runs until SIGINT/SIGTERM, then shuts down in order. */
export async function runUntilStopped(app: RunningApp): Promise<void> {
  const signal = await untilStopSignal();
  app.services.logger.info({ signal }, 'shutting down');
  await app.stop();
}
