import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jsonText, writeFileAtomic } from '../util/atomic';

/** File names of a saved model inside its artifact folder. */
export const MODEL_JSON = 'model.json';
export const MODEL_WEIGHTS = 'weights.bin';

/**
 * A tf.io handler that saves to / loads from a folder with plain fs (tfjs-node's file:// handler
 * is unavailable here). The layout is the standard tfjs one — model.json + one weights file — so
 * `tf.loadLayersModel` in a browser can read it too. Writes are atomic; the weights go first so a
 * model.json on disk always points at complete weights.
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = modelFiles(artifacts);
      await writeFileAtomic(path.join(dir, MODEL_WEIGHTS), files.weights);
      await writeFileAtomic(path.join(dir, MODEL_JSON), files.modelJson);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON);
      let parsed: { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; format?: string };
      try {
        parsed = JSON.parse(await fs.promises.readFile(jsonPath, 'utf8'));
      } catch (err) {
        throw new Error(`${jsonPath}: cannot read the saved model (${(err as Error).message}). Retrain it with \`fmnist train <model> --force\``);
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of parsed.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await fs.promises.readFile(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: parsed.modelTopology, weightSpecs: specs, weightData, format: parsed.format };
    },
  };
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileSystemHandler(dir));
}

export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemHandler(dir));
}

/** A model as the bytes of its two files (model.json, weights.bin), in the layout fileSystemHandler writes. */
export interface SerializedModel {
  modelJson: string;
  weights: Uint8Array;
}

/** The two files of a saved model, in the standard tfjs layout (one weights file). */
function modelFiles(artifacts: tf.io.ModelArtifacts): SerializedModel {
  const weights = artifacts.weightData ? new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new Uint8Array(0);
  const json = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${MODEL_WEIGHTS}`], weights: artifacts.weightSpecs ?? [] }],
  };
  return { modelJson: jsonText(json), weights };
}

/** Serialises a model in memory, so its files can be hashed from exactly the bytes that are written. */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let out: SerializedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      out = modelFiles(artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return out!;
}

/** Builds a model from the (already verified) bytes of model.json and weights.bin. */
export async function modelFromBytes(modelJson: Uint8Array | string, weights: Uint8Array): Promise<tf.LayersModel> {
  const parsed = JSON.parse(typeof modelJson === 'string' ? modelJson : Buffer.from(modelJson).toString('utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const specs = parsed.weightsManifest.flatMap((g) => g.weights);
  const weightData = new Uint8Array(weights).buffer; // own, aligned copy
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: specs, weightData }));
}
