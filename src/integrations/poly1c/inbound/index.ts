import type { IntegrationContext } from '../../../platform/context.js';
import type { IntegrationRouter, InboundRoutes } from '../../../platform/routes.js';
import type { CardSection, SettingsSection } from '../../../platform/panel.js';
import type { DomainEventJobPayload } from '../../../events/domain-events.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationSubscription } from '../../../platform/integration.js';
import type { IntegrationBackfill } from '../../../platform/backfill.js';
import { markOrdersJob, poly1cBackfill } from '../export/backfill.js';
import { Handover } from '../export/handover.js';
import { handoverJobs } from '../export/jobs.js';
import type { Poly1cSettings } from '../settings.js';
import { exchangeOrderCard, registerExchangeCardRoute } from './card.js';
import { EXCHANGE_PATH, exchangeRoutes } from './exchange.js';
import { ExchangeSessions } from './sessions.js';
import { StatusImport } from './status-file.js';

/** The orders half of 1С:Полиграфия (P1C-6), as `setup` plugs it in: its job, routes and card. */
export interface Poly1cExchange {
  jobs: [JobDefinition<DomainEventJobPayload>, JobDefinition<{ orderIds: number[] }>];
  subscriptions: IntegrationSubscription[];
  inbound: InboundRoutes;
  /** Registers the card's API route among the integration's API routes. */
  registerApi(router: IntegrationRouter): void;
  card: CardSection;
  /** `printsync backfill poly1c`: orders from before the exchange, marked due. */
  backfill: IntegrationBackfill;
  /** «Обмен заказами с 1С» in the settings form: the exchange's fields and the address 1C is given. */
  settingsSection: SettingsSection;
}

export const exchangeSettingsSection: SettingsSection = {
  id: 'exchange',
  title: { ru: 'Обмен заказами с 1С (CommerceML)', en: 'Order exchange with 1C (CommerceML)' },
  description: {
    ru: 'В 1С в настройке обмена с сайтом укажите этот адрес, логин и пароль. 1С забирает новые и изменённые заказы и возвращает статусы, «Номер по 1С», даты оплаты и отгрузки.',
    en: 'In 1C, set this address, login and password in the site exchange settings. 1C takes new and changed orders and sends back statuses, its order number, payment and shipment dates.',
  },
  fields: ['exchangeLogin', 'exchangePassword', 'schemaVersion', 'encoding'],
  copyFields: [{ id: 'exchangeUrl', label: { ru: 'Адрес сайта для обмена:', en: 'Exchange address:' }, path: EXCHANGE_PATH }],
};

export function poly1cExchange(context: IntegrationContext<Poly1cSettings>): Poly1cExchange {
  const handover = new Handover(context);
  const { markOrder, subscriptions } = handoverJobs(handover);
  const markOrders = markOrdersJob(handover);
  const sessions = new ExchangeSessions(context);
  const statuses = new StatusImport(context);
  return {
    jobs: [markOrder, markOrders],
    subscriptions,
    inbound: exchangeRoutes(context, { sessions, handover, statuses }),
    registerApi: (router) => registerExchangeCardRoute(router, context),
    card: exchangeOrderCard,
    backfill: poly1cBackfill(context, markOrders),
    settingsSection: exchangeSettingsSection,
  };
}
