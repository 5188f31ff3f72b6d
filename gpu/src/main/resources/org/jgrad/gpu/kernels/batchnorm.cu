// FusedKernels.batchNorm / batchNormBackward on x dense [N, C, S] (S = the trailing dims, 1 for
// [N, C]). The statistics kernels run one block per channel and sum in double; the apply kernels run
// one thread per element. weight/bias are 1-D views (stride ws / bs); has_weight = 0 means 1 and 0.
// stats (double[2C]) carries mean and invstd at full precision from the statistics kernel to the
// apply kernel, as the reference backend uses them before rounding.
#include "jgrad_common.cuh"

template <typename T>
__device__ void bn_stats_body(const T* x, int n, int c, int s, double eps, T* mean, T* invstd,
                              double* stats) {
  __shared__ double scratch[32];
  const long long m = (long long)n * s;
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    double acc = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) {
      const long long b = k / s, sp = k % s;
      acc += (double)x[(b * c + ch) * s + sp];
    }
    const double mu = jg_block_sum(acc, scratch) / m;
    double var = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) {
      const long long b = k / s, sp = k % s;
      const double d = (double)x[(b * c + ch) * s + sp] - mu;
      var += d * d;
    }
    var = jg_block_sum(var, scratch);
    if (threadIdx.x == 0) {
      const double is = 1.0 / sqrt(var / m + eps);
      mean[ch] = (T)mu;
      invstd[ch] = (T)is;
      stats[ch] = mu;
      stats[c + ch] = is;
    }
  }
}

template <typename T>
__device__ void bn_apply_body(const T* x, int c, int s, const double* stats, int has_weight,
                              const T* weight, int ws, int has_bias, const T* bias, int bs, T* y,
                              long long total) {
  JG_LOOP(i, total) {
    const int ch = (int)((i / s) % c);
    const double w = has_weight ? (double)weight[(long long)ch * ws] : 1.0;
    const double b = has_bias ? (double)bias[(long long)ch * bs] : 0.0;
    y[i] = (T)(((double)x[i] - stats[ch]) * stats[c + ch] * w + b);
  }
}

// sums[ch] = sum gy, sums[c + ch] = sum gy * xhat; dweight/dbias written when has_weight.
template <typename T>
__device__ void bn_backward_reduce_body(const T* gy, const T* x, int n, int c, int s,
                                        const T* mean, int ms, const T* invstd, int is_,
                                        int has_weight, T* dweight, T* dbias, double* sums) {
  __shared__ double scratch[32];
  const long long m = (long long)n * s;
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    const double mu = (double)mean[(long long)ch * ms], is = (double)invstd[(long long)ch * is_];
    double sg = 0, sgx = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) {
      const long long o = (k / s * c + ch) * s + k % s;
      const double g = (double)gy[o];
      sg += g;
      sgx += g * ((double)x[o] - mu) * is;
    }
    sg = jg_block_sum(sg, scratch);
    sgx = jg_block_sum(sgx, scratch);
    if (threadIdx.x == 0) {
      sums[ch] = sg;
      sums[c + ch] = sgx;
      if (has_weight) {
        dweight[ch] = (T)sgx;
        dbias[ch] = (T)sg;
      }
    }
  }
}

template <typename T>
__device__ void bn_backward_apply_body(const T* gy, const T* x, int n, int c, int s, const T* mean,
                                       int ms, const T* invstd, int is_, int has_weight,
                                       const T* weight, int ws, const double* sums, T* dx,
                                       long long total) {
  const double m = (double)n * s;
  JG_LOOP(i, total) {
    const int ch = (int)((i / s) % c);
    const double mu = (double)mean[(long long)ch * ms], is = (double)invstd[(long long)ch * is_];
    const double w = has_weight ? (double)weight[(long long)ch * ws] : 1.0;
    const double xhat = ((double)x[i] - mu) * is;
    dx[i] = (T)(w * is * ((double)gy[i] - sums[ch] / m - xhat * sums[c + ch] / m));
  }
}

extern "C" {
__global__ void bn_stats_f32(const float* x, int n, int c, int s, double eps, float* mean,
                             float* invstd, double* stats) {
  bn_stats_body(x, n, c, s, eps, mean, invstd, stats);
}
__global__ void bn_stats_f64(const double* x, int n, int c, int s, double eps, double* mean,
                             double* invstd, double* stats) {
  bn_stats_body(x, n, c, s, eps, mean, invstd, stats);
}
__global__ void bn_apply_f32(const float* x, int c, int s, const double* stats, int has_weight,
                             const float* weight, int ws, int has_bias, const float* bias, int bs,
                             float* y, long long total) {
  bn_apply_body(x, c, s, stats, has_weight, weight, ws, has_bias, bias, bs, y, total);
}
__global__ void bn_apply_f64(const double* x, int c, int s, const double* stats, int has_weight,
                             const double* weight, int ws, int has_bias, const double* bias, int bs,
                             double* y, long long total) {
  bn_apply_body(x, c, s, stats, has_weight, weight, ws, has_bias, bias, bs, y, total);
}
__global__ void bn_backward_reduce_f32(const float* gy, const float* x, int n, int c, int s,
                                       const float* mean, int ms, const float* invstd, int is_,
                                       int has_weight, float* dweight, float* dbias, double* sums) {
  bn_backward_reduce_body(gy, x, n, c, s, mean, ms, invstd, is_, has_weight, dweight, dbias, sums);
}
__global__ void bn_backward_reduce_f64(const double* gy, const double* x, int n, int c, int s,
                                       const double* mean, int ms, const double* invstd, int is_,
                                       int has_weight, double* dweight, double* dbias, double* sums) {
  bn_backward_reduce_body(gy, x, n, c, s, mean, ms, invstd, is_, has_weight, dweight, dbias, sums);
}
__global__ void bn_backward_apply_f32(const float* gy, const float* x, int n, int c, int s,
                                      const float* mean, int ms, const float* invstd, int is_,
                                      int has_weight, const float* weight, int ws,
                                      const double* sums, float* dx, long long total) {
  bn_backward_apply_body(gy, x, n, c, s, mean, ms, invstd, is_, has_weight, weight, ws, sums, dx, total);
}
__global__ void bn_backward_apply_f64(const double* gy, const double* x, int n, int c, int s,
                                      const double* mean, int ms, const double* invstd, int is_,
                                      int has_weight, const double* weight, int ws,
                                      const double* sums, double* dx, long long total) {
  bn_backward_apply_body(gy, x, n, c, s, mean, ms, invstd, is_, has_weight, weight, ws, sums, dx, total);
}
}
