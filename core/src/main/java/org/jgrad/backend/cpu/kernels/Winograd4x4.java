package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.cpu.kernels.Winograd3x3.Buffers;

/**
 * 3x3 convolution (stride 1, undilated, one group) by Winograd's F(4x4, 3x3): forward, input
 * gradient and weight gradient on contiguous NCHW float32 arrays. 36 products per 4x4 output tile
 * and channel pair instead of 144, i.e. 4x fewer multiply-adds than im2col (F(2x2, 3x3) in {@link
 * Winograd3x3}: 2.25x). {@link Conv2dKernels} routes the small planes of CNNs here ({@link
 * #applies}): on the Keras CNN's 11x11 output F(2x2, 3x3) needs 42 tiles of 16 products (672 per
 * channel pair and image) but F(4x4, 3x3) only 9 of 36 (324), against 1089 for im2col.
 *
 * <pre>
 *   forward          y  = A^T [ sum_c U[o][c] . V[c] ] A        U = G w G^T, V = B^T x B
 *   input gradient   dx += B [ sum_o U[o][c] . Z[o] ] B^T        Z = A dy A^T   (patches overlap)
 *   weight gradient  dw = G^T [ sum_tiles Z[o] . V[c] ] G
 * </pre>
 *
 * with the 6x6 {@code B^T}, 6x3 {@code G} and 4x6 {@code A^T} of {@link Winograd4Planes}; {@code .}
 * is the element-wise product of the 36 transformed positions, summed over channels (or tiles) by
 * one matrix product per position on {@link Gemm}'s micro-kernel.
 *
 * <p>Layout: images are taken in blocks of as many as the transforms have vector lanes, and each
 * block is transposed into a zero-padded channel-height-width-image buffer, so that one vector
 * holds the same pixel of every image of the block: every 6x6 patch (or 4x4 gradient tile) is then
 * read and written with whole-vector loads and stores, without per-pixel bounds checks (a first
 * version gathered the patches pixel by pixel and spent half its time there). The transformed tiles
 * of a block are the columns of the per-position products ({@code V[xi][c][t]}, {@code t} = tile x
 * lanes + lane); outputs and input-gradient patches go back through the same kind of buffer.
 *
 * <p>Reproducibility: every result element is a sum in an order fixed by the shape. Blocks hold
 * disjoint images, so the forward pass and the input gradient (whose patches overlap, and are added
 * tile by tile in order) run blocks on any thread; the weight gradient sums fixed runs of blocks,
 * then those sums in order, in double. Results are identical for any thread count.
 *
 * <p>Accuracy: the transforms have coefficients up to 8 (and 1/24 in G, applied in double), so the
 * rounding error is larger than F(2x2, 3x3)'s: {@code Winograd4x4Test} bounds it against the direct
 * loops. {@code -Djgrad.conv.winograd4=false} (or {@code jgrad.conv.winograd=false}) turns it off.
 */
final class Winograd4x4 {
  private Winograd4x4() {}

  static final String PROPERTY = "jgrad.conv.winograd4";

  /** Whether this path may be used at all. */
  static final boolean ENABLED =
      Winograd3x3.ENABLED && !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

  /**
   * Largest output plane routed here (the largest measured: 64x64x32x32->64 fwd+bwd at 1 thread,
   * 110 ms against 143 ms for F(2x2, 3x3) + im2col in one process); larger planes stay with F(2x2,
   * 3x3).
   */
  static final int MAX_PLANE = 32 * 32;

  private static final int POSITIONS = 36;

  /** The weight gradient's last stage: per thread, sums of the blocks and G^T Q (reused). */
  private static final ThreadLocal<double[][]> FINAL_SCRATCH =
      ThreadLocal.withInitial(() -> new double[][] {new double[0], new double[0]});

  /**
   * Working set of one sub-chunk (transformed operands and products), in floats: 2 MiB, the size of
   * L2 here. Tests lower it to get several sub-chunks per block.
   */
  static volatile int chunkFloats = 1 << 19;

  /** Whether {@link Conv2dKernels} should use this class for the shape (all three passes). */
  static boolean applies(ConvGeometry s) {
    return ENABLED && Winograd3x3.applies(s) && s.outH() * s.outW() <= MAX_PLANE;
  }

  /** The Vector API transforms, or null without the module. */
  static final Winograd4Planes VECTOR_PLANES =
      VectorClasses.create(
          "org.jgrad.backend.cpu.kernels.VectorWinograd4Planes", Winograd4Planes.class);

