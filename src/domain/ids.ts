import { z } from 'zod';

/**
 * Ids are `integer` columns (32-bit on PostgreSQL). A larger number can name no row, and
 * PostgreSQL refuses to compare it with the column at all (a 500), so every id a client sends
 * is checked against this bound and refused as a 400 naming its field.
 */
export const MAX_ID = 2_147_483_647;

const ID_TOO_LARGE = `is not an id (at most ${MAX_ID})`;

/** An id in a JSON body. */
export const idSchema = z.number().int().positive().max(MAX_ID, ID_TOO_LARGE);

/**
 * A whole number in a path or query string, written only as decimal digits: `Number()` would
 * also read `0x10`, `+1`, `1e3` and `1 ` (`1%20`), so `DELETE /products/1%20` deleted product 1.
 */
export function wholeNumberFromText(bounds: { min: number; max: number; tooLarge?: string }) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, 'must be a whole number written in digits (no sign, spaces, exponent or hex)')
    .transform(Number)
    .pipe(z.number().min(bounds.min, `must be at least ${bounds.min}`).max(bounds.max, bounds.tooLarge ?? `must be at most ${bounds.max}`));
}

/** An id in a path or query string. */
export const idFromText = wholeNumberFromText({ min: 1, max: MAX_ID, tooLarge: ID_TOO_LARGE });
