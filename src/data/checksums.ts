/**
 * The four Fashion-MNIST files and the SHA-256 of their decompressed content as published
 * (issue 2 §3). Checking the decompressed bytes makes plain and .gz copies verify alike.
 */

export type DataFileName =
  | 'train-images-idx3-ubyte'
  | 'train-labels-idx1-ubyte'
  | 't10k-images-idx3-ubyte'
  | 't10k-labels-idx1-ubyte';

export interface PublishedFile {
  name: DataFileName;
  kind: 'images' | 'labels';
  split: 'train' | 'test';
  sha256: string;
  bytes: number; // decompressed size
}

export const PUBLISHED_FILES: readonly PublishedFile[] = Object.freeze([
  {
    name: 'train-images-idx3-ubyte',
    kind: 'images',
    split: 'train',
    sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    bytes: 47_040_016,
  },
  {
    name: 'train-labels-idx1-ubyte',
    kind: 'labels',
    split: 'train',
    sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    bytes: 60_008,
  },
  {
    name: 't10k-images-idx3-ubyte',
    kind: 'images',
    split: 'test',
    sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    bytes: 7_840_016,
  },
  {
    name: 't10k-labels-idx1-ubyte',
    kind: 'labels',
    split: 'test',
    sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    bytes: 10_008,
  },
] as PublishedFile[]);

export const DATA_FILE_NAMES: readonly DataFileName[] = PUBLISHED_FILES.map((f) => f.name);

export function publishedFile(name: DataFileName): PublishedFile {
  const f = PUBLISHED_FILES.find((p) => p.name === name);
  if (!f) throw new Error(`unknown Fashion-MNIST file name: ${name}`);
  return f;
}