  /** Vector transforms exactly when the GEMM uses its Vector API kernel. */
  static Winograd4Planes defaultPlanes() {
    return Gemm.simdEnabled() && VECTOR_PLANES != null ? VECTOR_PLANES : Winograd4Planes.SCALAR;
  }

  /**
   * How a shape is cut: {@code tileRows x tileCols} tiles of 4x4 outputs per image; images in
   * blocks of {@code block} (a multiple of the transforms' lanes), transposed into padded
   * channel-height-width-image buffers so that one vector holds the same value of {@code block}
   * images: input {@code inRows x inCols} (every 6x6 patch inside), output {@code 4*tileRows x
   * 4*tileCols}. Tile t of a block is lane {@code t % block} of tile {@code t / block}.
   */
  record Plan(
      int tileRows, int tileCols, int block, int blocks, int inRows, int inCols, int chunkTiles) {
    static Plan of(ConvGeometry s, Winograd4Planes tp) {
      int th = (s.outH() + 3) / 4;
      int tw = (s.outW() + 3) / 4;
      // One vector of images. Two (9 tiles x 32 images = 9 whole panels of 32 instead of 4.5)
      // measured slower and far noisier (64x32x13x13->64 fwd+bwd, median 10.9 vs 9.1 ms at 1
      // thread, 7.1-7.6 vs 5.5 ms at 2): twice the working set per thread, half the blocks to
      // share.
      int block = tp.lanes();
      // Tiles per sub-chunk: the transformed operands and products of a sub-chunk (36 positions x
      // both channel counts x tiles x images) within chunkFloats, an even count (whole panels of
      // 2 x 16 images) unless all of an image's tiles fit.
      int per = th * tw;
      int fit = chunkFloats / (POSITIONS * (s.inChannels() + s.outChannels()) * block);
      int chunk = fit >= per ? per : Math.max(1, fit & ~1);
      return new Plan(
          th, tw, block, (s.batch() + block - 1) / block, 4 * th + 2, 4 * tw + 2, chunk);
    }

    int perImage() {
      return tileRows * tileCols;
    }

    /** GEMM columns of the sub-chunk of tiles {@code [t0, t0 + chunkTiles)}. */
    int columns(int t0) {
      return (Math.min(perImage(), t0 + chunkTiles) - t0) * block;
    }

    /** Most GEMM columns of a sub-chunk. */
    int maxColumns() {
      return chunkTiles * block;
    }

    int outRows() {
      return 4 * tileRows;
    }

    int outCols() {
      return 4 * tileCols;
    }
  }

  /** Images of block bi that exist (the last block may be partial; its other lanes are zero). */
  private static int valid(ConvGeometry s, Plan p, int bi) {
    return Math.min(p.block(), s.batch() - bi * p.block());
  }

  /**
   * Transposes channels {@code [0, ch)} of the block's images, {@code h x w} each, from NCHW at
   * {@code src} into {@code dst[((c*rows + r0 + h)*cols + c0 + w)*block + lane]}, zero elsewhere.
   */
  private static void toBlock(
      Winograd4Planes tp,
      float[] src,
      int srcOff,
      int ch,
      int h,
      int w,
      int nb,
      Plan p,
      float[] dst,
      int rows,
      int cols,
      int r0,
      int c0) {
    int b = p.block();
    int plane = h * w;
    int image = ch * plane;
    // Zero only what the copy leaves: the border rows and columns, and all lanes past nb.
    int rowFloats = cols * b;
    for (int c = 0; c < ch; c++) {
      int top = c * rows * rowFloats;
      Arrays.fill(dst, top, top + r0 * rowFloats, 0f);
      Arrays.fill(dst, top + (r0 + h) * rowFloats, top + rows * rowFloats, 0f);
      for (int i = r0; i < r0 + h; i++) {
        int row = top + i * rowFloats;
        Arrays.fill(dst, row, row + c0 * b, 0f);
        Arrays.fill(dst, row + (c0 + w) * b, row + rowFloats, 0f);
        if (nb < b) {
          for (int j = c0; j < c0 + w; j++) {
            Arrays.fill(dst, row + j * b + nb, row + (j + 1) * b, 0f);
          }
        }
      }
    }
    int[] pos = positions(h, w, cols, r0, c0, b);
    for (int c = 0; c < ch; c++) {
      tp.toLanes(src, srcOff + c * plane, image, plane, 0, nb, dst, c * rows * rowFloats, pos);
    }
  }

