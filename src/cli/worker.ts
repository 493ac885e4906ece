import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program.command('worker').action(() => {
    throw new Error('not built yet');
  });
}
