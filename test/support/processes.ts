import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/**
 * Starts a TypeScript script as a child process (`node --import tsx`) and resolves once it
 * prints `ready`; rejects with its stderr if it exits first. The caller kills it.
 */
export function startReadyProcess(script: string, env: Record<string, string>, label: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before it was ready:\n${stderr}`)));
    child.once('error', reject);
  });
}

/** Kills what is still running of `children` (SIGKILL: a test's leftovers need no manners). */
export function killAll(children: ChildProcess[]): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
