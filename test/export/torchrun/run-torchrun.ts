/**
 * Runs a job's train.py under torchrun with 2 local CPU processes on a free port of this machine
 * (not --standalone's fixed 29400, which another job on the machine may hold).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The torchrun flags for `ranks` processes on this machine. `--redirects 9:1 --tee 9:1` names no
 * rank that exists: Debian 12's torchrun (torch 1.13 on Python 3.11) reads its default "0" as None
 * and stops with "'NoneType' object has no attribute 'get'"; a mapping parses.
 */
export function localFlags(port: number, ranks = 2): string[] {
  return ['--nnodes', '1', '--nproc_per_node', String(ranks), '--rdzv_backend', 'c10d', '--rdzv_endpoint', `127.0.0.1:${port}`, '--rdzv_id', `aekit-test-${port}`, '--redirects', '9:1', '--tee', '9:1'];
}

/** Runs `torchrun [flags] script ...args` to its end; one torch thread per rank. */
export async function runTorchrun(script: string, args: string[] = [], extraFlags: string[] = []): Promise<SpawnSyncReturns<string>> {
  const flags = localFlags(await freePort());
  return spawnSync('torchrun', [...flags, ...extraFlags, script, '--threads', '1', ...args], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
}

/** The JSON lines a job printed on stdout. */
export function jobLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}
