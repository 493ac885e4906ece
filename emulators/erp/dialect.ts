import type { TemplateRecord } from './model.js';

/**
 * What one ERP of the family does its own way; everything else (`server.ts`, `api.ts`) is shared.
 */
export interface ErpDialect {
  /** `asystem`, `axiom`: names the emulator in logs. */
  system: string;
  /** What `GET /ping` reports as `version`. */
  productVersion: string;
  /**
   * The API path of a request (`/api/v1/ping` → `/ping`), or undefined when the request is not
   * for this API at all (another prefix, another API version): a 404 without the envelope.
   */
  apiPath(path: string): string | undefined;
  /** The prefix every API path starts with, e.g. `/api/v1`. */
  basePath: string;
  /** Lower-case header → the value it must carry; any mismatch is 401 UNAUTHORIZED. */
  credentials: Record<string, string>;
  /** Headers of `credentials` that are secret: never stored, shown masked. */
  secretHeaders: string[];
  /** The 401 message (Russian). */
  unauthorizedMessage: string;
  /** The template in this ERP's shape. */
  renderTemplate(template: TemplateRecord): unknown;
}
