/**
 * The README of a torchrun job folder: what is in it, the commands on one machine, on many, on
 * CPUs (gloo) and GPUs (NCCL), and how the result comes back to aekit.
 */
import type { TorchrunJob } from './job-folder.js';

/** The torch version the job script was tested with (Debian's python3-torch). */
export const TESTED_TORCH = '1.13.1 (Debian 12 python3-torch, Python 3.11, NumPy 1.24)';

/**
 * README.md of a job folder.
 * @example
 * writeFileSync('jobs/deep/README.md', jobReadme({ name: 'deep', job, trainRows: 55000 }));
 */
export function jobReadme({ name, job, trainRows }: { name: string; job: TorchrunJob; trainRows: number }): string {
  const t = job.training;
  const steps = Math.ceil(trainRows / t.batchSize);
  return `# aekit torchrun job: ${name}

Written by \`aekit export torchrun\` (aekit ${job.record.versions.aekit}). It trains the model with
aekit's objective under PyTorch's DistributedDataParallel and writes the result as an aekit run
folder, \`run/\`, which \`aekit eval --model run\`, \`encode\`, \`report\` and the exports read.

| file | what |
| --- | --- |
| train.py | the training script (the same for every job; \`python3 train.py --help\`) |
| model.py | the PyTorch module (as \`aekit export pytorch\` writes it) |
| job.json | the layers as train.py runs them, the settings, the data, the run record to write |
| init.safetensors | the initial weights (aekit's draw for seed ${t.seed}, or the run it was exported from) |

Settings: ${t.epochs} epochs, global batch ${t.batchSize} (split across the ranks), ${t.optimizer}, lr ${t.lr}
(${t.schedule}), decoupled weight decay ${t.weightDecay}, seed ${t.seed}; ${trainRows} training rows, ${steps} steps per epoch.
Needs PyTorch and NumPy only; tested with torch ${TESTED_TORCH}.

## Run

    # one machine, 2 processes on CPU (gloo):
    torchrun --standalone --nproc_per_node 2 train.py
    # a short try: 1 epoch on the first 2000 training rows
    torchrun --standalone --nproc_per_node 2 train.py --epochs 1 --limit 2000
    # one process, no torchrun:
    python3 train.py
    # GPUs: one process per GPU, NCCL (chosen when CUDA is there; --backend gloo|nccl to say; not run by aekit's tests, which had no GPU)
    torchrun --standalone --nproc_per_node 4 train.py
    # many machines: the same command on each, with its --node_rank
    torchrun --nnodes 2 --nproc_per_node 4 --node_rank 0 --rdzv_backend c10d --rdzv_endpoint HOST:29400 train.py

Debian 12's torchrun (torch 1.13 on Python 3.11) stops at start with "AttributeError: 'NoneType'
object has no attribute 'get'" (its --redirects and --tee defaults parse to nothing there); add
\`--redirects 9:1 --tee 9:1\` (a mapping that names no rank) to its flags.

Each epoch's state is saved to checkpoints/last.pt (\`--checkpoint-every N\` also every N steps);
run the same command again after a crash and it resumes there (\`--fresh\` starts over). The
batch a rank sees is its part of aekit's global batch, and the examples come in aekit's order
(its generator, ported to Python), so the run goes as \`aekit train\` would, up to float sums in
another order; noise, dropout, a VAE's eps and the binarisation of its training batches draw
from torch's generator, seeded by seed, step and rank (so a model with them gets aekit's order in
its first epoch only: aekit draws both from one generator). A VAE's validation and test rows were
binarised by aekit at export (data/validation.npy, data/test.npy), and its validation loss, the
negative ELBO, uses aekit's own draws.

The data is read from the paths in job.json (\`data.source\`); on a cluster, put the files where
every node sees them and change the paths. A plain IDX or NPY file is memory-mapped and each rank
reads only its rows of each batch.

## Back to aekit

The job writes \`run/\` (model.json, model.safetensors, metrics.json with the loss curve). Then:

    aekit eval --model run
    aekit report --model run
    aekit import torchrun .        # the run folder again from the job's weights, checked and evaluated by aekit
`;
}
