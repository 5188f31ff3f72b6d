package org.jgrad.backend.cpu.kernels;

/**
 * The tile transforms of {@link Winograd3x3} over a run of {@code count} consecutive tiles, in
 * plain Java; {@code VectorWinogradTiles} overrides them with Vector API code (loaded by name only
 * when the module is present, as the GEMM kernel is).
 *
 * <p>Tile f of a run reads or writes columns {@code 2f .. 2f+3} of rows laid out {@code wp} floats
 * apart, where {@code wp} is even: a tile row of {@code wp/2} tiles (one more than the image needs:
 * the extra tile reads into the next row and its results are dropped or are zero). The 16
 * transformed values of tile f are at {@code out[o + xi*s + f]}, {@code xi = 4*row + column} of the
 * 4x4 transformed tile. Rows of the input patch alternate between two buffers: even patch rows in
 * {@code pe}, odd ones in {@code po}, so that consecutive tile rows are {@code wp} apart in each.
 */
class WinogradTiles {
  static final WinogradTiles SCALAR = new WinogradTiles();

  /** Name for reports and tests. */
  String name() {
    return "scalar";
  }

  /**
   * How many tiles past {@code count} {@link #input}, {@link #grad} and {@link #output} may
   * compute: they read up to {@code 2*overrun + 4} floats past their row buffers' last tile (so
   * those need that much slack), and write up to {@code overrun} values past the end of each output
   * run (so runs must be written in increasing order, with that much room after the last). {@link
   * #scatter} never writes past its tiles. Zero here.
   */
  int overrun() {
    return 0;
  }

  /**
   * {@code V = B^T d B}: patch row 0 at {@code pe[e + 2f]}, row 1 at {@code po[p + 2f]}, rows 2 and
   * 3 one {@code wp} further.
   */
  void input(float[] pe, int e, float[] po, int p, int wp, int count, float[] v, int o, int s) {
    for (int f = 0; f < count; f++) {
      int a = e + 2 * f;
      int b = p + 2 * f;
      inputTile(
          pe[a],
          pe[a + 1],
          pe[a + 2],
          pe[a + 3],
          po[b],
          po[b + 1],
          po[b + 2],
          po[b + 3],
          pe[a + wp],
          pe[a + wp + 1],
          pe[a + wp + 2],
          pe[a + wp + 3],
          po[b + wp],
          po[b + wp + 1],
          po[b + wp + 2],
          po[b + wp + 3],
          v,
          o + f,
          s);
    }
  }

  private static void inputTile(
      float d00,
      float d01,
      float d02,
      float d03,
      float d10,
      float d11,
      float d12,
      float d13,
      float d20,
      float d21,
      float d22,
      float d23,
      float d30,
      float d31,
      float d32,
      float d33,
      float[] v,
      int o,
      int s) {
    // Columns: e[i][j] = (B^T d)[i][j]; then rows: V[i][j] = (e B)[i][j].
    float e00 = d00 - d20, e01 = d01 - d21, e02 = d02 - d22, e03 = d03 - d23;
    float e10 = d10 + d20, e11 = d11 + d21, e12 = d12 + d22, e13 = d13 + d23;
    float e20 = d20 - d10, e21 = d21 - d11, e22 = d22 - d12, e23 = d23 - d13;
    float e30 = d10 - d30, e31 = d11 - d31, e32 = d12 - d32, e33 = d13 - d33;
    v[o] = e00 - e02;
    v[o + s] = e01 + e02;
    v[o + 2 * s] = e02 - e01;
    v[o + 3 * s] = e01 - e03;
    v[o + 4 * s] = e10 - e12;
    v[o + 5 * s] = e11 + e12;
    v[o + 6 * s] = e12 - e11;
    v[o + 7 * s] = e11 - e13;
    v[o + 8 * s] = e20 - e22;
    v[o + 9 * s] = e21 + e22;
    v[o + 10 * s] = e22 - e21;
    v[o + 11 * s] = e21 - e23;
    v[o + 12 * s] = e30 - e32;
    v[o + 13 * s] = e31 + e32;
    v[o + 14 * s] = e32 - e31;
    v[o + 15 * s] = e31 - e33;
  }

