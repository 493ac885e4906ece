import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, Harness } from './harness.js';
import { expectEventually, portalCall, portalList, startHarness } from './harness.js';

/** Awkward data: every order is exported correctly (or fails with a clear error), and the others are not held up. */
describe('Bitrix24 export of awkward data', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a client with neither phone nor e-mail still gets a contact and a deal', async () => {
    const personId = await h.person({ lastName: 'Безсвязный', firstName: 'Олег' });
    const deal = await h.dealOf((await h.order({ personId })).id);
    const contact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: deal.CONTACT_ID });
    expect([contact.LAST_NAME, contact.NAME]).toEqual(['Безсвязный', 'Олег']);
    // A second client without contacts is not merged into the first.
    const otherId = await h.person({ lastName: 'Безсвязная', firstName: 'Ольга' });
    const other = await h.dealOf((await h.order({ personId: otherId })).id);
    expect(other.CONTACT_ID).not.toBe(deal.CONTACT_ID);
  });

  it('zero-price items keep their rows and the amount is right', async () => {
    const personId = await h.person({ firstName: 'Бесплатный', phones: ['+7 926 000-00-01'] });
    const order = await h.order({
      personId,
      items: [
        { name: 'Макет', quantity: 1, unitPrice: 0 },
        { name: 'Образец', quantity: 3, total: 0 },
        { name: 'Печать', quantity: 2, unitPrice: 15_050 },
      ],
    });
    const deal = await h.dealOf(order.id);
    expect(Number(deal.OPPORTUNITY)).toBe(301);
    const rows = await portalCall<Array<{ PRODUCT_NAME: string; PRICE: number; QUANTITY: number }>>(h.b24, 'crm.deal.productrows.get', { id: deal.ID });
    expect(rows.map((r) => [r.PRODUCT_NAME, Number(r.QUANTITY), Number(r.PRICE)])).toEqual([
      ['Макет', 1, 0],
      ['Образец', 3, 0],
      ['Печать', 2, 150.5],
    ]);
  });

  it('a 10,000-character comment and emoji arrive whole on the timeline and in the deal', async () => {
    const personId = await h.person({ lastName: 'Эмодзи 🎨', firstName: 'Ника ✨', phones: ['+7 926 000-00-02'], emails: ['emoji@example.ru'] });
    const long = `${'Очень длинный комментарий 🖨️ '.repeat(400)}`.slice(0, 9_990) + ' конец';
    expect(long.length).toBeLessThanOrEqual(10_000);
    const order = await h.order({ personId, comment: 'Заказ к празднику 🎉🎂', items: [{ name: 'Открытки 💌', quantity: 50, unitPrice: 2_000 }] });
    await h.api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Ника 😀', text: long });
    const deal = await h.dealOf(order.id);
    expect(deal.COMMENTS).toContain('Заказ к празднику 🎉🎂');
    const contact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: deal.CONTACT_ID });
    expect(contact.LAST_NAME).toBe('Эмодзи 🎨');
    const rows = await portalCall<Array<{ PRODUCT_NAME: string }>>(h.b24, 'crm.deal.productrows.get', { id: deal.ID });
    expect(rows.map((r) => r.PRODUCT_NAME)).toEqual(['Открытки 💌']);
    await expectEventually(async () => {
      const comments = await portalList<{ COMMENT: string }>(h.b24, 'crm.timeline.comment.list', { filter: { ENTITY_ID: deal.ID, ENTITY_TYPE: 'deal' } });
      expect(comments).toHaveLength(1);
      expect(comments[0]!.COMMENT).toContain(long);
      expect(comments[0]!.COMMENT).toContain('Ника 😀');
    }, { timeoutMs: 15_000, intervalMs: 100 });
  });

  it('foreign phone numbers (+44, +1) are kept as they are and matched on the next client', async () => {
    const uk = await h.person({ firstName: 'John', lastName: 'Smith', phones: ['+44 20 7946 0958'] });
    const us = await h.person({ firstName: 'Jane', lastName: 'Doe', phones: ['+1 (415) 555-2671'] });
    const ukDeal = await h.dealOf((await h.order({ personId: uk })).id);
    const usDeal = await h.dealOf((await h.order({ personId: us })).id);
    const ukContact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: ukDeal.CONTACT_ID });
    const usContact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: usDeal.CONTACT_ID });
    expect(ukContact.PHONE?.map((p) => p.VALUE)).toEqual(['+442079460958']);
    expect(usContact.PHONE?.map((p) => p.VALUE)).toEqual(['+14155552671']);
    expect(ukDeal.CONTACT_ID).not.toBe(usDeal.CONTACT_ID);
    // The same UK number on another client is the same contact.
    const again = await h.person({ firstName: 'J.', lastName: 'Smith', phones: ['+442079460958'] });
    expect((await h.dealOf((await h.order({ personId: again })).id)).CONTACT_ID).toBe(ukDeal.CONTACT_ID);
  });

  it('an order the portal refuses fails with a clear error in the sync log; the next orders go through', async () => {
    const personId = await h.person({ firstName: 'Валюта', phones: ['+7 926 000-00-03'] });
    // A currency the portal does not know: the deal is refused, with the portal's reason.
    const bad = await h.order({ personId, currency: 'XTS' });
    const good = await h.order({ personId });
    await h.dealOf(good.id);
    const entry = await expectEventually(async () => {
      const [last] = (await h.syncLog('order', bad.id)).filter((e) => e.operation === 'deal.export' && e.outcome !== 'skipped');
      expect(last).toBeDefined();
      return last!;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    // The portal refuses an unknown currency («Invalid value for the "Currency" field»).
    expect(entry.outcome).toBe('error');
    // Worded for staff first, then the portal's own words.
    expect(entry.error).toMatch(/^Битрикс24 отказал: crm\.deal\.add.*Currency/i);
    expect(await h.dealsOf(bad.id)).toEqual([]);
    // Not retried for ever: the job is dead with that reason, for an admin to see.
    await expectEventually(async () => {
      const dead = (await h.api.request<Array<{ lastError: string | null }>>('GET', '/api/v1/jobs?state=dead')).body;
      expect(dead.some((job) => /Currency/i.test(job.lastError ?? ''))).toBe(true);
    });
  });
});
