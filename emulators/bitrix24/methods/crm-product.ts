import type { MethodRegistry } from '../context.js';
import { PRODUCT } from '../entities.js';
import { registerEntityMethods } from './crm-entity.js';

/** The frozen `crm.product.*` catalog (fires ONCRMPRODUCT* events). */
export function registerProductMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, PRODUCT, 'crm.product');
}
