package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaMemcpyKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Needs a CUDA device: skipped with the probe's reason where there is none, or failed when run with
 * {@code -Djgrad.gpu.required=true}.
 */
class CudaDeviceTest {

  @BeforeEach
  void requireGpu() {
    GpuTestSupport.requireCuda();
  }

  @Test
  void deviceReportsNameAndComputeCapability() {
    cudaDeviceProp prop = new cudaDeviceProp();
    assertEquals(0, JCuda.cudaGetDeviceProperties(prop, 0));
    assertFalse(prop.getName().isBlank());
    assertTrue(prop.major >= 3, "compute capability " + prop.major + "." + prop.minor);
    assertTrue(prop.totalGlobalMem > 0);
    System.out.println(
        "[jgrad-gpu] device 0: "
            + prop.getName()
            + ", sm_"
            + prop.major
            + prop.minor
            + ", "
            + (prop.totalGlobalMem >> 20)
            + " MiB; cuBLAS "
            + (Cuda.isCublasAvailable()
                ? "available"
                : "unavailable: " + Cuda.cublasUnavailableReason()));
  }

  @Test
  void hostDeviceRoundTripIsExact() {
    float[] host = new float[100_003];
    Random rnd = new Random(1);
    for (int i = 0; i < host.length; i++) {
      host[i] = (float) rnd.nextGaussian();
    }
    long bytes = (long) host.length * Sizeof.FLOAT;
    Pointer dev = new Pointer();
    assertEquals(0, JCuda.cudaMalloc(dev, bytes));
    try {
      assertEquals(
          0, JCuda.cudaMemcpy(dev, Pointer.to(host), bytes, cudaMemcpyKind.cudaMemcpyHostToDevice));
      float[] back = new float[host.length];
      assertEquals(
          0, JCuda.cudaMemcpy(Pointer.to(back), dev, bytes, cudaMemcpyKind.cudaMemcpyDeviceToHost));
      assertArrayEquals(host, back);
    } finally {
      JCuda.cudaFree(dev);
    }
  }

  @Test
  void cublasSgemmMatchesAHostProduct() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Cuda.isCublasAvailable(), () -> "cuBLAS unavailable: " + Cuda.cublasUnavailableReason());
    int m = 37;
    int k = 64;
    int n = 29;
    Random rnd = new Random(2);
    float[] a = new float[m * k]; // column-major m x k
    float[] b = new float[k * n]; // column-major k x n
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rnd.nextGaussian();
    }
    Pointer da = new Pointer();
    Pointer db = new Pointer();
    Pointer dc = new Pointer();
    cublasHandle handle = new cublasHandle();
    assertEquals(0, JCublas2.cublasCreate(handle));
    try {
      assertEquals(0, JCuda.cudaMalloc(da, (long) a.length * Sizeof.FLOAT));
      assertEquals(0, JCuda.cudaMalloc(db, (long) b.length * Sizeof.FLOAT));
      assertEquals(0, JCuda.cudaMalloc(dc, (long) m * n * Sizeof.FLOAT));
      JCuda.cudaMemcpy(
          da, Pointer.to(a), (long) a.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyHostToDevice);
      JCuda.cudaMemcpy(
          db, Pointer.to(b), (long) b.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyHostToDevice);
      assertEquals(
          0,
          JCublas2.cublasSgemm(
              handle,
              cublasOperation.CUBLAS_OP_N,
              cublasOperation.CUBLAS_OP_N,
              m,
              n,
              k,
              Pointer.to(new float[] {1f}),
              da,
              m,
              db,
              k,
              Pointer.to(new float[] {0f}),
              dc,
              m));
      float[] c = new float[m * n];
      assertEquals(
          0,
          JCuda.cudaMemcpy(
              Pointer.to(c),
              dc,
              (long) c.length * Sizeof.FLOAT,
              cudaMemcpyKind.cudaMemcpyDeviceToHost));
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          double exact = 0;
          double magnitude = 0;
          for (int p = 0; p < k; p++) {
            exact += (double) a[i + p * m] * b[p + j * k];
            magnitude += Math.abs((double) a[i + p * m] * b[p + j * k]);
          }
          // float32 accumulation error bound, k * eps * sum|a||b|, with a margin of 2.
          double tol = 2 * k * Math.ulp(1f) * magnitude;
          assertEquals(exact, c[i + j * m], tol, "C[" + i + "," + j + "]");
        }
      }
    } finally {
      JCuda.cudaFree(da);
      JCuda.cudaFree(db);
      JCuda.cudaFree(dc);
      JCublas2.cublasDestroy(handle);
    }
  }
}
