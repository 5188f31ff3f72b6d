package org.jgrad.backend.cpu.kernels;

import java.util.function.BiFunction;
import jdk.incubator.vector.FloatVector;

/**
 * The kernels' inline lane selections on arrays, for {@link VectorLanesTest} (loaded reflectively).
 */
final class VectorLanesProbe {
  private VectorLanesProbe() {}

  public static int length() {
    return FloatVector.SPECIES_PREFERRED.length();
  }

  public static BiFunction<float[], float[], float[]> of(String op) {
    return (a, b) -> {
      FloatVector x = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, 0);
      FloatVector y = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, b, 0);
      FloatVector r =
          switch (op) {
            case "zipLo" ->
                x.rearrange(VectorLanes.DUP_LO)
                    .blend(y.rearrange(VectorLanes.DUP_LO), VectorLanes.ODD_LANES);
            case "zipHi" ->
                x.rearrange(VectorLanes.DUP_HI)
                    .blend(y.rearrange(VectorLanes.DUP_HI), VectorLanes.ODD_LANES);
            case "evens" ->
                x.rearrange(VectorLanes.EVENS)
                    .blend(y.rearrange(VectorLanes.EVENS), VectorLanes.HIGH_HALF);
            case "odds" ->
                x.rearrange(VectorLanes.ODDS)
                    .blend(y.rearrange(VectorLanes.ODDS), VectorLanes.HIGH_HALF);
            default -> throw new IllegalArgumentException(op);
          };
      return r.toArray();
    };
  }
}
