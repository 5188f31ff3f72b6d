package org.jgrad.backend;

/** Element-wise primitives of two operands. Comparisons produce BOOL. */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV,
  POW,
  MAX,
  MIN,
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE;

  public boolean isComparison() {
    return ordinal() >= EQ.ordinal();
  }
}
