import type { Command } from 'commander';

export function registerDemoCommand(program: Command): void {
  program.command('demo').action(() => {
    throw new Error('not built yet');
  });
}
