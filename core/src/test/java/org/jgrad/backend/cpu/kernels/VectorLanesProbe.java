package org.jgrad.backend.cpu.kernels;

import java.util.function.BiFunction;
import jdk.incubator.vector.FloatVector;

/** Array-level access to {@link VectorLanes} for {@link VectorLanesTest}, loaded reflectively. */
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
            case "zipLo" -> VectorLanes.zipLo(x, y);
            case "zipHi" -> VectorLanes.zipHi(x, y);
            case "evens" -> VectorLanes.evens(x, y);
            case "odds" -> VectorLanes.odds(x, y);
            default -> throw new IllegalArgumentException(op);
          };
      return r.toArray();
    };
  }
}
