import { createJobQueue } from '../../src/jobs/index.js';
import { runJobQueueSuite } from './job-queue.suite.js';

runJobQueueSuite('pg-boss', {
  dialect: 'postgres',
  makeQueue: (handle, jobs) => createJobQueue(handle, { catalog: jobs, random: () => 0, pgBoss: { supervise: false } }),
});
