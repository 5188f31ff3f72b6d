package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import org.jgrad.backend.ConvGeometry;

/**
 * 3x3 convolution (stride 1, dilation 1, one group) by Winograd's minimal filtering F(2x2, 3x3):
 * forward, input gradient and weight gradient, on contiguous NCHW float32 arrays. {@link
 * Conv2dKernels} routes layers with at least {@value #MIN_CHANNELS} input and output channels here
 * (the weight gradient only for output planes of at least {@value #WEIGHT_GRAD_MIN_PLANE}
 * positions): 16 products per 2x2 output tile and channel pair instead of 36, i.e. 2.25x fewer
 * multiply-adds than im2col + GEMM.
 *
 * <p>The output is cut into 2x2 tiles, each read from a 4x4 input patch (zero outside the image).
 * With {@code B^T}, {@code G}, {@code A^T} the F(2,3) matrices (entries 0, ±1, ±1/2), per tile:
 *
 * <pre>
 *   forward          y  = A^T [ sum_c U[o][c] . V[c] ] A        U = G w G^T, V = B^T x B
 *   input gradient   dx += B [ sum_o U[o][c] . Z[o] ] B^T        Z = A dy A^T   (tiles overlap)
 *   weight gradient  dw = G^T [ sum_tiles Z[o] . V[c] ] G
 * </pre>
 *
 * where {@code .} multiplies the 16 transformed positions element by element: per position one
 * matrix product over channels (or tiles), on {@link Gemm}'s micro-kernel. The tile transforms run
 * on whole tile rows ({@link WinogradTiles}, Vector API when available), one lane per tile.
 *
 * <p>Reproducibility: how tiles are grouped depends on the shape alone; each group runs on one
 * thread in a fixed order (the input gradient's overlapping tiles add into dx in a fixed order),
 * and the weight gradient sums fixed blocks of groups, then the blocks in order, in double. Results
 * are identical for any thread count. Accuracy: each transform adds at most 4 values with
 * coefficients ±1 or ±1/2 (the weight transforms in double), so the rounding error is a small
 * multiple of the direct sum's relative to the transformed operands; {@code Winograd3x3Test} checks
 * all passes against the direct loops with the tolerance used for im2col. {@code
 * -Djgrad.conv.winograd=false} turns it off (im2col for every shape).
 */
final class Winograd3x3 {
  private Winograd3x3() {}

  static final String PROPERTY = "jgrad.conv.winograd";

  /** Whether the Winograd path may be used at all ({@code -Djgrad.conv.winograd=false}: never). */
  static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

  /** The weight gradient sums its image groups in at most this many fixed blocks. */
  static final int WEIGHT_GRAD_BLOCKS = 8;

  /** Fewer channels than this on either side make the per-position products too thin. */
  static final int MIN_CHANNELS = 16;

  /**
   * Working set of one sub-chunk (transformed operands + products), in floats: about 1 MiB. Tests
   * lower it to get several sub-chunks per group on small shapes.
   */
  static volatile int chunkFloats = 1 << 18;

  /** Whether the geometry is a 3x3, stride-1, undilated, ungrouped convolution. */
  static boolean shapeFits(ConvGeometry s) {
    return s.kH() == 3
        && s.kW() == 3
        && s.strideH() == 1
        && s.strideW() == 1
        && s.dilationH() == 1
        && s.dilationW() == 1
        && s.groups() == 1;
  }

  /**
   * Smallest output plane for which the weight gradient runs here: on smaller planes (the Keras
   * CNN's 11x11) its per-row transform overhead and the extra tile per row cost more than the saved
   * multiplications (measured 5.2-5.9 ms vs 4.6-5.0 ms for im2col at 64x32x13x13->64).
   */
  static final int WEIGHT_GRAD_MIN_PLANE = 256;

