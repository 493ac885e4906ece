import type { Kysely } from 'kysely';
import { createTableWithId } from './columns.js';

/**
 * `inbound_events` (issue 8): what other systems tell printsync (Bitrix24's outgoing webhooks),
 * stored before the answer so nothing is lost when the work fails later, deduplicated by the
 * sender's own key (a portal may deliver an event twice), and settled with what came of it —
 * applied, an echo of printsync's own write, stale, ignored, failed — for the health page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTableWithId(db, 'inbound_events')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('entity_kind', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('inbound_events_dedupe').on('inbound_events').columns(['system', 'dedupe_key']).unique().execute();
  await db.schema.createIndex('inbound_events_entity').on('inbound_events').columns(['system', 'entity_kind', 'external_id', 'state']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_events').execute();
}
