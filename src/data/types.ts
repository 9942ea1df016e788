/** Shapes shared by the data modules and everything downstream. Images are raw 0–255 bytes, row-major, 28×28 each. */

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** A set of images and their labels: `images.length === count * PIXELS`, `labels.length === count`. */
export interface LabelledImages {
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** One of the four IDX files, as found and verified. */
export interface DataFileInfo {
  name: string; // e.g. 'train-images-idx3-ubyte'
  path: string; // the file actually read (.gz or plain)
  sha256: string; // of the decompressed content
  verified: boolean; // sha256 matched the published checksum
  /** Which checksum the file was checked against: the published one, or the folder's checksums.json (a subset such as the test fixture; then verified is false). Added by the data layer. */
  checksumSource?: 'published' | 'manifest';
}

/** The whole dataset as published: 60,000 training and 10,000 test images. */
export interface FashionMnist {
  source: string; // directory the files were read from
  files: DataFileInfo[];
  train: LabelledImages;
  test: LabelledImages;
}

export type SplitProtocol = 'paper' | 'official';

/** A train/validation/test split; `indices` say where each image came from (train indices first, then test at 60,000+). */
export interface Split {
  protocol: SplitProtocol;
  seed: number;
  train: LabelledImages & { indices: Uint32Array };
  val: LabelledImages & { indices: Uint32Array };
  test: LabelledImages & { indices: Uint32Array };
}
