package org.jgrad.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.jgrad.tensor.Generator;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
  @Test
  void eigenpairsOfARandomSymmetricMatrixMatchEjml() {
    int d = 12;
    Generator g = new Generator(4);
    double[][] a = new double[d][d];
    for (int i = 0; i < d; i++) for (int j = 0; j <= i; j++) a[i][j] = a[j][i] = g.nextGaussian();
    SymmetricEigen e = SymmetricEigen.of(a);
    double[] values = e.values();
    EigenDecomposition_F64<DMatrixRMaj> ref = DecompositionFactory_DDRM.eig(d, false, true);
    ref.decompose(new DMatrixRMaj(a));
    double[] expected = new double[d];
    for (int k = 0; k < d; k++) expected[k] = ref.getEigenvalue(k).getReal();
    Arrays.sort(expected);
    for (int k = 0; k < d; k++) assertEquals(expected[d - 1 - k], values[k], 1e-10, "λ" + k);
    for (int k = 0; k < d; k++) {
      double[] v = e.vector(k);
      double norm = 0;
      for (int i = 0; i < d; i++) {
        double av = 0;
        for (int j = 0; j < d; j++) av += a[i][j] * v[j];
        assertEquals(values[k] * v[i], av, 1e-10, "A·v = λ·v, pair " + k);
        norm += v[i] * v[i];
      }
      assertEquals(1, norm, 1e-12);
    }
  }

  @Test
  void aDiagonalMatrixIsItsOwnDecomposition() {
    SymmetricEigen e = SymmetricEigen.of(new double[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 2}});
    assertEquals(3, e.values()[0]);
    assertEquals(1, Math.abs(e.vector(0)[1]), 0);
  }

  @Test
  void nonSymmetricOrNonSquareInputIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 2}, {0, 1}}));
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 2}}));
  }
}
