/**
 * `aekit retrieve`: semantic hashing, scored: binary codes from hashing autoencoders (trained per
 * code length, or one given model), their retrieval of same-class items by Hamming distance, and
 * the LSH, PCAH and ITQ codes of the same data beside them.
 */
import { Command, InvalidArgumentError } from 'commander';
import { type RetrievalScores, retrieve } from '../../apps/retrieve/retrieve.js';
import { interruptible } from '../interrupt.js';
import { RETRIEVAL_PROTOCOLS, type RetrievalProtocol } from '../../data/retrieval-split.js';
import { UsageError } from '../../errors.js';
import { nonNegativeInt, nonNegativeNumber, oneOf, positiveInt } from '../options.js';
import { emit, timestamp } from '../output.js';
import { progressReporter } from '../progress.js';

/** "16,32,64" as code lengths from 1 to 255. */
function bitList(text: string): number[] {
  const bits = text.split(',').map((t) => positiveInt(t));
  if (bits.some((b) => b > 255)) throw new InvalidArgumentError(`code lengths go up to 255, got "${text}"`);
  return bits;
}

const row = (name: string, s: RetrievalScores) =>
  `  ${name.padEnd(8)}${s.mAP.toFixed(4).padStart(8)}${s.mapAt5000.toFixed(4).padStart(10)}${s.precisionAt100.toFixed(4).padStart(8)}${s.precisionRadius2.toFixed(4).padStart(9)}${Math.round(s.queriesPerSecond.ranking).toString().padStart(10)}`;

interface RetrieveFlags {
  model?: string; bits?: number[]; protocol: RetrievalProtocol; baselines: boolean; data: string; limit?: number; queries?: number;
  epochs?: number; seed: number; out?: string; force: boolean; json: boolean; consistency?: number; balance?: number; decorrelation?: number;
}

/** The term weights given on the command line, in place of the hash preset's own. */
function termWeights(opts: RetrieveFlags): { consistency?: number; balance?: number; decorrelation?: number } {
  const given = (['consistency', 'balance', 'decorrelation'] as const).filter((k) => opts[k] !== undefined);
  if (given.length > 0 && opts.model) throw new UsageError(`--${given[0]}: weighs a term of the hash preset's training, and with --model nothing is trained`);
  return Object.fromEntries(given.map((k) => [k, opts[k]]));
}

/** The retrieve command. */
export function retrieveCommand(): Command {
  return new Command('retrieve')
    .description('Semantic hashing: binary codes from hashing autoencoders, retrieval by Hamming distance, against LSH, PCAH and ITQ')
    .option('--model <dir>', 'score this trained model\'s code (a sigmoid code, read as bits at 0.5) instead of training')
    .option('--bits <list>', 'code lengths to train the hash preset at (default 16,32,64); with --model, its code length', bitList)
    .option('--data <spec>', 'mnist, fashion-mnist or an IDX folder: database = training split, queries = test split', 'mnist')
    .option('--protocol <p>', 'split: database = training split, queries = test split; standard: both pooled, --queries of them drawn (100 per class by default), the rest the training set and database', oneOf(RETRIEVAL_PROTOCOLS), 'split')
    .option('--limit <n>', 'use only the first N training examples (standard: of the rest) as the database', positiveInt)
    .option('--queries <n>', 'split: use only the first N test examples as queries; standard: draw N, the same number per class (default 1000)', positiveInt)
    .option('--epochs <n>', 'training epochs per code length (default: the hash preset\'s)', positiveInt)
    .option('--seed <n>', 'seed for weights, shuffles and the baselines', nonNegativeInt, 0)
    .option('--consistency <w>', 'weight of the term that asks the bits of a jittered view to match the original ones (default 30 up to 32 bits, 10 above; 0: off)', nonNegativeNumber)
    .option('--balance <w>', 'weight of the term that asks each bit to be set for half of a batch (default 3; 0: off)', nonNegativeNumber)
    .option('--decorrelation <w>', 'weight of the term against bits that co-vary over a batch (default 0: off)', nonNegativeNumber)
    .option('--no-baselines', 'score the learned codes only, without fitting LSH, PCAH and ITQ')
    .option('--out <dir>', 'folder for one run folder per code length (default: runs/retrieve-<time>)')
    .option('--force', 'replace existing run folders', false)
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false)
    .addHelpText('after', `
An item of the database is relevant to a query when their labels match. mAP averages, over the
queries, the average precision of the whole database ranked by Hamming distance (ties by index);
mapAt5000 the same over the first 5,000; precisionAt100 the share of relevant items among the 100
nearest; precisionRadius2 among those within distance 2, found by looking up every address within
2 of the query (0 for a query that finds none). queriesPerSecond times the ranking and the lookup.

The hash preset trains each code with two terms beside reconstruction (README, "Semantic
hashing"): a view of each digit moved by up to 2 pixels, 10° and 10% of scale must give the
original's bits (self-augmented training), and each bit must be set for half of a batch. The
moved view needs square images; on other rows only the balance term stays.

--protocol standard is the one of papers on MNIST hashing: the 70,000 digits pooled, 1,000 queries
drawn with --seed (100 per class), and the other 69,000 both the training set and the database
(written to OUT/standard-data as IDX files, which the models train on).

Examples:
  $ aekit retrieve --bits 32 --limit 10000 --queries 1000 --epochs 10
  $ aekit retrieve --protocol standard --bits 16,32,64 --json
  $ aekit retrieve --model runs/hash-32 --json`)
    .action(async (opts: RetrieveFlags) => {
      const result = await interruptible((signal) => retrieve({
        ...opts, out: opts.out ?? `runs/retrieve-${timestamp()}`, termWeights: termWeights(opts), signal, onEvent: progressReporter(),
      }));
      emit(opts.json, result, () => [
        `database ${result.database} examples, ${result.queries} queries (protocol ${result.protocol})`,
        ...result.results.flatMap((r) => [
          `${r.bits} bits (${r.runDir})`,
          `  ${'codes'.padEnd(8)}${'mAP'.padStart(8)}${'mAP@5000'.padStart(10)}${'P@100'.padStart(8)}${'P(r≤2)'.padStart(9)}${'queries/s'.padStart(10)}`,
          row('aekit', r), ...(r.baselines ? [row('itq', r.baselines.itq), row('pcah', r.baselines.pcah), row('lsh', r.baselines.lsh)] : []),
        ]),
      ].join('\n'));
    });
}
