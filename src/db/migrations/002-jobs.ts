import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { createTableWithId } from './columns.js';

/**
 * The embedded job queue (src/jobs/sqlite.driver.ts). Created on PostgreSQL too, so both
 * dialects keep one schema, but there pg-boss keeps the jobs in its own `pgboss` schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTableWithId(db, 'jobs')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('failed_at', 'text')
    .execute();
  // Collapse: at most one *pending* job per name and key. Running, retrying and finished jobs
  // do not count, so a change made while a job runs always gets a job of its own.
  await db.schema
    .createIndex('jobs_collapse')
    .on('jobs')
    .columns(['name', 'key'])
    .unique()
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await db.schema.createIndex('jobs_runnable').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_by_name').on('jobs').columns(['name', 'state']).execute();
  await db.schema.createIndex('jobs_completed_at').on('jobs').column('completed_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
