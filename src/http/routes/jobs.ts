import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { wholeNumberFromText } from '../../domain/ids.js';
import { JOB_STATES } from '../../jobs/driver.js';
import { DomainError } from '../../domain/errors.js';
import { errorResponse, standardErrors } from '../schemas/common.js';

/**
 * The job queue as the sync-health page sees it: counts, the hourly chart, dead jobs and replay.
 * Anyone may look; replay is an administrator's decision (a dead job usually needs a settings fix
 * first, and replaying can send many entities at once), while a manager resends one order or
 * client with «Отправить повторно».
 */
const tags = ['Jobs'];

const jobResponse = z.object({
  id: z.string(),
  name: z.string().describe('dotted name; the part before the first dot is the external system, e.g. `bitrix24`'),
  key: z.string().nullable(),
  state: z.enum(JOB_STATES),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number(),
  maxAttempts: z.number(),
  runAt: z.string(),
  lastError: z.string().nullable().describe('why the last run failed; for a dead job, why it is dead'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});

const statsResponse = z.object({
  name: z.string(),
  pending: z.number(),
  retrying: z.number(),
  active: z.number(),
  completed: z.number(),
  dead: z.number(),
});

export const jobRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { queue } = services;

  server.get(
    '/jobs/stats',
    { schema: { tags, summary: 'Job counts per job name and state', response: { 200: z.array(statsResponse), 401: errorResponse } } },
    async () => queue.stats(),
  );

  server.get(
    '/jobs/throughput',
    {
      schema: {
        tags,
        summary: 'Completed and dead jobs per hour (only hours with any)',
        querystring: z.strictObject({ hours: wholeNumberFromText({ min: 1, max: 24 * 31 }).default(72) }),
        response: {
          200: z.array(z.object({ hour: z.string().describe('start of the hour, UTC'), completed: z.number(), dead: z.number() })),
          ...standardErrors,
        },
      },
    },
    async (request) => queue.throughput(request.query.hours),
  );

  server.get(
    '/jobs',
    {
      schema: {
        tags,
        summary: 'Jobs, newest first (e.g. `?state=dead` for the dead-letter list)',
        querystring: z.strictObject({
          state: z.enum(JOB_STATES).optional(),
          name: z.string().max(200).optional(),
          limit: wholeNumberFromText({ min: 1, max: 500 }).default(100),
        }),
        response: { 200: z.array(jobResponse), ...standardErrors },
      },
    },
    async (request) => queue.list(request.query),
  );

  server.post(
    '/jobs/:id/replay',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Put a dead job back in the queue with a fresh retry budget',
        params: z.strictObject({ id: z.string().min(1).max(100) }),
        response: { 200: jobResponse, ...standardErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const replayed = await queue.replay(id);
      const job = await queue.get(id);
      if (!job) throw new DomainError('not_found', `job ${id} not found`);
      if (!replayed && job.state === 'dead') throw new DomainError('conflict', `job ${id} could not be replayed; try again`);
      if (!replayed) throw new DomainError('conflict', `job ${id} is ${job.state}, not dead: only dead jobs can be replayed`);
      return job;
    },
  );
};
