import type { Command } from 'commander';

export function registerServeCommand(program: Command): void {
  program.command('serve').action(() => {
    throw new Error('not built yet');
  });
}
