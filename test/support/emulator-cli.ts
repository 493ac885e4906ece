import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killAll } from './processes.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * `printsync emulate <system>` as a user starts it: each started process is remembered, so a
 * test file's `afterEach(() => cli.killAll())` leaves none running.
 */
export function emulatorCli() {
  const children: ChildProcess[] = [];
  return {
    /** Starts the real CLI and resolves with the one JSON line it prints. */
    start(system: string, args: string[]): Promise<{ child: ChildProcess; line: Record<string, string> }> {
      const child = spawn(process.execPath, ['bin/printsync.js', 'emulate', system, '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', (text) => resolve({ child, line: JSON.parse(text) as Record<string, string> }));
        child.once('exit', (code) => reject(new Error(`CLI exited with ${String(code)}: ${stderr}`)));
      });
    },
    killAll: () => killAll(children),
  };
}

/** Resolves with the process's exit code, at once if it already exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
