// FusedKernels.logSoftmaxNll: per row of logits [N, C] (any strides), lse = log(sum(exp(x))) and
// loss = lse - x[target]; rows whose target is ignore_index get loss 0; a target out of [-C, C)
// sets the error slot. One block per row (grid-stride over rows), sums in double.
#include "jgrad_common.cuh"

template <typename T>
__device__ void log_softmax_nll_body(const T* x, int rows, int cols, int rs, int cs, int x0,
                                     const double* target, int ts, int t0, double ignore_index,
                                     T* loss, T* lse, int* err, double* err_value) {
  __shared__ double scratch[32];
  __shared__ int any_nan;
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = x + x0 + (long long)r * rs;
    // Row maximum; NaN spreads as Math.max spreads it.
    if (threadIdx.x == 0) any_nan = 0;
    __syncthreads();
    double m = -jg_inf();
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
      const double v = (double)row[(long long)c * cs];
      if (v != v) any_nan = 1;
      else m = fmax(m, v);
    }
    for (int o = 16; o > 0; o >>= 1) m = fmax(m, __shfl_down_sync(0xffffffffu, m, o));
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = m;
    __syncthreads();
    if (threadIdx.x < 32) {
      m = threadIdx.x < (blockDim.x >> 5) ? scratch[threadIdx.x] : -jg_inf();
      for (int o = 16; o > 0; o >>= 1) m = fmax(m, __shfl_down_sync(0xffffffffu, m, o));
      if (threadIdx.x == 0) scratch[0] = any_nan ? jg_nan() : m;
    }
    __syncthreads();
    m = scratch[0];
    __syncthreads();
    double s = 0;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += exp((double)row[(long long)c * cs] - m);
    s = jg_block_sum(s, scratch);
    if (threadIdx.x == 0) {
      const double l = m + log(s);
      lse[r] = (T)l;
      const double raw = target[t0 + (long long)r * ts];
      if ((long long)raw == (long long)ignore_index) {
        loss[r] = (T)0;
      } else {
        const int k = jg_index(raw, cols);
        if (k < 0) {
          jg_report_index(err, err_value, raw);
          loss[r] = (T)0;
        } else {
          loss[r] = (T)(l - (double)row[(long long)k * cs]);
        }
      }
    }
  }
}

extern "C" {
__global__ void log_softmax_nll_f32(const float* x, int rows, int cols, int rs, int cs, int x0,
                                    const double* target, int ts, int t0, double ignore_index,
                                    float* loss, float* lse, int* err, double* err_value) {
  log_softmax_nll_body(x, rows, cols, rs, cs, x0, target, ts, t0, ignore_index, loss, lse, err, err_value);
}
__global__ void log_softmax_nll_f64(const double* x, int rows, int cols, int rs, int cs, int x0,
                                    const double* target, int ts, int t0, double ignore_index,
                                    double* loss, double* lse, int* err, double* err_value) {
  log_softmax_nll_body(x, rows, cols, rs, cs, x0, target, ts, t0, ignore_index, loss, lse, err, err_value);
}
}
