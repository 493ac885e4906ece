import { z } from 'zod';
import { DomainError } from '../../../domain/errors.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import { phpForm } from '../../../platform/body-parsers.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { sharedToken } from '../../../platform/inbound-auth.js';
import type { InboundAuth } from '../../../platform/inbound-auth.js';
import type { InboundRoutes } from '../../../platform/routes.js';
import type { Bitrix24Settings } from '../settings.js';
import { applyKey } from './apply.js';
import type { ApplyPayload, InboundKind } from './apply.js';

/** The path the admin pastes into the portal's outgoing webhook («URL обработчика»). */
export const EVENTS_PATH = '/api/bitrix/events';

/** Bitrix24 event codes printsync follows, by the kind of record they are about. */
const KIND_BY_PREFIX: ReadonlyArray<[string, InboundKind]> = [
  ['ONCRMDEAL', 'deal'],
  ['ONCRMCONTACT', 'contact'],
  ['ONCRMCOMPANY', 'company'],
  ['ONCRMLEAD', 'lead'],
  ['ONCRMPRODUCT', 'product'],
];

export function kindOfEvent(event: string): InboundKind | null {
  const upper = event.toUpperCase();
  // ONCRMDEALMOVETOCATEGORY is a deal event too; ONCRMDEALUSERFIELD… and the like are not about one record.
  if (upper.includes('USERFIELD')) return null;
  return KIND_BY_PREFIX.find(([prefix]) => upper.startsWith(prefix))?.[1] ?? null;
}

/** As the portal posts it (`application/x-www-form-urlencoded`, PHP bracket keys), parsed by `phpForm`. */
const eventBody = z.object({
  event: z.string().trim().min(1).max(100),
  data: z.object({ FIELDS: z.object({ ID: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d+$/, 'ID must be a number')) }) }),
  ts: z.union([z.string(), z.number()]).transform(String).optional(),
  auth: z.object({ application_token: z.string().min(1) }).passthrough(),
});

/** How long the configured token is taken on trust before the settings are read again. */
export const EVENTS_TOKEN_TRUST_MS = 5_000;

/**
 * The shared-token check with the configured token kept for `EVENTS_TOKEN_TRUST_MS`: reading
 * and validating the settings on every event (a query waiting its turn on SQLite's one connection
 * behind the inbox inserts, then the whole form's schema) cost the endpoint ~40% of its rate
 * (bench bitrix24-events). A refusal against the kept token reads the settings again before it
 * stands, so a new token works at once; an old one, like a revoked API token, for at most that long.
 */
function trustedToken(read: () => Promise<string | null>): InboundAuth {
  let kept: { token: string; until: number } | null = null;
  const fresh = async () => {
    const token = await read();
    kept = token ? { token, until: Date.now() + EVENTS_TOKEN_TRUST_MS } : null;
    return token;
  };
  const check = (expected: () => Promise<string | null>) =>
    sharedToken({ read: (request) => (request.body as { auth?: { application_token?: unknown } } | undefined)?.auth?.application_token, expected });
  const fromSettings = check(fresh);
  const fromKept = check(async () => kept?.token ?? null);
  return {
    ...fromSettings,
    async verify(request, reply) {
      if (!kept || kept.until <= Date.now()) return fromSettings.verify(request, reply);
      try {
        await fromKept.verify(request, reply);
      } catch {
        await fromSettings.verify(request, reply);
      }
    },
  };
}

/**
 * `POST /api/bitrix/events` (B24-10): the token checked in constant time (403, nothing stored),
 * the event stored in the inbox with its work queued in the same transaction, and the answer
 * given at once. The work reads the record fresh, so events may come twice, late, in any order.
 */
export function eventRoutes(context: IntegrationContext<Bitrix24Settings>, apply: JobDefinition<ApplyPayload>): InboundRoutes {
  return {
    prefix: EVENTS_PATH,
    auth: trustedToken(() => context.settings.get().then((found) => found?.settings.applicationToken ?? null)),
    bodies: [phpForm()],
    register(router) {
      router.post('', { schema: { summary: 'An outgoing-webhook event of the Bitrix24 portal (B24-10)', body: eventBody } }, async (request) => {
        // The portal posts a form (§5.2); a JSON body is someone else's, however well it is shaped.
        if (!/^application\/x-www-form-urlencoded\b/i.test(String(request.headers['content-type'] ?? ''))) {
          throw new DomainError('validation_failed', 'Bitrix24 sends its events as application/x-www-form-urlencoded', [{ path: 'body', message: 'expected a form (application/x-www-form-urlencoded), as the portal posts it' }]);
        }
        const { event, data, ts } = request.body;
        const kind = kindOfEvent(event);
        if (!kind) return { accepted: false, reason: `printsync does not follow ${event}` };
        const externalId = data.FIELDS.ID;
        const stored = await context.transaction(async (trx) => {
          const fresh = await context.inbox.accept({ dedupeKey: `${event.toUpperCase()}:${externalId}:${ts ?? ''}`, event: event.toUpperCase(), entityKind: kind, externalId }, trx);
          // The record is read again even for a «duplicate»: `ts` has whole seconds and the body
          // carries nothing else, so a second change within the same second looks exactly like a
          // resent event — skipping it would lose that change. Its work reads the record whether
          // or not an event of it is still pending (a read that answered the first delivery may
          // have begun before this change), under a collapse key of its own.
          const payload: ApplyPayload = fresh ? { kind, externalId } : { kind, externalId, reread: true };
          await context.enqueue(apply, payload, { key: applyKey(payload), db: trx });
          return fresh;
        });
        return { accepted: true, duplicate: !stored };
      });
    },
  };
}
