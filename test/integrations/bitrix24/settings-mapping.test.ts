import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { bitrix24 } from '../../../src/integrations/bitrix24/index.js';
import { startTestApi } from '../../support/api-server.js';
import type { TestApi } from '../../support/api-server.js';
import { portalCall, webhookFields } from '../../support/bitrix24-portal.js';

interface ErrorBody {
  details: Array<{ path: string; message: string }>;
}
interface SettingsBody {
  version: number;
  settings: { stageToStatus: Array<{ stageId: string; status: string; markPaid: boolean }>; statusToStage: Array<{ status: string; stageId: string }> };
}
type Options = { items: Array<{ value: string | number; label: string }> };

const PATH = '/api/v1/integrations/bitrix24/settings';

/** B24-5: the stage ↔ status mapping, with stages read from the portal and checked on save. */
describe('Bitrix24 settings: the stage ↔ status mapping', () => {
  let api: TestApi;
  let b24: Bitrix24Emulator;
  let good: ReturnType<typeof webhookFields>;

  beforeAll(async () => {
    b24 = await startBitrix24Emulator({ rate: false });
    api = await startTestApi('sqlite', { integrations: [bitrix24] });
    good = webhookFields(b24.webhookUrl);
  });
  afterAll(async () => {
    await api?.close();
    await b24?.stop();
  });

  const version = async () => (await api.request<SettingsBody>('GET', PATH)).body.version;

  it('a new connection comes with the general funnel’s default mapping: NEW ↔ «Новый», WON ↔ «Выполнен», LOSE ↔ «Отменён»', async () => {
    const saved = await api.request<SettingsBody>('PUT', PATH, { version: await version(), enabled: true, settings: good });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.settings.stageToStatus).toEqual([
      { stageId: 'NEW', status: 'NotProcessed', markPaid: false },
      { stageId: 'WON', status: 'Printed', markPaid: false },
      { stageId: 'LOSE', status: 'Cancelled', markPaid: false },
    ]);
    expect(saved.body.settings.statusToStage).toEqual([
      { status: 'NotProcessed', stageId: 'NEW' },
      { status: 'Printed', stageId: 'WON' },
      { status: 'Cancelled', stageId: 'LOSE' },
    ]);
    // The form labels the statuses in Russian.
    const schema = (await api.request<{ schema: { properties: Record<string, { items: { properties: { status: { 'x-labels': Record<string, string> } } } }> } }>('GET', PATH)).body.schema;
    const labels = schema.properties.stageToStatus!.items.properties.status['x-labels'];
    expect([labels.NotProcessed, labels.Printed, labels.Cancelled]).toEqual(['Новый', 'Выполнен', 'Отменён']);
  });

  it('offers the funnel’s stages, the funnels and the employees as read from the portal', async () => {
    const general = await api.request<Options>('GET', '/api/v1/integrations/bitrix24/stages');
    expect(general.body.items.map((i) => i.value)).toEqual(expect.arrayContaining(['NEW', 'WON', 'LOSE']));
    const printing = await api.request<Options>('GET', '/api/v1/integrations/bitrix24/stages?categoryId=1');
    expect(printing.body.items).toContainEqual({ value: 'C1:UC_8KQ2ZD', label: 'В печати (C1:UC_8KQ2ZD)' });
    expect(printing.body.items.map((i) => i.value)).not.toContain('NEW');
    const funnels = await api.request<Options>('GET', '/api/v1/integrations/bitrix24/categories');
    expect(funnels.body.items.map((i) => i.value)).toEqual([0, 1]);
    const users = await api.request<Options>('GET', '/api/v1/integrations/bitrix24/users');
    expect(users.body.items.map((i) => i.label)).toContain('Иван Петров (ID 1)');
    // The inactive employee is not offered as responsible.
    expect(users.body.items.map((i) => i.value)).not.toContain(4);
    // The company types for the company-type mapping.
    const types = await api.request<Options>('GET', '/api/v1/integrations/bitrix24/company-types');
    expect(types.status).toBe(200);
    expect(types.body.items.map((i) => i.value)).toEqual(expect.arrayContaining(['CUSTOMER', 'PARTNER']));
  });

  it('refuses a stage the chosen funnel does not have, naming the row and listing the funnel’s stages', async () => {
    const refused = await api.request<ErrorBody>('PUT', PATH, { version: await version(), enabled: true, settings: { ...good, categoryId: 1 } });
    expect(refused.status).toBe(400);
    const byPath = Object.fromEntries(refused.body.details.map((d) => [d.path, d.message]));
    expect(byPath['body.settings.stageToStatus[0].stageId']).toMatch(/В направлении 1 нет стадии NEW; есть: C1:NEW «Новый заказ», .*C1:UC_8KQ2ZD «В печати»/);
    expect(byPath['body.settings.statusToStage[2].stageId']).toMatch(/нет стадии LOSE/);
  });

  it('refuses a stage mapped twice and a status mapped twice', async () => {
    const refused = await api.request<ErrorBody>('PUT', PATH, {
      version: await version(),
      enabled: true,
      settings: {
        ...good,
        stageToStatus: [
          { stageId: 'WON', status: 'Printed' },
          { stageId: 'WON', status: 'Delivered' },
        ],
        statusToStage: [
          { status: 'Printed', stageId: 'WON' },
          { status: 'Printed', stageId: 'NEW' },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d) => d.path).sort()).toEqual(['body.settings.stageToStatus[1].stageId', 'body.settings.statusToStage[1].status']);
  });

  it('saves funnel 1 with its own stages, and a stage later removed on the portal is named on the next save', async () => {
    const settings = {
      ...good,
      categoryId: 1,
      stageToStatus: [{ stageId: 'C1:UC_8KQ2ZD', status: 'Printing', markPaid: false }, { stageId: 'C1:WON', status: 'Delivered', markPaid: true }],
      statusToStage: [{ status: 'Printing', stageId: 'C1:UC_8KQ2ZD' }],
    };
    const saved = await api.request<SettingsBody>('PUT', PATH, { version: await version(), enabled: true, settings });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.settings.stageToStatus[1]).toEqual({ stageId: 'C1:WON', status: 'Delivered', markPaid: true });
    // A manager deletes the custom stage in Bitrix24.
    const [stage] = await portalCall<Array<{ ID: string }>>(b24, 'crm.status.list', { filter: { STATUS_ID: 'C1:UC_8KQ2ZD' } });
    expect(await portalCall(b24, 'crm.status.delete', { id: stage!.ID })).toBe(true);
    const again = await api.request<ErrorBody>('PUT', PATH, { version: saved.body.version, enabled: true, settings: saved.body.settings });
    expect(again.status).toBe(400);
    expect(again.body.details.map((d) => d.path)).toEqual(['body.settings.stageToStatus[0].stageId', 'body.settings.statusToStage[0].stageId']);
  });
});