  /** Offset in a block channel of each value of an {@code h x w} plane placed at (r0, c0). */
  private static int[] positions(int h, int w, int cols, int r0, int c0, int b) {
    int[] pos = new int[h * w];
    for (int i = 0, k = 0; i < h; i++) {
      for (int j = 0; j < w; j++, k++) {
        pos[k] = ((r0 + i) * cols + c0 + j) * b;
      }
    }
    return pos;
  }

  /** The inverse of {@link #toBlock}: copies the {@code h x w} window back to NCHW. */
  private static void fromBlock(
      Winograd4Planes tp,
      float[] src,
      int ch,
      int rows,
      int cols,
      int r0,
      int c0,
      int h,
      int w,
      int nb,
      Plan p,
      float[] dst,
      int dstOff) {
    int b = p.block();
    int plane = h * w;
    int[] pos = positions(h, w, cols, r0, c0, b);
    for (int c = 0; c < ch; c++) {
      tp.fromLanes(
          src, c * rows * cols * b, pos, plane, 0, nb, dst, dstOff + c * plane, ch * plane);
    }
  }

  /** Transposes the block's input into {@code buf.block}, padded. */
  private static float[] inputBlock(
      Winograd4Planes tp, ConvGeometry s, Plan p, float[] x, int xOff, int bi, Buffers buf) {
    int cin = s.inChannels();
    float[] xb = buf.block(cin * p.inRows() * p.inCols() * p.block());
    toBlock(
        tp,
        x,
        xOff + bi * p.block() * cin * s.inH() * s.inW(),
        cin,
        s.inH(),
        s.inW(),
        valid(s, p, bi),
        p,
        xb,
        p.inRows(),
        p.inCols(),
        s.padH(),
        s.padW());
    return xb;
  }

  /**
   * {@code V[xi][c][col]} at {@code v[xi*vs + c*cols + col]} for the tiles {@code [t0, t1)} of the
   * block buffer (tile index {@code ty*tileCols + tx}; column {@code (tile - t0)*block + lane}).
   */
  private static void inputPlanes(
      Winograd4Planes tp,
      ConvGeometry s,
      Plan p,
      float[] xb,
      int t0,
      int t1,
      float[] tmp,
      int ts,
      float[] v,
      int vs) {
    int b = p.block();
    int rs = p.inCols() * b;
    int cols = (t1 - t0) * b;
    for (int c = 0; c < s.inChannels(); c++) {
      for (int tile = t0; tile < t1; tile++) {
        int ty = tile / p.tileCols();
        int tx = tile % p.tileCols();
        int so = ((c * p.inRows() + 4 * ty) * p.inCols() + 4 * tx) * b;
        tp.input(xb, so, rs, b, b, tmp, ts, v, c * cols + (tile - t0) * b, vs);
      }
    }
  }

  /**
   * Transposes the block's output gradient into {@code gb} (4*tileRows x 4*tileCols, zero-padded).
   */
  private static void gradBlock(
      Winograd4Planes tp, ConvGeometry s, Plan p, float[] dy, int dyOff, int bi, float[] gb) {
    int cout = s.outChannels();
    toBlock(
        tp,
        dy,
        dyOff + bi * p.block() * cout * s.outH() * s.outW(),
        cout,
        s.outH(),
        s.outW(),
        valid(s, p, bi),
        p,
        gb,
        p.outRows(),
        p.outCols(),
        0,
        0);
  }

  /** {@code Z[xi][o][col]} at {@code z[xi*zs + o*cols + col]} for the tiles {@code [t0, t1)}. */
  private static void gradPlanes(
      Winograd4Planes tp,
      ConvGeometry s,
      Plan p,
      float[] gb,
      int t0,
      int t1,
      float[] tmp,
      int ts,
      float[] z,
      int zs) {
    int b = p.block();
    int rs = p.outCols() * b;
    int cols = (t1 - t0) * b;
    for (int o = 0; o < s.outChannels(); o++) {
      for (int tile = t0; tile < t1; tile++) {
        int ty = tile / p.tileCols();
        int tx = tile % p.tileCols();
        int so = ((o * p.outRows() + 4 * ty) * p.outCols() + 4 * tx) * b;
        tp.grad(gb, so, rs, b, b, tmp, ts, z, o * cols + (tile - t0) * b, zs);
      }
    }
  }

  // ---------------------------------------------------------------- weights (double)

