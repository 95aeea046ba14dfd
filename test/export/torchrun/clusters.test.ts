/**
 * The README's cluster examples for a torchrun job (section "Beyond one machine") parse: the
 * Kubernetes PyTorchJob manifest with Python's yaml, the Slurm script with `bash -n`, the Ray
 * script with Python's ast. No cluster is reachable here: this checks their form, not a run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PYTHON } from './torch-available.js';

const readme = readFileSync('README.md', 'utf8');

function block(lang: string, tag: string): string {
  const match = new RegExp('```' + lang + ' ' + tag + '\\n([\\s\\S]*?)```').exec(readme);
  assert.ok(match, `README has a \`\`\`${lang} ${tag} block`);
  return match[1];
}

const yamlSkip = spawnSync(PYTHON, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0 ? false : `${PYTHON} -c "import yaml" failed: install Debian's python3-yaml to check the README's manifest`;

test('the README\'s PyTorchJob manifest parses, with a Master and Workers that run the job\'s train.py', { skip: yamlSkip }, () => {
  const script = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))';
  const run = spawnSync(PYTHON, ['-c', script], { input: block('yaml', 'beyond-kubernetes'), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  type Replica = { replicas: number; template: { spec: { containers: { name: string; command: string[] }[] } } };
  const manifest = JSON.parse(run.stdout) as { apiVersion: string; kind: string; spec: { pytorchReplicaSpecs: Record<string, Replica> } };
  assert.equal(manifest.apiVersion, 'kubeflow.org/v1');
  assert.equal(manifest.kind, 'PyTorchJob');
  const replicas = manifest.spec.pytorchReplicaSpecs;
  assert.deepEqual(Object.keys(replicas), ['Master', 'Worker']);
  assert.equal(replicas.Master.replicas, 1);
  for (const replica of Object.values(replicas)) {
    const [container] = replica.template.spec.containers;
    // The training operator finds the container by this name.
    assert.equal(container.name, 'pytorch');
    assert.match(container.command.join(' '), /train\.py$/);
  }
});

test('the README\'s Slurm script is valid bash and starts torchrun with srun', () => {
  const script = block('sh', 'beyond-slurm');
  const run = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(script, /^#SBATCH --nodes=\d+$/m);
  assert.match(script, /^srun torchrun --nnodes "\$SLURM_NNODES"/m);
});

test('the README\'s Ray script is valid Python that hands the job\'s main to a TorchTrainer', () => {
  const script = 'import ast, sys; tree = ast.parse(sys.stdin.read()); print(sorted({n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}))';
  const run = spawnSync(PYTHON, ['-c', script], { input: block('python', 'beyond-ray'), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /'ScalingConfig'/);
  assert.match(run.stdout, /'TorchTrainer'/);
});
