import { z } from 'zod';
import { domainEventJobPayload } from '../../src/events/domain-events.js';
import { defineJob } from '../../src/jobs/catalog.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { defineSettings } from '../../src/settings/definition.js';

/** A fake CRM integration for the settings and sync log tests; nothing in the core knows it. */
export const DEMO_API_KEY = 'sk-live-9f8e7d6c5b4a3210';
export const OTHER_API_KEY = 'sk-live-0a1b2c3d4e5f6789';

export const demoCrmSettingsForm = defineSettings({
  schema: z.strictObject({
    portalUrl: z.url(),
    apiKey: z.string().min(8),
    userId: z.number().int().positive(),
    funnel: z.enum(['sales', 'print']).default('sales'),
  }),
  secretFields: ['apiKey'],
  defaults: { funnel: 'sales' },
  // Employee 404 "does not exist on the portal".
  validateLive: async (settings) => (settings.userId === 404 ? [{ path: 'userId', message: 'no such employee on the portal' }] : []),
  testConnection: async (settings) =>
    settings.apiKey === DEMO_API_KEY
      ? { ok: true, message: `connected to ${settings.portalUrl} as employee ${settings.userId}` }
      : // Like a careless HTTP client: the error text carries the key in its URL.
        { ok: false, message: `401 Unauthorized: ${settings.portalUrl}/api?key=${settings.apiKey} said "bad key ${settings.apiKey}"` },
});

export const exportPersonJob = defineJob({ name: 'demoCrm.exportPerson', payload: domainEventJobPayload, handler: async () => {} });
export const exportOrderJob = defineJob({ name: 'demoCrm.exportOrder', payload: domainEventJobPayload, handler: async () => {} });

export const demoCrm = defineIntegration({
  name: 'demo-crm',
  title: { ru: 'Демо CRM', en: 'Demo CRM' },
  settings: demoCrmSettingsForm,
  setup: () => ({
    jobs: [exportPersonJob, exportOrderJob],
    resend: [
      { entityType: 'person', job: exportPersonJob },
      { entityType: 'order', job: exportOrderJob },
    ],
  }),
});

/** The settings definition as the store sees it (named after the integration). */
export const demoCrmSettings = demoCrm.settings!;