  /** Whether the weight gradient of the shape should run here (see {@link #applies}). */
  static boolean appliesToWeightGrad(ConvGeometry s) {
    return applies(s) && s.outH() * s.outW() >= WEIGHT_GRAD_MIN_PLANE;
  }

  /** Whether {@link Conv2dKernels} should use this class for the shape's forward and input grad. */
  static boolean applies(ConvGeometry s) {
    return ENABLED
        && shapeFits(s)
        && s.inChannels() >= MIN_CHANNELS
        && s.outChannels() >= MIN_CHANNELS
        && s.batch() > 0;
  }

  // ---------------------------------------------------------------- tiling (shape only)

  /**
   * How a shape is cut. A tile row holds {@code tileCols = ceil(outW/2) + 1} tiles: the extra one
   * makes every tile row exactly {@code rowFloats = 2*tileCols} floats wide in the row buffers, so
   * a run of tile rows is one run of tiles for {@link WinogradTiles}; its products are computed and
   * dropped (its gradient tile is zero). Images are processed in groups (one thread each), a group
   * in sub-chunks of whole tile rows.
   */
  record Plan(
      int tileRows,
      int tileCols,
      int rowFloats,
      int imagesPerGroup,
      int groups,
      int subRows,
      int unitRows,
      int units) {

    static Plan of(ConvGeometry s, int nr) {
      int th = (s.outH() + 1) / 2;
      int tc = (s.outW() + 1) / 2 + 1;
      int batch = s.batch();
      // Sub-chunks sized so the 16 transformed planes of both operands stay in L2.
      int perRow = 16 * (s.inChannels() + s.outChannels()) * tc;
      int subRows = Math.max(1, chunkFloats / perRow);
      // Forward and weight gradient: units of a fixed number of tile rows across image boundaries,
      // chosen so the tiles fill whole B panels of the micro-kernel where possible (a partial
      // panel costs a full one).
      int total = batch * th;
      int maxRows = Math.max(1, Math.min(total, (3 * subRows) / 2));
      int best = 1;
      double bestWaste = Double.MAX_VALUE;
      for (int r = 1; r <= maxRows; r++) {
        int tiles = r * tc;
        double waste = (double) (roundUp(tiles, nr) - tiles) / tiles;
        if (waste <= bestWaste + 1e-9) {
          bestWaste = Math.min(bestWaste, waste);
          best = r;
        }
      }
      int units = (total + best - 1) / best;
      // Input gradient: groups of whole images (its tiles overlap), cut into sub-chunks of the
      // unit's size; preferably as many images as make whole units, within a quarter of the batch
      // (load balance), else about one sub-chunk of images within an eighth.
      int images = 0;
      for (int g = 1; g <= Math.max(1, batch / 4) && images == 0; g++) {
        if (g * th % best == 0) {
          images = g;
        }
      }
      if (images == 0) {
        images = Math.max(1, Math.min(Math.max(1, batch / 8), subRows / th));
      }
      int groups = (batch + images - 1) / images;
      return new Plan(th, tc, 2 * tc, images, groups, subRows, best, units);
    }

    int groupStart(int gi, int batch) {
      return Math.min(batch, gi * imagesPerGroup);
    }

    /** Most tile rows of one image a sub-chunk or unit can hold. */
    int segmentRows() {
      return Math.min(tileRows, Math.max(subRows, unitRows));
    }
  }

  /**
   * Distance between the 16 transformed planes: one cache line more than a multiple of 16 floats,
   * so the 16 streams a transform writes (or reads) at once fall in different L1 sets. Plain
   * multiples of 4 KiB put them all in one set and the transforms ran 4x slower.
   */
  static int planeStride(int floats) {
    return roundUp(floats, 16) + 16;
  }

  static int roundUp(int a, int b) {
    return (a + b - 1) / b * b;
  }

  /** The Vector API transforms, or null without the module. */
  static final WinogradTiles VECTOR_TILES =
      VectorClasses.create(
          "org.jgrad.backend.cpu.kernels.VectorWinogradTiles", WinogradTiles.class);

