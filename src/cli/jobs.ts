import type { Command } from 'commander';

/** `printsync jobs list | dead | replay ID` */
export function registerJobsCommand(program: Command): void {
  program.command('jobs').description('inspect and replay background jobs');
}
