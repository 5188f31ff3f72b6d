// Shared definitions of jgrad's CUDA kernels, included by every kernel file (NVRTC gets it as a
// named header, nvcc through -I). Self-contained on purpose: no CUDA toolkit header is included, so
// NVRTC needs no include path.
//
// Element types on the device: FLOAT32 tensors are float; FLOAT64, INT64 and BOOL tensors are double
// (as on the host, where they share double[]: integers are exact up to 2^53). Every kernel computes in
// double and rounds once on the store, as the reference backend defines each primitive; for
// memory-bound kernels that costs nothing measurable.
#pragma once

#define JG_MAX_RANK 8

// The layout of one operand as the Java side passes it (by value, 4-byte ints): the logical shape of
// the iteration space and the operand's strides over it (0 where broadcast), plus its storage offset.
// Java merges adjacent dims first, so a dense tensor arrives as rank 1 with stride 1.
struct Layout {
  int rank;
  int offset;
  int shape[JG_MAX_RANK];
  int stride[JG_MAX_RANK];
};

// Storage index of the element at row-major position i of the layout's shape.
__device__ __forceinline__ long long jg_offset(const Layout& l, long long i) {
  long long o = l.offset;
  for (int d = l.rank - 1; d >= 0; d--) {
    const int s = l.shape[d];
    o += (long long)(i % s) * l.stride[d];
    i /= s;
  }
  return o;
}

// ConvGeometry of conv2d and pooling, flattened by the Java side in this order (14 ints, by value):
// batch, channels (of x), inH, inW, kH, kW, strides, paddings, dilations, outH, outW.
struct Geometry {
  int n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo;
};

// dtype codes of the Java DType enum (ordinal order): the cast applied on every store.
#define JG_FLOAT32 0
#define JG_FLOAT64 1
#define JG_INT64 2
#define JG_BOOL 3

// ReferenceBackend.castValue: integers truncate toward zero (Java's (long) cast: NaN -> 0, saturating),
// booleans are 0 or 1 (NaN is true).
__device__ __forceinline__ double jg_cast(double v, int kind) {
  if (kind == JG_INT64) {
    if (v != v) return 0.0;
    if (v >= 9.223372036854775807e18) return 9.223372036854775807e18;
    if (v <= -9.223372036854775808e18) return -9.223372036854775808e18;
    return trunc(v);
  }
  if (kind == JG_BOOL) return v != 0.0 ? 1.0 : 0.0;
  return v;
}

__device__ __forceinline__ double jg_nan() { return __longlong_as_double(0x7ff8000000000000LL); }
__device__ __forceinline__ double jg_inf() { return __longlong_as_double(0x7ff0000000000000LL); }

// Java's Math.max / min with NaN propagation, as ReduceOp and BinaryOp MAX/MIN are defined.
__device__ __forceinline__ double jg_max(double a, double b) {
  if (a != a || b != b) return jg_nan();
  return a > b ? a : b;
}
__device__ __forceinline__ double jg_min(double a, double b) {
  if (a != a || b != b) return jg_nan();
  return a < b ? a : b;
}

// Integer min/max written out, so no toolkit header is needed under NVRTC.
__device__ __forceinline__ int jg_imin(int a, int b) { return a < b ? a : b; }
__device__ __forceinline__ int jg_imax(int a, int b) { return a > b ? a : b; }

#define JG_LOOP(i, n)                                                                  \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
       i += (long long)blockDim.x * gridDim.x)

// Block-wide sum of double values; the result is valid in every thread. scratch holds 32 doubles.
// Block sizes must be multiples of 32, at most 1024.
__device__ __forceinline__ double jg_block_sum(double v, double* scratch) {
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < (int)(blockDim.x >> 5) ? scratch[lane] : 0.0;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) scratch[0] = v;
  }
  __syncthreads();
  v = scratch[0];
  __syncthreads();  // scratch may be reused right after
  return v;
}

// Records the first bad index a kernel met: err[0] = 1 and err_value[0] = the index value. The host
// reads both after the kernel and throws the message the reference backend throws.
__device__ __forceinline__ void jg_report_index(int* err, double* err_value, double value) {
  if (atomicCAS(err, 0, 1) == 0) err_value[0] = value;
}

// ReferenceBackend.checkIndex: negative indices count from the end; -1 when out of bounds.
__device__ __forceinline__ int jg_index(double value, int size) {
  long long j = (long long)value;
  if (j < 0) j += size;
  return (j < 0 || j >= size) ? -1 : (int)j;
}
