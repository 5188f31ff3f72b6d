// The fused in-place updates optimizers use (FusedKernels.scaleInPlace and accumulate). The target
// is a view (any strides); the operands are laid over the target's shape (stride 0 where broadcast).
#include "jgrad_common.cuh"

// mode: 0 = target + alpha * a, 1 = target + alpha * (a * b), 2 = target + alpha * (a / b).
template <typename T>
__device__ void accumulate_body(Layout t, T* tp, double alpha, Layout a, const T* ap, Layout b,
                                const T* bp, int mode, long long n, int kind) {
  JG_LOOP(i, n) {
    const double x = (double)ap[jg_offset(a, i)];
    double v = x;
    if (mode == 1) v = x * (double)bp[jg_offset(b, i)];
    else if (mode == 2) v = x / (double)bp[jg_offset(b, i)];
    const long long o = jg_offset(t, i);
    tp[o] = (T)jg_cast((double)tp[o] + alpha * v, kind);
  }
}

template <typename T>
__device__ void scale_body(Layout t, T* tp, Layout f, const T* fp, long long n, int kind) {
  JG_LOOP(i, n) {
    const long long o = jg_offset(t, i);
    tp[o] = (T)jg_cast((double)tp[o] * (double)fp[jg_offset(f, i)], kind);
  }
}

extern "C" {
__global__ void accumulate_f32(Layout t, float* tp, double alpha, Layout a, const float* ap,
                               Layout b, const float* bp, int mode, long long n, int kind) {
  accumulate_body(t, tp, alpha, a, ap, b, bp, mode, n, kind);
}
__global__ void accumulate_f64(Layout t, double* tp, double alpha, Layout a, const double* ap,
                               Layout b, const double* bp, int mode, long long n, int kind) {
  accumulate_body(t, tp, alpha, a, ap, b, bp, mode, n, kind);
}
__global__ void scale_inplace_f32(Layout t, float* tp, Layout f, const float* fp, long long n, int kind) {
  scale_body(t, tp, f, fp, n, kind);
}
__global__ void scale_inplace_f64(Layout t, double* tp, Layout f, const double* fp, long long n, int kind) {
  scale_body(t, tp, f, fp, n, kind);
}
}
