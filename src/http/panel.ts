import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built admin panel (`vite build` in web/, see scripts/build-web.js). */
export const PANEL_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>printsync</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>Панель управления не собрана</h1>
<p>Выполните <code>node scripts/build-web.js</code> (или <code>npm start</code>, он собирает панель сам) и обновите страницу.</p>
<p lang="en">The admin panel is not built: run <code>node scripts/build-web.js</code> and reload.</p>`;

/** Answers what no route matched: a page of the panel for GETs of its paths, the API's 404 otherwise. */
export type NotFoundHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * Serves the panel at `/` on the API's origin, so the session cookie and CSRF token need no CORS.
 * Its files are public (the login page must load without a session); the data is not. Files
 * whose names start with a dot are never served. Returns the server's not-found handler: unknown
 * GETs outside /api and /docs get index.html, so links into the SPA (/orders/12) work; anything
 * else is a 404 in the API's error shape.
 */
export async function registerPanel(server: FastifyInstance, distDir = PANEL_DIST): Promise<NotFoundHandler> {
  const built = existsSync(join(distDir, 'index.html'));
  const indexHtml = built ? await readFile(join(distDir, 'index.html')) : null;
  const sendIndex = (reply: FastifyReply) => reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
  await server.register(async (panel) => {
    panel.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });

    if (!built) {
      // Same routes as a built panel, so the set of public routes does not depend on a build.
      const notBuilt = async (request: FastifyRequest, reply: FastifyReply) =>
        isApiPath(request.url)
          ? reply.code(404).send(notFoundBody(request))
          : reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
      panel.get('/', { schema: { hide: true } }, notBuilt);
      panel.get('/*', { schema: { hide: true } }, notBuilt);
      return;
    }

    await panel.register(fastifyStatic, {
      root: distDir,
      prefix: '/',
      wildcard: true,
      index: false,
      schemaHide: true,
      // `.env`, `.git/…`: whatever lands in the folder by accident is not for the world.
      dotfiles: 'ignore',
      // Our own headers below; the plugin's default (max-age=0) would override them.
      cacheControl: false,
      setHeaders(res, path) {
        // Vite puts a content hash in every asset name: cache them forever, never index.html.
        res.setHeader('cache-control', path.includes(`${join(distDir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });

    panel.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  });

  return async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = built && (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(path) && !/\.[a-z0-9]+$/i.test(path) && !path.split('/').some((part) => part.startsWith('.'));
    return isPage ? sendIndex(reply) : reply.code(404).send(notFoundBody(request));
  };
}

function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/docs');
}

function notFoundBody(request: FastifyRequest) {
  return { code: 'not_found', message: `${request.method} ${request.url.split('?')[0]} is not a known route`, details: [] };
}
