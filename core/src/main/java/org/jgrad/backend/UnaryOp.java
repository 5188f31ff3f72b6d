package org.jgrad.backend;

/**
 * Element-wise primitives of one operand. Everything else (relu6, softplus, gelu…) is composite.
 */
public enum UnaryOp {
  NEG,
  EXP,
  LOG,
  SQRT,
  ABS,
  SIGN,
  SIN,
  COS,
  TANH,
  SIGMOID,
  RELU,
  ERF,
  RECIPROCAL,
  LOG1P,
  EXPM1
}
