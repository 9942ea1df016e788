import { Command } from 'commander';
import { locateFashionMnist } from '../data/load';
import { DataOrigin } from '../data/locate';
import { CLASS_NAMES } from '../data/classes';
import { classCounts, splitIndices, SPLIT_PROTOCOLS } from '../data/splits';
import { FashionMnist, SplitProtocol } from '../data/types';

/**
 * `fmnist data`: find (or download) and verify the dataset, then describe it.
 *   fmnist data            readable summary
 *   fmnist data --json     one JSON object (issue 2 §4)
 *   fmnist data --ensure   one line; used by scripts/bootstrap.sh
 * Any problem throws an error naming the file and the fix (main prints it and exits 1).
 */

export interface DataSummary {
  source: string;
  origin: DataOrigin;
  /** true only when all four files match the published checksums (false for a subset such as the test fixture). */
  verified: boolean;
  /** 'published': checked against the published SHA-256; 'checksums.json': a subset checked against its own manifest. */
  checkedAgainst: 'published' | 'checksums.json';
  files: { name: string; path: string; sha256: string; verified: boolean }[];
  train: { images: number; labels: number };
  test: { images: number; labels: number };
  classNames: string[];
  classCounts: number[];
  splits: Record<SplitProtocol, { train: number; val: number; test: number }>;
}

export function summarizeDataset(ds: FashionMnist, origin: DataOrigin): DataSummary {
  const verified = ds.files.every((f) => f.verified);
  const splits = {} as DataSummary['splits'];
  for (const protocol of SPLIT_PROTOCOLS) {
    // Sizes do not depend on the seed; seed 0 is as good as any.
    const s = splitIndices(ds, protocol, 0);
    splits[protocol] = { train: s.train.length, val: s.val.length, test: s.test.length };
  }
  return {
    source: ds.source,
    origin,
    verified,
    checkedAgainst: verified ? 'published' : 'checksums.json',
    files: ds.files.map((f) => ({ name: f.name, path: f.path, sha256: f.sha256, verified: f.verified })),
    train: { images: ds.train.count, labels: ds.train.labels.length },
    test: { images: ds.test.count, labels: ds.test.labels.length },
    classNames: [...CLASS_NAMES],
    classCounts: classCounts(ds.train.labels, ds.test.labels),
    splits,
  };
}

const ORIGIN_TEXT: Record<DataOrigin, string> = {
  'dir option': 'the --dir folder',
  FASHION_MNIST_DIR: 'FASHION_MNIST_DIR',
  cache: 'the download cache',
  system: "Debian's dataset-fashion-mnist",
  download: 'just downloaded',
};

function verificationText(s: DataSummary): string {
  return s.verified
    ? 'all four files match the published SHA-256 checksums'
    : 'a SUBSET, not the published files: each file matches the checksums.json beside it, not the published checksums';
}

export function formatSummary(s: DataSummary): string {
  const lines = [
    `Fashion-MNIST in ${s.source} (${ORIGIN_TEXT[s.origin]})`,
    `  ${verificationText(s)}`,
    ...s.files.map((f) => `  ${f.name.padEnd(24)} ${(f.verified ? 'verified' : 'subset').padEnd(9)} sha256 ${f.sha256}`),
    `train: ${s.train.images} images, ${s.train.labels} labels; test: ${s.test.images} images, ${s.test.labels} labels`,
    'images per class (train + test):',
    ...s.classNames.map((name, k) => `  ${k}  ${name.padEnd(12)} ${String(s.classCounts[k]).padStart(6)}`),
    'split sizes (stratified by class, seeded):',
    ...Object.entries(s.splits).map(([p, z]) => `  ${p.padEnd(9)} train ${z.train}  val ${z.val}  test ${z.test}`),
  ];
  return lines.join('\n');
}

export function registerDataCommand(program: Command): void {
  program
    .command('data')
    .description('find (FASHION_MNIST_DIR, data/, /usr/share/datasets/fashion-mnist) or download the dataset, verify it and summarize it')
    .option('--json', 'print one JSON object instead of the readable summary')
    .option('--ensure', 'only make sure the dataset is present and verified; print one line')
    .option('--dir <folder>', 'read the four IDX files from this folder (overrides FASHION_MNIST_DIR)')
    .action(async (opts: { json?: boolean; ensure?: boolean; dir?: string }) => {
      if (opts.json && opts.ensure) throw new Error('--json and --ensure cannot be combined; use one of them');
      const { dataset, origin } = await locateFashionMnist({ dir: opts.dir, quiet: opts.json });
      const summary = summarizeDataset(dataset, origin);
      if (opts.ensure) {
        console.log(`fmnist data: ok, ${dataset.train.count} + ${dataset.test.count} images in ${summary.source}; ${verificationText(summary)}`);
      } else if (opts.json) {
        console.log(JSON.stringify(summary, null, 2));
      } else {
        console.log(formatSummary(summary));
      }
    });
}
