import { MethodRegistry } from '../context.js';
import type { Executor } from '../executor.js';
import type { Portal } from '../portal.js';
import { registerBatchMethod } from './batch.js';
import { registerCompanyMethods } from './crm-company.js';
import { registerContactMethods } from './crm-contact.js';
import { registerDealMethods } from './crm-deal.js';
import { registerDuplicateMethods } from './crm-duplicate.js';
import { registerItemMethods } from './crm-item.js';
import { registerLeadMethods } from './crm-lead.js';
import { registerProductMethods } from './crm-product.js';
import { registerStatusMethods } from './crm-status.js';
import { registerTimelineMethods } from './crm-timeline.js';
import { registerSystemMethods } from './system.js';
import { registerUserMethods } from './user.js';
import { registerVoximplantMethods } from './voximplant.js';

/** Every REST method the emulated portal answers. */
export function buildRegistry(portal: Portal, executor: () => Executor): MethodRegistry {
  const registry = new MethodRegistry();
  registerBatchMethod(registry, portal, executor);
  registerSystemMethods(registry);
  registerDealMethods(registry);
  registerContactMethods(registry);
  registerCompanyMethods(registry);
  registerLeadMethods(registry);
  registerProductMethods(registry);
  registerTimelineMethods(registry);
  registerStatusMethods(registry);
  registerDuplicateMethods(registry);
  registerItemMethods(registry);
  registerUserMethods(registry);
  registerVoximplantMethods(registry);
  return registry;
}
