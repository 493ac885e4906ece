import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PANEL_DIST } from './panel.js';

/** The stable address shops put in their `<script src>`. */
export const WIDGET_SCRIPT_PATH = '/widget/calculator.js';

/**
 * Serves the calculator widget (web/widget, built with the panel by scripts/build-web.js into
 * `<panel dir>/widget/calculator.js`) at a stable URL, to any page: it is public code, and the
 * API it calls checks the site's key and origin.
 */
export function registerWidgetScript(server: FastifyInstance, panelDir = PANEL_DIST): void {
  const file = join(panelDir, 'widget', 'calculator.js');
  let cached: { mtimeMs: number; body: Buffer } | null = null;
  server.get(WIDGET_SCRIPT_PATH, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const info = await stat(file).catch(() => null);
    if (!info) {
      return reply.code(503).type('application/javascript; charset=utf-8').send('console.error("printsync: the calculator widget is not built; run node scripts/build-web.js");\n');
    }
    if (!cached || cached.mtimeMs !== info.mtimeMs) cached = { mtimeMs: info.mtimeMs, body: await readFile(file) };
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(cached.body);
  });
}
