// Batched matrix product for the cases cuBLAS does not take (int64 and bool, layouts cuBLAS cannot
// express, or no loadable libcublas.so.12): C[b](i, j) = sum_p A[b](i, p) * B[b](p, j), every operand
// addressed by element strides (rs = row stride, cs = column stride), batch b by the batch layouts.
// 16x16 tiles through shared memory; accumulation in double, one rounding on the store.
#include "jgrad_common.cuh"

#define JG_TILE 16

template <typename T>
__device__ void gemm_body(int batch0, int m, int n, int k, Layout a_batch, const T* a, int a_rs, int a_cs,
                          Layout b_batch, const T* b, int b_rs, int b_cs, T* c, int ldc,
                          long long c_batch_stride, int kind) {
  __shared__ double as[JG_TILE][JG_TILE];
  __shared__ double bs[JG_TILE][JG_TILE + 1];
  const int bat = batch0 + blockIdx.z;
  const long long a0 = jg_offset(a_batch, bat), b0 = jg_offset(b_batch, bat);
  T* cb = c + (long long)bat * c_batch_stride;
  const int row = blockIdx.y * JG_TILE + threadIdx.y;
  const int col = blockIdx.x * JG_TILE + threadIdx.x;
  double acc = 0;
  for (int p0 = 0; p0 < k; p0 += JG_TILE) {
    const int pa = p0 + threadIdx.x, pb = p0 + threadIdx.y;
    as[threadIdx.y][threadIdx.x] =
        row < m && pa < k ? (double)a[a0 + (long long)row * a_rs + (long long)pa * a_cs] : 0.0;
    bs[threadIdx.y][threadIdx.x] =
        pb < k && col < n ? (double)b[b0 + (long long)pb * b_rs + (long long)col * b_cs] : 0.0;
    __syncthreads();
    for (int q = 0; q < JG_TILE; q++) acc += as[threadIdx.y][q] * bs[q][threadIdx.x];
    __syncthreads();
  }
  if (row < m && col < n) cb[(long long)row * ldc + col] = (T)jg_cast(acc, kind);
}

extern "C" {
// Launch: block (16, 16), grid (ceil(n/16), ceil(m/16), batches from batch0, at most 65535 per
// launch); C(i, j) of batch b is at c[b * c_batch_stride + i * ldc + j].
__global__ void gemm_f32(int batch0, int m, int n, int k, Layout a_batch, const float* a, int a_rs, int a_cs,
                         Layout b_batch, const float* b, int b_rs, int b_cs, float* c, int ldc,
                         long long c_batch_stride, int kind) {
  gemm_body(batch0, m, n, k, a_batch, a, a_rs, a_cs, b_batch, b, b_rs, b_cs, c, ldc, c_batch_stride, kind);
}
__global__ void gemm_f64(int batch0, int m, int n, int k, Layout a_batch, const double* a, int a_rs, int a_cs,
                         Layout b_batch, const double* b, int b_rs, int b_cs, double* c, int ldc,
                         long long c_batch_stride, int kind) {
  gemm_body(batch0, m, n, k, a_batch, a, a_rs, a_cs, b_batch, b, b_rs, b_cs, c, ldc, c_batch_stride, kind);
}
}
