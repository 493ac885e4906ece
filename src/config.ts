import { z } from 'zod';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './db/connection.js';
import { DEFAULT_SHOP_TIME_ZONE, checkTimeZone } from './domain/shop-time.js';
import { parseOutboundPolicy } from './platform/outbound-policy.js';

/** Everything printsync reads from the environment, parsed and validated once at start. */
const configSchema = z.object({
  databaseUrl: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .superRefine((url, ctx) => {
      try {
        parseDatabaseUrl(url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Jobs one worker process runs at a time. */
  workerConcurrency: z.coerce.number().int().min(1).max(64).default(4),
  /** Largest accepted request body. */
  bodyLimitBytes: z.coerce.number().int().min(1024).default(1_048_576),
  /** Public base URL of this printsync, used in links sent to other systems. */
  publicUrl: z.string().url().optional(),
  /**
   * Behind a reverse proxy: how many proxy hops to trust for the client address (login throttling
   * per address, secure cookies). 0 trusts none, which is right when clients connect directly.
   */
  trustProxyHops: z.coerce.number().int().min(0).max(10).default(0),
  /** The public quote API (the storefront widget): requests per second per client address, and the burst. */
  widgetRatePerSecond: z.coerce.number().min(0.1).max(100_000).default(10),
  widgetRateBurst: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /**
   * The shop's time zone (IANA): the day an order is due, the times in what the ERPs, 1C and
   * Bitrix24 are sent (`domain/shop-time.ts`).
   */
  shopTimeZone: z
    .string()
    .default(DEFAULT_SHOP_TIME_ZONE)
    .superRefine((zone, ctx) => {
      const problem = checkTimeZone(zone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * Internal addresses integrations may call (`platform/outbound-policy.ts`): none by default;
   * `1` for every private and loopback address; or a list of hosts and networks.
   */
  allowPrivateNetworks: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseOutboundPolicy(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export type Config = z.infer<typeof configSchema>;

export interface ConfigOverrides {
  databaseUrl?: string | undefined;
  port?: string | number | undefined;
  host?: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const result = configSchema.safeParse({
    databaseUrl: overrides.databaseUrl ?? env.DATABASE_URL,
    host: overrides.host ?? env.HOST,
    port: overrides.port ?? env.PORT,
    logLevel: env.LOG_LEVEL,
    workerConcurrency: env.WORKER_CONCURRENCY,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    publicUrl: env.PUBLIC_URL,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    widgetRatePerSecond: env.WIDGET_RATE_PER_SECOND,
    widgetRateBurst: env.WIDGET_RATE_BURST,
    shopTimeZone: env.SHOP_TIMEZONE || undefined,
    allowPrivateNetworks: env.ALLOW_PRIVATE_NETWORKS,
  });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${envName(i.path[0])}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}

function envName(key: PropertyKey | undefined): string {
  const names: Record<string, string> = {
    databaseUrl: 'DATABASE_URL',
    host: 'HOST',
    port: 'PORT',
    logLevel: 'LOG_LEVEL',
    workerConcurrency: 'WORKER_CONCURRENCY',
    bodyLimitBytes: 'BODY_LIMIT_BYTES',
    publicUrl: 'PUBLIC_URL',
    trustProxyHops: 'TRUST_PROXY_HOPS',
    widgetRatePerSecond: 'WIDGET_RATE_PER_SECOND',
    widgetRateBurst: 'WIDGET_RATE_BURST',
    shopTimeZone: 'SHOP_TIMEZONE',
    allowPrivateNetworks: 'ALLOW_PRIVATE_NETWORKS',
  };
  return names[String(key)] ?? String(key);
}
