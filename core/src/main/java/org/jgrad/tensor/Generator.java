package org.jgrad.tensor;

/**
 * A seeded source of random numbers (xoshiro256** seeded through SplitMix64), so runs are
 * reproducible: same seed, same tensors, on every platform.
 *
 * <pre>{@code
 * Generator g = new Generator(42);
 * Tensor w = Tensor.randn(g, 3, 4);
 * Tensor.manualSeed(42);           // reseeds the default generator used when none is given
 * }</pre>
 */
public final class Generator {
  private static final Generator DEFAULT = new Generator(0x5EEDL);

  private long s0, s1, s2, s3;
  private double spareGaussian;
  private boolean hasSpare;

  public Generator(long seed) {
    manualSeed(seed);
  }

  /** The generator used by factories that take none; reseed it with {@link Tensor#manualSeed}. */
  public static Generator defaultGenerator() {
    return DEFAULT;
  }

  /** Restarts this generator's sequence from {@code seed}. */
  public synchronized Generator manualSeed(long seed) {
    long x = seed;
    s0 = splitMix(x += 0x9E3779B97F4A7C15L);
    s1 = splitMix(x += 0x9E3779B97F4A7C15L);
    s2 = splitMix(x += 0x9E3779B97F4A7C15L);
    s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    hasSpare = false;
    return this;
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Next 64 random bits. */
  public synchronized long nextLong() {
    return step();
  }

  /** One xoshiro256** step; callers hold the lock. */
  private long step() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * Fills {@code v} with {@code (float) nextDouble()}, element by element: the same values as that
   * loop, taking the lock once instead of once per element (a contended-free lock still costs
   * several nanoseconds, more than the draw itself; dropout draws one value per activation).
   */
  public synchronized void fillUniform(float[] v) {
    for (int i = 0; i < v.length; i++) v[i] = (float) ((step() >>> 11) * 0x1.0p-53);
  }

  /** Uniform integer in [0, bound). */
  public long nextLong(long bound) {
    if (bound <= 0)
      throw new IllegalArgumentException(
          "Generator.nextLong: bound must be positive, got " + bound);
    // Rejection sampling keeps the distribution exactly uniform.
    long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
    long r;
    do {
      r = nextLong() >>> 1;
    } while (r >= limit);
    return r % bound;
  }

  /** Uniform integer in [0, bound). */
  public int nextInt(int bound) {
    return (int) nextLong(bound);
  }

  /** Standard normal (Marsaglia polar method). */
  public synchronized double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double u, v, s;
    do {
      u = 2 * nextDouble() - 1;
      v = 2 * nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double m = Math.sqrt(-2 * Math.log(s) / s);
    spareGaussian = v * m;
    hasSpare = true;
    return u * m;
  }
}
