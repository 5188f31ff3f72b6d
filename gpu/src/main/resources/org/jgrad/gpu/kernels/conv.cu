// The two data movements of convolution by GEMM (the products run on cuBLAS): im2col lays the
// receptive fields of x out as columns, col2im sums columns back into an image (the gradient with
// respect to the input, also convTranspose2d). x and dx are dense [N, C, H, W]; cols is dense
// [N, C*kH*kW, outH*outW], row (c*kH + u)*kW + v, column i*outW + j, as ConvGeometry defines them.
#include "jgrad_common.cuh"

template <typename T>
__device__ void im2col_body(Geometry g, const T* x, T* cols, long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int j = (int)(t % g.wo); t /= g.wo;
    const int i = (int)(t % g.ho); t /= g.ho;
    const int v = (int)(t % g.kw); t /= g.kw;
    const int u = (int)(t % g.kh); t /= g.kh;
    const int c = (int)(t % g.c);
    const int b = (int)(t / g.c);
    const int y = i * g.sh - g.ph + u * g.dh;
    const int z = j * g.sw - g.pw + v * g.dw;
    cols[idx] = (y >= 0 && y < g.h && z >= 0 && z < g.w)
                    ? x[(((long long)b * g.c + c) * g.h + y) * g.w + z]
                    : (T)0;
  }
}

// One thread per image element, summing the columns that read it: deterministic, no atomics.
template <typename T>
__device__ void col2im_body(Geometry g, const T* cols, T* x, long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int z = (int)(t % g.w); t /= g.w;
    const int y = (int)(t % g.h); t /= g.h;
    const int c = (int)(t % g.c);
    const int b = (int)(t / g.c);
    const long long plane = (long long)g.ho * g.wo;
    const T* base = cols + ((long long)b * g.c + c) * g.kh * g.kw * plane;
    double acc = 0;
    for (int u = 0; u < g.kh; u++) {
      const int ti = y + g.ph - u * g.dh;
      if (ti < 0 || ti % g.sh != 0) continue;
      const int i = ti / g.sh;
      if (i >= g.ho) continue;
      for (int v = 0; v < g.kw; v++) {
        const int tj = z + g.pw - v * g.dw;
        if (tj < 0 || tj % g.sw != 0) continue;
        const int j = tj / g.sw;
        if (j >= g.wo) continue;
        acc += (double)base[((long long)u * g.kw + v) * plane + (long long)i * g.wo + j];
      }
    }
    x[idx] = (T)acc;
  }
}

extern "C" {
__global__ void im2col_f32(Geometry g, const float* x, float* cols, long long total) {
  im2col_body(g, x, cols, total);
}
__global__ void im2col_f64(Geometry g, const double* x, double* cols, long long total) {
  im2col_body(g, x, cols, total);
}
__global__ void col2im_f32(Geometry g, const float* cols, float* x, long long total) {
  col2im_body(g, cols, x, total);
}
__global__ void col2im_f64(Geometry g, const double* cols, double* x, long long total) {
  col2im_body(g, cols, x, total);
}
}
