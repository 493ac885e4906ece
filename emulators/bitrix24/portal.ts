import { randomBytes } from 'node:crypto';
import type { PortalClock } from './clock.js';
import { CrmService } from './crm-service.js';
import { EventDispatcher, type EventAuth, type EventKnobs } from './events.js';
import { seedPortal } from './seed.js';
import { Store } from './store.js';

export interface Webhook {
  userId: number;
  code: string;
  scopes: string[];
}

export type CrmMode = 'classic' | 'simple';

export const ALL_SCOPES = ['crm', 'user', 'telephony'];

/** Lower-case alphanumerics, like the codes and tokens Bitrix24 hands out. */
export function randomToken(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** Everything one emulated portal holds: data, clock, webhooks and outgoing-event delivery. */
export class Portal {
  readonly store = new Store();
  readonly events: EventDispatcher;
  readonly crm: CrmService;
  readonly webhooks: Webhook[] = [];
  readonly memberId = randomBytes(16).toString('hex');
  /**
   * `crm.settings.mode.get`: classic (1, with leads) or simple (2), where a new lead is turned
   * into a deal (and contact/company) at once and the lead itself is gone.
   */
  crmMode: CrmMode = 'classic';

  constructor(
    readonly clock: PortalClock,
    readonly domain: string,
    readonly baseUrl: string,
    readonly applicationToken: string,
    knobs: EventKnobs,
  ) {
    const auth: EventAuth = {
      domain,
      client_endpoint: `${baseUrl}/rest/`,
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      member_id: this.memberId,
      application_token: applicationToken,
    };
    this.events = new EventDispatcher(auth, knobs);
    this.crm = new CrmService(this.store, clock, this.events);
  }

  addWebhook(userId: number, scopes: string[] = ALL_SCOPES, code = randomToken(16)): Webhook {
    const webhook = { userId, code, scopes: [...scopes] };
    this.webhooks.push(webhook);
    return webhook;
  }

  findWebhook(userId: string, code: string): Webhook | undefined {
    return this.webhooks.find((w) => String(w.userId) === userId && w.code === code);
  }

  webhookUrl(webhook: Webhook): string {
    return `${this.baseUrl}/rest/${webhook.userId}/${webhook.code}/`;
  }

  /** Drops all CRM data and starts again from the seeded portal; webhooks and handlers stay. */
  reset(): void {
    this.store.clear();
    seedPortal(this.store, Date.now());
  }
}
