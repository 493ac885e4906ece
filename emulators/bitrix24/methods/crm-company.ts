import type { MethodRegistry } from '../context.js';
import { COMPANY } from '../entities.js';
import { registerEntityMethods } from './crm-entity.js';

export function registerCompanyMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, COMPANY, 'crm.company');
}
