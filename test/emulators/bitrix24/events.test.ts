import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { expectEventually } from '../../support/eventually.js';
import { admin, result, startEventSink, type ReceivedEvent } from './helpers.js';

let emu: Bitrix24Emulator;
let sink: Awaited<ReturnType<typeof startEventSink>>;

beforeEach(async () => {
  sink = await startEventSink();
  emu = await startBitrix24Emulator({ rate: false, eventHandlers: [sink.url] });
});
afterEach(async () => {
  await emu.stop();
  await sink.close();
});

const summary = (events: ReceivedEvent[]): string[] => events.map((e) => `${e.body.event}:${e.body.data.FIELDS.ID}`);

describe('outgoing events', () => {
  it('posts a form-encoded event after a REST change, exactly in the Bitrix24 shape', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'echo' } });
    await expectEventually(() => expect(sink.received).toHaveLength(1));
    const [event] = sink.received as [ReceivedEvent];
    expect(event.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(event.headers['user-agent']).toBe('Bitrix24 Webhook Engine');
    expect(event.raw).toContain('data%5BFIELDS%5D%5BID%5D=');
    const portal = new URL(emu.url);
    expect(event.body).toEqual({
      event: 'ONCRMDEALADD',
      event_handler_id: '1',
      data: { FIELDS: { ID: String(id) } },
      ts: expect.stringMatching(/^\d{10}$/),
      auth: {
        domain: portal.host,
        client_endpoint: `${emu.url}/rest/`,
        server_endpoint: 'https://oauth.bitrix.info/rest/',
        member_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        application_token: emu.applicationToken,
      },
    });
  });

  it('fires add, update and delete for each entity kind, including changes made inside a batch', async () => {
    await result(emu, 'batch', {
      cmd: {
        contact: 'crm.contact.add?fields[NAME]=A',
        company: 'crm.company.add?fields[TITLE]=B',
        lead: 'crm.lead.add?fields[TITLE]=C',
        product: 'crm.product.add?fields[NAME]=D',
        deal: 'crm.deal.add?fields[TITLE]=E',
        upd: 'crm.deal.update?id=$result[deal]&fields[STAGE_ID]=WON',
        del: 'crm.contact.delete?id=$result[contact]',
        pdel: 'crm.product.delete?id=$result[product]',
      },
    });
    await expectEventually(() =>
      expect(summary(sink.received).sort()).toEqual(
        ['ONCRMCONTACTADD:1', 'ONCRMCOMPANYADD:1', 'ONCRMLEADADD:1', 'ONCRMPRODUCTADD:1', 'ONCRMDEALADD:1', 'ONCRMDEALUPDATE:1', 'ONCRMCONTACTDELETE:1', 'ONCRMPRODUCTDELETE:1'].sort(),
      ),
    );
  });

  it('sends an event once only, even when the handler fails', async () => {
    const failing = await startEventSink(500);
    try {
      await admin(emu, 'POST', '/events/handlers', { url: failing.url, events: ['ONCRMLEADADD'] });
      await result(emu, 'crm.lead.add', { fields: { TITLE: 'once' } });
      await expectEventually(async () => {
        const deliveries = await admin<{ url: string; status: string; httpStatus: number }[]>(emu, 'GET', '/events/deliveries?event=ONCRMLEADADD');
        expect(deliveries.find((d) => d.url === failing.url)).toMatchObject({ status: 'failed', httpStatus: 500 });
      });
      await result(emu, 'crm.deal.add', { fields: { TITLE: 'later' } });
      await expectEventually(() => expect(summary(sink.received)).toContain('ONCRMDEALADD:1'));
      expect(failing.received).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('drops every event at drop=1 and duplicates every event at duplicate=1', async () => {
    await admin(emu, 'POST', '/events/knobs', { dropRate: 1 });
    await result(emu, 'crm.deal.add', { fields: { TITLE: 'lost' } });
    const deliveries = await admin<{ status: string }[]>(emu, 'GET', '/events/deliveries');
    expect(deliveries).toEqual([expect.objectContaining({ status: 'dropped' })]);
    await admin(emu, 'POST', '/events/knobs', { dropRate: 0, duplicateRate: 1 });
    await result(emu, 'crm.deal.add', { fields: { TITLE: 'twice' } });
    await expectEventually(() => expect(summary(sink.received)).toEqual(['ONCRMDEALADD:2', 'ONCRMDEALADD:2']));
  });

  it('delivers in reverse order with reorder on, and only after the delay', async () => {
    // The window must outlast the three REST calls even on a loaded machine, or they land in different windows.
    emu.events.setKnobs({ reorder: true, reorderWindowMs: 1_500 });
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'r' } });
    await result(emu, 'crm.deal.update', { id, fields: { STAGE_ID: 'PREPARATION' } });
    await result(emu, 'crm.deal.delete', { id });
    expect(sink.received).toHaveLength(0);
    await expectEventually(() => expect(summary(sink.received)).toEqual([`ONCRMDEALDELETE:${id}`, `ONCRMDEALUPDATE:${id}`, `ONCRMDEALADD:${id}`]));
  });

  it('holds events back for the configured delay', async () => {
    emu.events.setKnobs({ delayMs: 300 });
    const started = Date.now();
    await result(emu, 'crm.company.add', { fields: { TITLE: 'late' } });
    expect(sink.received).toHaveLength(0);
    await expectEventually(() => expect(summary(sink.received)).toEqual(['ONCRMCOMPANYADD:1']));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fires ONCRMDEALMOVETOCATEGORY with the new funnel and stage when crm.item.update moves a deal', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'move' } });
    await result(emu, 'crm.item.update', { entityTypeId: 2, id, fields: { categoryId: 1 } });
    await expectEventually(() => {
      const move = sink.received.find((e) => e.body.event === 'ONCRMDEALMOVETOCATEGORY');
      expect(move?.body.data.FIELDS).toEqual({ ID: String(id), CATEGORY_ID: '1', STAGE_ID: 'C1:NEW' });
    });
  });
});
