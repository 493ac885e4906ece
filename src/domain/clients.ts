import { z } from 'zod';
import { normalizeEmail, normalizePhone } from './contacts.js';
import type { Phone } from './contacts.js';
import { idSchema } from './ids.js';
import { safeKey } from './keys.js';

/** External ids of one entity: `{ bitrix24: { contact: "17", lead: "4" } }`. */
export type ExternalIds = Record<string, Record<string, string>>;

export interface Person {
  id: number;
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  fullName: string;
  phones: Phone[];
  emails: string[];
  isGuest: boolean;
  organizationId: number | null;
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Organization {
  id: number;
  title: string;
  inn: string | null;
  kpp: string | null;
  companyType: string | null;
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export function fullName(parts: { lastName: string | null; firstName: string | null; middleName: string | null }): string {
  return [parts.lastName, parts.firstName, parts.middleName].filter(Boolean).join(' ');
}

/** A phone as API clients send it: "+7 912 345-67-89 доб. 12"; normalized on the way in. */
export const phoneInputSchema = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const result = normalizePhone(value);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result.value;
  });

export const emailInputSchema = z
  .string()
  .max(254)
  .transform((value, ctx) => {
    const result = normalizeEmail(value);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result.value;
  });

/** `null` as a value removes that link. */
export const externalIdsInputSchema = z.record(
  safeKey(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'system names are lower-case letters, digits, "-" or "_"')),
  z.record(safeKey(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'kinds are lower-case letters, digits, "-" or "_"')), z.string().trim().min(1).max(64).nullable()),
);

/** INN: 10 digits (organization) or 12 (individual entrepreneur), with the tax service's check digits. */
export function isValidInn(inn: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(inn)) return false;
  const digits = [...inn].map(Number);
  const checkDigit = (weights: number[]) => (weights.reduce((sum, w, i) => sum + w * digits[i]!, 0) % 11) % 10;
  if (inn.length === 10) return checkDigit([2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[9];
  return (
    checkDigit([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[10] && checkDigit([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[11]
  );
}

export const innSchema = z
  .string()
  .trim()
  .refine(isValidInn, 'INN must be 10 or 12 digits with valid check digits');

export const kppSchema = z
  .string()
  .trim()
  .regex(/^\d{4}[\dA-Z]{2}\d{3}$/, 'KPP must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits');

const nameSchema = z.string().trim().max(100);

export const personCreateSchema = z.strictObject({
  lastName: nameSchema.nullish(),
  firstName: nameSchema.nullish(),
  middleName: nameSchema.nullish(),
  phones: z.array(phoneInputSchema).max(20).default([]),
  emails: z.array(emailInputSchema).max(20).default([]),
  isGuest: z.boolean().default(false),
  organizationId: idSchema.nullish(),
  externalIds: externalIdsInputSchema.optional(),
});
export type PersonCreateInput = z.output<typeof personCreateSchema>;

export const personUpdateSchema = z.strictObject({
  lastName: nameSchema.nullish(),
  firstName: nameSchema.nullish(),
  middleName: nameSchema.nullish(),
  phones: z.array(phoneInputSchema).max(20).optional(),
  emails: z.array(emailInputSchema).max(20).optional(),
  isGuest: z.boolean().optional(),
  organizationId: idSchema.nullish(),
  externalIds: externalIdsInputSchema.optional(),
  /** When given, the update applies only if the person is still at this version. */
  version: z.number().int().positive().optional(),
});
export type PersonUpdateInput = z.output<typeof personUpdateSchema>;

export const organizationCreateSchema = z.strictObject({
  title: z.string().trim().min(1).max(255),
  inn: innSchema.nullish(),
  kpp: kppSchema.nullish(),
  companyType: z.string().trim().max(64).nullish(),
  externalIds: externalIdsInputSchema.optional(),
});
export type OrganizationCreateInput = z.output<typeof organizationCreateSchema>;

export const organizationUpdateSchema = organizationCreateSchema.partial().extend({
  version: z.number().int().positive().optional(),
});
export type OrganizationUpdateInput = z.output<typeof organizationUpdateSchema>;