  /** Vector transforms exactly when the GEMM uses its Vector API kernel. */
  static WinogradTiles defaultTiles() {
    return Gemm.simdEnabled() && VECTOR_TILES != null ? VECTOR_TILES : WinogradTiles.SCALAR;
  }

  /** Per-thread buffers. */
  static final class Buffers {
    float[] a = new float[0];
    float[] b = new float[0];
    float[] rows = new float[0];
    float[] panel = new float[0];
    float[] scratch = new float[0];
    // Per call, owned by the calling thread and read by all: transformed and packed weights, the
    // weight gradient's block sums.
    float[] weights = new float[0];
    float[] packed = new float[0];
    float[] partial = new float[0];

    // Winograd4x4's image blocks and transform scratch.
    float[] block = new float[0];
    float[] block2 = new float[0];
    float[] tmp = new float[0];

    float[] block(int n) {
      return block = atLeast(block, n);
    }

    float[] block2(int n) {
      return block2 = atLeast(block2, n);
    }

    float[] tmp(int n) {
      return tmp = atLeast(tmp, n);
    }

    float[] weights(int n) {
      return weights = atLeast(weights, n);
    }

    float[] packed(int n) {
      return packed = atLeast(packed, n);
    }

    float[] partial(int n) {
      return partial = atLeast(partial, n);
    }

    float[] panel(int n) {
      return panel = atLeast(panel, n);
    }

    float[] scratch(int n) {
      return scratch = atLeast(scratch, n);
    }

    float[] a(int n) {
      return a = atLeast(a, n);
    }

    float[] b(int n) {
      return b = atLeast(b, n);
    }

    float[] rows(int n) {
      return rows = atLeast(rows, n);
    }

    /** {@code a} itself when it holds {@code n} floats, else a new array of {@code n}. */
    private static float[] atLeast(float[] a, int n) {
      return a.length < n ? new float[n] : a;
    }
  }

  static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  /**
   * Room after the row buffers' last tile and after each output run, for transforms that compute
   * whole vectors past the end of a run ({@link WinogradTiles#overrun()}, at most 15 tiles).
   */
  private static final int ROW_SLACK = 64;

  /**
   * A sub-chunk: tile rows [r0, r1) of the group starting at image n0 (rows run image by image).
   */
  private interface SubChunk {
    void run(Buffers buf, int n0, int r0, int r1);
  }

  /** Runs the sub-chunks of groups [g0, g1) in order. */
  private static void eachSubChunk(ConvGeometry s, Plan p, int g0, int g1, SubChunk body) {
    Buffers buf = BUFFERS.get();
    for (int gi = g0; gi < g1; gi++) {
      int n0 = p.groupStart(gi, s.batch());
      int rows = (p.groupStart(gi + 1, s.batch()) - n0) * p.tileRows();
      for (int r = 0; r < rows; r += p.unitRows()) {
        body.run(buf, n0, r, Math.min(rows, r + p.unitRows()));
      }
    }
  }

  /** Runs units [u0, u1) (fixed tile-row ranges over the whole batch) in order. */
  private static void eachUnit(ConvGeometry s, Plan p, int u0, int u1, SubChunk body) {
    Buffers buf = BUFFERS.get();
    int total = s.batch() * p.tileRows();
    for (int u = u0; u < u1; u++) {
      body.run(buf, 0, u * p.unitRows(), Math.min(total, (u + 1) * p.unitRows()));
    }
  }

  /** Runs {@code body(g0, g1)} over the groups, dynamically spread over the pool's threads. */
  static void overGroups(int groups, IntRangeBody body) {
    if (groups > 1 && Parallel.threads() > 1 && !Parallel.inParallelRegion()) {
      Parallel.forChunks(groups, groups, body);
    } else {
      body.run(0, groups);
    }
  }

