// Max and average pooling, forward and backward, on dense [N, C, H, W] inputs (FusedKernels;
// ReferenceBackend.maxPool2d/avgPool2d are the definitions). The backward kernels run one thread per
// input element and collect the outputs whose window covers it: deterministic, no atomics.
#include "jgrad_common.cuh"

// values[n,c,i,j] = max of the window; indices = its flat position y*W + z in the input plane.
// Padding counts as -inf; a NaN wins at once (torch.nn.functional.max_pool2d).
template <typename T>
__device__ void max_pool_body(Geometry g, const T* x, T* values, double* indices, long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int j = (int)(t % g.wo); t /= g.wo;
    const int i = (int)(t % g.ho);
    const long long plane = t / g.ho;  // b * C + c
    const T* xp = x + plane * g.h * g.w;
    double best = -jg_inf();
    int arg = -1;
    bool done = false;
    for (int u = 0; u < g.kh && !done; u++) {
      const int y = i * g.sh - g.ph + u * g.dh;
      if (y < 0 || y >= g.h) continue;
      for (int v = 0; v < g.kw; v++) {
        const int z = j * g.sw - g.pw + v * g.dw;
        if (z < 0 || z >= g.w) continue;
        const double val = (double)xp[y * g.w + z];
        if (arg < 0 || val > best || val != val) {
          best = val;
          arg = y * g.w + z;
          if (val != val) {
            done = true;
            break;
          }
        }
      }
    }
    values[idx] = (T)best;
    indices[idx] = (double)arg;
  }
}

template <typename T>
__device__ void max_pool_backward_body(Geometry g, const T* gy, const double* indices, T* dx,
                                       long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int z = (int)(t % g.w); t /= g.w;
    const int y = (int)(t % g.h);
    const long long plane = t / g.h;
    const long long out0 = plane * g.ho * g.wo;
    const double here = (double)(y * g.w + z);
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
        const long long o = out0 + (long long)i * g.wo + j;
        if (indices[o] == here) acc += (double)gy[o];
      }
    }
    dx[idx] = (T)acc;
  }
}

// The number of elements of window (i, j), padding included (count_include_pad=True), clipped to
// the padded input as ReferenceBackend.avgPool2d clips it.
__device__ __forceinline__ int avg_count(const Geometry& g, int i, int j) {
  const int y0 = i * g.sh - g.ph, z0 = j * g.sw - g.pw;
  const int y1 = jg_imin(y0 + g.kh, g.h + g.ph), z1 = jg_imin(z0 + g.kw, g.w + g.pw);
  return (y1 - y0) * (z1 - z0);
}

template <typename T>
__device__ void avg_pool_body(Geometry g, const T* x, T* out, long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int j = (int)(t % g.wo); t /= g.wo;
    const int i = (int)(t % g.ho);
    const long long plane = t / g.ho;
    const T* xp = x + plane * g.h * g.w;
    const int y0 = i * g.sh - g.ph, z0 = j * g.sw - g.pw;
    const int y1 = jg_imin(y0 + g.kh, g.h + g.ph), z1 = jg_imin(z0 + g.kw, g.w + g.pw);
    double s = 0;
    for (int y = jg_imax(y0, 0); y < jg_imin(y1, g.h); y++)
      for (int z = jg_imax(z0, 0); z < jg_imin(z1, g.w); z++) s += (double)xp[y * g.w + z];
    out[idx] = (T)(s / avg_count(g, i, j));
  }
}

template <typename T>
__device__ void avg_pool_backward_body(Geometry g, const T* gy, T* dx, long long total) {
  JG_LOOP(idx, total) {
    long long t = idx;
    const int z = (int)(t % g.w); t /= g.w;
    const int y = (int)(t % g.h);
    const long long plane = t / g.h;
    const long long out0 = plane * g.ho * g.wo;
    double acc = 0;
    for (int u = 0; u < g.kh; u++) {
      const int ti = y + g.ph - u;
      if (ti < 0 || ti % g.sh != 0) continue;
      const int i = ti / g.sh;
      if (i >= g.ho) continue;
      for (int v = 0; v < g.kw; v++) {
        const int tj = z + g.pw - v;
        if (tj < 0 || tj % g.sw != 0) continue;
        const int j = tj / g.sw;
        if (j >= g.wo) continue;
        // The window may be clipped short of this element (ReferenceBackend clips at h + padH).
        const int y1 = jg_imin(i * g.sh - g.ph + g.kh, g.h + g.ph);
        const int z1 = jg_imin(j * g.sw - g.pw + g.kw, g.w + g.pw);
        if (y >= y1 || z >= z1) continue;
        acc += (double)gy[out0 + (long long)i * g.wo + j] / avg_count(g, i, j);
      }
    }
    dx[idx] = (T)acc;
  }
}

extern "C" {
__global__ void max_pool_f32(Geometry g, const float* x, float* values, double* indices, long long total) {
  max_pool_body(g, x, values, indices, total);
}
__global__ void max_pool_f64(Geometry g, const double* x, double* values, double* indices, long long total) {
  max_pool_body(g, x, values, indices, total);
}
__global__ void max_pool_backward_f32(Geometry g, const float* gy, const double* indices, float* dx, long long total) {
  max_pool_backward_body(g, gy, indices, dx, total);
}
__global__ void max_pool_backward_f64(Geometry g, const double* gy, const double* indices, double* dx, long long total) {
  max_pool_backward_body(g, gy, indices, dx, total);
}
__global__ void avg_pool_f32(Geometry g, const float* x, float* out, long long total) {
  avg_pool_body(g, x, out, total);
}
__global__ void avg_pool_f64(Geometry g, const double* x, double* out, long long total) {
  avg_pool_body(g, x, out, total);
}
__global__ void avg_pool_backward_f32(Geometry g, const float* gy, float* dx, long long total) {
  avg_pool_backward_body(g, gy, dx, total);
}
__global__ void avg_pool_backward_f64(Geometry g, const double* gy, double* dx, long long total) {
  avg_pool_backward_body(g, gy, dx, total);
}
}