  /** {@code G} (6x3) of F(4x4, 3x3). */
  private static final double[][] G = {
    {1 / 4d, 0, 0},
    {-1 / 6d, -1 / 6d, -1 / 6d},
    {-1 / 6d, 1 / 6d, -1 / 6d},
    {1 / 24d, 1 / 12d, 1 / 6d},
    {1 / 24d, -1 / 12d, 1 / 6d},
    {0, 0, 1},
  };

  /**
   * {@code U = G w G^T} for every (o, c), computed in double and written straight into the
   * micro-kernel's packed A layout of Winograd3x3's {@code packWeights}: rows o and depth c, or
   * with {@code byInput} rows c and depth o; {@code [xi][row panel][depth][mr]}, padding rows zero.
   */
  private static float[] packedWeights(
      ConvGeometry s, float[] w, int wOff, boolean byInput, int mr) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    int rows = byInput ? cin : cout;
    int depth = byInput ? cout : cin;
    int stride = Winograd3x3.roundUp(rows, mr) * depth;
    float[] ap = Winograd3x3.BUFFERS.get().packed(POSITIONS * stride);
    int padFrom = (rows / mr) * mr * depth;
    if (rows % mr != 0) {
      for (int xi = 0; xi < POSITIONS; xi++) {
        Arrays.fill(ap, xi * stride + padFrom, (xi + 1) * stride, 0f);
      }
    }
    // Over the threads by output channel (each writes its own panel slots): run serially before
    // every forward and input-gradient pass, it cost a tenth of those passes at 2 threads.
    Parallel.forRange(
        cout,
        8,
        (o0, o1) -> {
          double[] t = new double[18];
          double[] u = new double[6];
          for (int o = o0; o < o1; o++) {
            for (int c = 0; c < cin; c++) {
              int g = wOff + (o * cin + c) * 9;
              // t = G w (6x3), column by column; then U = t G^T, row by row.
              for (int j = 0; j < 3; j++) {
                g6(w[g + j], w[g + 3 + j], w[g + 6 + j], t, j, 3);
              }
              int r = byInput ? c : o;
              int k = byInput ? o : c;
              int at = (r / mr) * mr * depth + k * mr + r % mr;
              for (int i = 0; i < 6; i++) {
                g6(t[3 * i], t[3 * i + 1], t[3 * i + 2], u, 0, 1);
                int q = 6 * i * stride + at;
                for (int l = 0; l < 6; l++) {
                  ap[q + l * stride] = (float) u[l];
                }
              }
            }
          }
        });
    return ap;
  }

  /** {@code G (x0, x1, x2)}: six values to {@code t[off + i*step]}. */
  private static void g6(double x0, double x1, double x2, double[] t, int off, int step) {
    // Products with the reciprocals: divisions made this transform a serial hot spot.
    double sum = x0 + x2;
    double mid = x0 * (1 / 24d) + x2 * (1 / 6d);
    double h = x1 * (1 / 12d);
    t[off] = x0 * 0.25;
    t[off + step] = -(sum + x1) * (1 / 6d);
    t[off + 2 * step] = -(sum - x1) * (1 / 6d);
    t[off + 3 * step] = mid + h;
    t[off + 4 * step] = mid - h;
    t[off + 5 * step] = x2;
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
    forward(Gemm.defaultKernel(), defaultPlanes(), s, x, xOff, w, wOff, bias, biasOff, y, yOff);
  }

  static void forward(
      SgemmKernel kern,
      Winograd4Planes tp,
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
    Plan p = Plan.of(s, tp);
    float[] up = packedWeights(s, w, wOff, false, kern.mr);
    int b = p.block();
    int vs = Winograd3x3.planeStride(cin * p.maxColumns());
    int ms = Winograd3x3.planeStride(cout * p.maxColumns());
    int ts = Winograd3x3.planeStride(b);
    int outPlane = p.outRows() * p.outCols();
    int rs = p.outCols() * b;
    Winograd3x3.overGroups(
        p.blocks(),
        (b0, b1) -> {
          Buffers buf = Winograd3x3.BUFFERS.get();
          float[] v = buf.a(POSITIONS * vs);
          float[] m = buf.b(POSITIONS * ms);
          float[] tmp = buf.tmp(Winograd4Planes.TMP_PLANES * ts);
          for (int bi = b0; bi < b1; bi++) {
            float[] xb = inputBlock(tp, s, p, x, xOff, bi, buf);
            float[] yb = buf.block2(cout * outPlane * b);
            for (int t0 = 0; t0 < p.perImage(); t0 += p.chunkTiles()) {
              int t1 = Math.min(p.perImage(), t0 + p.chunkTiles());
              int cols = p.columns(t0);
              inputPlanes(tp, s, p, xb, t0, t1, tmp, ts, v, vs);
              Winograd3x3.products(kern, up, cout, cin, v, vs, cols, cols, m, ms, buf, POSITIONS);
              for (int o = 0; o < cout; o++) {
                float bo = bias == null ? 0f : bias[biasOff + o];
                for (int tile = t0; tile < t1; tile++) {
                  int ty = tile / p.tileCols();
                  int tx = tile % p.tileCols();
                  int yo = ((o * p.outRows() + 4 * ty) * p.outCols() + 4 * tx) * b;
                  tp.output(m, o * cols + (tile - t0) * b, ms, b, bo, tmp, ts, yb, yo, rs, b);
                }
              }
            }
            fromBlock(
                tp,
                yb,
                cout,
                p.outRows(),
                p.outCols(),
                0,
                0,
                s.outH(),
                s.outW(),
                valid(s, p, bi),
                p,
                y,
                yOff + bi * b * cout * s.outH() * s.outW());
          }
        });
  }

  // ---------------------------------------------------------------- input gradient

  static void inputGrad(
      ConvGeometry s, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
    inputGrad(Gemm.defaultKernel(), defaultPlanes(), s, dy, dyOff, w, wOff, dx, dxOff);
  }

  static void inputGrad(
      SgemmKernel kern,
      Winograd4Planes tp,
      ConvGeometry s,
      float[] dy,
      int dyOff,
      float[] w,
      int wOff,
      float[] dx,
      int dxOff) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    Plan p = Plan.of(s, tp);
    float[] up = packedWeights(s, w, wOff, true, kern.mr);
    int b = p.block();
    int zs = Winograd3x3.planeStride(cout * p.maxColumns());
    int ms = Winograd3x3.planeStride(cin * p.maxColumns());
    int ts = Winograd3x3.planeStride(b);
    int gradFloats = cout * p.outRows() * p.outCols() * b;
    int inFloats = cin * p.inRows() * p.inCols() * b;
    int rs = p.inCols() * b;
    Winograd3x3.overGroups(
        p.blocks(),
        (b0, b1) -> {
          Buffers buf = Winograd3x3.BUFFERS.get();
          float[] z = buf.a(POSITIONS * zs);
          float[] m = buf.b(POSITIONS * ms);
          float[] tmp = buf.tmp(Winograd4Planes.TMP_PLANES * ts);
          for (int bi = b0; bi < b1; bi++) {
            float[] gb = buf.block(gradFloats);
            gradBlock(tp, s, p, dy, dyOff, bi, gb);
            // The patches overlap: added tile by tile, in order, into the zeroed padded block.
            float[] db = buf.block2(inFloats);
            Arrays.fill(db, 0, inFloats, 0f);
            for (int t0 = 0; t0 < p.perImage(); t0 += p.chunkTiles()) {
              int t1 = Math.min(p.perImage(), t0 + p.chunkTiles());
              int cols = p.columns(t0);
              gradPlanes(tp, s, p, gb, t0, t1, tmp, ts, z, zs);
              Winograd3x3.products(kern, up, cin, cout, z, zs, cols, cols, m, ms, buf, POSITIONS);
              for (int c = 0; c < cin; c++) {
                for (int tile = t0; tile < t1; tile++) {
                  int ty = tile / p.tileCols();
                  int tx = tile % p.tileCols();
                  int po = ((c * p.inRows() + 4 * ty) * p.inCols() + 4 * tx) * b;
                  tp.scatterAdd(m, c * cols + (tile - t0) * b, ms, b, tmp, ts, db, po, rs, b);
                }
              }
            }
            fromBlock(
                tp,
                db,
                cin,
                p.inRows(),
                p.inCols(),
                s.padH(),
                s.padW(),
                s.inH(),
                s.inW(),
                valid(s, p, bi),
                p,
                dx,
                dxOff + bi * b * cin * s.inH() * s.inW());
          }
        });
  }

  // ---------------------------------------------------------------- weight gradient

  static void weightGrad(
      ConvGeometry s, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
    weightGrad(Gemm.defaultKernel(), defaultPlanes(), s, x, xOff, dy, dyOff, dw, dwOff);
  }

  static void weightGrad(
      SgemmKernel kern,
      Winograd4Planes tp,
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] dy,
      int dyOff,
      float[] dw,
      int dwOff) {
    int cin = s.inChannels();
    int cout = s.outChannels();
    Plan p = Plan.of(s, tp);
    int chunks = p.blocks();
    if (chunks == 0) {
      Arrays.fill(dw, dwOff, dwOff + s.weightSize(), 0f);
      return;
    }
    int blocks = Math.min(chunks, Winograd3x3.WEIGHT_GRAD_BLOCKS);
    int pStride = cout * cin;
    float[] partial = Winograd3x3.BUFFERS.get().partial(blocks * POSITIONS * pStride);
    int b = p.block();
    int zs = Winograd3x3.planeStride(cout * p.maxColumns());
    int vs = Winograd3x3.planeStride(cin * p.maxColumns());
    int ts = Winograd3x3.planeStride(b);
    int gradFloats = cout * p.outRows() * p.outCols() * b;
    IntRangeBody byBlock =
        (k0, k1) -> {
          Buffers buf = Winograd3x3.BUFFERS.get();
          float[] z = buf.a(POSITIONS * zs);
          float[] v = buf.b(POSITIONS * vs);
          float[] tmp = buf.tmp(Winograd4Planes.TMP_PLANES * ts);
          for (int k = k0; k < k1; k++) {
            int pOff = k * POSITIONS * pStride;
            int first = Parallel.chunkStart(chunks, blocks, k);
            int cEnd = Parallel.chunkStart(chunks, blocks, k + 1);
            for (int bi = first; bi < cEnd; bi++) {
              float[] gb = buf.block2(gradFloats);
              gradBlock(tp, s, p, dy, dyOff, bi, gb);
              float[] xb = inputBlock(tp, s, p, x, xOff, bi, buf);
              for (int t0 = 0; t0 < p.perImage(); t0 += p.chunkTiles()) {
                int t1 = Math.min(p.perImage(), t0 + p.chunkTiles());
                int cols = p.columns(t0);
                gradPlanes(tp, s, p, gb, t0, t1, tmp, ts, z, zs);
                inputPlanes(tp, s, p, xb, t0, t1, tmp, ts, v, vs);
                float beta = bi == first && t0 == 0 ? 0f : 1f;
                Winograd3x3.positionProducts(
                    kern, POSITIONS, cin, cout, cols, v, vs, cols, z, zs, beta, partial, pOff,
                    pStride);
              }
            }
          }
        };
    Winograd3x3.overGroups(blocks, byBlock);
    // dw = G^T (sum of the blocks, in order, in double) G.
    // Streamed over runs of (c, o) pairs, position by position: reading the 36 x blocks planes
    // (8 KiB apart at 32 x 64 channels) pair by pair hit one L1 set and cost a fifth of the pass.
    Parallel.forRange(
        pStride,
        512,
        (a0, a1) -> {
          int n = a1 - a0;
          double[][] scratch = FINAL_SCRATCH.get();
          if (scratch[0].length < POSITIONS * n) {
            scratch[0] = new double[POSITIONS * n];
            scratch[1] = new double[18 * n];
          }
          double[] q = scratch[0];
          double[] t = scratch[1];
          Arrays.fill(q, 0, POSITIONS * n, 0d);
          Arrays.fill(t, 0, 18 * n, 0d);
          for (int xi = 0; xi < POSITIONS; xi++) {
            for (int bi = 0; bi < blocks; bi++) {
              int src = bi * POSITIONS * pStride + xi * pStride + a0;
              for (int a = 0; a < n; a++) {
                q[xi * n + a] += partial[src + a];
              }
            }
          }
          // t = G^T Q (3x6), then dw = t G (3x3), each over the run.
          for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 6; j++) {
              for (int i = 0; i < 6; i++) {
                double g = G[i][k];
                int tq = (6 * k + j) * n;
                int qq = (6 * i + j) * n;
                for (int a = 0; a < n; a++) {
                  t[tq + a] += g * q[qq + a];
                }
              }
            }
          }
          for (int a = 0; a < n; a++) {
            int c = (a0 + a) / cout;
            int o = (a0 + a) % cout;
            int g = dwOff + (o * cin + c) * 9;
            for (int k = 0; k < 3; k++) {
              for (int l = 0; l < 3; l++) {
                double acc = 0;
                for (int j = 0; j < 6; j++) {
                  acc += t[(6 * k + j) * n + a] * G[j][l];
                }
                dw[g + 3 * k + l] = (float) acc;
              }
            }
          }
        });
  }
}