  /**
   * Input transform of tile rows [r0, r1) of the group at n0 for every channel: {@code V[xi][c][t]}
   * at {@code v[xi*stride + c*tiles + t]}.
   */
  private static void inputPlanes(
      WinogradTiles tt,
      ConvGeometry s,
      Plan p,
      float[] x,
      int xOff,
      int n0,
      int r0,
      int r1,
      Buffers buf,
      float[] v,
      int stride) {
    int cin = s.inChannels();
    int wp = p.rowFloats();
    int tiles = (r1 - r0) * p.tileCols();
    int plane = s.inH() * s.inW();
    // Channels outer, segments (the sub-chunk's tile rows within one image) inner, so that runs
    // are written in increasing order (see WinogradTiles.overrun). The row buffers keep one layout
    // for the whole call: zeroed once, after which only the image columns are rewritten.
    int half = (p.segmentRows() + 1) * wp + ROW_SLACK;
    float[] rows = buf.rows(2 * half);
    Arrays.fill(rows, 0, 2 * half, 0f);
    int inW = s.inW();
    int col = s.padW();
    for (int c = 0; c < cin; c++) {
      for (int r = r0; r < r1; ) {
        int n = n0 + r / p.tileRows();
        int ti0 = r % p.tileRows();
        int nrows = Math.min(r1 - r, p.tileRows() - ti0);
        int t0 = (r - r0) * p.tileCols();
        int pl = xOff + (n * cin + c) * plane;
        for (int q = 0; q <= nrows; q++) {
          int ih = 2 * (ti0 + q) - s.padH();
          for (int odd = 0; odd < 2; odd++) {
            int d = odd * half + q * wp + col;
            if (ih + odd >= 0 && ih + odd < s.inH()) {
              System.arraycopy(x, pl + (ih + odd) * inW, rows, d, inW);
            } else {
              Arrays.fill(rows, d, d + inW, 0f);
            }
          }
        }
        tt.input(rows, 0, rows, half, wp, nrows * p.tileCols(), v, c * tiles + t0, stride);
        r += nrows;
      }
    }
  }

  /**
   * Gradient transform of tile rows [r0, r1) of the group at n0 for every output channel: {@code
   * Z[xi][o][t]} at {@code z[xi*stride + o*tiles + t]}.
   */
  private static void gradPlanes(
      WinogradTiles tt,
      ConvGeometry s,
      Plan p,
      float[] dy,
      int dyOff,
      int n0,
      int r0,
      int r1,
      Buffers buf,
      float[] z,
      int stride) {
    int cout = s.outChannels();
    int outH = s.outH();
    int outW = s.outW();
    int wp = p.rowFloats();
    int tiles = (r1 - r0) * p.tileCols();
    int plane = outH * outW;
    int half = p.segmentRows() * wp + ROW_SLACK;
    float[] rows = buf.rows(2 * half);
    Arrays.fill(rows, 0, 2 * half, 0f);
    for (int o = 0; o < cout; o++) {
      for (int r = r0; r < r1; ) {
        int n = n0 + r / p.tileRows();
        int ti0 = r % p.tileRows();
        int nrows = Math.min(r1 - r, p.tileRows() - ti0);
        int t0 = (r - r0) * p.tileCols();
        int pl = dyOff + (n * cout + o) * plane;
        for (int q = 0; q < nrows; q++) {
          int oh = 2 * (ti0 + q);
          int e = q * wp;
          System.arraycopy(dy, pl + oh * outW, rows, e, outW);
          if (oh + 1 < outH) {
            System.arraycopy(dy, pl + (oh + 1) * outW, rows, half + e, outW);
          } else {
            Arrays.fill(rows, half + e, half + e + outW, 0f);
          }
        }
        tt.grad(rows, 0, rows, half, nrows * p.tileCols(), z, o * tiles + t0, stride);
        r += nrows;
      }
    }
  }

