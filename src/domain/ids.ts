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

/** An id in a path or query string. */
export const idFromText = z.coerce.number().int().positive().max(MAX_ID, ID_TOO_LARGE);
