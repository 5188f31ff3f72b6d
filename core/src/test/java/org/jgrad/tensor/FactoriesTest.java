package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.junit.jupiter.api.Test;

/** Factories: values, shapes, dtypes, and seeded randomness with sane statistics. */
class FactoriesTest {
  @Test
  void constantFactories() {
    Tensor z = Tensor.zeros(2, 3);
    assertArrayEquals(new int[] {2, 3}, z.shape());
    assertEquals(DType.FLOAT32, z.dtype());
    assertEquals(Device.CPU, z.device());
    assertArrayEquals(new double[6], z.toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 1}, Tensor.ones(3).toDoubleArray());
    assertArrayEquals(new double[] {2.5, 2.5}, Tensor.full(2.5, 2).toDoubleArray());
    assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2).dtype());
    assertEquals(DType.INT64, Tensor.ones(DType.INT64, 2).dtype());
    assertEquals(DType.INT64, Tensor.full(DType.INT64, 7, 1).dtype());
    Tensor s = Tensor.scalar(3.5);
    assertEquals(0, s.dim());
    assertEquals(1, s.numel());
    assertEquals(3.5, s.item());
    assertEquals(DType.FLOAT64, Tensor.scalar(1, DType.FLOAT64).dtype());
    assertEquals(0, Tensor.zeros(0, 4).numel());
    assertEquals(0, Tensor.zeros().dim(), "no shape means a scalar for zeros()");
    Tensor ref = Tensor.randn(2, 2).to(Device.REFERENCE);
    assertEquals(Device.REFERENCE, Tensor.zerosLike(ref).device());
    assertEquals(Device.REFERENCE, Tensor.onesLike(ref).device());
    assertArrayEquals(new int[] {2, 2}, Tensor.onesLike(ref).shape());
  }

  @Test
  void ofCopiesItsInput() {
    float[] data = {1, 2, 3, 4};
    Tensor t = Tensor.of(data, 2, 2);
    data[0] = 100;
    assertEquals(1.0, t.get(0, 0));
    assertArrayEquals(new int[] {4}, Tensor.of(data).shape(), "no shape means 1-D for of()");
    assertEquals(DType.FLOAT64, Tensor.of(new double[] {1}).dtype());
    Tensor l = Tensor.ofLongs(new long[] {3, -1}, 2);
    assertEquals(DType.INT64, l.dtype());
    assertArrayEquals(new long[] {3, -1}, l.toLongArray());
    assertEquals(-1.0, l.get(-1));
  }

  @Test
  void arangeFollowsPyTorch() {
    assertArrayEquals(new double[] {0, 1, 2, 3, 4}, Tensor.arange(5.0).toDoubleArray());
    assertArrayEquals(new double[] {1, 1.25, 1.5, 1.75}, Tensor.arange(1, 2, 0.25).toDoubleArray());
    assertArrayEquals(new double[] {5, 3, 1}, Tensor.arange(5.0, 0, -2).toDoubleArray());
    assertEquals(0, Tensor.arange(3, 1, 1).numel(), "an empty range");
    assertEquals(0, Tensor.arange(0).numel());
    assertEquals(
        4, Tensor.arange(0, 1, 0.3).numel(), "ceil((end - start) / step) elements: 0, .3, .6, .9");
    assertEquals(DType.FLOAT32, Tensor.arange(3.0).dtype());
    assertEquals(
        DType.INT64, Tensor.arange(3).dtype(), "integer arguments give int64, as torch.arange(3)");
  }

  @Test
  void linspaceIncludesBothEnds() {
    assertArrayEquals(
        new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5).toDoubleArray());
    assertArrayEquals(new double[] {3}, Tensor.linspace(3, 7, 1).toDoubleArray());
    assertEquals(0, Tensor.linspace(0, 1, 0).numel());
    float[] v = Tensor.linspace(-1, 0.3, 14).toFloatArray();
    assertEquals(-1f, v[0]);
    assertEquals(0.3f, v[13], "the last value is exactly end");
    for (int i = 1; i < v.length; i++) assertEquals(0.1, v[i] - v[i - 1], 1e-6);
    assertArrayEquals(
        new double[] {2, 1.5, 1}, Tensor.linspace(2, 1, 3).toDoubleArray(), "decreasing");
  }

  @Test
  void eyeIsTheIdentity() {
    Tensor e = Tensor.eye(3);
    assertArrayEquals(new int[] {3, 3}, e.shape());
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) assertEquals(i == j ? 1.0 : 0.0, e.get(i, j));
    Tensor a = Tensor.randn(3, 3);
    assertArrayEquals(a.toFloatArray(), a.matmul(e).toFloatArray());
    assertEquals(0, Tensor.eye(0).numel());
  }

  @Test
  void seededGeneratorsAreReproducible() {
    assertArrayEquals(
        Tensor.randn(new Generator(42), 100).toFloatArray(),
        Tensor.randn(new Generator(42), 100).toFloatArray());
    assertArrayEquals(
        Tensor.rand(new Generator(42), 7, 3).toFloatArray(),
        Tensor.rand(new Generator(42), 7, 3).toFloatArray());
    assertArrayEquals(
        Tensor.randint(new Generator(3), -5, 5, 50).toLongArray(),
        Tensor.randint(new Generator(3), -5, 5, 50).toLongArray());
    assertArrayEquals(
        Tensor.randperm(20, new Generator(9)).toLongArray(),
        Tensor.randperm(20, new Generator(9)).toLongArray());
    assertFalse(
        Arrays.equals(
            Tensor.randn(new Generator(1), 10).toFloatArray(),
            Tensor.randn(new Generator(2), 10).toFloatArray()));
    Generator g = new Generator(5);
    float[] first = Tensor.randn(g, 10).toFloatArray();
    assertFalse(Arrays.equals(first, Tensor.randn(g, 10).toFloatArray()), "a generator advances");
    g.manualSeed(5);
    assertArrayEquals(
        first, Tensor.randn(g, 10).toFloatArray(), "manualSeed restarts the sequence");
  }

  @Test
  void manualSeedResetsTheDefaultGenerator() {
    Tensor.manualSeed(1234);
    float[] a = Tensor.randn(3, 4).toFloatArray();
    float[] b = Tensor.rand(5).toFloatArray();
    long[] c = Tensor.randint(0, 10, 6).toLongArray();
    Tensor.manualSeed(1234);
    assertArrayEquals(a, Tensor.randn(3, 4).toFloatArray());
    assertArrayEquals(b, Tensor.rand(5).toFloatArray());
    assertArrayEquals(c, Tensor.randint(0, 10, 6).toLongArray());
    assertArrayEquals(
        a,
        Tensor.randn(new Generator(1234), 3, 4).toFloatArray(),
        "the default generator is an ordinary one");
  }

  @Test
  void knownValuesPinTheAlgorithm() {
    // The generator is specified as xoshiro256** seeded by SplitMix64: its first outputs for seed 0
    // are fixed by that definition, so a change of algorithm (and of every seeded run) shows up
    // here.
    Generator g = new Generator(0);
    long x = 0;
    long s0 = splitMix(x += 0x9E3779B97F4A7C15L), s1 = splitMix(x += 0x9E3779B97F4A7C15L);
    long s2 = splitMix(x += 0x9E3779B97F4A7C15L), s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    for (int i = 0; i < 5; i++) {
      long expected = Long.rotateLeft(s1 * 5, 7) * 9;
      long t = s1 << 17;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = Long.rotateLeft(s3, 45);
      assertEquals(expected, g.nextLong(), "output " + i);
    }
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Test
  void bulkUniformFillDrawsTheSameSequenceAsSingleDraws() {
    Generator bulk = new Generator(11), single = new Generator(11);
    float[] v = new float[1003];
    bulk.fillUniform(v);
    for (int i = 0; i < v.length; i++) {
      assertEquals((float) single.nextDouble(), v[i], "element " + i);
    }
    // The state moved on by exactly v.length draws.
    assertEquals(single.nextLong(), bulk.nextLong());
    float[] r = Tensor.rand(new Generator(12), 7, 9).toFloatArray();
    Generator g = new Generator(12);
    for (int i = 0; i < r.length; i++) assertEquals((float) g.nextDouble(), r[i], "rand " + i);
  }

  @Test
  void randomValuesHaveTheRightDistributions() {
    int n = 20_000;
    double[] u = Tensor.rand(new Generator(7), n).toDoubleArray();
    double mean = 0, min = 1, max = 0;
    for (double v : u) {
      mean += v / n;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(min >= 0 && max < 1, "rand is in [0, 1)");
    assertEquals(0.5, mean, 0.01); // sd of the mean is 0.002
    double[] z = Tensor.randn(new Generator(8), n).toDoubleArray();
    double m = 0, v2 = 0;
    for (double d : z) m += d / n;
    for (double d : z) v2 += (d - m) * (d - m) / (n - 1);
    assertEquals(0, m, 0.03);
    assertEquals(1, v2, 0.04);
    long[] k = Tensor.randint(new Generator(9), -3, 4, n).toLongArray();
    int[] counts = new int[7];
    for (long x : k) {
      assertTrue(x >= -3 && x < 4, "randint stays in [low, high)");
      counts[(int) x + 3]++;
    }
    for (int c : counts) assertEquals(n / 7.0, c, 0.1 * n / 7, Arrays.toString(counts));
    long[] p = Tensor.randperm(50, new Generator(10)).toLongArray();
    long[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 50; i++) assertEquals(i, sorted[i], "randperm is a permutation");
  }
}