  /**
   * {@code Z = A g A^T} of 2x2 gradient tiles: row 0 of tile f at {@code ge[e + 2f]}, row 1 at
   * {@code go[p + 2f]}.
   */
  void grad(float[] ge, int e, float[] go, int p, int count, float[] z, int o, int s) {
    for (int f = 0; f < count; f++) {
      float a00 = ge[e + 2 * f], a01 = ge[e + 2 * f + 1];
      float a10 = go[p + 2 * f], a11 = go[p + 2 * f + 1];
      // Rows: r[i][j] = (A g)[i][j]; then columns: Z[i][j] = (r A^T)[i][j].
      float r10 = a00 + a10, r11 = a01 + a11;
      float r20 = a00 - a10, r21 = a01 - a11;
      int q = o + f;
      z[q] = a00;
      z[q + s] = a00 + a01;
      z[q + 2 * s] = a00 - a01;
      z[q + 3 * s] = -a01;
      z[q + 4 * s] = r10;
      z[q + 5 * s] = r10 + r11;
      z[q + 6 * s] = r10 - r11;
      z[q + 7 * s] = -r11;
      z[q + 8 * s] = r20;
      z[q + 9 * s] = r20 + r21;
      z[q + 10 * s] = r20 - r21;
      z[q + 11 * s] = -r21;
      z[q + 12 * s] = -a10;
      z[q + 13 * s] = -a10 - a11;
      z[q + 14 * s] = a11 - a10;
      z[q + 15 * s] = a11;
    }
  }

  /**
   * {@code Y = A^T M A + bias}: output row 0 of tile f to {@code ye[e + 2f], ye[e + 2f + 1]}, row 1
   * to {@code yo[p + 2f], ...}.
   */
  void output(
      float[] m, int o, int s, int count, float bias, float[] ye, int e, float[] yo, int p) {
    for (int f = 0; f < count; f++) {
      int q = o + f;
      float m00 = m[q], m01 = m[q + s], m02 = m[q + 2 * s], m03 = m[q + 3 * s];
      float m10 = m[q + 4 * s], m11 = m[q + 5 * s], m12 = m[q + 6 * s], m13 = m[q + 7 * s];
      float m20 = m[q + 8 * s], m21 = m[q + 9 * s], m22 = m[q + 10 * s], m23 = m[q + 11 * s];
      float m30 = m[q + 12 * s], m31 = m[q + 13 * s], m32 = m[q + 14 * s], m33 = m[q + 15 * s];
      // Rows: r[k][j] = (A^T M)[k][j]; then columns.
      float r00 = m00 + m10 + m20, r01 = m01 + m11 + m21;
      float r02 = m02 + m12 + m22, r03 = m03 + m13 + m23;
      float r10 = m10 - m20 - m30, r11 = m11 - m21 - m31;
      float r12 = m12 - m22 - m32, r13 = m13 - m23 - m33;
      ye[e + 2 * f] = r00 + r01 + r02 + bias;
      ye[e + 2 * f + 1] = r01 - r02 - r03 + bias;
      yo[p + 2 * f] = r10 + r11 + r12 + bias;
      yo[p + 2 * f + 1] = r11 - r12 - r13 + bias;
    }
  }

  /**
   * Adds {@code B M B^T} of each tile to its 4x4 patch: patch row i of tile f to {@code r[ei + 2f
   * .. ei + 2f + 3]} (four separate row buffers, so that the extra tiles of {@link #overrun()} only
   * touch the row after the last). Tiles in order, each adding its 16 values row by row.
   */
  void scatter(float[] m, int o, int s, int count, float[] r, int e0, int e1, int e2, int e3) {
    for (int f = 0; f < count; f++) {
      int q = o + f;
      float m00 = m[q], m01 = m[q + s], m02 = m[q + 2 * s], m03 = m[q + 3 * s];
      float m10 = m[q + 4 * s], m11 = m[q + 5 * s], m12 = m[q + 6 * s], m13 = m[q + 7 * s];
      float m20 = m[q + 8 * s], m21 = m[q + 9 * s], m22 = m[q + 10 * s], m23 = m[q + 11 * s];
      float m30 = m[q + 12 * s], m31 = m[q + 13 * s], m32 = m[q + 14 * s], m33 = m[q + 15 * s];
      // Rows: r[i][j] = (B M)[i][j]; B's rows are (1,0,0,0), (0,1,-1,1), (-1,1,1,0), (0,0,0,-1).
      float r10 = m10 - m20 + m30, r11 = m11 - m21 + m31;
      float r12 = m12 - m22 + m32, r13 = m13 - m23 + m33;
      float r20 = m10 + m20 - m00, r21 = m11 + m21 - m01;
      float r22 = m12 + m22 - m02, r23 = m13 + m23 - m03;
      int a = e0 + 2 * f;
      r[a] += m00;
      r[a + 1] += m01 - m02 + m03;
      r[a + 2] += m02 + m01 - m00;
      r[a + 3] += -m03;
      a = e1 + 2 * f;
      r[a] += r10;
      r[a + 1] += r11 - r12 + r13;
      r[a + 2] += r12 + r11 - r10;
      r[a + 3] += -r13;
      a = e2 + 2 * f;
      r[a] += r20;
      r[a + 1] += r21 - r22 + r23;
      r[a + 2] += r22 + r21 - r20;
      r[a + 3] += -r23;
      a = e3 + 2 * f;
      r[a] += -m30;
      r[a + 1] += -m31 + m32 - m33;
      r[a + 2] += -m32 - m31 + m30;
      r[a + 3] += m33;
    }
  }
}
