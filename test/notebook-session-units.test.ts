import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { liveLineProgress } from '../src/training/progress';
import { staleBuildMessage } from '../src/notebook/stale-build';
import { experimentFolder } from '../src/notebook/model-cells';
import type { EpochRecord } from '../src/training/loop';

// Issue 24's pieces without a browser: the live progress line's final state, the stale dist/ note,
// the experiment figures folder and the server's pre-save hook (scripts/notebook_outputs.py).

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-session-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** What JupyterLab keeps of a stream: each carriage return overwrites the start of its line (outputarea's fixCarriageReturn). */
function asJupyterLabKeepsIt(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split('\r').reduce((shown, part) => part + shown.slice(part.length), ''))
    .join('\n');
}

const record = (epoch: number): EpochRecord => ({ epoch, loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85, learningRate: 1e-3, seconds: 2 });

describe('the live progress line of a training cell', () => {
  it('shows batches, samples/s and the ETA inside an epoch, and leaves one line per epoch', () => {
    let out = '';
    let t = 0;
    const sink = liveLineProgress((s) => (out += s), { intervalMs: 0, now: () => t });
    sink.start({ label: 'cnn3/paper', epochs: 2, stepsPerEpoch: 10, startEpoch: 0, samplesPerEpoch: 640 });
    for (const epoch of [1, 2]) {
      for (let step = 1; step <= 10; step++) {
        t += 100;
        sink.step({ epoch, step, loss: 0.5, samples: step * 64 });
        if (epoch === 1 && step === 4) expect(asJupyterLabKeepsIt(out).split('\n').pop()).toBe('[cnn3/paper] epoch 1/2  4/10 batches  640 samples/s  loss 0.5000  ETA 1s');
      }
      sink.evaluation!({ phase: 'validation', done: 1, batches: 1 });
      sink.epoch(record(epoch));
    }
    sink.evaluation!({ phase: 'evaluation', done: 1, batches: 3 });
    sink.evaluation!({ phase: 'evaluation', done: 3, batches: 3 });
    sink.stop();
    const kept = asJupyterLabKeepsIt(out).split('\n').map((l) => l.trimEnd()).filter(Boolean);
    expect(kept).toEqual([
      '[cnn3/paper] epoch 1/2  loss 0.5000  acc 0.8000  val_loss 0.4000  val_acc 0.8500  lr 1.00e-3  2.0s',
      '[cnn3/paper] epoch 2/2  loss 0.5000  acc 0.8000  val_loss 0.4000  val_acc 0.8500  lr 1.00e-3  2.0s',
    ]);
  });
});

describe('the stale dist/ note', () => {
  it('says when src/ is newer than dist/, and when dist/ was rebuilt after the kernel loaded it', () => {
    const root = path.join(tmp, 'project');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    const at = (file: string, seconds: number) => {
      fs.writeFileSync(path.join(root, file), '');
      fs.utimesSync(path.join(root, file), seconds, seconds);
    };
    at('src/a.ts', 1000);
    at('dist/a.js', 1000);
    expect(staleBuildMessage(root, 1_000_000)).toBeUndefined();
    at('src/a.ts', 1100);
    expect(staleBuildMessage(root, 1_000_000)).toMatch(/dist\/ is older than src\/ \(src\/a\.ts changed after the last build\).*npm run build.*Restart Kernel/);
    at('dist/a.js', 1200);
    expect(staleBuildMessage(root, 1_100_000)).toMatch(/dist\/ was rebuilt after this kernel imported it/);
  });
});

describe('an experiment run in a notebook', () => {
  it('gets a figures folder of its own; the notebook\'s own run keeps the committed one', () => {
    const dir = path.join('results', 'paper-e2', 'paper', 'cnn3');
    expect(experimentFolder({ seed: 42 }, { epochs: 2 }, { dir })).toBe('paper-e2');
    expect(experimentFolder({ seed: 7 }, {}, { dir: path.join('results', 'paper-seed7', 'paper', 'cnn3') })).toBe('paper-seed7');
    expect(experimentFolder({ seed: 42 }, {}, { dir: path.join('results', 'paper', 'cnn3') })).toBeUndefined();
    expect(experimentFolder({ seed: 42 }, { epochs: undefined }, { dir: path.join('results', 'paper', 'cnn3') })).toBeUndefined();
  });
});

describe("the Jupyter server's pre-save hook", () => {
  const python = path.join(__dirname, '..', '.venv', 'bin', 'python');
  it.skipIf(!fs.existsSync(python))("puts back the kernel's PNG the browser replaced, from the notebook on disk or the figures folder", () => {
    const png = (n: number) => Buffer.from([0x89, 0x50, 0x4e, 0x47, n]).toString('base64');
    const digest = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');
    const figure = (id: string, image: string, marker?: string) => ({
      output_type: 'display_data',
      data: { 'application/vnd.plotly.v1+json': { data: [{ type: 'bar', y: [id] }], layout: {} }, 'image/png': image, 'text/plain': `${id}: caption` },
      metadata: { 'image/png': { width: 600, height: 300 }, ...(marker ? { fmnist: { png_sha256: marker } } : {}) },
    });
    const notebook = (outputs: unknown[]) => ({ cells: [{ cell_type: 'code', outputs, source: '', metadata: {} }] });
    const figures = path.join(tmp, 'figures');
    fs.mkdirSync(figures, { recursive: true });
    fs.writeFileSync(path.join(figures, 'fig-new.png'), Buffer.from(png(3), 'base64'));
    const onDisk = notebook([figure('fig-a', png(1), digest(png(1))), figure('fig-old', png(2))]);
    // In the browser: every image replaced by a capture (9); fig-new was drawn in this session only.
    const saved = notebook([figure('fig-a', png(9), digest(png(1))), figure('fig-old', png(9)), figure('fig-new', png(9), digest(png(3))), figure('fig-lost', png(9), digest(png(4)))]);
    const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', 'scripts'))})
from notebook_outputs import restore_kernel_images
nb, disk = json.loads(sys.argv[1]), json.loads(sys.argv[2])
n = restore_kernel_images(nb, disk, sys.argv[3])
print(json.dumps({"changed": n, "nb": nb}))`;
    const result = JSON.parse(execFileSync(python, ['-c', script, JSON.stringify(saved), JSON.stringify(onDisk), figures], { encoding: 'utf8' })) as { changed: number; nb: ReturnType<typeof notebook> };
    const outputs = result.nb.cells[0].outputs as Array<ReturnType<typeof figure>>;
    expect(result.changed).toBe(4);
    expect(outputs[0].data['image/png']).toBe(png(1)); // the marker's PNG, from disk
    expect(outputs[1].data['image/png']).toBe(png(2)); // an older output: the PNG of the identical figure on disk
    expect(outputs[2].data['image/png']).toBe(png(3)); // drawn in this session: from figures/
    expect('image/png' in outputs[3].data).toBe(false); // nowhere to be found: dropped, never the capture
  });
});