  /**
   * Packs {@code U[xi]} (at {@code u[xi*uStride + o*cin + c]}) as micro-kernel A panels, rows o and
   * depth c, or with {@code byInput} rows c and depth o: {@code [xi][row panel][depth][mr]}, rows
   * past the last zero.
   */
  private static float[] packWeights(
      ConvGeometry s, float[] u, int uStride, boolean byInput, int mr) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    int rows = byInput ? cin : cout;
    int depth = byInput ? cout : cin;
    int stride = roundUp(rows, mr) * depth;
    float[] ap = BUFFERS.get().packed(16 * stride);
    for (int xi = 0; xi < 16; xi++) {
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < depth; k++) {
          float val = byInput ? u[xi * uStride + k * cin + r] : u[xi * uStride + r * cin + k];
          ap[xi * stride + (r / mr) * mr * depth + k * mr + r % mr] = val;
        }
      }
      for (int r = rows; r < roundUp(rows, mr); r++) {
        for (int k = 0; k < depth; k++) {
          ap[xi * stride + (r / mr) * mr * depth + k * mr + r % mr] = 0f;
        }
      }
    }
    return ap;
  }

  /**
   * {@code m[xi] = A[xi] b[xi]} for the {@code positions} transformed positions: A packed by {@link
   * #packWeights} ({@code rows x depth}), {@code b[xi]} row-major {@code depth x tiles} with rows
   * {@code ld} apart at {@code b[xi*bStride]}, result row-major {@code rows x tiles}, rows {@code
   * ld} apart, at {@code m[xi*mStride]}. Each B panel is packed right before its use into a small
   * buffer that stays in L1.
   */
  static void products(
      SgemmKernel kern,
      float[] ap,
      int rows,
      int depth,
      float[] b,
      int bStride,
      int tiles,
      int ld,
      float[] m,
      int mStride,
      Buffers buf,
      int positions) {
    int mr = kern.mr;
    int nr = kern.nr;
    int apStride = roundUp(rows, mr) * depth;
    float[] panel = buf.panel(depth * nr);
    float[] scratch = buf.scratch(mr * nr);
    for (int xi = 0; xi < positions; xi++) {
      int bx = xi * bStride;
      for (int tp = 0; tp < tiles; tp += nr) {
        int cols = Math.min(nr, tiles - tp);
        if (cols == nr) {
          kern.packBRows(b, bx + tp, ld, depth, panel, 0);
        } else {
          for (int k = 0; k < depth; k++) {
            System.arraycopy(b, bx + k * ld + tp, panel, k * nr, cols);
            Arrays.fill(panel, k * nr + cols, (k + 1) * nr, 0f);
          }
        }
        for (int r0 = 0; r0 < rows; r0 += mr) {
          kern.kernel(
              depth,
              ap,
              xi * apStride + r0 * depth,
              panel,
              0,
              1f,
              0f,
              m,
              xi * mStride + r0 * ld + tp,
              ld,
              1,
              Math.min(mr, rows - r0),
              cols,
              scratch);
        }
      }
    }
  }

  /**
   * The weight gradient's per-position products: {@code P[xi]^T[c][o] (+)= V[xi][c][.] .
   * Z[xi][o][.]^T} over {@code cols} tiles, for {@code positions} positions; V and Z row-major with
   * rows {@code ld} apart at {@code xi*vs} and {@code xi*zs}, P at {@code partial[pOff +
   * xi*pStride]}. The operand packed row by row (A) is the one with fewer rows here; the other goes
   * through the transposing B packing.
   */
  static void positionProducts(
      SgemmKernel kern,
      int positions,
      int cin,
      int cout,
      int cols,
      float[] v,
      int vs,
      int ld,
      float[] z,
      int zs,
      float beta,
      float[] partial,
      int pOff,
      int pStride) {
    for (int xi = 0; xi < positions; xi++) {
      Gemm.sgemmWith(
          kern,
          cin,
          cout,
          cols,
          1f,
          v,
          xi * vs,
          ld,
          1,
          z,
          xi * zs,
          1,
          ld,
          beta,
          partial,
          pOff + xi * pStride,
          cout,
          1);
    }
  }

  // ---------------------------------------------------------------- forward

  static void forward(
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] bias,
      int biasOff,
      float[] y,
      int yOff) {
    forward(Gemm.defaultKernel(), defaultTiles(), s, x, xOff, w, wOff, bias, biasOff, y, yOff);
  }

  static void forward(
      SgemmKernel kern,
      WinogradTiles tt,
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] bias,
      int biasOff,
      float[] y,
      int yOff) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    Plan p = Plan.of(s, kern.nr);
    int uStride = planeStride(cout * cin);
    float[] up = packWeights(s, transformWeights(s, w, wOff, uStride), uStride, false, kern.mr);
    int outH = s.outH();
    int outW = s.outW();
    int wp = p.rowFloats();
    overGroups(
        p.units(),
        (g0, g1) ->
            eachUnit(
                s,
                p,
                g0,
                g1,
                (buf, n0, r0, r1) -> {
                  int tiles = (r1 - r0) * p.tileCols();
                  int vStride = planeStride(cin * tiles);
                  int mStride = planeStride(cout * tiles);
                  float[] v = buf.a(16 * vStride);
                  float[] m = buf.b(16 * mStride);
                  inputPlanes(tt, s, p, x, xOff, n0, r0, r1, buf, v, vStride);
                  products(kern, up, cout, cin, v, vStride, tiles, tiles, m, mStride, buf, 16);
                  int plane = outH * outW;
                  for (int r = r0; r < r1; ) {
                    int n = n0 + r / p.tileRows();
                    int ti0 = r % p.tileRows();
                    int nrows = Math.min(r1 - r, p.tileRows() - ti0);
                    int t0 = (r - r0) * p.tileCols();
                    int half = nrows * wp + ROW_SLACK;
                    float[] rows = buf.rows(2 * half);
                    for (int o = 0; o < cout; o++) {
                      float b = bias == null ? 0f : bias[biasOff + o];
                      tt.output(
                          m, o * tiles + t0, mStride, nrows * p.tileCols(), b, rows, 0, rows, half);
                      int pl = yOff + (n * cout + o) * plane;
                      for (int q = 0; q < nrows; q++) {
                        int oh = 2 * (ti0 + q);
                        System.arraycopy(rows, q * wp, y, pl + oh * outW, outW);
                        if (oh + 1 < outH) {
                          System.arraycopy(rows, half + q * wp, y, pl + (oh + 1) * outW, outW);
                        }
                      }
                    }
                    r += nrows;
                  }
                }));
  }

  /**
   * {@code U = G w G^T} for every (o, c), computed in double: {@code U[xi][o][c]} at {@code
   * u[xi*stride + o*cin + c]}.
   */
  private static float[] transformWeights(ConvGeometry s, float[] w, int wOff, int stride) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    float[] u = BUFFERS.get().weights(16 * stride);
    double[] t = new double[12];
    for (int o = 0; o < cout; o++) {
      for (int c = 0; c < cin; c++) {
        int g = wOff + (o * cin + c) * 9;
        // Columns first: t[i][j] = (G w)[i][j], i < 4, j < 3.
        for (int j = 0; j < 3; j++) {
          double g0 = w[g + j];
          double g1 = w[g + 3 + j];
          double g2 = w[g + 6 + j];
          t[j] = g0;
          t[3 + j] = 0.5 * (g0 + g1 + g2);
          t[6 + j] = 0.5 * (g0 - g1 + g2);
          t[9 + j] = g2;
        }
        int base = o * cin + c;
        for (int i = 0; i < 4; i++) {
          double g0 = t[3 * i];
          double g1 = t[3 * i + 1];
          double g2 = t[3 * i + 2];
          u[(4 * i) * stride + base] = (float) g0;
          u[(4 * i + 1) * stride + base] = (float) (0.5 * (g0 + g1 + g2));
          u[(4 * i + 2) * stride + base] = (float) (0.5 * (g0 - g1 + g2));
          u[(4 * i + 3) * stride + base] = (float) g2;
        }
      }
    }
    return u;
  }

  // ---------------------------------------------------------------- input gradient

  static void inputGrad(
      ConvGeometry s, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
    inputGrad(Gemm.defaultKernel(), defaultTiles(), s, dy, dyOff, w, wOff, dx, dxOff);
  }

  static void inputGrad(
      SgemmKernel kern,
      WinogradTiles tt,
      ConvGeometry s,
      float[] dy,
      int dyOff,
      float[] w,
      int wOff,
      float[] dx,
      int dxOff) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    Plan p = Plan.of(s, kern.nr);
    int uStride = planeStride(cout * cin);
    float[] up = packWeights(s, transformWeights(s, w, wOff, uStride), uStride, true, kern.mr);
    int inH = s.inH();
    int inW = s.inW();
    int plane = inH * inW;
    int inImg = cin * plane;
    int wp = p.rowFloats();
    SgemmKernel simd = Gemm.defaultKernel();
    overGroups(
        p.groups(),
        (g0, g1) -> {
          for (int gi = g0; gi < g1; gi++) {
            int n0 = p.groupStart(gi, s.batch());
            int n1 = p.groupStart(gi + 1, s.batch());
            Arrays.fill(dx, dxOff + n0 * inImg, dxOff + n1 * inImg, 0f);
          }
          eachSubChunk(
              s,
              p,
              g0,
              g1,
              (buf, n0, r0, r1) -> {
                int tiles = (r1 - r0) * p.tileCols();
                int zStride = planeStride(cout * tiles);
                int mStride = planeStride(cin * tiles);
                float[] z = buf.a(16 * zStride);
                float[] m = buf.b(16 * mStride);
                gradPlanes(tt, s, p, dy, dyOff, n0, r0, r1, buf, z, zStride);
                products(kern, up, cin, cout, z, zStride, tiles, tiles, m, mStride, buf, 16);
                for (int r = r0; r < r1; ) {
                  int n = n0 + r / p.tileRows();
                  int ti0 = r % p.tileRows();
                  int nrows = Math.min(r1 - r, p.tileRows() - ti0);
                  int t0 = (r - r0) * p.tileCols();
                  // Patch rows 0..3 of the tiles add into four row buffers (tile row q's patch row
                  // i is padded row 2*(ti0+q) + i), then into dx row by row.
                  int quarter = (nrows + 1) * wp + ROW_SLACK;
                  float[] rows = buf.rows(4 * quarter);
                  int padW = s.padW();
                  for (int c = 0; c < cin; c++) {
                    Arrays.fill(rows, 0, 4 * quarter, 0f);
                    tt.scatter(
                        m,
                        c * tiles + t0,
                        mStride,
                        nrows * p.tileCols(),
                        rows,
                        0,
                        quarter,
                        2 * quarter,
                        3 * quarter);
                    int pl = dxOff + (n * cin + c) * plane;
                    for (int q = 0; q <= nrows; q++) {
                      int ih = 2 * (ti0 + q) - s.padH();
                      for (int odd = 0; odd < 2; odd++) {
                        int row = ih + odd;
                        if (row < 0 || row >= inH) {
                          continue;
                        }
                        int d = pl + row * inW;
                        if (q < nrows) {
                          addRow(simd, dx, d, rows, odd * quarter + q * wp + padW, inW);
                        }
                        if (q > 0) {
                          addRow(simd, dx, d, rows, (2 + odd) * quarter + (q - 1) * wp + padW, inW);
                        }
                      }
                    }
                  }
                  r += nrows;
                }
              });
        });
  }

  /** {@code dst[d + i] += src[s + i]}: a plain loop for short rows (no masked vector tail). */
  private static void addRow(SgemmKernel simd, float[] dst, int d, float[] src, int s, int len) {
    if (len >= 32) {
      simd.addInto(dst, d, src, s, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }

  // ---------------------------------------------------------------- weight gradient

  static void weightGrad(
      ConvGeometry s, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
    weightGrad(Gemm.defaultKernel(), defaultTiles(), s, x, xOff, dy, dyOff, dw, dwOff);
  }

  static void weightGrad(
      SgemmKernel kern,
      WinogradTiles tt,
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] dy,
      int dyOff,
      float[] dw,
      int dwOff) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    Plan p = Plan.of(s, kern.nr);
    int blocks = Math.min(p.units(), WEIGHT_GRAD_BLOCKS);
    int pStride = cout * cin;
    float[] partial = BUFFERS.get().partial(blocks * 16 * pStride);
    IntRangeBody byBlock =
        (b0, b1) -> {
          for (int bi = b0; bi < b1; bi++) {
            int pOff = bi * 16 * pStride;
            boolean[] first = {true};
            eachUnit(
                s,
                p,
                Parallel.chunkStart(p.units(), blocks, bi),
                Parallel.chunkStart(p.units(), blocks, bi + 1),
                (buf, n0, r0, r1) -> {
                  int tiles = (r1 - r0) * p.tileCols();
                  int zStride = planeStride(cout * tiles);
                  int vStride = planeStride(cin * tiles);
                  float[] z = buf.a(16 * zStride);
                  float[] v = buf.b(16 * vStride);
                  gradPlanes(tt, s, p, dy, dyOff, n0, r0, r1, buf, z, zStride);
                  inputPlanes(tt, s, p, x, xOff, n0, r0, r1, buf, v, vStride);
                  float beta = first[0] ? 0f : 1f;
                  first[0] = false;
                  positionProducts(
                      kern, 16, cin, cout, tiles, v, vStride, tiles, z, zStride, beta, partial,
                      pOff, pStride);
                });
          }
        };
    overGroups(blocks, byBlock);
    // dw = G^T (sum of the blocks, in order, in double) G.
    Parallel.forRange(
        cout,
        Math.max(1, 4096 / Math.max(1, cin)),
        (o0, o1) -> {
          double[] q = new double[16];
          double[] t = new double[12];
          for (int o = o0; o < o1; o++) {
            for (int c = 0; c < cin; c++) {
              int at = c * cout + o;
              for (int xi = 0; xi < 16; xi++) {
                double sum = 0;
                for (int bi = 0; bi < blocks; bi++) {
                  sum += partial[bi * 16 * pStride + xi * pStride + at];
                }
                q[xi] = sum;
              }
              // Rows: t[k][j] = (G^T Q)[k][j], k < 3, j < 4.
              for (int j = 0; j < 4; j++) {
                double q0 = q[j], q1 = q[4 + j], q2 = q[8 + j], q3 = q[12 + j];
                t[j] = q0 + 0.5 * (q1 + q2);
                t[4 + j] = 0.5 * (q1 - q2);
                t[8 + j] = 0.5 * (q1 + q2) + q3;
              }
              int g = dwOff + (o * cin + c) * 9;
              for (int k = 0; k < 3; k++) {
                double q0 = t[4 * k], q1 = t[4 * k + 1], q2 = t[4 * k + 2], q3 = t[4 * k + 3];
                dw[g + 3 * k] = (float) (q0 + 0.5 * (q1 + q2));
                dw[g + 3 * k + 1] = (float) (0.5 * (q1 - q2));
                dw[g + 3 * k + 2] = (float) (0.5 * (q1 + q2) + q3);
              }
            }
          }
        });
  }
}
