import type { MethodRegistry } from '../context.js';
import { LEAD } from '../entities.js';
import { registerEntityMethods } from './crm-entity.js';

export function registerLeadMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, LEAD, 'crm.lead');
}
