import { createJobQueue } from '../../src/jobs/index.js';
import { runJobQueueSuite } from './job-queue.suite.js';

runJobQueueSuite('sqlite', {
  dialect: 'sqlite',
  makeQueue: (handle, jobs) => createJobQueue(handle, { catalog: jobs, random: () => 0 }),
});
