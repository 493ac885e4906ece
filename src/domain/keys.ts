import { z } from 'zod';

/**
 * Names no key that comes from outside may take: the properties every plain object inherits
 * (`constructor`, `toString`, `__proto__`…) and `prototype`. Written as a key of a plain object,
 * such a name changes the object's prototype or a built-in shared by the whole process (an
 * external-id map keyed `constructor` once replaced `Object.keys` for every request).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** A map key from input: `base`, and never a reserved name. */
export function safeKey(base: z.ZodString = z.string()) {
  return base.refine((key) => !isReservedKey(key), { message: 'is a reserved name and cannot be used as a key' });
}

/** A map built from input or the database: no prototype, so no key can reach a built-in. */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * A map read back from storage, as a map without a prototype and without reserved keys: rows
 * written before those keys were refused (or by hand) are read safely.
 */
export function withoutReservedKeys<T>(value: Record<string, T>): Record<string, T> {
  const clean = emptyMap<T>();
  for (const [key, entry] of Object.entries(value)) if (!isReservedKey(key)) clean[key] = entry;
  return clean;
}
