import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { guarded } from './wasm-kernel-call';

/**
 * Convolution gradients on wasm, written as forward convolutions so they run on XNNPACK's
 * fast conv path. Notation (NHWC): x [N,H,W,C], filter [kh,kw,C,O], dy [N,oh,ow,O],
 * forward: y[n,p,q,o] = sum_{i,j,c} x[n, p*sh+i-top, q*sw+j-left, c] * w[i,j,c,o].
 */

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Attrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};
type Shape4 = [number, number, number, number];

function checkNhwc(kernel: string, attrs: Attrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`wasm ${kernel}: only dataFormat 'NHWC' (channelsLast) is supported, got '${attrs.dataFormat}'`);
  }
}

/** Inputs and forward-pass geometry shared by the filter-gradient kernels. */
function filterGradientSetup(args: KernelArgs) {
  const backend = args.backend as unknown as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs & { filterShape: Shape4 };
  checkNhwc('Conv2DBackpropFilter', attrs);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  return { backend, x, dy, sh, sw, kh, kw, oh, ow, top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * dW[i,j,c,o] = sum_{n,p,q} x[n, p*sh+i-top, q*sw+j-left, c] * dy[n,p,q,o]
 * is a convolution of x transposed to [C,H,W,N] (batch C, channels N) with dy transposed to
 * [oh,ow,N,O] as the filter, dilated by the forward stride; the result [C,kh,kw,O] is
 * transposed to [kh,kw,C,O].
 */
export function conv2DBackpropFilterViaConv(args: KernelArgs): tf.TensorInfo {
  const { backend, x, dy, sh, sw, kh, kw, oh, ow, top, left } = filterGradientSetup(args);
  const [N, H, W, C] = x.shape;
  // Rows/cols of x the forward pass read: [-top, (oh-1)*sh + kh - 1 - top]. Extra rows past the
  // end are cropped (negative padding), missing ones are zero-padded.
  const bottom = (oh - 1) * sh + kh - H - top;
  const right = (ow - 1) * sw + kw - W - left;
  return guarded(backend, (s) => {
    let xT = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [C,H,W,N]
    if (bottom < 0 || right < 0) {
      xT = s.run('Slice', { x: xT }, { begin: [0, 0, 0, 0], size: [C, H + Math.min(bottom, 0), W + Math.min(right, 0), N] });
    }
    const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh,ow,N,O]
    const conv = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      dilations: [sh, sw],
      pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
      dataFormat: 'NHWC',
    }); // [C,kh,kw,O]
    return s.run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  });
}

/**
 * dx = the "full" convolution of dy (zero-stuffed by the stride) with the filter flipped in
 * space and transposed to [kh,kw,O,C]. Returns undefined for configurations this does not
 * cover (NCHW, padding wider than the filter), so the caller can use the stock kernel.
 */
export function conv2DBackpropInputViaConv(args: KernelArgs): tf.TensorInfo | undefined {
  const backend = args.backend as unknown as BackendWasm;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs & { inputShape: Shape4 };
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [N, H, W] = attrs.inputShape;
  const O = dy.shape[3];
  // After zero-stuffing, dy is oh*sh rows long (the last sh-1 rows are zeros).
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = H + kh - 1 - oh * sh - padTop;
  const padRight = W + kw - 1 - ow * sw - padLeft;
  if (padTop < 0 || padLeft < 0) return undefined;
  return guarded(backend, (s) => {
    let d = dy;
    if (sh > 1 || sw > 1) {
      // Zero-stuff: [N,oh,1,ow,1,O] padded to [N,oh,sh,ow,sw,O] is dy with stride-1 zeros between.
      const r6 = s.run('Reshape', { x: dy }, { shape: [N, oh, 1, ow, 1, O] });
      const p6 = s.run('PadV2', { x: r6 }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
        constantValue: 0,
      });
      d = s.run('Reshape', { x: p6 }, { shape: [N, oh * sh, ow * sw, O] });
    }
    if (padBottom < 0 || padRight < 0) {
      // Only trailing zero rows/cols (stuffing) are cropped here.
      d = s.run('Slice', { x: d }, {
        begin: [0, 0, 0, 0],
        size: [N, oh * sh + Math.min(padBottom, 0), ow * sw + Math.min(padRight, 0), O],
      });
    }
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const wT = s.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh,kw,O,C]
    return s.run('Conv2D', { x: d, filter: wT }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [[0, 0], [padTop, Math.max(padBottom, 0)], [padLeft, Math.max(padRight, 0)], [0, 0]],
      dataFormat: 'NHWC',
    });
  });
}

/**
 * Filter gradient as one matrix product on XNNPACK's fast path, for inputs with few channels:
 * dWᵀ [O, kh·kw·C] = dyᵀ [O, N·oh·ow] × P [N·oh·ow, kh·kw·C], where P is the im2col matrix of x,
 * written straight into the wasm heap. XNNPACK packs its right operand on every call, so the
 * small P (kh·kw·C columns) is the right one rather than dy (O columns, 32 for CNN 3's first
 * layer, whose P has only 9). `matMul` must be a BatchMatMul kernel that is fast untransposed.
 */
export function conv2DBackpropFilterIm2col(args: KernelArgs, matMul: tf.KernelFunc): tf.TensorInfo {
  const { backend, x, dy, sh, sw, kh, kw, oh, ow, top, left } = filterGradientSetup(args);
  const [N, H, W, C] = x.shape;
  const O = dy.shape[3];
  const M = N * oh * ow;
  const KK = kh * kw * C;
  return guarded(backend, (s) => {
    const patches = backend.makeOutput([M, KK], 'float32');
    s.adopt(patches);
    // Views after the allocation (heap growth detaches older views).
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const pv = backend.typedArrayFromHeap(patches) as Float32Array;
    let dst = 0;
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < oh; p++) {
        for (let q = 0; q < ow; q++) {
          for (let i = 0; i < kh; i++) {
            const xr = p * sh + i - top;
            for (let j = 0; j < kw; j++) {
              const xc = q * sw + j - left;
              if (xr < 0 || xr >= H || xc < 0 || xc >= W) {
                for (let c = 0; c < C; c++) pv[dst++] = 0;
              } else {
                const src = ((n * H + xr) * W + xc) * C;
                for (let c = 0; c < C; c++) pv[dst++] = xv[src + c];
              }
            }
          }
        }
      }
    }
    const dy2 = s.run('Reshape', { x: dy }, { shape: [M, O] });
    const dyT = s.run('Transpose', { x: dy2 }, { perm: [1, 0] });
    const dwT = s.call(matMul, { a: dyT, b: patches }, { transposeA: false, transposeB: false }); // [O, KK]
    const dw = s.run('Transpose', { x: dwT }, { perm: [1, 0] });
    return s.run('Reshape', { x: dw }, { shape: [kh, kw, C, O] });
  });
}
