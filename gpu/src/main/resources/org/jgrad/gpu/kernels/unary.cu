// Backend.unary: one entry per UnaryOp, named unary_<op>_<f32|f64>. Each line is the definition of
// ReferenceBackend.apply(UnaryOp, double), in double; the store rounds (and casts for int64/bool).
#include "jgrad_common.cuh"

#define JG_UNARY(name, expr)                                                                       \
  extern "C" __global__ void unary_##name##_f32(Layout x, const float* xp, float* out, long long n,   \
                                                int kind) {                                        \
    JG_LOOP(i, n) {                                                                                \
      const double v = (double)xp[jg_offset(x, i)];                                                \
      out[i] = (float)jg_cast((expr), kind);                                                       \
    }                                                                                              \
  }                                                                                                \
  extern "C" __global__ void unary_##name##_f64(Layout x, const double* xp, double* out,           \
                                                long long n, int kind) {                           \
    JG_LOOP(i, n) {                                                                                \
      const double v = xp[jg_offset(x, i)];                                                        \
      out[i] = jg_cast((expr), kind);                                                              \
    }                                                                                              \
  }

__device__ __forceinline__ double jg_sigmoid(double v) {
  return v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));
}
__device__ __forceinline__ double jg_sign(double v) {
  return v > 0 ? 1.0 : v < 0 ? -1.0 : v;  // keeps NaN and the sign of zero, as Math.signum
}

JG_UNARY(neg, -v)
JG_UNARY(exp, exp(v))
JG_UNARY(log, log(v))
JG_UNARY(sqrt, sqrt(v))
JG_UNARY(abs, fabs(v))
JG_UNARY(sign, jg_sign(v))
JG_UNARY(sin, sin(v))
JG_UNARY(cos, cos(v))
JG_UNARY(tanh, tanh(v))
JG_UNARY(sigmoid, jg_sigmoid(v))
JG_UNARY(relu, v > 0 ? v : 0 * v)
JG_UNARY(erf, erf(v))
JG_UNARY(reciprocal, 1.0 / v)
JG_UNARY(log1p, log1p(v))
JG_UNARY(expm1, expm1(v))
