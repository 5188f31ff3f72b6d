// Copies, casts and fills: Backend.copy, copyInto, fill (and the gathering of strided views before a
// transfer to the host). Element types: f32 = float, f64 = double (FLOAT64, INT64, BOOL).
#include "jgrad_common.cuh"

// dst[dst layout](i) = cast(src[src layout](i)) for the n elements of the shared iteration space.
template <typename S, typename D>
__device__ void copy_body(Layout src, const S* s, Layout dst, D* d, long long n, int kind) {
  JG_LOOP(i, n) d[jg_offset(dst, i)] = (D)jg_cast((double)s[jg_offset(src, i)], kind);
}

// Every element of the view gets value (already cast on the host).
template <typename T>
__device__ void fill_body(Layout dst, T* d, double value, long long n) {
  JG_LOOP(i, n) d[jg_offset(dst, i)] = (T)value;
}

extern "C" {
__global__ void copy_f32_f32(Layout src, const float* s, Layout dst, float* d, long long n, int kind) {
  copy_body(src, s, dst, d, n, kind);
}
__global__ void copy_f32_f64(Layout src, const float* s, Layout dst, double* d, long long n, int kind) {
  copy_body(src, s, dst, d, n, kind);
}
__global__ void copy_f64_f32(Layout src, const double* s, Layout dst, float* d, long long n, int kind) {
  copy_body(src, s, dst, d, n, kind);
}
__global__ void copy_f64_f64(Layout src, const double* s, Layout dst, double* d, long long n, int kind) {
  copy_body(src, s, dst, d, n, kind);
}
__global__ void fill_f32(Layout dst, float* d, double value, long long n) { fill_body(dst, d, value, n); }
__global__ void fill_f64(Layout dst, double* d, double value, long long n) { fill_body(dst, d, value, n); }
}
