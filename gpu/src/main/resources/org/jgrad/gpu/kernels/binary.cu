// Backend.binary and Backend.where. binary_<op>_<f32|f64>: one entry per BinaryOp, each line the
// definition of ReferenceBackend.apply(BinaryOp, double, double), in double. Comparisons store BOOL,
// which lives in double on the device, so their output type is double for both input types.
#include "jgrad_common.cuh"

#define JG_BINARY(name, O32, expr)                                                             \
  extern "C" __global__ void binary_##name##_f32(Layout a, const float* ap, Layout b,          \
                                                 const float* bp, O32* out, long long n,       \
                                                 int kind) {                                   \
    JG_LOOP(i, n) {                                                                            \
      const double x = (double)ap[jg_offset(a, i)];                                            \
      const double y = (double)bp[jg_offset(b, i)];                                            \
      out[i] = (O32)jg_cast((expr), kind);                                                     \
    }                                                                                          \
  }                                                                                            \
  extern "C" __global__ void binary_##name##_f64(Layout a, const double* ap, Layout b,         \
                                                 const double* bp, double* out, long long n,   \
                                                 int kind) {                                   \
    JG_LOOP(i, n) {                                                                            \
      const double x = ap[jg_offset(a, i)];                                                    \
      const double y = bp[jg_offset(b, i)];                                                    \
      out[i] = jg_cast((expr), kind);                                                          \
    }                                                                                          \
  }

JG_BINARY(add, float, x + y)
JG_BINARY(sub, float, x - y)
JG_BINARY(mul, float, x * y)
JG_BINARY(div, float, x / y)
JG_BINARY(pow, float, pow(x, y))
JG_BINARY(max, float, jg_max(x, y))
JG_BINARY(min, float, jg_min(x, y))
JG_BINARY(eq, double, x == y ? 1.0 : 0.0)
JG_BINARY(ne, double, x != y ? 1.0 : 0.0)
JG_BINARY(lt, double, x < y ? 1.0 : 0.0)
JG_BINARY(le, double, x <= y ? 1.0 : 0.0)
JG_BINARY(gt, double, x > y ? 1.0 : 0.0)
JG_BINARY(ge, double, x >= y ? 1.0 : 0.0)

// out = cond ? a : b; cond is BOOL (double), out is dense.
template <typename T>
__device__ void where_body(Layout c, const double* cp, Layout a, const T* ap, Layout b, const T* bp,
                           T* out, long long n) {
  JG_LOOP(i, n) out[i] = cp[jg_offset(c, i)] != 0.0 ? ap[jg_offset(a, i)] : bp[jg_offset(b, i)];
}

extern "C" {
__global__ void where_f32(Layout c, const double* cp, Layout a, const float* ap, Layout b,
                          const float* bp, float* out, long long n) {
  where_body(c, cp, a, ap, b, bp, out, n);
}
__global__ void where_f64(Layout c, const double* cp, Layout a, const double* ap, Layout b,
                          const double* bp, double* out, long long n) {
  where_body(c, cp, a, ap, b, bp, out, n);
}
}
