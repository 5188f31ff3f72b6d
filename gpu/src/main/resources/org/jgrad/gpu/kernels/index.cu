// Backend.gather and Backend.scatterAdd along one dim. The iteration space is the index tensor's
// shape; the Java side passes each operand's strides over it, with the gathered (scattered) dim's
// stride set to 0 in x's (out's) layout and passed separately, so the chosen position is added once.
// A bad index sets the error slot (jg_report_index) and the element is skipped; the host throws.
#include "jgrad_common.cuh"

template <typename T>
__device__ void gather_body(Layout x, const T* xp, int x_dim_stride, int size, Layout index,
                            const double* ip, T* out, long long n, int* err, double* err_value) {
  JG_LOOP(i, n) {
    const double raw = ip[jg_offset(index, i)];
    const int j = jg_index(raw, size);
    if (j < 0) {
      jg_report_index(err, err_value, raw);
      out[i] = (T)0;
      continue;
    }
    out[i] = xp[jg_offset(x, i) + (long long)j * x_dim_stride];
  }
}

// out already holds a dense copy of base; src values are added at the indexed positions. Several
// elements may hit one position, hence atomicAdd (so the summation order, and the last bits of a
// float sum, vary from run to run).
template <typename T>
__device__ void scatter_add_body(Layout out_layout, T* out, int out_dim_stride, int size,
                                 Layout index, const double* ip, Layout src, const T* sp,
                                 long long n, int* err, double* err_value) {
  JG_LOOP(i, n) {
    const double raw = ip[jg_offset(index, i)];
    const int j = jg_index(raw, size);
    if (j < 0) {
      jg_report_index(err, err_value, raw);
      continue;
    }
    atomicAdd(out + jg_offset(out_layout, i) + (long long)j * out_dim_stride, sp[jg_offset(src, i)]);
  }
}

extern "C" {
__global__ void gather_f32(Layout x, const float* xp, int x_dim_stride, int size, Layout index,
                           const double* ip, float* out, long long n, int* err, double* err_value) {
  gather_body(x, xp, x_dim_stride, size, index, ip, out, n, err, err_value);
}
__global__ void gather_f64(Layout x, const double* xp, int x_dim_stride, int size, Layout index,
                           const double* ip, double* out, long long n, int* err, double* err_value) {
  gather_body(x, xp, x_dim_stride, size, index, ip, out, n, err, err_value);
}
__global__ void scatter_add_f32(Layout out_layout, float* out, int out_dim_stride, int size,
                                Layout index, const double* ip, Layout src, const float* sp,
                                long long n, int* err, double* err_value) {
  scatter_add_body(out_layout, out, out_dim_stride, size, index, ip, src, sp, n, err, err_value);
}
__global__ void scatter_add_f64(Layout out_layout, double* out, int out_dim_stride, int size,
                                Layout index, const double* ip, Layout src, const double* sp,
                                long long n, int* err, double* err_value) {
  scatter_add_body(out_layout, out, out_dim_stride, size, index, ip, src, sp, n, err, err_value);
}
}
