// The fused in-place updates optimizers use (FusedKernels.scaleInPlace, accumulate, adamStep and
// sgdStep). The target
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

// FusedKernels.adamStep: per element in double, each stored value rounded once (the reference's
// order of operations, so float64 agrees bitwise with it).
template <typename T>
__device__ void adam_body(Layout p, T* pp, Layout g, const T* gp, Layout m, T* mp, Layout v, T* vp,
                          double lr, double beta1, double beta2, double eps, double wd,
                          int decoupled, int maximize, double bc1, double bc2, long long n,
                          int kind) {
  JG_LOOP(i, n) {
    const long long po = jg_offset(p, i), mo = jg_offset(m, i), vo = jg_offset(v, i);
    double x = (double)pp[po];
    double d = (double)gp[jg_offset(g, i)];
    if (maximize) d = -d;
    if (decoupled) x *= 1 - lr * wd;
    else d += wd * x;
    const double mm = jg_cast(beta1 * (double)mp[mo] + (1 - beta1) * d, kind);
    const double vv = jg_cast(beta2 * (double)vp[vo] + (1 - beta2) * (d * d), kind);
    mp[mo] = (T)mm;
    vp[vo] = (T)vv;
    x += -(lr / bc1) * (mm / (sqrt(vv) / sqrt(bc2) + eps));
    pp[po] = (T)jg_cast(x, kind);
  }
}

// FusedKernels.sgdStep; with momentum == 0 the buffer is not touched (it may be the gradient).
template <typename T>
__device__ void sgd_body(Layout p, T* pp, Layout g, const T* gp, Layout b, T* bp, double lr,
                         double momentum, double dampening, int nesterov, double wd, int maximize,
                         int first, long long n, int kind) {
  JG_LOOP(i, n) {
    const long long po = jg_offset(p, i);
    const double x = (double)pp[po];
    double gi = (double)gp[jg_offset(g, i)];
    double d = (maximize ? -gi : gi) + wd * x;
    if (momentum != 0) {
      const long long bo = jg_offset(b, i);
      double buf = first ? d : momentum * (double)bp[bo] + (1 - dampening) * d;
      buf = jg_cast(buf, kind);
      bp[bo] = (T)buf;
      d = nesterov ? d + momentum * buf : buf;
    }
    pp[po] = (T)jg_cast(x - lr * d, kind);
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
__global__ void adam_step_f32(Layout p, float* pp, Layout g, const float* gp, Layout m, float* mp,
                              Layout v, float* vp, double lr, double beta1, double beta2,
                              double eps, double wd, int decoupled, int maximize, double bc1,
                              double bc2, long long n, int kind) {
  adam_body(p, pp, g, gp, m, mp, v, vp, lr, beta1, beta2, eps, wd, decoupled, maximize, bc1, bc2,
            n, kind);
}
__global__ void adam_step_f64(Layout p, double* pp, Layout g, const double* gp, Layout m,
                              double* mp, Layout v, double* vp, double lr, double beta1,
                              double beta2, double eps, double wd, int decoupled, int maximize,
                              double bc1, double bc2, long long n, int kind) {
  adam_body(p, pp, g, gp, m, mp, v, vp, lr, beta1, beta2, eps, wd, decoupled, maximize, bc1, bc2,
            n, kind);
}
__global__ void sgd_step_f32(Layout p, float* pp, Layout g, const float* gp, Layout b, float* bp,
                             double lr, double momentum, double dampening, int nesterov, double wd,
                             int maximize, int first, long long n, int kind) {
  sgd_body(p, pp, g, gp, b, bp, lr, momentum, dampening, nesterov, wd, maximize, first, n, kind);
}
__global__ void sgd_step_f64(Layout p, double* pp, Layout g, const double* gp, Layout b,
                             double* bp, double lr, double momentum, double dampening,
                             int nesterov, double wd, int maximize, int first, long long n,
                             int kind) {
  sgd_body(p, pp, g, gp, b, bp, lr, momentum, dampening, nesterov, wd, maximize, first, n, kind);
}
}
