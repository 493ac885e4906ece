import type { Command } from 'commander';

/** `printsync emulate <system>`: runs a stand-in for an external system (tests, demo, benchmarks). */
export function registerEmulateCommand(program: Command): void {
  const emulate = program.command('emulate').description('run an emulator of an external system');
  emulate
    .command('bitrix24')
    .description('a local Bitrix24 portal (REST, batch, limits, outgoing events)')
    .action(() => {
      throw new Error('the Bitrix24 emulator is not built yet');
    });
}
