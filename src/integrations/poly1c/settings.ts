import type { z } from 'zod';
import { defineSettings } from '../../settings/definition.js';
import { settingsObject } from '../common/fields.js';

/**
 * «1С:Полиграфия» under «ERP и CRM системы» (P1C-1): only the toggle — templates are uploaded
 * per product (P1C-2), and the vendor sets up 1C itself. The login and password 1C uses for the
 * CommerceML exchange (`checkauth` with Basic auth, P1C-6) join this schema with that issue, the
 * password as a secret field.
 */
export const poly1cSettingsSchema = settingsObject({});

export type Poly1cSettings = z.output<typeof poly1cSettingsSchema>;

export const poly1cSettings = defineSettings<Poly1cSettings>({
  schema: poly1cSettingsSchema,
  secretFields: [],
  defaults: {},
});
