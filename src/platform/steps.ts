import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ExternalLinkStore, LinkedEntityType } from '../store/external-links.js';
import { nowIso } from '../store/json.js';
import { transact } from '../store/transaction.js';

/** The object a step makes in the other system, named by the entity of ours it stands for. */
export interface StepTarget {
  entityType: LinkedEntityType;
  entityId: number;
  /** What it is there, e.g. `contact`, `company`, `deal`: the link's kind. */
  kind: string;
}

export interface StepWork {
  /**
   * Looks the object up in the other system before making it: a previous attempt may have made
   * it and crashed before recording it (Bitrix24 `ORIGIN_ID`, an ERP order number). Returns its
   * id, or null when there is none.
   */
  find?: () => Promise<string | null>;
  /** Makes the object and returns its id there. */
  create: () => Promise<string>;
}

export type StepOutcome = 'linked' | 'found' | 'created';

/**
 * Makes an external object at most once across retries: if our entity is already linked to
 * one, that is it; otherwise `find`, then `create`, and the link is committed at once — before
 * the job's next step — so a retry after a crash continues where the last attempt stopped
 * instead of making a second contact, company or deal.
 */
export async function runStep(
  db: Kysely<Database>,
  links: ExternalLinkStore,
  system: string,
  target: StepTarget,
  work: StepWork,
): Promise<{ externalId: string; outcome: StepOutcome }> {
  const link = { entityType: target.entityType, entityId: target.entityId, system, kind: target.kind };
  const linked = await links.externalIdOf(link, db);
  if (linked !== null) return { externalId: linked, outcome: 'linked' };
  const found = work.find ? await work.find() : null;
  const externalId = found ?? (await work.create());
  if (typeof externalId !== 'string' || externalId === '') throw new Error(`${system} ${target.kind}: the step returned no id`);
  await transact(db, (trx) => links.set(trx, { ...link, externalId }, nowIso()));
  return { externalId, outcome: found === null ? 'created' : 'found' };
}
