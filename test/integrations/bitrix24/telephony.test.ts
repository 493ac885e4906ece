import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEPHONY_LINES, USER_DEFAULT_LINES } from '../../../emulators/bitrix24/seed.js';
import { webhookFields } from '../../support/bitrix24-portal.js';
import type { Harness } from './harness.js';
import { admin, expectEventually, startHarness } from './harness.js';

interface Callback {
  FROM_LINE: string;
  TO_NUMBER: string;
  TEXT_TO_PRONOUNCE: string;
}

/** B24-18: «Позвонить клиенту через Битрикс24» on the order card — a callback from the portal's line to the client. */
describe('Bitrix24 telephony: the call button', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    await h.connect({ telephonyEnabled: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = (orderId: number) => h.api.request<{ message: string; callId?: string; line?: string; toNumber?: string; managerId?: number; fallback?: boolean }>('POST', `/api/v1/integrations/bitrix24/orders/${orderId}/call`, {});
  const callbacks = () => admin<Callback[]>(h.b24, 'GET', '/callbacks');
  const panelActions = async () => {
    const panel = await h.api.request<{ items: Array<{ name: string; cards: Array<{ entityType: string; actions: Array<{ id: string; route: string }> }> }> }>('GET', '/api/v1/integrations/panel');
    return panel.body.items.find((i) => i.name === 'bitrix24')!.cards.find((c) => c.entityType === 'order')!.actions;
  };

  it('starts voximplant.callback.start from the portal\'s line to the client\'s phone, and says so', async () => {
    expect(await panelActions()).toEqual([expect.objectContaining({ id: 'call', route: 'orders/{id}/call' })]);
    const personId = await h.person({ lastName: 'Звонкова', firstName: 'Анна', phones: ['+7 916 200-30-40'] });
    const order = await h.order({ personId });
    const before = (await callbacks()).length;
    const answer = await call(order.id);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ line: 'reg150907', toNumber: '+79162003040', callId: expect.stringMatching(/^callback\./) });
    expect(answer.body.message).toContain('Звонкова Анна');
    const made = await callbacks();
    expect(made).toHaveLength(before + 1);
    expect(made.at(-1)).toMatchObject({ FROM_LINE: 'reg150907', TO_NUMBER: '+79162003040', TEXT_TO_PRONOUNCE: expect.stringContaining(order.number) });
  });

  it('calls from the line of the manager the deal is assigned to; a manager without a line of their own: the portal’s first line, and the answer says so', async () => {
    const personId = await h.person({ lastName: 'Менеджерова', firstName: 'Ирина', phones: ['+7 916 200-30-44'] });
    const order = await h.order({ personId });
    const deal = await h.dealOf(order.id);
    expect(deal.ASSIGNED_BY_ID).toBe('1');
    expect(USER_DEFAULT_LINES[2]).toBe('reg150908');

    // The deal handed to the sales manager in Bitrix24: her line.
    h.b24.manager.update('deal', Number(deal.ID), { ASSIGNED_BY_ID: 2 });
    const hers = await call(order.id);
    expect(hers.status, JSON.stringify(hers.body)).toBe(200);
    expect(hers.body).toMatchObject({ line: 'reg150908', managerId: 2, fallback: false });
    expect(hers.body.message).toContain(TELEPHONY_LINES.reg150908);
    expect((await callbacks()).at(-1)).toMatchObject({ FROM_LINE: 'reg150908', TO_NUMBER: '+79162003044' });

    // Handed to an employee with no outgoing line: the portal's first line, said plainly.
    expect(USER_DEFAULT_LINES[3]).toBeUndefined();
    h.b24.manager.update('deal', Number(deal.ID), { ASSIGNED_BY_ID: 3 });
    const his = await call(order.id);
    expect(his.status, JSON.stringify(his.body)).toBe(200);
    expect(his.body).toMatchObject({ line: 'reg150907', managerId: 3, fallback: true });
    expect(his.body.message).toMatch(/нет своей линии/);
    expect((await callbacks()).at(-1)).toMatchObject({ FROM_LINE: 'reg150907' });
  });

  it('an order without a deal: the manager from the settings («ID ответственного…») and their line', async () => {
    await h.connect({ telephonyEnabled: true, orderTypes: 'organizations', responsibleId: 2 });
    try {
      const personId = await h.person({ lastName: 'Бездельная', firstName: 'Ада', phones: ['+7 916 200-30-45'] });
      const order = await h.order({ personId });
      await h.exported(order.id, 'skipped');
      const answer = await call(order.id);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ line: 'reg150908', managerId: 2, fallback: false });
    } finally {
      await h.connect({ telephonyEnabled: true, orderTypes: 'all', responsibleId: null });
    }
  });

  it('a client without a phone: a clear 409, no call; an unknown order: 404', async () => {
    const before = (await callbacks()).length;
    const silent = await h.person({ lastName: 'Безтелефонов', firstName: 'Пётр', emails: ['petr@example.ru'] });
    const noPhone = await call((await h.order({ personId: silent })).id);
    expect(noPhone.status).toBe(409);
    expect(noPhone.body.message).toMatch(/нет телефона/);
    expect(await callbacks()).toHaveLength(before);
    expect((await call(999_999)).status).toBe(404);
  });

  it('a portal without an outgoing line: a clear 409', async () => {
    const personId = await h.person({ lastName: 'Линиев', firstName: 'Иван', phones: ['+7 916 200-30-41'] });
    const order = await h.order({ personId });
    const saved = { ...TELEPHONY_LINES };
    for (const key of Object.keys(TELEPHONY_LINES)) delete TELEPHONY_LINES[key];
    try {
      const answer = await call(order.id);
      expect(answer.status).toBe(409);
      expect(answer.body.message).toMatch(/нет линии для исходящих звонков/);
    } finally {
      Object.assign(TELEPHONY_LINES, saved);
    }
  });

  it('a webhook without the telephony scope: a clear 409 naming the right', async () => {
    const personId = await h.person({ lastName: 'Правов', firstName: 'Олег', phones: ['+7 916 200-30-42'] });
    const order = await h.order({ personId });
    const current = await h.api.request<{ version: number }>('GET', '/api/v1/integrations/bitrix24/settings');
    const limited = h.b24.addWebhook({ scopes: ['crm', 'user'] });
    const saved = await h.api.request('PUT', '/api/v1/integrations/bitrix24/settings', {
      version: current.body.version,
      enabled: true,
      settings: { ...webhookFields(limited), applicationToken: h.b24.applicationToken, telephonyEnabled: true },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    try {
      const answer = await call(order.id);
      expect(answer.status).toBe(409);
      expect(answer.body.message).toMatch(/нет права «Телефония»/);
    } finally {
      await h.connect({ telephonyEnabled: true });
    }
  });

  it('with the toggle off: no button on the card, and the route says why', async () => {
    await h.connect({ telephonyEnabled: false });
    try {
      expect(await panelActions()).toEqual([]);
      const personId = await h.person({ lastName: 'Выключенов', firstName: 'Глеб', phones: ['+7 916 200-30-43'] });
      const answer = await call((await h.order({ personId })).id);
      expect(answer.status).toBe(409);
      expect(answer.body.message).toMatch(/Телефония Битрикс24 выключена/);
    } finally {
      await h.connect({ telephonyEnabled: true });
    }
  });
});

