package org.jgrad.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs kernels from elementwise.cu on the device (PTX built by nvcc, loaded with the driver API)
 * and compares them with host computations. Needs a CUDA device (see {@link
 * GpuTestSupport#requireCuda}) and nvcc.
 */
class KernelDeviceTest {
  private static CUdevice device;
  private static CUmodule module;
  private static final List<CUdeviceptr> allocations = new ArrayList<>();

  @BeforeAll
  static void loadKernels(@TempDir Path dir) throws Exception {
    GpuTestSupport.requireCuda();
    Path nvcc = GpuTestSupport.requireNvcc();
    Path ptx = GpuTestSupport.compilePtx(nvcc, dir);
    JCudaDriver.setExceptionsEnabled(true);
    cuInit(0);
    device = new CUdevice();
    cuDeviceGet(device, 0);
    CUcontext context = new CUcontext();
    cuDevicePrimaryCtxRetain(context, device);
    cuCtxSetCurrent(context);
    module = new CUmodule();
    cuModuleLoadData(module, Files.readString(ptx));
  }

  @AfterAll
  static void release() {
    if (module != null) {
      allocations.forEach(JCudaDriver::cuMemFree);
      cuModuleUnload(module);
      cuDevicePrimaryCtxRelease(device);
      JCudaDriver.setExceptionsEnabled(false);
    }
  }

  private static CUdeviceptr upload(float[] host) {
    CUdeviceptr d = alloc(host.length);
    cuMemcpyHtoD(d, Pointer.to(host), (long) host.length * Sizeof.FLOAT);
    return d;
  }

  private static CUdeviceptr alloc(int n) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, n) * (long) Sizeof.FLOAT);
    allocations.add(d);
    return d;
  }

  private static float[] download(CUdeviceptr d, int n) {
    float[] host = new float[n];
    cuMemcpyDtoH(Pointer.to(host), d, (long) n * Sizeof.FLOAT);
    return host;
  }

  private static void launch(String name, int grid, int block, Pointer... args) {
    CUfunction f = new CUfunction();
    cuModuleGetFunction(f, module, name);
    cuLaunchKernel(f, grid, 1, 1, block, 1, 1, 0, null, Pointer.to(args), null);
    cuCtxSynchronize();
  }

  private static float[] gaussian(int n, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void elementwiseAddAndReluMatchTheHost() {
    int n = 100_003; // not a multiple of the block size; small grid so the stride loop wraps
    float[] a = gaussian(n, 3);
    float[] b = gaussian(n, 4);
    CUdeviceptr da = upload(a);
    CUdeviceptr db = upload(b);
    CUdeviceptr out = alloc(n);
    launch(
        "add_f32",
        64,
        256,
        Pointer.to(da),
        Pointer.to(db),
        Pointer.to(out),
        Pointer.to(new long[] {n}));
    float[] sum = download(out, n);
    launch("relu_f32", 64, 256, Pointer.to(da), Pointer.to(out), Pointer.to(new long[] {n}));
    float[] relu = download(out, n);
    for (int i = 0; i < n; i++) {
      assertEquals(a[i] + b[i], sum[i], 0f, "add at " + i); // one IEEE rounding on both sides
      assertEquals(Math.max(a[i], 0f), relu[i], 0f, "relu at " + i);
    }
  }

  @Test
  void twoPassSumIsCloseToTheExactSumAndReproducible() {
    int n = 1 << 20;
    float[] x = gaussian(n, 5);
    CUdeviceptr dx = upload(x);
    int blocks = 120;
    CUdeviceptr partial = alloc(blocks);
    CUdeviceptr total = alloc(1);
    float[] results = new float[2];
    for (int run = 0; run < 2; run++) {
      launch(
          "sum_partial_f32",
          blocks,
          256,
          Pointer.to(dx),
          Pointer.to(partial),
          Pointer.to(new long[] {n}));
      launch(
          "sum_partial_f32",
          1,
          256,
          Pointer.to(partial),
          Pointer.to(total),
          Pointer.to(new long[] {blocks}));
      results[run] = download(total, 1)[0];
    }
    double exact = 0;
    double abs = 0;
    for (float v : x) {
      exact += v;
      abs += Math.abs(v);
    }
    // Each thread adds ceil(n / threads) values in sequence, then two trees of depth <= 8 follow:
    // |error| <= (that count + 16) * u * sum|x| with u = 2^-24; Math.ulp(1f) = 2u leaves a margin
    // of 2.
    long perThread = (n + blocks * 256L - 1) / (blocks * 256L);
    assertEquals(exact, results[0], (perThread + 16) * Math.ulp(1f) * abs);
    assertEquals(
        Float.floatToIntBits(results[0]),
        Float.floatToIntBits(results[1]),
        "same launch, same bits");
  }

  @Test
  void softmaxRowsMatchTheHost() {
    int rows = 33;
    int cols = 1000;
    float[] x = gaussian(rows * cols, 6);
    for (int i = 0; i < x.length; i++) {
      x[i] *= 10; // large logits: the max subtraction matters
    }
    CUdeviceptr dx = upload(x);
    CUdeviceptr out = alloc(rows * cols);
    launch(
        "softmax_rows_f32",
        8,
        128,
        Pointer.to(dx),
        Pointer.to(out),
        Pointer.to(new int[] {rows}),
        Pointer.to(new int[] {cols}));
    float[] y = download(out, rows * cols);
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, x[r * cols + c]);
      }
      double s = 0;
      for (int c = 0; c < cols; c++) {
        s += Math.exp(x[r * cols + c] - max);
      }
      for (int c = 0; c < cols; c++) {
        double expected = Math.exp(x[r * cols + c] - max) / s;
        assertEquals(
            expected, y[r * cols + c], 1e-5 * expected + 1e-7, "softmax[" + r + "," + c + "]");
      }
    }
  }
}
