package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 4: a sub-module or parameter kept in a field but never registered is registered
 * under the field's name (as PyTorch's {@code __setattr__} does) instead of silently giving zero
 * parameters; and {@link Module#to(Device)} (item 7).
 */
class ModuleFieldsTest {
  /** Registers nothing explicitly. */
  static class Forgetful extends Module {
    final Linear encoder = new Linear(4, 3);
    final Parameter scale = new Parameter(Tensor.ones(3));
    final Linear decoder = new Linear(3, 2, false);
    final Tensor notABuffer = Tensor.zeros(2);
    transient Linear borrowed = new Linear(2, 2);
    static Linear shared = new Linear(1, 1);

    @Override
    public Tensor forward(Tensor x) {
      return decoder.call(encoder.call(x).mul(scale));
    }
  }

  /** Superclass fields come first, then the subclass's, after the explicit registrations. */
  static final class Extended extends Forgetful {
    final Linear extra = new Linear(2, 1);
    final Linear registered;

    Extended() {
      registered = child("head", new Linear(1, 1));
    }
  }

  static final class Shadowing extends Module {
    final Linear fc = new Linear(1, 1);

    Shadowing() {
      child("fc", new Linear(2, 2));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void unregisteredFieldsAreRegisteredUnderTheirNamesInDeclarationOrder() {
    Forgetful m = new Forgetful();
    assertEquals(
        List.of("scale", "encoder.weight", "encoder.bias", "decoder.weight"),
        new ArrayList<>(m.namedParameters().keySet()),
        "own parameters first, then children, as PyTorch");
    assertEquals(
        List.of("encoder", "decoder"),
        new ArrayList<>(m.namedChildren().keySet()),
        "transient and static fields and plain tensors are left out");
    assertEquals(
        List.of("scale", "encoder.weight", "encoder.bias", "decoder.weight"),
        new ArrayList<>(m.stateDict().keySet()));
    assertEquals(3 + 4 * 3 + 3 + 3 * 2, m.numParameters());
    assertSame(m.scale, m.parameter("scale"));
    assertTrue(m.toString().contains("(encoder): Linear"), m.toString());
    m.call(Tensor.randn(5, 4)).sum().backward();
    for (Parameter p : m.parameters())
      assertNotNull(p.grad(), "every field parameter takes part in training");
  }

  @Test
  void explicitRegistrationIsKeptAndNothingIsRegisteredTwice() {
    Extended m = new Extended();
    assertEquals(
        List.of("head", "encoder", "decoder", "extra"),
        new ArrayList<>(m.namedChildren().keySet()));
    assertEquals(
        List.of(
            "scale",
            "head.weight",
            "head.bias",
            "encoder.weight",
            "encoder.bias",
            "decoder.weight",
            "extra.weight",
            "extra.bias"),
        new ArrayList<>(m.stateDict().keySet()));
    assertEquals(m.namedParameters(), m.namedParameters(), "registration is idempotent");
    assertEquals(8, m.stateDict().size());
    ModuleTest.Mlp explicit = new ModuleTest.Mlp(2, 3, 1);
    assertEquals(
        List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
        new ArrayList<>(explicit.namedParameters().keySet()),
        "explicitly registered fields keep their names");
  }

  static final class Reassigned extends Module {
    Linear fc = new Linear(1, 1);

    @Override
    public Tensor forward(Tensor x) {
      return fc.call(x);
    }
  }

  @Test
  void reassigningAFieldReplacesItsRegistrationAsPyTorchSetattrDoes() {
    Reassigned m = new Reassigned();
    assertEquals(2, m.numParameters());
    m.fc = new Linear(3, 2);
    assertEquals(List.of("fc.weight", "fc.bias"), new ArrayList<>(m.namedParameters().keySet()));
    assertEquals(3 * 2 + 2, m.numParameters());
    assertSame(m.fc, m.child("fc"));
  }

  @Test
  void aStateDictRoundTripsThroughFieldNames() {
    Forgetful a = new Forgetful(), b = new Forgetful();
    b.loadStateDict(a.stateDict());
    assertArrayEquals(
        a.encoder.parameter("weight").toFloatArray(), b.encoder.parameter("weight").toFloatArray());
  }

  @Test
  void aConvertedParameterIsNotRegisteredAgainFromItsStaleField() {
    Forgetful m = new Forgetful();
    m.to(DType.FLOAT64);
    assertEquals(4, m.parameters().size());
    for (Parameter p : m.parameters()) assertEquals(DType.FLOAT64, p.dtype());
  }

  @Test
  void aFieldThatContradictsAnExplicitRegistrationFailsWithAdvice() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Shadowing().parameters());
    assertTrue(
        e.getMessage().contains("field 'fc'") && e.getMessage().contains("Shadowing"),
        e.getMessage());
  }

  @Test
  void toDeviceMovesParametersAndBuffersAndReturnsThis() {
    BatchNorm1d bn = new BatchNorm1d(3);
    Sequential m = new Sequential(new Linear(2, 3), bn);
    assertSame(m, m.to(Device.REFERENCE));
    for (Parameter p : m.parameters()) assertEquals(Device.REFERENCE, p.device());
    for (Tensor b : m.buffers()) assertEquals(Device.REFERENCE, b.device());
    Tensor y = m.call(Tensor.randn(4, 2).to(Device.REFERENCE));
    assertEquals(Device.REFERENCE, y.device());
    y.sum().backward();
    for (Parameter p : m.parameters()) assertEquals(Device.REFERENCE, p.grad().device());
    m.to(Device.CPU);
    for (Parameter p : m.parameters()) assertEquals(Device.CPU, p.device());
    assertTrue(m.parameters().get(0).requiresGrad());
  }
}
