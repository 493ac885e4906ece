import type { SettingsShape } from '../../../settings/definition.js';
import type { ErpClient } from './client.js';
import type { ExtraParamNames } from './extras.js';
import type { ErpTemplate, ErpTemplateSummary } from './template.js';

/** What every ERP of the family has in its settings besides its connection. */
export interface ErpSettingsBase extends SettingsShape {
  autoSendAfterRender: boolean;
  extraParamNames: ExtraParamNames;
}

/**
 * One ERP of the family: what differs between ASystem and Axiom. Everything else — template
 * sync, the calculator, sending orders, the panel — is written once here and given a member.
 */
export interface ErpMember<S extends ErpSettingsBase> {
  /** `asystem`: the integration's name. */
  name: string;
  /** «ASystem»: how messages and buttons call it. */
  product: string;
  client(settings: S): ErpClient;
  /** The ERP's template list entry as the family's summary; throws on a shape that is not one. */
  toSummary(raw: unknown): ErpTemplateSummary;
  /** The ERP's template JSON as the family's model; throws on a shape that is not one. */
  toTemplate(raw: unknown): ErpTemplate;
  /** Fields every order request of this ERP carries (ASystem: the manager and counterparty ids). */
  orderDefaults(settings: S): { managerId?: string; counterpartyId?: string };
}