/** Visibility: the cards show the last change Bitrix24 sent; the health page counts the events by outcome. */
describe('Bitrix24 back-sync: what the panel shows of it', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ events: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  type Details = { rows: Array<{ label: string; value: string; at?: string | null }>; empty?: string };
  const lastChange = (path: string) => h.api.request<Details>('GET', `/api/v1/integrations/bitrix24/${path}/last-change`);

  it('the order card: nothing yet, then the deal moved by a manager — what, when, which event', async () => {
    const personId = await h.person({ lastName: 'Видимова', firstName: 'Вера', phones: ['+7 916 300-40-50'] });
    const order = await h.order({ personId });
    const deal = await h.dealOf(order.id);
    await h.exported(order.id);
    await admin(h.b24, 'POST', `/deals/${deal.ID}/stage`, { stageId: 'LOSE' });
    await expectEventually(async () => {
      const answer = await lastChange(`orders/${order.id}`);
      expect(answer.status).toBe(200);
      const rows = Object.fromEntries(answer.body.rows.map((r) => [r.label, r.value]));
      expect(rows['Итог']).toBe('применено');
      expect(rows['Что']).toMatch(/стадия LOSE/);
      expect(rows['Событие']).toBe(`Изменение сделки (ONCRMDEALUPDATE), ID ${deal.ID}`);
      expect(answer.body.rows.find((r) => r.label === 'Когда')?.at).toMatch(/^\d{4}-/);
    });
    // The client card: its contact's events (printsync's own writes, dropped as echo).
    const person = await lastChange(`persons/${personId}`);
    expect(person.status).toBe(200);
    expect(person.body.rows.length + (person.body.empty ? 1 : 0)).toBeGreaterThan(0);
    const stranger = await h.person({ lastName: 'Несвязанный', firstName: 'Ян', phones: ['+7 916 300-40-51'] });
    expect((await lastChange(`persons/${stranger}`)).body).toEqual({ rows: [], empty: 'Изменений из Битрикс24 ещё не приходило' });
    expect((await lastChange('organizations/999999')).status).toBe(404);
  });

  it('the health page counts: received, applied, echo, stale, ignored, failed', async () => {
    const answer = await h.api.request<{ items: Array<{ name: string; counts: Record<string, number> }> }>('GET', '/api/v1/integrations/inbound');
    expect(answer.status).toBe(200);
    const counts = answer.body.items.find((i) => i.name === 'bitrix24')!.counts;
    expect(Object.keys(counts).sort()).toEqual(['applied', 'echo', 'failed', 'ignored', 'pending', 'received', 'stale']);
    expect(counts.applied).toBeGreaterThanOrEqual(1);
    expect(counts.received).toBe(counts.pending! + counts.applied! + counts.echo! + counts.stale! + counts.ignored! + counts.failed!);
  });

  it('the settings page shows the events URL to paste into the portal', async () => {
    const panel = await h.api.request<{ items: Array<{ name: string; settingsSections: Array<{ id: string; copyFields: Array<{ path: string; url: string | null; label: { ru: string } }> }> }> }>(
      'GET',
      '/api/v1/integrations/panel',
    );
    const section = panel.body.items.find((i) => i.name === 'bitrix24')!.settingsSections.find((s) => s.id === 'events')!;
    expect(section.copyFields).toEqual([expect.objectContaining({ path: '/api/bitrix/events', label: expect.objectContaining({ ru: 'URL обработчика' }) })]);
  });
});
