// Backend.reduce and Backend.argReduce. The Java side splits x's dims into the kept ones ("outer":
// one output element each, in row-major order, x's offset included) and the reduced ones ("inner",
// offset 0); x[outer(o) + inner(k)] runs over the elements reduced into output o. Sums accumulate
// in double, max/min propagate NaN, as ReferenceBackend.reduce.
#include "jgrad_common.cuh"

#define JG_SUM 0
#define JG_MAXOP 1
#define JG_MINOP 2

__device__ __forceinline__ double jg_reduce_init(int op) {
  return op == JG_SUM ? 0.0 : op == JG_MAXOP ? -jg_inf() : jg_inf();
}

__device__ __forceinline__ double jg_reduce_step(int op, double acc, double v) {
  return op == JG_SUM ? acc + v : op == JG_MAXOP ? jg_max(acc, v) : jg_min(acc, v);
}

// One thread per output: for few reduced elements per output (e.g. a bias gradient over a batch).
template <typename T>
__device__ void reduce_thread_body(int op, Layout outer, Layout inner, const T* x, T* out,
                                   long long outputs, long long reduced, int kind) {
  JG_LOOP(o, outputs) {
    const long long base = jg_offset(outer, o);
    double acc = jg_reduce_init(op);
    for (long long k = 0; k < reduced; k++) acc = jg_reduce_step(op, acc, (double)x[base + jg_offset(inner, k)]);
    out[o] = (T)jg_cast(acc, kind);
  }
}

// One block per output (grid-stride over outputs): for many reduced elements per output.
template <typename T>
__device__ void reduce_block_body(int op, Layout outer, Layout inner, const T* x, T* out,
                                  long long outputs, long long reduced, int kind) {
  __shared__ double scratch[32];
  __shared__ int any_nan;
  for (long long o = blockIdx.x; o < outputs; o += gridDim.x) {
    const long long base = jg_offset(outer, o);
    double acc = jg_reduce_init(op);
    for (long long k = threadIdx.x; k < reduced; k += blockDim.x)
      acc = jg_reduce_step(op, acc, (double)x[base + jg_offset(inner, k)]);
    if (op == JG_SUM) {
      acc = jg_block_sum(acc, scratch);
    } else {
      // max/min through the block: NaN is tracked separately so the tree needs no NaN rules.
      if (threadIdx.x == 0) any_nan = 0;
      __syncthreads();
      if (acc != acc) any_nan = 1;
      const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
      double v = acc != acc ? jg_reduce_init(op) : acc;
      for (int s = 16; s > 0; s >>= 1) {
        const double w = __shfl_down_sync(0xffffffffu, v, s);
        v = op == JG_MAXOP ? fmax(v, w) : fmin(v, w);
      }
      if (lane == 0) scratch[warp] = v;
      __syncthreads();
      if (warp == 0) {
        v = lane < (int)(blockDim.x >> 5) ? scratch[lane] : jg_reduce_init(op);
        for (int s = 16; s > 0; s >>= 1) {
          const double w = __shfl_down_sync(0xffffffffu, v, s);
          v = op == JG_MAXOP ? fmax(v, w) : fmin(v, w);
        }
        if (lane == 0) scratch[0] = any_nan ? jg_nan() : v;
      }
      __syncthreads();
      acc = scratch[0];
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = (T)jg_cast(acc, kind);
  }
}

// Index of the first maximum (minimum) along one axis; a NaN wins at once (ReferenceBackend.argReduce).
template <typename T>
__device__ void arg_reduce_body(int op, Layout outer, int size, int stride, const T* x, double* out,
                                long long outputs) {
  JG_LOOP(o, outputs) {
    const long long base = jg_offset(outer, o);
    int best = 0;
    double best_value = 0;
    for (int k = 0; k < size; k++) {
      const double v = (double)x[base + (long long)k * stride];
      const bool better = k == 0 || (best_value == best_value &&
                                     (v != v || (op == JG_MINOP ? v < best_value : v > best_value)));
      if (better) {
        best = k;
        best_value = v;
      }
    }
    out[o] = (double)best;
  }
}

extern "C" {
__global__ void reduce_thread_f32(int op, Layout outer, Layout inner, const float* x, float* out,
                                  long long outputs, long long reduced, int kind) {
  reduce_thread_body(op, outer, inner, x, out, outputs, reduced, kind);
}
__global__ void reduce_thread_f64(int op, Layout outer, Layout inner, const double* x, double* out,
                                  long long outputs, long long reduced, int kind) {
  reduce_thread_body(op, outer, inner, x, out, outputs, reduced, kind);
}
__global__ void reduce_block_f32(int op, Layout outer, Layout inner, const float* x, float* out,
                                 long long outputs, long long reduced, int kind) {
  reduce_block_body(op, outer, inner, x, out, outputs, reduced, kind);
}
__global__ void reduce_block_f64(int op, Layout outer, Layout inner, const double* x, double* out,
                                 long long outputs, long long reduced, int kind) {
  reduce_block_body(op, outer, inner, x, out, outputs, reduced, kind);
}
__global__ void arg_reduce_f32(int op, Layout outer, int size, int stride, const float* x,
                               double* out, long long outputs) {
  arg_reduce_body(op, outer, size, stride, x, out, outputs);
}
__global__ void arg_reduce_f64(int op, Layout outer, int size, int stride, const double* x,
                               double* out, long long outputs) {
  arg_reduce_body(op, outer, size, stride, x, out, outputs);
}
}
