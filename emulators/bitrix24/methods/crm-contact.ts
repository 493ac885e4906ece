import type { MethodRegistry } from '../context.js';
import { CONTACT } from '../entities.js';
import { registerEntityMethods } from './crm-entity.js';

export function registerContactMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, CONTACT, 'crm.contact');
}
