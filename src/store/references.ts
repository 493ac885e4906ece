import { isForeignKeyViolation } from '../db/errors.js';
import type { DomainError } from '../domain/errors.js';

/**
 * Runs a write whose references were checked earlier in its transaction. On PostgreSQL a
 * parallel request may delete what it refers to between the check and the commit; the foreign
 * key then refuses the row, which is a conflict to report in words — not a 500.
 */
export async function refusingVanishedReferences<T>(work: () => Promise<T>, conflict: () => DomainError): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw conflict();
    throw error;
  }
}
