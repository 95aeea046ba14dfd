/**
 * `aekit tune`: measure this machine's kernel choices and cache them (see src/apps/tune.ts).
 */
import { Command } from 'commander';
import { tune } from '../../apps/tune/tune.js';
import { getBackend } from '../../tensor/index.js';
import { UsageError } from '../../errors.js';
import { emit } from '../output.js';

interface TuneFlags { json: boolean }

/** The tune command. */
export function tuneCommand(): Command {
  return new Command('tune')
    .description("Measure this machine's kernel choices (im2col or direct per convolution shape) and cache them for this CPU")
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
For each pass of each convolution the conv presets and SegNet train, times im2col + GEMM against
the direct kernels (a couple of seconds on a quiet machine) and writes the faster to a small JSON file in your
cache folder ($AEKIT_CACHE_DIR, else ~/.cache/aekit on Linux). Later runs on this CPU use it; a
file measured on another CPU or ISA, with another build of the addon (after an upgrade: run
aekit tune again), or while other work held the cores (a loaded machine slows the two
algorithms unequally), is ignored. AEKIT_TUNING=off runs without it.

Example:
  $ aekit tune`)
    .action((opts: TuneFlags) => {
      const backend = getBackend();
      if (backend.name !== 'native') throw new UsageError('tune: the native addon is not loaded (nothing to tune on the reference backend)');
      const { path, file, seconds, contention } = tune(backend);
      const changed = file.conv.filter((c) => c.algorithm !== c.rule).length;
      emit(opts.json, { path, seconds, cpu: file.cpu, contention, conv: file.conv }, () => [
        ...file.conv.map((c) => {
          const g = c.geometry;
          return `${c.pass.padEnd(14)} ${g.inChannels}->${g.outChannels} ${g.inHeight}x${g.inWidth} k${g.kernelH} s${g.strideH} batch ${g.batch} (${c.reps ?? '?'} reps): im2col ${c.im2colMs.toFixed(2)} ms, direct ${c.directMs.toFixed(2)} ms -> ${c.algorithm}${c.algorithm !== c.rule ? ' (rule: ' + c.rule + ')' : ''}`;
        }),
        `${file.conv.length} shapes in ${seconds.toFixed(1)} s on ${file.cpu.name} (family ${file.cpu.family}, model ${file.cpu.model}, ${file.cpu.isa}); ${changed} differ from the built-in rule; written to ${path}`,
        ...(contention.contended ? [`warning: other work held the cores while measuring (FMA peak ${contention.peakGflops.toFixed(0)} GFLOP/s against ${contention.threads} x ${contention.corePeakGflops.toFixed(0)}); a loaded machine slows the algorithms unequally, so these choices are saved but not used: run aekit tune again when the machine is quiet`] : []),
      ].join('\n'));
    });
}
