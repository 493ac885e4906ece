import type { Command } from 'commander';

export function registerTokensCommand(program: Command): void {
  program.command('tokens').action(() => {
    throw new Error('not built yet');
  });
}
