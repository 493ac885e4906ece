import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone number as printsync stores it: E.164, with an extension kept apart. */
export interface Phone {
  e164: string;
  extension: string | null;
}

export type NormalizeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export const DEFAULT_PHONE_REGION = 'RU';

/**
 * The one place where phone numbers enter printsync. Accepts what people type
 * ("8 (912) 345-67-89", "+7 912 345 67 89 доб. 12", "9123456789") and returns E.164.
 */
export function normalizePhone(input: string, defaultRegion = DEFAULT_PHONE_REGION): NormalizeResult<Phone> {
  const raw = input.trim();
  if (!raw) return { ok: false, reason: 'phone is empty' };
  const withLatinExtension = raw.replace(/\s*(доб\.?|добавочный)\s*/i, ' ext. ');
  const parsed = parsePhoneNumberFromString(withLatinExtension, defaultRegion as 'RU');
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `"${raw}" is not a valid phone number` };
  return { ok: true, value: { e164: parsed.number, extension: parsed.ext ?? null } };
}

// Deliberately simple: the mailbox owner's server is the real judge; this rejects typos.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/** The one place where e-mail addresses enter printsync: trimmed and lower-cased. */
export function normalizeEmail(input: string): NormalizeResult<string> {
  const value = input.trim().toLowerCase();
  if (!value) return { ok: false, reason: 'e-mail is empty' };
  if (value.length > 254 || !EMAIL_PATTERN.test(value)) return { ok: false, reason: `"${input.trim()}" is not a valid e-mail address` };
  return { ok: true, value };
}
